package dev.aria.midi;

import static dev.aria.testing.Smf.chunk;
import static dev.aria.testing.Smf.event;
import static dev.aria.testing.Smf.file;
import static dev.aria.testing.Smf.tempo;
import static dev.aria.testing.Smf.track;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.aria.testing.Midis;

/**
 * What {@link MidiNoteReader} makes of odd and broken files; how it agrees with pretty_midi on good ones is pinned by
 * the cross-language vectors ({@code dev.aria.analysis.AnalysisVectorsTest}).
 */
class MidiNoteReaderTest {

    private static final MidiNoteReader READER = new MidiNoteReader(new MidiNoteReader.Limits(512, 100_000, 1800));
    private static final int PPQ = 480;

    /** C4 from tick 0 to 480 on channel 1. */
    private static byte[] c4() {
        return track(event(0, 0x90, 60, 100), event(PPQ, 0x80, 60, 0));
    }

    @Test
    void readsAFileJavaxSoundMidiWrites() throws Exception {
        // 100 bpm: a quarter lasts 0.6 s; the chord holds 4 quarters, drums hit every quarter for a sixteenth
        List<TimedNote> notes = READER.read(Midis.chord(600_000, 4));
        assertEquals(3 + 1 + 4, notes.size());
        assertEquals(new TimedNote(TimedNote.DRUMS, 36, 0.0, 0.15), notes.get(0));
        assertEquals(new TimedNote(TimedNote.STRINGS, 48, 0.0, 2.4), notes.get(1));
        assertEquals(new TimedNote(TimedNote.PIANO, 60, 0.0, 2.4), notes.get(2));
        assertEquals(2.4, notes.stream().mapToDouble(TimedNote::end).max().orElseThrow(), 1e-12);
    }

    @Test
    void readsSmpteTimeDivisionAsFramesTimesTicks() throws Exception {
        // 25 frames per second, 40 ticks per frame: 1000 ticks a second
        byte[] smpte = file(0, 0xE728, track(event(1000, 0x90, 60, 100), event(500, 0x80, 60, 0)));
        assertEquals(List.of(new TimedNote(TimedNote.PIANO, 60, 1.0, 1.5)), READER.read(smpte));
    }

    @Test
    void skipsChunksOfUnknownTypes() throws Exception {
        byte[] plain = file(1, PPQ, c4());
        byte[] alien = file(1, 1, PPQ, chunk("XFIH", new byte[] { 1, 2, 3 }), c4());
        assertEquals(READER.read(plain), READER.read(alien));
        assertEquals(List.of(new TimedNote(TimedNote.PIANO, 60, 0.0, 0.5)), READER.read(alien));
    }

    @Test
    void followsTheTempoMapOfTheFirstTrackOnly() throws Exception {
        byte[] tempos = file(1, PPQ, track(tempo(0, 1_000_000), tempo(PPQ, 250_000)),
                track(tempo(0, 2_000_000), event(0, 0x90, 60, 100), event(2 * PPQ, 0x80, 60, 0)));
        // one quarter at 60 bpm (1 s), one at 240 bpm (0.25 s); the second track's tempo is ignored
        assertEquals(List.of(new TimedNote(TimedNote.PIANO, 60, 0.0, 1.25)), READER.read(tempos));
    }

    @Test
    void refusesTruncatedFilesAndLyingLengths() {
        byte[] good = file(1, PPQ, c4(), c4());
        assertCorrupt(Arrays.copyOf(good, good.length - 5), "truncated");
        assertCorrupt(Arrays.copyOf(good, 10), "truncated");
        // a track chunk that declares more bytes than the file has
        assertCorrupt(file(0, PPQ, chunk("MTrk", 1000, new byte[] { 0, (byte) 0x90, 60, 100 })), "lies about a length");
        // one that declares fewer bytes than its events take: an event runs past its end
        assertCorrupt(file(0, PPQ, chunk("MTrk", 6, new byte[] { 0, (byte) 0x90, 60, 100, (byte) 0x83, 0x60, 60, 0 })),
                "runs past the end of track 1");
        // a meta event whose length runs past its chunk
        assertCorrupt(file(0, PPQ, chunk("MTrk", new byte[] { 0, (byte) 0xFF, 1, 50, 'a' })), "declares 50 bytes");
        // fewer tracks than the header announces
        assertCorrupt(file(1, 3, PPQ, c4()), "announces 3 tracks");
    }

    @Test
    void refusesATempoOfZero() {
        assertCorrupt(file(1, PPQ, track(tempo(0, 0)), c4()), "tempo of 0");
        assertCorrupt(file(1, PPQ, track(event(0, 0xFF, 0x51, 2, 1, 2)), c4()), "tempo event with 2 data bytes");
    }

