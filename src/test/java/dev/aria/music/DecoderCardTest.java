package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Which file of a decoder is served, and the guidance a request gets by default, from its card. */
class DecoderCardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path card(boolean withinBound, boolean int8File, String servingJson) throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree(Path.of("models/music_continuous_concat.json").toFile());
        ObjectNode int8 = card.putObject("int8");
        int8.put("file", "music_continuous_concat.int8.onnx");
        int8.put("within_nll_bound", withinBound);
        if (servingJson == null) {
            card.remove("serving");
        } else {
            card.set("serving", JSON.readTree(servingJson));
        }
        Path file = dir.resolve("music_continuous_concat.json");
        JSON.writeValue(file.toFile(), card);
        if (int8File) {
            Files.writeString(dir.resolve("music_continuous_concat.int8.onnx"), "stand-in");
        }
        return file;
    }

    @Test
    void servesTheInt8FileOnlyWhenAskedForWithinTheNllBoundAndPresent() throws Exception {
        String id = JSON.readTree(Path.of("models/music_continuous_concat.json").toFile()).get("id").asText();
        assertEquals("music_continuous_concat.int8.onnx", DecoderCard.read(card(true, true, null), true).file());
        assertEquals(id + "+int8", DecoderCard.read(card(true, true, null), true).id());
        assertEquals("music_continuous_concat.onnx", DecoderCard.read(card(true, true, null), false).file());
        assertEquals(id, DecoderCard.read(card(true, true, null), false).id());
        assertEquals("music_continuous_concat.onnx", DecoderCard.read(card(false, true, null), true).file());
        Files.delete(dir.resolve("music_continuous_concat.int8.onnx"));
        assertEquals("music_continuous_concat.onnx", DecoderCard.read(card(true, false, null), true).file());
    }

    @Test
    void theDefaultGuidanceIsTheCardsServingChoiceElseOff() throws Exception {
        DecoderCard chosen = DecoderCard.read(card(true, false, "{\"guidance\": 2.5, \"guidance_contrast\": \"valence\"}"));
        assertEquals(2.5, chosen.guidance());
        assertEquals(Guidance.Contrast.VALENCE, chosen.guidanceContrast());
        DecoderCard none = DecoderCard.read(card(true, false, null));
        assertEquals(1.0, none.guidance());
        assertEquals(none.nullCondition() ? Guidance.Contrast.NULL : Guidance.Contrast.VALENCE, none.guidanceContrast());
    }
}
