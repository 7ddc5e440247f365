package dev.aria.music;

/**
 * Classifier-free guidance of one pick: the conditional stream's log-probabilities {@code c} and those of the stream
 * it is contrasted with, {@code o}, combine as {@code o + w (c - o)} (the same as {@code training/sample.py}; w = 1 is
 * the conditional stream alone). The contrast is the decoder's learned null condition (the classic form), or the same
 * emotion with the opposite valence, which pushes along valence alone and leaves arousal as the condition has it.
 */
public final class Guidance {

    /** What the second stream of a guided attempt is conditioned on. */
    public enum Contrast {
        /** The learned null condition: {@code condition_mask} 0, or the prefix {@code <PAD> <PAD>}. */
        NULL,
        /** The requested arousal with the opposite valence. */
        VALENCE;

        /** Its name in requests and cards: {@code null} or {@code valence}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static java.util.Optional<Contrast> fromWire(String name) {
            for (Contrast c : values()) {
                if (c.wireName().equals(name)) {
                    return java.util.Optional.of(c);
                }
            }
            return java.util.Optional.empty();
        }
    }

    private Guidance() {
    }

    /** Replaces {@code cond} by {@code log_softmax(other) + w (log_softmax(cond) - log_softmax(other))}. */
    static void combine(double[] cond, double[] other, double w) {
        double lc = logSumExp(cond);
        double lo = logSumExp(other);
        for (int i = 0; i < cond.length; i++) {
            double c = cond[i] - lc;
            double o = other[i] - lo;
            cond[i] = o + w * (c - o);
        }
    }

    private static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }
}
