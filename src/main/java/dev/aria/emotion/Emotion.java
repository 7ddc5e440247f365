package dev.aria.emotion;

/**
 * A point in Russell's circumplex of affect.
 *
 * @param valence unpleasant (−1) to pleasant (+1)
 * @param arousal calm (−1) to excited (+1)
 */
public record Emotion(double valence, double arousal) {

    public Emotion {
        if (!(valence >= -1.0 && valence <= 1.0) || !(arousal >= -1.0 && arousal <= 1.0)) {
            throw new IllegalArgumentException(
                    "Valence and arousal must lie in [-1, 1], not (" + valence + ", " + arousal + ")");
        }
    }

    /** The point with both coordinates clamped into [−1, 1]; NaN becomes 0. */
    public static Emotion clamped(double valence, double arousal) {
        return new Emotion(clamp(valence), clamp(arousal));
    }

    private static double clamp(double value) {
        return Double.isNaN(value) ? 0.0 : Math.max(-1.0, Math.min(1.0, value));
    }
}
