package dev.aria.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/** Hand-made Standard MIDI Files for tests. */
public final class Midis {

    public static final int PPQ = 480;

    private Midis() {
    }

    /**
     * A type-1 file at the given tempo (microseconds per quarter): a piano C-major chord for {@code quarters}
     * quarter notes, a strings line on channel 2 and a kick drum on channel 10 every quarter.
     */
    public static byte[] chord(int tempoMicros, int quarters) {
        try {
            Sequence seq = new Sequence(Sequence.PPQ, PPQ);
            Track meta = seq.createTrack();
            meta.add(new MidiEvent(new MetaMessage(0x51, new byte[] {(byte) (tempoMicros >> 16),
                    (byte) (tempoMicros >> 8), (byte) tempoMicros}, 3), 0));
            Track piano = seq.createTrack();
            piano.add(event(ShortMessage.PROGRAM_CHANGE, 0, 0, 0, 0));
            for (int pitch : new int[] {60, 64, 67}) {
                piano.add(event(ShortMessage.NOTE_ON, 0, pitch, 100, 0));
                piano.add(event(ShortMessage.NOTE_OFF, 0, pitch, 0, (long) quarters * PPQ));
            }
            Track strings = seq.createTrack();
            strings.add(event(ShortMessage.PROGRAM_CHANGE, 1, 48, 0, 0));
            strings.add(event(ShortMessage.NOTE_ON, 1, 48, 90, 0));
            strings.add(event(ShortMessage.NOTE_OFF, 1, 48, 0, (long) quarters * PPQ));
            Track drums = seq.createTrack();
            for (int q = 0; q < quarters; q++) {
                drums.add(event(ShortMessage.NOTE_ON, 9, 36, 110, (long) q * PPQ));
                drums.add(event(ShortMessage.NOTE_OFF, 9, 36, 0, (long) q * PPQ + PPQ / 4));
            }
            return write(seq);
        } catch (InvalidMidiDataException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One short piano note starting at {@code seconds} (120 bpm): a tiny file describing a long piece. */
    public static byte[] noteAt(double seconds) {
        try {
            Sequence seq = new Sequence(Sequence.PPQ, PPQ);
            Track t = seq.createTrack();
            long tick = Math.round(seconds * 2 * PPQ);
            t.add(event(ShortMessage.NOTE_ON, 0, 60, 100, tick));
            t.add(event(ShortMessage.NOTE_OFF, 0, 60, 0, tick + PPQ));
            return write(seq);
        } catch (InvalidMidiDataException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MidiEvent event(int command, int channel, int data1, int data2, long tick)
            throws InvalidMidiDataException {
        return new MidiEvent(new ShortMessage(command, channel, data1, data2), tick);
    }

    private static byte[] write(Sequence seq) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MidiSystem.write(seq, 1, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
