package dev.aria.music;

/**
 * The sampling core of midi-emotion's generator, deterministic given the uniform draw {@code u}
 * (mirrors {@code training/sample.py nucleus_pick}; the committed vectors in
 * {@code training/tests/vectors/sampler.json} pin both):
 * masked tokens get probability 0; log-softmax; divide by the temperature; tokens in descending probability (ties by
 * id); every token whose cumulative probability exceeds {@code topP} is dropped, the most probable always kept; the
 * first kept token whose renormalised cumulative probability exceeds {@code u} is the pick.
 *
 * <p>Instead of sorting the whole vocabulary it pops a binary max-heap only as far as the nucleus reaches, and the
 * heap first holds only the tokens of probability at least {@link #CANDIDATE} (a few dozen of the thousand, typically):
 * every token left out is less probable than every token in, so the pops come in the same order, and if the nucleus
 * has not closed when the candidates run out the pick starts again over the whole vocabulary. The token, the count
 * and every probability are the same as over the whole vocabulary, bit for bit. One instance per generation: it
 * reuses its buffers and is not thread-safe.
 */
public final class NucleusSampler {

    /** A pick: the token and how many tokens the nucleus kept (the repetition penalty counts small nuclei). */
    public record Pick(int token, int kept) {
    }

    /**
     * The probability from which a token enters the first heap. Below it a token can only be in the nucleus of a
     * distribution nearly flat over thousands of tokens, and then the pick starts again over all of them.
     */
    static final double CANDIDATE = 1e-4;

    private final boolean[] mask;
    private final double[] z;
    /** exp(z), computed once a pick. */
    private final double[] e;
    private final int[] heap;
    private final int[] nucleus;
    private final double[] prob;

    /** @param mask true for tokens that must never be sampled (special tokens) */
    public NucleusSampler(boolean[] mask) {
        this.mask = mask.clone();
        this.z = new double[mask.length];
        this.e = new double[mask.length];
        this.heap = new int[mask.length];
        this.nucleus = new int[mask.length];
        this.prob = new double[mask.length];
    }

    public Pick pick(float[] logits, double temperature, double topP, double u) {
        double[] x = new double[logits.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = logits[i];
        }
        return pick(x, temperature, topP, u);
    }

    /** As {@link #pick(float[], double, double, double)}, on logits (or log-probabilities) in double precision. */
    public Pick pick(double[] logits, double temperature, double topP, double u) {
        int n = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < mask.length; i++) {
            if (!mask[i] && logits[i] > max) {
                max = logits[i];
            }
        }
        // log-softmax, then temperature; only the differences to the maximum matter for the order and the
        // probabilities, so z_i = (x_i - max) / T is enough (the log-normaliser cancels).
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                continue;
            }
            z[i] = (logits[i] - max) / temperature;
            e[i] = Math.exp(z[i]);
            heap[n++] = i;
        }
        double total = 0;
        for (int k = 0; k < n; k++) {
            total += e[heap[k]];
        }
        if (topP > 0 && topP < 1) {
            // the candidates: e_i >= cut puts z_i strictly above every token left out, whatever the ties
            double cut = total * CANDIDATE;
            int m = 0;
            for (int k = 0; k < n; k++) {
                int i = heap[k];
                if (e[i] >= cut) {
                    heap[m++] = i;
                }
            }
            Pick pick = popNucleus(m, total, topP, u, m < n);
            if (pick != null) {
                return pick;
            }
            n = 0; // the nucleus reaches below the candidates: all of them
            for (int i = 0; i < mask.length; i++) {
                if (!mask[i]) {
                    heap[n++] = i;
                }
            }
        }
        return popNucleus(n, total, topP, u, false);
    }

    /**
     * Heapifies {@code heap[0..size)}, pops the nucleus from it and draws the pick; null when {@code partial} and the
     * heap ran out before the nucleus closed (tokens outside the heap might belong to it).
     */
    private Pick popNucleus(int size, double total, double topP, double u, boolean partial) {
        int n = size;
        for (int k = n / 2 - 1; k >= 0; k--) {
            siftDown(k, n);
        }
        int kept = 0;
        double cum = 0;
        boolean closed = false;
        while (size > 0) {
            int top = heap[0];
            double p = e[top] / total;
            if (kept > 0 && (p == 0 || (topP < 1 && cum + p > topP))) {
                closed = true;
                break; // outside the nucleus, or probability 0 (the reference counts only tokens above 0)
            }
            cum += p;
            nucleus[kept] = top;
            prob[kept] = p;
            kept++;
            if (!(topP > 0 && topP < 1) && kept == n) {
                break;
            }
            heap[0] = heap[--size];
            siftDown(0, size);
        }
        if (partial && !closed) {
            return null;
        }
        double target = u * cum;
        double c = 0;
        for (int k = 0; k < kept; k++) {
            c += prob[k];
            if (c > target) {
                return new Pick(nucleus[k], kept);
            }
        }
        return new Pick(nucleus[kept - 1], kept);
    }

    /** Higher z first; equal z: lower id first. */
    private boolean before(int a, int b) {
        return z[a] > z[b] || (z[a] == z[b] && a < b);
    }

    private void siftDown(int k, int size) {
        while (true) {
            int l = 2 * k + 1;
            if (l >= size) {
                return;
            }
            int best = l;
            if (l + 1 < size && before(heap[l + 1], heap[l])) {
                best = l + 1;
            }
            if (!before(heap[best], heap[k])) {
                return;
            }
            int t = heap[k];
            heap[k] = heap[best];
            heap[best] = t;
            k = best;
        }
    }
}
