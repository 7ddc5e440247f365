package dev.aria.music;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the service needs from a decoder's model card ({@code models/music_<conditioning>.json}, written by
 * {@code training/export.py}).
 *
 * @param id          model id and version, e.g. {@code music_continuous_concat@3}; {@code +int4} or {@code +int8}
 *                    appended when a quantised file is the one served
 * @param file        the ONNX file served: {@code music_<conditioning>.onnx}, or its 4- or 8-bit quantisation
 *                    {@code music_<conditioning>.int4.onnx}, {@code music_<conditioning>.int8.onnx}
 * @param conditioning which conditioning the graph implements
 * @param layers      transformer blocks (one past/present key and value pair each)
 * @param heads       attention heads
 * @param headDim     width of one head
 * @param context     the trained window, in tokens, prefix included
 * @param vocabSize   logits per position
 * @param prefixLen   emotion slots before {@code <START>} (2 for continuous_token and discrete_token, else 0)
 * @param nullCondition whether the decoder learned a null condition (classifier-free guidance): for the continuous
 *                    conditionings the graph then has a {@code condition_mask} input, for discrete_token the null
 *                    condition is the prefix {@code <PAD> <PAD>}
 * @param guidance    the guidance weight a request gets when it names none: the card's {@code serving.guidance},
 *                    chosen on the decoder's evaluation (1 = off when the card names none)
 * @param guidanceContrast what guidance contrasts with when a request names no contrast
 *                    ({@code serving.guidance_contrast}; else the null condition where the decoder learned one, else
 *                    the opposite valence)
 */
public record DecoderCard(String id, String file, Conditioning conditioning, int layers, int heads, int headDim, int context,
        int vocabSize, int prefixLen, boolean nullCondition, double guidance, Guidance.Contrast guidanceContrast,
        boolean keyNormalised) {

    /** The precisions a decoder can be served in, from the smallest weights: {@code int4}, {@code int8}, {@code fp32}. */
    public static final List<String> PRECISIONS = List.of("int4", "int8", "fp32");

    /** The card of the float32 decoder. */
    public static DecoderCard read(Path file) throws IOException {
        return read(file, "fp32");
    }

    /**
     * The card, serving the file of {@code precision} ({@code int4}, {@code int8} or {@code fp32}) or, where the card
     * does not vouch for it, the next more precise one: a quantised file is served only where the card says that its
     * held-out NLL stayed within the bound of the float32 file's ({@code int4.within_nll_bound},
     * {@code int8.within_nll_bound}, written by {@code training/export.py}) and the file is there.
     */
    public static DecoderCard read(Path file, String precision) throws IOException {
        JsonNode card = new ObjectMapper().readTree(file.toFile());
        JsonNode arch = card.get("architecture");
        String cond = card.get("conditioning").asText();
        boolean nullCondition = arch.path("null_condition").asBoolean(false);
        String contrast = card.path("serving").path("guidance_contrast").asText(nullCondition ? "null" : "valence");
        String onnx = file.getFileName().toString().replaceFirst("\\.json$", ".onnx");
        String id = card.get("id").asText();
        DecoderCard fp32 = new DecoderCard(id, onnx,
                Conditioning.fromWire(cond).orElseThrow(() -> new IOException("unknown conditioning " + cond + " in " + file)),
                arch.get("n_layer").asInt(), arch.get("n_head").asInt(), arch.get("n_embd").asInt() / arch.get("n_head").asInt(),
                arch.get("block_size").asInt(), arch.get("vocab_size").asInt(),
                "continuous_concat".equals(cond) ? 0 : 2, nullCondition, card.path("serving").path("guidance").asDouble(1.0),
                Guidance.Contrast.fromWire(contrast)
                        .orElseThrow(() -> new IOException("unknown serving.guidance_contrast in " + file)),
                card.path("data").path("key_normalised").asBoolean(false));
        int from = PRECISIONS.indexOf(precision);
        if (from < 0) {
            throw new IllegalArgumentException("unknown precision " + precision + "; one of " + PRECISIONS);
        }
        for (String p : PRECISIONS.subList(from, PRECISIONS.size() - 1)) {
            JsonNode q = card.path(p);
            if (q.path("within_nll_bound").asBoolean(false) && Files.exists(file.resolveSibling(q.path("file").asText("-")))) {
                return fp32.quantised(p, q.get("file").asText());
            }
        }
        return fp32;
    }

    /** The same decoder served from its quantisation {@code file} of {@code precision} ({@code int4}, {@code int8}). */
    public DecoderCard quantised(String precision, String file) {
        return new DecoderCard(id + "+" + precision, file, conditioning, layers, heads, headDim, context, vocabSize,
                prefixLen, nullCondition, guidance, guidanceContrast, keyNormalised);
    }

    /** Whether the graph has a {@code condition} input. */
    public boolean takesCondition() {
        return conditioning != Conditioning.DISCRETE_TOKEN;
    }

    /** Whether the graph has a {@code condition_mask} input (1 = the emotion, 0 = the null condition). */
    public boolean takesConditionMask() {
        return nullCondition && takesCondition();
    }

    /** Floats of one stream's keys (or values) in one layer: heads x window x head width. */
    int cacheRowSize() {
        return heads * context * headDim;
    }
}