    @Test
    void refusesBytesNoMidiFileHas() {
        assertCorrupt(file(0, PPQ, track(event(0, 60, 100))), "running status without a channel message");
        assertCorrupt(file(0, PPQ, track(event(0, 0x90, 60, 200))), "0xC8 where a data byte");
        assertCorrupt(file(0, PPQ, chunk("MTrk", new byte[] { (byte) 0x81, (byte) 0x81, (byte) 0x81, (byte) 0x81, 0,
                (byte) 0x90, 60, 100 })), "delta time longer than four bytes");
        assertCorrupt(file(0, PPQ, track(event(0, 0xF4))), "undefined status byte 0xF4");
        assertCorrupt(file(0, 0, c4()), "0 ticks per quarter note");
        assertCorrupt(file(3, PPQ, c4()), "format 3");
        assertCorrupt(file(1, 0, PPQ), "no track");
    }

    @Test
    void keepsRunningStatusAcrossMetaEventsButNotAcrossSysex() throws Exception {
        byte[] acrossMeta = file(0, PPQ, track(event(0, 0x90, 60, 100), event(PPQ, 0xFF, 0x01, 1, 'x'), event(0, 60, 0)));
        assertEquals(List.of(new TimedNote(TimedNote.PIANO, 60, 0.0, 0.5)), READER.read(acrossMeta));
        assertCorrupt(file(0, PPQ, track(event(0, 0x90, 60, 100), event(PPQ, 0xF0, 1, 0xF7), event(0, 60, 0))),
                "running status");
    }

    @Test
    void boundsTracksNotesAndDuration() {
        MidiNoteReader small = new MidiNoteReader(new MidiNoteReader.Limits(4, 10, 60));
        assertRefused(small, file(1, 5, PPQ, c4(), c4(), c4(), c4(), c4()), MidiNoteReader.Unreadable.Reason.TOO_MANY_TRACKS,
                "declares 5 tracks; at most 4");
        byte[][] notes = new byte[22][];
        for (int i = 0; i < 22; i += 2) {
            notes[i] = event(0, 0x90, 60, 100);
            notes[i + 1] = event(10, 0x80, 60, 0);
        }
        assertRefused(small, file(0, PPQ, track(notes)), MidiNoteReader.Unreadable.Reason.TOO_MANY_NOTES,
                "more than 10 notes");
        // a note after an hour of silence (120 bpm: 960 ticks a second)
        assertRefused(small, file(0, PPQ, track(event(0, 0x90, 60, 100), event(PPQ, 0x80, 60, 0),
                event(3600L * 960, 0x90, 62, 100), event(PPQ, 0x80, 62, 0))), MidiNoteReader.Unreadable.Reason.TOO_LONG,
                "lasts 1 h 00 min");
    }

    @Test
    void namesWhatAFileThatIsNoMidiLooksLike() throws Exception {
        byte[] png = Files.readAllBytes(Path.of("src/test/resources/hostile/one-pixel.png"));
        assertRefused(READER, png, MidiNoteReader.Unreadable.Reason.NOT_MIDI, "looks like a PNG image");
        assertRefused(READER, "X:1\nT:a tune in ABC\nK:G\nGABc|".getBytes(), MidiNoteReader.Unreadable.Reason.NOT_MIDI,
                "looks like text");
        assertRefused(READER, new byte[0], MidiNoteReader.Unreadable.Reason.EMPTY, "empty");
    }

    @Test
    void aFileWithoutNoteOffsOrWithoutNotesHasNoNotes() throws Exception {
        assertEquals(List.of(), READER.read(file(0, PPQ, track(event(0, 0x90, 60, 100)))));
        assertEquals(List.of(), READER.read(file(1, PPQ, track(tempo(0, 500_000)))));
    }

    @Test
    void thousandsOfEmptyTracksCostNoTimeToSpeakOf() throws Exception {
        MidiNoteReader many = new MidiNoteReader(new MidiNoteReader.Limits(20_000, 100_000, 1800));
        ByteArrayOutputStream tracks = new ByteArrayOutputStream();
        for (int i = 0; i < 10_000; i++) {
            tracks.writeBytes(i == 5_000 ? c4() : track());
        }
        byte[] bytes = file(1, 10_000, PPQ, tracks.toByteArray());
        assertEquals(1, many.read(bytes).size());
        assertTrue(bytes.length < 130_000);
    }

    private static void assertCorrupt(byte[] bytes, String message) {
        assertRefused(READER, bytes, MidiNoteReader.Unreadable.Reason.CORRUPT, message);
    }

    private static void assertRefused(MidiNoteReader reader, byte[] bytes, MidiNoteReader.Unreadable.Reason reason,
            String message) {
        MidiNoteReader.Unreadable e = assertThrows(MidiNoteReader.Unreadable.class, () -> reader.read(bytes));
        assertEquals(reason, e.reason(), e.getMessage());
        assertThat(e.getMessage(), containsString(message));
    }
}
