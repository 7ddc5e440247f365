package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
        return card(withinBound, int8File, false, false, servingJson);
    }

    /** The shipped card with stand-in quantised files: each one's bound and whether its file is there. */
    private Path card(boolean int8Within, boolean int8File, boolean int4Within, boolean int4File, String servingJson)
            throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree(Path.of("models/music_continuous_concat.json").toFile());
        for (String p : new String[] {"int8", "int4"}) {
            ObjectNode q = card.putObject(p);
            q.put("file", "music_continuous_concat." + p + ".onnx");
            q.put("within_nll_bound", p.equals("int8") ? int8Within : int4Within);
            Path file = dir.resolve("music_continuous_concat." + p + ".onnx");
            Files.deleteIfExists(file);
            if (p.equals("int8") ? int8File : int4File) {
                Files.writeString(file, "stand-in");
            }
        }
        if (servingJson == null) {
            card.remove("serving");
        } else {
            card.set("serving", JSON.readTree(servingJson));
        }
        Path file = dir.resolve("music_continuous_concat.json");
        JSON.writeValue(file.toFile(), card);
        return file;
    }

    @Test
    void servesTheInt8FileOnlyWhenAskedForWithinTheNllBoundAndPresent() throws Exception {
        String id = JSON.readTree(Path.of("models/music_continuous_concat.json").toFile()).get("id").asText();
        assertEquals("music_continuous_concat.int8.onnx", DecoderCard.read(card(true, true, null), "int8").file());
        assertEquals(id + "+int8", DecoderCard.read(card(true, true, null), "int8").id());
        assertEquals("music_continuous_concat.onnx", DecoderCard.read(card(true, true, null), "fp32").file());
        assertEquals(id, DecoderCard.read(card(true, true, null), "fp32").id());
        assertEquals("music_continuous_concat.onnx", DecoderCard.read(card(false, true, null), "int8").file());
        assertEquals("music_continuous_concat.onnx", DecoderCard.read(card(true, false, null), "int8").file());
    }

    @Test
    void servesTheInt4FileWhereTheCardVouchesForItElseTheNextMorePreciseOne() throws Exception {
        String id = JSON.readTree(Path.of("models/music_continuous_concat.json").toFile()).get("id").asText();
        DecoderCard int4 = DecoderCard.read(card(true, true, true, true, null), "int4");
        assertEquals("music_continuous_concat.int4.onnx", int4.file());
        assertEquals(id + "+int4", int4.id());
        assertEquals("music_continuous_concat.int8.onnx", DecoderCard.read(card(true, true, false, true, null), "int4").file());
        assertEquals("music_continuous_concat.int8.onnx", DecoderCard.read(card(true, true, true, false, null), "int4").file());
        assertEquals("music_continuous_concat.onnx", DecoderCard.read(card(false, true, false, true, null), "int4").file());
        assertEquals("music_continuous_concat.int8.onnx", DecoderCard.read(card(true, true, true, true, null), "int8").file());
        assertThrows(IllegalArgumentException.class, () -> DecoderCard.read(card(true, true, null), "int2"));
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
