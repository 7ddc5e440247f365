package dev.aria.music;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the service needs from a decoder's model card ({@code models/music_<conditioning>.json}, written by
 * {@code training/export.py}).
 *
 * @param id          model id and version, e.g. {@code music_continuous_concat@2}
 * @param conditioning which conditioning the graph implements
 * @param layers      transformer blocks (one past/present key and value pair each)
 * @param heads       attention heads
 * @param headDim     width of one head
 * @param context     the trained window, in tokens, prefix included
 * @param vocabSize   logits per position
 * @param prefixLen   emotion slots before {@code <START>} (2 for continuous_token and discrete_token, else 0)
 */
public record DecoderCard(String id, Conditioning conditioning, int layers, int heads, int headDim, int context,
        int vocabSize, int prefixLen) {

    public static DecoderCard read(Path file) throws IOException {
        JsonNode card = new ObjectMapper().readTree(file.toFile());
        JsonNode arch = card.get("architecture");
        String cond = card.get("conditioning").asText();
        return new DecoderCard(card.get("id").asText(),
                Conditioning.fromWire(cond).orElseThrow(() -> new IOException("unknown conditioning " + cond + " in " + file)),
                arch.get("n_layer").asInt(), arch.get("n_head").asInt(), arch.get("n_embd").asInt() / arch.get("n_head").asInt(),
                arch.get("block_size").asInt(), arch.get("vocab_size").asInt(),
                "continuous_concat".equals(cond) ? 0 : 2);
    }

    /** Whether the graph has a {@code condition} input. */
    public boolean takesCondition() {
        return conditioning != Conditioning.DISCRETE_TOKEN;
    }
}
