package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;

import ai.onnxruntime.OrtEnvironment;

/**
 * A shifted cache holds what the decoder would have made of the kept tokens at their new positions: exactly so in the
 * first layer (its keys and values depend on the token and its position alone), which pins the rotation that
 * {@link KvCache#shift} applies to the shipped graph's rotary layout.
 */
class WindowShiftTest {

    @Test
    void theFirstLayerOfAShiftedCacheIsTheKeptTokensEncodedAtTheirNewPositions() throws Exception {
        Path cardFile = Path.of("models/music_continuous_concat.json");
        DecoderCard card = DecoderCard.read(cardFile);
        int window = card.context();
        int drop = DecodingEngine.DEFAULT_SHIFT;
        int[] tokens = new int[window];
        Random random = new Random(5);
        for (int i = 0; i < window; i++) {
            tokens[i] = 4 + random.nextInt(card.vocabSize() - 4);
        }
        int[] kept = java.util.Arrays.copyOfRange(tokens, drop, window);
        try (MusicDecoder decoder = new MusicDecoder(OrtEnvironment.getEnvironment(), Path.of("models", card.file()),
                card, 1)) {
            KvCache cache = decoder.cache(2);
            float[] conditions = {0.5f, -0.3f};
            float[] masks = {1f};
            decoder.encode(cache, new int[] {0}, 1, window, new int[][] {tokens}, conditions, masks);
            cache.shift(0, drop);
            decoder.encode(cache, new int[] {1}, 1, kept.length, new int[][] {kept}, conditions, masks);
            assertEquals(kept.length, cache.length(0));
            assertEquals(kept.length, cache.length(1));

            double keyError = maxDifference(cache, 0, false, card, kept.length);
            double valueError = maxDifference(cache, 0, true, card, kept.length);
            assertTrue(keyError < 1e-4, "first-layer keys differ by " + keyError);
            assertTrue(valueError < 1e-5, "first-layer values differ by " + valueError);
            // the later layers keep what the dropped tokens contributed: not the same as encoding the kept ones alone
            assertTrue(maxDifference(cache, card.layers() - 1, false, card, kept.length) > 1e-3);
        }
    }

    /** Largest difference between rows 0 and 1 of a layer's keys (or values) over their first {@code slots} slots. */
    private static double maxDifference(KvCache cache, int layer, boolean value, DecoderCard card, int slots) {
        FloatBuffer b = cache.view(layer, value, 2);
        int row = card.cacheRowSize();
        double worst = 0;
        for (int h = 0; h < card.heads(); h++) {
            for (int i = 0; i < slots * card.headDim(); i++) {
                int at = h * card.context() * card.headDim() + i;
                worst = Math.max(worst, Math.abs(b.get(at) - b.get(row + at)));
            }
        }
        return worst;
    }
}
