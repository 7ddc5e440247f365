package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * {@link NucleusSampler} against the rule it implements written the plain way (sort the whole vocabulary, walk it),
 * on decoder-like, flat, tied and masked distributions: the same token and the same nucleus size every time, including
 * the distributions whose nucleus reaches below {@link NucleusSampler#CANDIDATE} (the pick over the whole vocabulary).
 * The committed cross-language vectors (CrossLanguageVectorsTest) pin the rule itself to Python's.
 */
class NucleusSamplerTest {

    /** The rule of NucleusSampler's documentation, with a full sort. */
    private static NucleusSampler.Pick reference(boolean[] mask, double[] logits, double temperature, double topP,
            double u) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < mask.length; i++) {
            if (!mask[i] && logits[i] > max) {
                max = logits[i];
            }
        }
        double[] z = new double[mask.length];
        double total = 0;
        for (int i = 0; i < mask.length; i++) {
            if (!mask[i]) {
                z[i] = (logits[i] - max) / temperature;
                total += Math.exp(z[i]);
            }
        }
        Integer[] order = IntStream.range(0, mask.length).filter(i -> !mask[i]).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -z[i]).thenComparingInt(i -> i));
        int kept = 0;
        double cum = 0;
        double[] prob = new double[order.length];
        for (int id : order) {
            double p = Math.exp(z[id]) / total;
            if (kept > 0 && (p == 0 || (topP < 1 && cum + p > topP))) {
                break;
            }
            cum += p;
            prob[kept++] = p;
        }
        double target = u * cum;
        double c = 0;
        for (int k = 0; k < kept; k++) {
            c += prob[k];
            if (c > target) {
                return new NucleusSampler.Pick(order[k], kept);
            }
        }
        return new NucleusSampler.Pick(order[kept - 1], kept);
    }

    private static void same(boolean[] mask, double[] logits, double temperature, double topP, double u) {
        NucleusSampler.Pick expected = reference(mask, logits, temperature, topP, u);
        NucleusSampler.Pick actual = new NucleusSampler(mask).pick(logits, temperature, topP, u);
        assertEquals(expected, actual, () -> "temperature " + temperature + ", top_p " + topP + ", u " + u);
    }

    @Test
    void decoderLikeLogitsPickAsTheFullSortDoes() {
        SplittableRandom random = new SplittableRandom(7);
        int vocab = 1007;
        boolean[] mask = new boolean[vocab];
        mask[0] = true; // <PAD>
        mask[1] = true; // <START>
        NucleusSampler sampler = new NucleusSampler(mask); // one instance across picks, as a generation uses it
        for (int c = 0; c < 2000; c++) {
            double scale = 1 + 6 * random.nextDouble();
            double[] logits = new double[vocab];
            for (int i = 0; i < vocab; i++) {
                logits[i] = scale * random.nextGaussian();
            }
            double temperature = 0.3 + 2 * random.nextDouble();
            double topP = random.nextDouble();
            double u = random.nextDouble();
            assertEquals(reference(mask, logits, temperature, topP, u), sampler.pick(logits, temperature, topP, u));
        }
    }

    @Test
    void aNucleusBelowTheCandidatesIsTakenFromTheWholeVocabulary() {
        // one token of probability 1/2 and 20,000 of 1/40,000 each (under CANDIDATE): with top_p 0.7 the nucleus is
        // that token and 8,000 of the small ones, none of which the first heap holds
        int vocab = 20_001;
        boolean[] mask = new boolean[vocab];
        double[] logits = new double[vocab];
        logits[5] = Math.log(20_000);
        assertTrue(1.0 / 40_000 < NucleusSampler.CANDIDATE);
        for (double u : new double[] {0.0, 0.3, 0.71, 0.999}) {
            same(mask, logits, 1.0, 0.7, u);
        }
        NucleusSampler.Pick pick = new NucleusSampler(mask).pick(logits, 1.0, 0.7, 0.999);
        assertTrue(pick.kept() > 7_000, "kept " + pick.kept());
    }

    @Test
    void flatTiedAndMaskedDistributions() {
        boolean[] mask = new boolean[300];
        for (int i = 0; i < mask.length; i += 7) {
            mask[i] = true;
        }
        double[] flat = new double[mask.length];
        double[] ties = new double[mask.length];
        for (int i = 0; i < mask.length; i++) {
            ties[i] = (i % 5) * 0.5; // five levels, many ties in each
        }
        double[] masked = ties.clone();
        masked[0] = 100; // the most probable logit is masked
        for (double[] logits : new double[][] {flat, ties, masked}) {
            for (double topP : new double[] {1e-9, 0.05, 0.5, 0.7, 0.9999, 1.0}) {
                for (double u : new double[] {0.0, 0.5, 0.999999}) {
                    same(mask, logits, 1.2, topP, u);
                }
            }
        }
    }
}
