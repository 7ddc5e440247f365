package dev.aria.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.aria.config.AriaConfig;
import dev.aria.midi.MidiNoteReader;
import dev.aria.midi.TimedNote;
import dev.aria.problem.ApiException;

/**
 * An uploaded MIDI file to its emotion: the file's size and content are checked against {@code aria.analysis.*}
 * while it is read ({@link MidiNoteReader}), then {@link EmotionReader} measures the notes. At most
 * {@code max-concurrent} analyses run at once; a request waits up to {@code slot-wait} for a free one, then gets 503.
 */
@ApplicationScoped
public class MidiAnalysis {

    private final AriaConfig.Analysis config;
    private final Duration retryAfter;
    private final MidiNoteReader reader;
    private final EmotionReader emotions;
    private final Semaphore slots;

    MidiAnalysis(AriaConfig config, EmotionReader emotions) {
        this.config = config.analysis();
        this.retryAfter = config.generation().retryAfter();
        this.reader = new MidiNoteReader(new MidiNoteReader.Limits(this.config.maxTracks(), this.config.maxNotes(),
                this.config.maxDuration().toMillis() / 1000.0));
        this.emotions = emotions;
        this.slots = new Semaphore(this.config.maxConcurrent(), true);
    }

    /** The emotion of the MIDI file uploaded in {@code field}, and its curve. */
    public EmotionReader.Reading analyze(Path upload, String field) throws IOException {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(config.slotWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new ApiException(503, "overloaded", null, "All " + config.maxConcurrent() + " analysis slots are "
                    + "busy. Retry after a few seconds.")
                    .withHeader("Retry-After", String.valueOf(retryAfter.toSeconds()));
        }
        try {
            List<TimedNote> notes = notes(upload, field);
            if (notes.isEmpty()) {
                throw new ApiException(400, "no-notes", field, "The MIDI file in '" + field + "' has no notes (no "
                        + "note-on that a note-off ends), so it has no emotion to read. Send a file with music in it.");
            }
            return emotions.read(notes);
        } finally {
            slots.release();
        }
    }

    /**
     * The notes of the MIDI file uploaded in {@code field} (possibly none), read as the data pipeline reads MIDI.
     *
     * @throws ApiException 413 {@code file-too-large}; 400 {@code empty-midi}, {@code corrupt-midi},
     *                      {@code too-many-tracks}, {@code too-many-notes} or {@code midi-too-long}; 415
     *                      {@code not-midi}; each naming {@code field}
     */
    public List<TimedNote> notes(Path upload, String field) throws IOException {
        long size = Files.size(upload);
        if (size > config.maxMidiBytes()) {
            throw new ApiException(413, "file-too-large", field, "The file in '" + field + "' has " + size
                    + " bytes; at most " + config.maxMidiBytes() + " (" + kib(config.maxMidiBytes()) + ") are "
                    + "accepted. Send a shorter MIDI file.");
        }
        try {
            return reader.read(Files.readAllBytes(upload));
        } catch (MidiNoteReader.Unreadable e) {
            String the = "The file in '" + field + "' ";
            throw switch (e.reason()) {
                case EMPTY -> new ApiException(400, "empty-midi", field, the + e.getMessage() + ". Attach a Standard "
                        + "MIDI File (.mid).");
                case NOT_MIDI -> new ApiException(415, "not-midi", field, the + "is not a Standard MIDI File: it "
                        + e.getMessage() + ". Send a .mid file (type 0 or 1), e.g. one POST /generate returned.");
                case CORRUPT -> new ApiException(400, "corrupt-midi", field, the + e.getMessage() + ". Send the "
                        + "complete, undamaged file again, or re-save it from a MIDI editor.");
                case TOO_MANY_TRACKS -> new ApiException(400, "too-many-tracks", field, the + e.getMessage() + ". "
                        + "Merge tracks, or send the piece in parts.");
                case TOO_MANY_NOTES -> new ApiException(400, "too-many-notes", field, the + e.getMessage() + ". "
                        + "Send a shorter excerpt.");
                case TOO_LONG -> new ApiException(400, "midi-too-long", field, the + e.getMessage() + ". Send a "
                        + "shorter excerpt, or remove the silence before its last notes.");
            };
        }
    }

    private static String kib(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
    }
}
