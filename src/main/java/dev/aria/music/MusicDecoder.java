package dev.aria.music;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * One ONNX decoder, loaded once and shared by all requests (an {@link OrtSession} is thread-safe for {@code run}).
 * Each generation opens its own {@link Stream}, which holds that generation's key/value cache.
 */
public final class MusicDecoder implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final DecoderCard card;

    public MusicDecoder(OrtEnvironment env, Path onnx, DecoderCard card, int intraOpThreads) throws OrtException {
        this.env = env;
        this.card = card;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(onnx.toString(), options);
        }
    }

    public DecoderCard card() {
        return card;
    }

    /** Opens a decoding stream for one generation; close it when done (it owns native tensors). */
    public Stream open(double valence, double arousal) throws OrtException {
        return new Stream((float) valence, (float) arousal);
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }

    /**
     * Incremental decoding state: the cache is the {@code present.*} outputs of the previous call, fed back as the
     * {@code past_key_values.*} inputs of the next, without copying them out of ONNX Runtime.
     */
    public final class Stream implements AutoCloseable {
        private final OnnxTensor condition;
        private final OnnxTensor emptyCache;
        private final float[] logits = new float[card.vocabSize()];
        private OrtSession.Result last;
        private int cacheLength;

        private Stream(float valence, float arousal) throws OrtException {
            this.condition = card.takesCondition()
                    ? OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {valence, arousal}), new long[] {1, 2})
                    : null;
            this.emptyCache = OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
                    new long[] {1, card.heads(), 0, card.headDim()});
        }

        /** Tokens in the cache. */
        public int cacheLength() {
            return cacheLength;
        }

        /** Forgets the cache: the next {@link #step} starts at position 0. */
        public void reset() {
            if (last != null) {
                last.close();
                last = null;
            }
            cacheLength = 0;
        }

        /**
         * Runs the decoder on {@code ids} (appended after the cache) and returns the logits of the last position.
         * The returned array is reused by the next call.
         */
        public float[] step(int[] ids) throws OrtException {
            int count = ids.length;
            long[] longIds = new long[count];
            for (int i = 0; i < count; i++) {
                longIds[i] = ids[i];
            }
            try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(longIds), new long[] {1, count})) {
                Map<String, OnnxTensor> feeds = new HashMap<>();
                feeds.put("input_ids", input);
                if (condition != null) {
                    feeds.put("condition", condition);
                }
                for (int layer = 0; layer < card.layers(); layer++) {
                    feeds.put("past_key_values." + layer + ".key", cached("present." + layer + ".key"));
                    feeds.put("past_key_values." + layer + ".value", cached("present." + layer + ".value"));
                }
                OrtSession.Result result = session.run(feeds);
                if (last != null) {
                    last.close();
                }
                last = result;
                cacheLength += count;
                FloatBuffer all = ((OnnxTensor) result.get(0)).getFloatBuffer();
                all.position((count - 1) * card.vocabSize());
                all.get(logits);
                return logits;
            }
        }

        private OnnxTensor cached(String name) {
            return last == null ? emptyCache : (OnnxTensor) last.get(name).orElseThrow();
        }

        @Override
        public void close() {
            reset();
            emptyCache.close();
            if (condition != null) {
                condition.close();
            }
        }
    }
}
