package dev.aria.midi;

import java.util.List;

/**
 * One note as the emotion measurements read it: instrument index in vocabulary order (0 drums, 1 guitar, 2 bass,
 * 3 piano, 4 strings, as {@code training/emotion_features.py}'s {@code INSTRUMENTS}), MIDI pitch 0–127, start and end
 * in seconds from the start of the piece ({@code 0 <= start <= end}, finite).
 */
public record TimedNote(int instrument, int pitch, double start, double end) {

    public static final int DRUMS = 0;
    public static final int GUITAR = 1;
    public static final int BASS = 2;
    public static final int PIANO = 3;
    public static final int STRINGS = 4;
    /** How many instruments there are. */
    public static final int INSTRUMENTS = 5;

    public TimedNote {
        if (instrument < 0 || instrument >= INSTRUMENTS || pitch < 0 || pitch > 127 || !(start >= 0)
                || !(end >= start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("not a note: " + instrument + ", " + pitch + ", " + start + ", " + end);
        }
    }

    /** Whether this is a drum note (left out of every feature but arousal). */
    public boolean drum() {
        return instrument == DRUMS;
    }

    /** Notes in milliseconds (a generated piece) in seconds, as {@code build_dataset.seconds} converts them. */
    public static List<TimedNote> fromMillis(List<Note> notes) {
        return notes.stream().map(n -> new TimedNote(n.instrument(), n.pitch(), n.startMs() / 1000.0,
                Math.max(n.endMs(), n.startMs()) / 1000.0)).toList();
    }

    /**
     * General MIDI program (0-based) to instrument, exactly as {@code emotion_features.program_to_instrument}:
     * channel 10 drums; 0–23 pianos, chromatic percussion and organs to piano; 24–31 guitar; 32–39 bass; 40–79
     * strings, ensembles, choirs, brass, reeds and pipes to strings; 80–87 synth leads to guitar; 88–103 synth pads
     * and effects to strings; 104–127 ethnic, percussive and sound effects to piano.
     */
    public static int instrumentOf(int program, boolean drumChannel) {
        if (drumChannel) {
            return DRUMS;
        }
        if (program <= 23) {
            return PIANO;
        }
        if (program <= 31) {
            return GUITAR;
        }
        if (program <= 39) {
            return BASS;
        }
        if (program <= 79) {
            return STRINGS;
        }
        if (program <= 87) {
            return GUITAR;
        }
        if (program <= 103) {
            return STRINGS;
        }
        return PIANO;
    }
}
