package dev.aria.music;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.aria.onnx.SessionSettings;

/**
 * One ONNX decoder (the graph {@code training/export.py} writes), loaded once. It runs batches of streams over a
 * {@link KvCache}: a {@link Stepper}'s {@code step} advances every stream in rows {@code 0 .. n-1} by one token in one call, whatever
 * their lengths (each row has its own positions and length), and {@link #encode} runs the first tokens of
 * some streams (a prefix, or a slid window) from an empty cache. The graph's inputs are {@code input_ids},
 * {@code position_ids} (each row's slots: its length, then on; the graph takes a row's length from its last one),
 * {@code condition} and {@code condition_mask} where the decoder takes them, and {@code past_key_values.N.key|value};
 * its outputs are {@code logits} and {@code present.N.key|value}. Each layer's attention is ONNX Runtime's
 * GroupQueryAttention, which reads each row's filled slots only.
 *
 * <p>A step allocates nothing and copies no keys or values: for each batch size a {@link Stepper} builds, once, the
 * input tensors over direct buffers it refills and the output tensors ONNX Runtime writes into (pinned outputs), and
 * both {@code past_key_values.N.*} and {@code present.N.*} are tensors over the cache's own rows (a shared buffer), so
 * ONNX Runtime writes the new token's key and value into the cache in place. The session is shared: several threads
 * may decode with one decoder at once, each through its own {@link #stepper()} and cache.
 */
