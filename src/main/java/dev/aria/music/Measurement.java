package dev.aria.music;

import java.util.ArrayList;
import java.util.List;

import dev.aria.analysis.EmotionReader;
import dev.aria.midi.Note;
import dev.aria.midi.TimedNote;

/**
 * The emotion of a generated piece as the music-emotion reader ({@link EmotionReader}, {@code POST /analyze}) measures
 * it, on the training labels' scale, and how far it is from what was asked.
 *
 * @param valence  of the whole piece; null when no pitched note plays
 * @param arousal  of the whole piece; null when no note plays
 * @param curve    windows of 10 s every 5 s, in seconds from the start of the file (a continuation's start after its
 *                 primer)
 * @param distance from the request: for a constant emotion the Euclidean distance in the (valence, arousal) plane;
 *                 for an arc the mean over the curve's windows of the distance to the emotion asked for at the
 *                 window's middle (the arc taken as linear in time); a missing value counts as the farthest one could
 *                 be ({@code 1 + |asked|}); infinite for a piece without notes
 * @param model    the reader's valence labeller
 */
public record Measurement(Double valence, Double arousal, List<EmotionReader.Window> curve, double distance,
        String model) {

    /**
     * Measures {@code notes} (a generated piece, times from its start) against {@code s}; the curve is moved by
     * {@code offsetMs}, where the piece starts in its file.
     */
    static Measurement of(EmotionReader reader, List<Note> notes, int offsetMs, GenerationSettings s) {
        if (notes.isEmpty()) {
            return new Measurement(null, null, List.of(), Double.POSITIVE_INFINITY, reader.modelId());
        }
        EmotionReader.Reading r = reader.read(TimedNote.fromMillis(notes));
        double offset = offsetMs / 1000.0;
        List<EmotionReader.Window> curve = new ArrayList<>(r.curve().size());
        for (EmotionReader.Window w : r.curve()) {
            curve.add(new EmotionReader.Window(w.start() + offset, w.end() + offset, w.valence(), w.arousal()));
        }
        double distance;
        if (!s.arc()) {
            distance = Math.hypot(gap(r.valence(), s.valence()), gap(r.arousal(), s.arousal()));
        } else {
            double end = r.curve().get(r.curve().size() - 1).end();
            double sum = 0;
            for (EmotionReader.Window w : r.curve()) {
                double f = end <= 0 ? 0 : Math.min(1, (w.start() + w.end()) / 2 / end);
                sum += Math.hypot(gap(w.valence(), s.valence() + f * (s.valenceEnd() - s.valence())),
                        gap(w.arousal(), s.arousal() + f * (s.arousalEnd() - s.arousal())));
            }
            distance = sum / r.curve().size();
        }
        return new Measurement(r.valence(), r.arousal(), List.copyOf(curve), distance, r.model());
    }

    private static double gap(Double measured, double asked) {
        return measured == null ? 1 + Math.abs(asked) : Math.abs(measured - asked);
    }
}
