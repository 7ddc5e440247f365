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
}