public final class MusicDecoder implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final DecoderCard card;

    public MusicDecoder(OrtEnvironment env, Path onnx, DecoderCard card, int intraOpThreads) throws OrtException {
        this.env = env;
        this.card = card;
        try (OrtSession.SessionOptions options = SessionSettings.options(intraOpThreads)) {
            this.session = env.createSession(onnx.toString(), options);
        }
    }

    public DecoderCard card() {
        return card;
    }

    /** A cache for {@code rows} streams of this decoder. */
    KvCache cache(int rows) {
        return new KvCache(card, rows);
    }

    /** Step tensors of its own for a thread that decodes with this decoder (an engine's lane, or a test). */
    Stepper stepper() {
        return new Stepper();
    }

    /**
     * Encodes {@code t} tokens for each of {@code k} streams from an empty cache: {@code tokens[b]} go to cache row
     * {@code rows[b]} at positions {@code 0 .. t-1} (the row is cleared first). Returns the logits of each stream's
     * last position, {@code [k, vocabSize]}.
     */
    float[][] encode(KvCache cache, int[] rows, int k, int t, int[][] tokens, float[] conditions, float[] masks)
            throws OrtException {
        long[] ids = new long[k * t];
        long[] positions = new long[k * t];
        for (int b = 0; b < k; b++) {
            for (int i = 0; i < t; i++) {
                ids[b * t + i] = tokens[b][i];
                positions[b * t + i] = i;
            }
        }
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {k, t}));
            in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {k, t}));
            if (card.takesCondition()) {
                in.put("condition", OnnxTensor.createTensor(env, FloatBuffer.wrap(conditions, 0, 2 * k),
                        new long[] {k, 2}));
            }
            if (card.takesConditionMask()) {
                in.put("condition_mask", OnnxTensor.createTensor(env, FloatBuffer.wrap(masks, 0, k), new long[] {k}));
            }
            long[] empty = {k, card.heads(), 0, card.headDim()}; // no cache: present.* are the t new slots
            for (int l = 0; l < card.layers(); l++) {
                in.put("past_key_values." + l + ".key", OnnxTensor.createTensor(env, FloatBuffer.allocate(0), empty));
                in.put("past_key_values." + l + ".value", OnnxTensor.createTensor(env, FloatBuffer.allocate(0), empty));
            }
            try (OrtSession.Result out = session.run(in)) {
                for (int b = 0; b < k; b++) {
                    cache.clear(rows[b]);
                }
                for (int l = 0; l < card.layers(); l++) {
                    FloatBuffer keys = ((OnnxTensor) out.get("present." + l + ".key").orElseThrow()).getFloatBuffer();
                    FloatBuffer values = ((OnnxTensor) out.get("present." + l + ".value").orElseThrow())
                            .getFloatBuffer();
                    for (int b = 0; b < k; b++) {
                        cache.append(rows[b], l, keys, values, b, t);
                    }
                }
                for (int b = 0; b < k; b++) {
                    cache.grow(rows[b], t);
                }
                FloatBuffer logits = ((OnnxTensor) out.get(0)).getFloatBuffer();
                float[][] last = new float[k][card.vocabSize()];
                for (int b = 0; b < k; b++) {
                    logits.get(((b * t) + t - 1) * card.vocabSize(), last[b]);
                }
                return last;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }

    /**
     * One thread's one-token steps over its cache: the tensors of each batch size, built on first use and reused (they
     * read and write the cache's rows in place, so a new cache rebuilds them). Not thread-safe: one per decoding thread.
     */
    final class Stepper implements AutoCloseable {
        private final Map<Integer, StepTensors> steps = new HashMap<>();
        private KvCache stepCache;

        private Stepper() {
        }

        /**
         * One token for each stream in rows {@code 0 .. n-1} of {@code cache}: {@code ids[r]}, at the stream's length;
         * {@code conditions[2r], [2r+1]} its valence and arousal and {@code masks[r]} its condition mask (read only
         * where the graph takes them). Appends the tokens to the cache and returns the logits, row {@code r} at
         * {@code r * vocabSize}; the buffer is reused by the next step with the same {@code n}.
         */
        FloatBuffer step(KvCache cache, int n, int[] ids, float[] conditions, float[] masks) throws OrtException {
            if (cache != stepCache) { // the step tensors read and write one cache's rows in place
                close();
                stepCache = cache;
            }
            StepTensors t = steps.computeIfAbsent(n, rows -> new StepTensors(cache, rows));
            int slots = card.context();
            for (int r = 0; r < n; r++) {
                int length = cache.length(r);
                if (length >= slots) {
                    throw new IllegalStateException("stream in row " + r + " has filled its window; slide it first");
                }
                t.ids.put(r, ids[r]);
                t.positions.put(r, length);
            }
            if (card.takesCondition()) {
                t.condition.put(0, conditions, 0, 2 * n);
            }
            if (card.takesConditionMask()) {
                t.conditionMask.put(0, masks, 0, n);
            }
            try (OrtSession.Result ignored = session.run(t.inputs, t.outputs)) {
                // the new keys and values are in the cache already (present.* share its memory)
            }
            for (int r = 0; r < n; r++) {
                cache.grow(r, 1);
            }
            return t.logits;
        }

        @Override
        public void close() {
            steps.values().forEach(StepTensors::close);
            steps.clear();
            stepCache = null;
        }
    }

    /** The tensors of a one-token step of {@code n} streams, over buffers that live as long as the decoder. */
    private final class StepTensors implements AutoCloseable {
        final LongBuffer ids;
        final LongBuffer positions;
        final FloatBuffer condition;
        final FloatBuffer conditionMask;
        final FloatBuffer logits;
        final Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        final Map<String, OnnxTensor> outputs = new LinkedHashMap<>();
        StepTensors(KvCache cache, int n) {
            try {
                ids = longs(n);
                positions = longs(n);
                condition = KvCache.direct(2 * n);
                conditionMask = KvCache.direct(n);
                logits = KvCache.direct(n * card.vocabSize());
                inputs.put("input_ids", OnnxTensor.createTensor(env, ids, new long[] {n, 1}));
                inputs.put("position_ids", OnnxTensor.createTensor(env, positions, new long[] {n, 1}));
                if (card.takesCondition()) {
                    inputs.put("condition", OnnxTensor.createTensor(env, condition, new long[] {n, 2}));
                }
                if (card.takesConditionMask()) {
                    inputs.put("condition_mask", OnnxTensor.createTensor(env, conditionMask, new long[] {n}));
                }
                long[] rows = {n, card.heads(), card.context(), card.headDim()};
                for (int l = 0; l < card.layers(); l++) {
                    for (String part : new String[] {"key", "value"}) {
                        boolean value = part.equals("value");
                        inputs.put("past_key_values." + l + "." + part,
                                OnnxTensor.createTensor(env, cache.view(l, value, n), rows));
                        outputs.put("present." + l + "." + part,
                                OnnxTensor.createTensor(env, cache.view(l, value, n), rows)); // the same memory
                    }
                }
                outputs.put("logits", OnnxTensor.createTensor(env, logits, new long[] {n, 1, card.vocabSize()}));
            } catch (OrtException e) {
                close();
                throw new IllegalStateException("cannot prepare the decoder's tensors for " + n + " streams", e);
            }
        }

        private LongBuffer longs(int count) {
            return java.nio.ByteBuffer.allocateDirect(count * Long.BYTES).order(java.nio.ByteOrder.nativeOrder())
                    .asLongBuffer();
        }

        @Override
        public void close() {
            inputs.values().forEach(OnnxTensor::close);
            outputs.values().forEach(OnnxTensor::close);
        }
    }
}
