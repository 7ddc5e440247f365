package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.FloatBuffer;

import org.junit.jupiter.api.Test;

/** The cache's rows: appended, moved, and kept in place when the engine grows the cache. */
class KvCacheTest {

    // 2 layers, 2 heads, head size 3, a window of 4 slots
    private static final DecoderCard CARD = new DecoderCard("test@1", "test.onnx", Conditioning.CONTINUOUS_CONCAT, 2, 2,
            3, 4, 10, 1, false, 1.0, null, false);

    /** Appends one token to {@code row}: key (layer l, head h, dim j) = code + 100 l + 10 h + j, value its negative. */
    private static void append(KvCache cache, int row, float code) {
        for (int l = 0; l < CARD.layers(); l++) {
            FloatBuffer k = FloatBuffer.allocate(CARD.heads() * CARD.headDim());
            FloatBuffer v = FloatBuffer.allocate(CARD.heads() * CARD.headDim());
            for (int h = 0; h < CARD.heads(); h++) {
                for (int j = 0; j < CARD.headDim(); j++) {
                    k.put(h * CARD.headDim() + j, code + 100 * l + 10 * h + j);
                    v.put(h * CARD.headDim() + j, -(code + 100 * l + 10 * h + j));
                }
            }
            cache.append(row, l, k, v, 0, 1);
        }
        cache.grow(row, 1);
    }

    private static float key(KvCache cache, int row, int layer, int head, int slot, int dim) {
        return cache.view(layer, false, cache.rows()).get(
                row * CARD.cacheRowSize() + (head * CARD.context() + slot) * CARD.headDim() + dim);
    }

    private static float value(KvCache cache, int row, int layer, int head, int slot, int dim) {
        return cache.view(layer, true, cache.rows()).get(
                row * CARD.cacheRowSize() + (head * CARD.context() + slot) * CARD.headDim() + dim);
    }

    @Test
    void growingKeepsEveryStreamInItsRow() {
        KvCache cache = new KvCache(CARD, 2);
        append(cache, 0, 1000);
        append(cache, 0, 2000);
        append(cache, 1, 3000);

        KvCache grown = cache.grownTo(4);
        assertEquals(4, grown.rows());
        assertEquals(2, grown.length(0));
        assertEquals(1, grown.length(1));
        assertEquals(0, grown.length(2));
        assertEquals(0, grown.length(3));
        assertEquals(2000 + 100 + 10 + 2, key(grown, 0, 1, 1, 1, 2));
        assertEquals(-(1000 + 0 + 10 + 0), value(grown, 0, 0, 1, 0, 0));
        assertEquals(3000 + 100 + 0 + 1, key(grown, 1, 1, 0, 0, 1));
        assertEquals(0, key(grown, 2, 0, 0, 0, 0));

        append(grown, 3, 4000); // the new rows take streams like any other
        grown.move(3, 1);
        assertEquals(1, grown.length(1));
        assertEquals(0, grown.length(3));
        assertEquals(4000 + 100 + 10 + 2, key(grown, 1, 1, 1, 0, 2));
        assertEquals(2, cache.length(0), "the old cache is left as it was");
    }

    @Test
    void aCacheDoesNotShrink() {
        assertThrows(IllegalArgumentException.class, () -> new KvCache(CARD, 4).grownTo(2));
    }

    /**
     * A shift drops the oldest slots of one row, moves the others to the front and turns each kept key back by the
     * dropped positions: bit for bit what the element-by-element rotation gives, with the other rows untouched.
     */
    @Test
    void aShiftMovesTheKeptSlotsAndTurnsTheirKeysBack() {
        DecoderCard card = new DecoderCard("test@1", "test.onnx", Conditioning.CONTINUOUS_CONCAT, 2, 2, 4, 8, 10, 1,
                false, 1.0, null, false);
        KvCache cache = new KvCache(card, 2);
        java.util.Random random = new java.util.Random(3);
        int d = card.headDim();
        int tokens = 7;
        int drop = 3;
        for (int row = 0; row < 2; row++) {
            for (int t = 0; t < tokens; t++) {
                for (int l = 0; l < card.layers(); l++) {
                    FloatBuffer k = FloatBuffer.allocate(card.heads() * d);
                    FloatBuffer v = FloatBuffer.allocate(card.heads() * d);
                    for (int i = 0; i < card.heads() * d; i++) {
                        k.put(i, random.nextFloat() * 2 - 1);
                        v.put(i, random.nextFloat() * 2 - 1);
                    }
                    cache.append(row, l, k, v, 0, 1);
                }
                cache.grow(row, 1);
            }
        }
        float[][] before = new float[2 * card.layers()][];
        for (int l = 0; l < card.layers(); l++) {
            before[2 * l] = copy(cache.view(l, false, 2));
            before[2 * l + 1] = copy(cache.view(l, true, 2));
        }
        cache.shift(1, drop);
        assertEquals(tokens - drop, cache.length(1));
        assertEquals(tokens, cache.length(0));
        int row = card.cacheRowSize();
        for (int l = 0; l < card.layers(); l++) {
            float[] keys = copy(cache.view(l, false, 2));
            float[] values = copy(cache.view(l, true, 2));
            for (int i = 0; i < row; i++) { // row 0 as it was
                assertEquals(Float.floatToRawIntBits(before[2 * l][i]), Float.floatToRawIntBits(keys[i]));
                assertEquals(Float.floatToRawIntBits(before[2 * l + 1][i]), Float.floatToRawIntBits(values[i]));
            }
            for (int h = 0; h < card.heads(); h++) {
                for (int t = 0; t < tokens - drop; t++) {
                    int dst = row + (h * card.context() + t) * d;
                    int src = dst + drop * d;
                    for (int j = 0; j < d / 2; j++) {
                        double angle = drop * Math.pow(10000.0, -2.0 * j / d);
                        float c = (float) Math.cos(angle);
                        float sn = (float) Math.sin(angle);
                        float k1 = before[2 * l][src + j];
                        float k2 = before[2 * l][src + d / 2 + j];
                        assertEquals(Float.floatToRawIntBits(k1 * c + k2 * sn), Float.floatToRawIntBits(keys[dst + j]));
                        assertEquals(Float.floatToRawIntBits(k2 * c - k1 * sn),
                                Float.floatToRawIntBits(keys[dst + d / 2 + j]));
                    }
                    for (int j = 0; j < d; j++) {
                        assertEquals(Float.floatToRawIntBits(before[2 * l + 1][src + j]),
                                Float.floatToRawIntBits(values[dst + j]));
                    }
                }
            }
        }
    }

    private static float[] copy(FloatBuffer b) {
        float[] out = new float[b.limit()];
        b.get(0, out);
        return out;
    }
}
