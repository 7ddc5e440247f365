package dev.aria.audio;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

import javax.sound.midi.Instrument;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.MidiUnavailableException;
import javax.sound.midi.Receiver;
import javax.sound.midi.Soundbank;
import javax.sound.midi.Synthesizer;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;

import net.sourceforge.javaflacencoder.FLACFileWriter;
import javax.sound.sampled.AudioSystem;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.aria.config.AriaConfig;
import dev.aria.problem.ApiException;

/**
 * Standard MIDI Files to WAV, offline and faster than real time, with the JDK's software synthesiser (Gervill) and a
 * General MIDI SoundFont ({@code aria.audio.soundfont}, else the JDK's built-in sound set).
 *
 * <p>Gervill renders into an {@link AudioInputStream} only through {@code com.sun.media.sound.AudioSynthesizer
 * #openStream}, an interface of a package {@code java.desktop} does not export; the public
 * {@link Synthesizer#open()} plays in real time to a sound card. The JVM must therefore run with
 * {@code --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED} (the packaged jar's manifest says so for
 * {@code java -jar}; Maven's test and dev runs pass it). The one method is called reflectively, so the code compiles
 * with {@code --release 17}, which forbids exporting system packages. Without the export, renders answer 503.
 *
 * <p>Cost is bounded before any sound is made: the file size ({@code aria.audio.max-midi-bytes}), the duration
 * ({@code aria.audio.max-duration}, computed from the events with the tempo map) and the renders running at once
 * ({@code aria.audio.max-concurrent}; more get 503 + Retry-After).
 */
@ApplicationScoped
public class MidiRenderer {

    /** The form part that carries the MIDI file. */
    public static final String FIELD = "midi";
    /** What {@link Rendering#soundFont()} says when the JDK's own sound set plays. */
    public static final String BUILT_IN = "jdk-builtin";

    private static final Logger LOG = Logger.getLogger(MidiRenderer.class);
    private static final String INTERNAL_PACKAGE = "com.sun.media.sound";
    /** Silence after the last event, so that releases and reverb tails are not cut off. */
    private static final long TAIL_MICROS = 2_000_000;

    private final AriaConfig.Audio config;
    private final Duration retryAfter;
    private final Semaphore slots;
    private final Object soundbankLock = new Object();
    private volatile SoundFont soundFont;

    MidiRenderer(AriaConfig config) {
        this.config = config.audio();
        this.retryAfter = config.generation().retryAfter();
        this.slots = new Semaphore(this.config.maxConcurrent());
    }

    /** The audio format of every WAV: 16-bit signed little-endian stereo PCM. */
    public AudioFormat format() {
        return new AudioFormat(config.sampleRate(), 16, 2, true, false);
    }

    /** Whether this JVM can render at all: the synthesiser's streaming interface is exported to this code. */
    public static boolean available() {
        return Synthesizer.class.getModule().isExported(INTERNAL_PACKAGE, MidiRenderer.class.getModule());
    }

    /**
     * Reads and checks a MIDI file and reserves a render slot; the returned rendering writes the WAV. Close it
     * (idempotent) when the response has ended, however it ended.
     *
     * @throws ApiException 413 {@code file-too-large}, 415 {@code not-midi}, 400 {@code corrupt-midi} or
     *                      {@code midi-too-long} (each naming the field {@code midi}), 503 {@code audio-unavailable} or
     *                      {@code overloaded}
     */
    public Rendering prepare(Path file) throws IOException {
        long size = Files.size(file);
        if (size > config.maxMidiBytes()) {
            throw new ApiException(413, "file-too-large", FIELD, "The file in '" + FIELD + "' has " + size
                    + " bytes; at most " + config.maxMidiBytes() + " (" + kib(config.maxMidiBytes()) + ") are "
                    + "accepted. Send a shorter MIDI file.");
        }
        TimedMidi midi;
        try {
            midi = TimedMidi.read(Files.readAllBytes(file));
        } catch (TimedMidi.Unreadable e) {
            if (e.notMidi()) {
                throw new ApiException(415, "not-midi", FIELD, "The file in '" + FIELD + "' is not a Standard MIDI "
                        + "File: " + e.getMessage() + ". Send a .mid file, e.g. one POST /generate returned.");
            }
            throw new ApiException(400, "corrupt-midi", FIELD, "The MIDI file in '" + FIELD + "' cannot be read: "
                    + e.getMessage() + ". Send the complete file again.");
        }
        long max = config.maxDuration().toNanos() / 1000;
        if (midi.durationMicros() > max) {
            throw new ApiException(400, "midi-too-long", FIELD, "The MIDI file in '" + FIELD + "' lasts "
                    + minutes(midi.durationMicros()) + "; at most " + minutes(max) + " of music are rendered. Send a "
                    + "shorter piece.");
        }
        if (!available()) {
            throw new ApiException(503, "audio-unavailable", null, "Audio rendering is switched off in this "
                    + "deployment: the JVM runs without --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED. "
                    + "Play the MIDI file with any MIDI player instead.");
        }
        if (!slots.tryAcquire()) {
            throw new ApiException(503, "overloaded", null, "All " + config.maxConcurrent() + " audio render slots "
                    + "are busy. Retry after a few seconds.")
                    .withHeader("Retry-After", String.valueOf(retryAfter.toSeconds()));
        }
        return new Rendering(midi, soundFont());
    }

