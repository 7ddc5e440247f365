package dev.aria.music;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The key/value cache of up to {@code rows} decoding streams of one decoder, with a fixed number of rows (the engine
 * moves its streams into a larger cache, {@link #grownTo}, when more run at once than fit): per layer one
 * direct buffer of keys and one of values, each {@code [rows, heads, window, headDim]} floats, which ONNX Runtime
 * reads and writes in place (no copy) as both the {@code past_key_values.*} inputs and the {@code present.*} outputs
 * of the first {@code n} rows. A stream keeps its row for as long as it runs and fills its slots from 0; a step's
 * attention writes the new token's key and value at the stream's length and reads the slots before it only, so what
 * lies beyond a stream's length is never read. Streams are kept in rows {@code 0 .. n-1} ({@link #move} closes a
 * gap), so that one call can take all of them. Not thread-safe: one engine thread owns it.
 */
final class KvCache {

    private final DecoderCard card;
    private final int rows;
    private final int rowSize;
    private final FloatBuffer[] keys;
    private final FloatBuffer[] values;
    /** The direct memory under {@link #keys} and {@link #values}, which {@link #free} hands back. */
    private final ByteBuffer[] memory;
    private final int[] lengths;
    /** {@link #shift}'s working copy of one head's keys, kept between shifts. */
    private float[] turned = new float[0];
    private boolean freed;

    KvCache(DecoderCard card, int rows) {
        this.card = card;
        this.rows = rows;
        this.rowSize = card.cacheRowSize();
        this.keys = new FloatBuffer[card.layers()];
        this.values = new FloatBuffer[card.layers()];
        this.memory = new ByteBuffer[2 * card.layers()];
        for (int l = 0; l < card.layers(); l++) {
            memory[2 * l] = bytes(rows * rowSize);
            memory[2 * l + 1] = bytes(rows * rowSize);
            keys[l] = memory[2 * l].asFloatBuffer();
            values[l] = memory[2 * l + 1].asFloatBuffer();
        }
        this.lengths = new int[rows];
    }

    static FloatBuffer direct(int floats) {
        return bytes(floats).asFloatBuffer();
    }

    private static ByteBuffer bytes(int floats) {
        return ByteBuffer.allocateDirect(Math.max(1, floats) * Float.BYTES).order(ByteOrder.nativeOrder());
    }

    /**
     * Hands the cache's memory back to the system now rather than at some later garbage collection (2 MiB a row for
     * the shipped decoders). Nothing may read the cache afterwards: the caller has closed every tensor over its views
     * ({@link MusicDecoder.Stepper#close}) and drops it.
     */
    void free() {
        if (!freed) {
            freed = true;
            for (ByteBuffer b : memory) {
                DirectMemory.free(b);
            }
        }
    }

    int rows() {
        return rows;
    }

    int length(int row) {
        return lengths[row];
    }

    void clear(int row) {
        lengths[row] = 0;
    }

    /** Keys (or values, {@code value = true}) of layer {@code layer} for rows {@code 0 .. n-1}, as a view. */
    FloatBuffer view(int layer, boolean value, int n) {
        FloatBuffer b = (value ? values : keys)[layer].duplicate();
        b.position(0).limit(n * rowSize);
        return b.slice();
    }

    /**
     * Appends {@code t} new tokens' keys and values to {@code row}: {@code newKeys}/{@code newValues} hold
     * {@code [batch, heads, t, headDim]} of one layer, of which batch entry {@code b} is this row's.
     */
    void append(int row, int layer, FloatBuffer newKeys, FloatBuffer newValues, int b, int t) {
        int d = card.headDim();
        int at = lengths[row];
        for (int h = 0; h < card.heads(); h++) {
            int src = ((b * card.heads() + h) * t) * d;
            int dst = row * rowSize + (h * card.context() + at) * d;
            keys[layer].put(dst, newKeys, src, t * d);
            values[layer].put(dst, newValues, src, t * d);
        }
    }

    /** Marks {@code t} more slots of {@code row} filled, once {@link #append} has written every layer. */
    void grow(int row, int t) {
        lengths[row] += t;
    }

    /**
     * A cache of {@code newRows} rows holding this cache's streams in the same rows (their filled slots and lengths);
     * this cache is left as it was, for the garbage collector to free.
     */
    KvCache grownTo(int newRows) {
        if (newRows < rows) {
            throw new IllegalArgumentException("a cache of " + rows + " rows cannot shrink to " + newRows);
        }
        KvCache grown = new KvCache(card, newRows);
        for (int r = 0; r < rows; r++) {
            copyRow(this, r, grown, r);
        }
        return grown;
    }

    /**
     * Drops the oldest {@code drop} slots of {@code row}: the others move to the front of the row, and each kept key is
     * turned back by {@code drop} positions, so that the cache holds what the decoder would hold had the kept tokens
     * been seen at their new positions (exactly so in the first layer, whose keys and values depend on the token and
     * its position alone; the later layers keep what the dropped tokens contributed). Rotary positions make this
     * possible: a key at position p is the unrotated key turned by p times each pair's frequency, and turning it by
     * -drop gives the key at p - drop. The pairs are (j, j + headDim/2) and the frequencies 10000^(-2j/headDim), as
     * {@code training/onnx_graph.py} lays out the heads.
     */
    void shift(int row, int drop) {
        int keep = lengths[row] - drop;
        if (drop <= 0 || keep <= 0) {
            throw new IllegalArgumentException("cannot drop " + drop + " of " + lengths[row] + " slots");
        }
        int d = card.headDim();
        int half = d / 2;
        float[] cos = new float[half];
        float[] sin = new float[half];
        for (int j = 0; j < half; j++) {
            double angle = drop * Math.pow(10000.0, -2.0 * j / d);
            cos[j] = (float) Math.cos(angle);
            sin[j] = (float) Math.sin(angle);
        }
        int n = keep * d; // one head's kept slots: one contiguous run of floats
        if (turned.length < n) {
            turned = new float[n];
        }
        float[] t = turned;
        for (int l = 0; l < card.layers(); l++) {
            for (int h = 0; h < card.heads(); h++) {
                int base = row * rowSize + h * card.context() * d;
                // keys: read in bulk, turned in a plain array loop, written back in bulk
                keys[l].get(base + drop * d, t, 0, n);
                for (int o = 0; o < n; o += d) {
                    for (int j = 0; j < half; j++) {
                        float k1 = t[o + j];
                        float k2 = t[o + half + j];
                        t[o + j] = k1 * cos[j] + k2 * sin[j];
                        t[o + half + j] = k2 * cos[j] - k1 * sin[j];
                    }
                }
                keys[l].put(base, t, 0, n);
                // values: moved as they are (overlapping ranges of one buffer copy as if through a temporary)
                values[l].put(base, values[l], base + drop * d, n);
            }
        }
        lengths[row] = keep;
    }

    /** Moves stream {@code from} into row {@code to} (its filled slots and its length). */
    void move(int from, int to) {
        copyRow(this, from, this, to);
        lengths[from] = 0;
    }

    /**
     * Copies the stream in row {@code fromRow} of {@code from} (its filled slots and its length) into row {@code toRow}
     * of {@code to}, which may be the same cache.
     */
    private static void copyRow(KvCache from, int fromRow, KvCache to, int toRow) {
        DecoderCard card = from.card;
        int d = card.headDim();
        int n = from.lengths[fromRow] * d;
        for (int l = 0; l < card.layers(); l++) {
            for (int h = 0; h < card.heads(); h++) {
                int src = fromRow * from.rowSize + h * card.context() * d;
                int dst = toRow * to.rowSize + h * card.context() * d;
                to.keys[l].put(dst, from.keys[l], src, n);
                to.values[l].put(dst, from.values[l], src, n);
            }
        }
        to.lengths[toRow] = from.lengths[fromRow];
    }
}