    /** The configured SoundFont, loaded once (its samples are read lazily, per instrument), or the built-in set. */
    SoundFont soundFont() {
        SoundFont font = soundFont;
        if (font == null) {
            synchronized (soundbankLock) {
                font = soundFont;
                if (font == null) {
                    font = SoundFont.load(config.soundfont());
                    soundFont = font;
                }
            }
        }
        return font;
    }

    /**
     * Writes the total number of samples into a FLAC stream's STREAMINFO block as it passes: its 36 bits end at byte
     * 25 of the stream ("fLaC", a 4-byte block header, then 2 + 2 + 3 + 3 bytes of block and frame sizes, 20 bits of
     * sample rate, 3 of channels and 5 of bits per sample).
     */
    static final class FlacTotalSamples extends java.io.FilterOutputStream {
        private final long samples;
        private long position;

        FlacTotalSamples(OutputStream out, long samples) {
            super(out);
            this.samples = samples & 0xF_FFFF_FFFFL;
        }

        @Override
        public void write(int b) throws IOException {
            int v = b & 0xFF;
            if (position == 21) {
                v = (v & 0xF0) | (int) (samples >>> 32);
            } else if (position >= 22 && position <= 25) {
                v = (int) (samples >>> (8 * (25 - position))) & 0xFF;
            }
            position++;
            out.write(v);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (position > 25) {
                out.write(b, off, len);
                position += len;
                return;
            }
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }
    }

    /** A checked MIDI file holding a render slot. */
    public final class Rendering implements AutoCloseable {
        private final TimedMidi midi;
        private final SoundFont font;
        private boolean released;

        private Rendering(TimedMidi midi, SoundFont font) {
            this.midi = midi;
            this.font = font;
        }

        /** Length of the music (without the silent tail), in microseconds. */
        public long durationMicros() {
            return midi.durationMicros();
        }

        /** File name of the SoundFont that plays, or {@link MidiRenderer#BUILT_IN}. */
        public String soundFont() {
            return font.name();
        }

        /** Frames of the WAV: the music plus two seconds for the last notes to ring out. */
        public long frames() {
            return (long) Math.ceil((midi.durationMicros() + TAIL_MICROS) / 1e6 * config.sampleRate());
        }

        /** Synthesises the music and writes it as a WAV file (see {@link #write}). */
        public void writeWav(BooleanSupplier stop, OutputStream out) throws IOException {
            write(false, stop, out);
        }

        /**
         * Synthesises the music and writes it as a FLAC stream (see {@link #write}). A stream written front to back
         * cannot go back to its STREAMINFO block, so the encoder leaves the number of samples unset there, and browsers
         * then report no duration; that number is known before the first sample ({@link #frames()}), so it is written
         * into the block as it passes. The MD5 signature stays unset (0, allowed by the format).
         */
        public void writeFlac(BooleanSupplier stop, OutputStream out) throws IOException {
            write(true, stop, new FlacTotalSamples(out, frames()));
        }

        /**
         * Synthesises the music and writes it as WAV or FLAC while it is synthesised. Once {@code stop} says so (the
         * client has gone), the synthesis stops and the file ends short. The slot stays reserved until
         * {@link #close()}.
         */
        private void write(boolean flac, BooleanSupplier stop, OutputStream out) throws IOException {
            Synthesizer synth = null;
            try {
                long start = System.nanoTime();
                synth = MidiSystem.getSynthesizer();
                AudioInputStream pcm = openStream(synth, format(), font);
                font.loadInto(synth, midi.melodic(), midi.drumKits());
                Receiver receiver = synth.getReceiver();
                for (TimedMidi.Timed t : midi.messages()) {
                    receiver.send(t.message(), t.micros());
                }
                InputStream samples = new FilterInputStream(pcm) {
                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        return stop.getAsBoolean() ? -1 : super.read(buffer, offset, length);
                    }
                };
                AudioInputStream audio = new AudioInputStream(samples, pcm.getFormat(), frames());
                if (flac) {
                    new FLACFileWriter().write(audio, FLACFileWriter.FLAC, out);
                } else {
                    AudioSystem.write(audio, AudioFileFormat.Type.WAVE, out);
                }
                LOG.debugf("rendered %d events, %s of music, with %s in %d ms%s", midi.messages().size(),
                        minutes(midi.durationMicros()), font.name(), (System.nanoTime() - start) / 1_000_000,
                        stop.getAsBoolean() ? ", stopped early: the client has gone" : "");
            } catch (MidiUnavailableException e) {
                throw new IOException("no synthesiser", e);
            } finally {
                if (synth != null) {
                    synth.close();
                }
            }
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                slots.release();
            }
        }
    }

    /** {@code ((AudioSynthesizer) synth).openStream(format, info)}, reflectively (see the class comment). */
    private static AudioInputStream openStream(Synthesizer synth, AudioFormat format, SoundFont font)
            throws MidiUnavailableException {
        Map<String, Object> info = new HashMap<>();
        info.put("load default soundbank", font.builtIn()); // skip building the JDK's set when a SoundFont plays
        info.put("max polyphony", 96);
        try {
            Class<?> type = Class.forName(INTERNAL_PACKAGE + ".AudioSynthesizer", false, Synthesizer.class.getClassLoader());
            if (!type.isInstance(synth)) {
                throw new MidiUnavailableException("the default synthesizer " + synth.getClass().getName()
                        + " cannot render offline");
            }
            Method open = type.getMethod("openStream", AudioFormat.class, Map.class);
            return (AudioInputStream) open.invoke(synth, format, info);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof MidiUnavailableException m) {
                throw m;
            }
            throw (MidiUnavailableException) new MidiUnavailableException("openStream failed").initCause(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw (MidiUnavailableException) new MidiUnavailableException("no offline synthesiser").initCause(e);
        }
    }

    /** A loaded sound bank, or the built-in set. */
    record SoundFont(String name, Soundbank bank) {

        static SoundFont load(Path path) {
            if (path != null && Files.isReadable(path)) {
                try {
                    Soundbank bank = MidiSystem.getSoundbank(path.toFile());
                    LOG.infof("Audio renders with the SoundFont %s (%s, %d instruments)", path, bank.getName(),
                            bank.getInstruments().length);
                    return new SoundFont(path.getFileName().toString(), bank);
                } catch (InvalidMidiDataException | IOException | RuntimeException e) {
                    LOG.warnf("Cannot read the SoundFont %s (%s); audio renders with the JDK's built-in sound set",
                            path, e.toString());
                }
            } else {
                LOG.infof("No SoundFont at %s (aria.audio.soundfont); audio renders with the JDK's built-in sound set",
                        path);
            }
            return new SoundFont(BUILT_IN, null);
        }

        boolean builtIn() {
            return bank == null;
        }

        /**
         * Loads the instruments whose program the music uses (every bank, melodic and drum kits alike: the public
         * {@link javax.sound.midi.Patch} cannot tell a kit from a melodic preset). A handful of presets loads in well
         * under a second; all of a large SoundFont would take seconds per render.
         */
        void loadInto(Synthesizer synth, Set<Integer> melodic, Set<Integer> drumKits) {
            if (bank == null) {
                return;
            }
            synchronized (bank) { // sample data is read from the file on first load: one reader at a time
                for (Instrument instrument : bank.getInstruments()) {
                    int program = instrument.getPatch().getProgram();
                    if (melodic.contains(program) || drumKits.contains(program)) {
                        synth.loadInstrument(instrument);
                    }
                }
            }
        }
    }

    private static String kib(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
    }

    private static String minutes(long micros) {
        long seconds = Math.round(micros / 1e6);
        return seconds < 60 ? seconds + " s"
                : String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
    }
}
