package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.onnxruntime.OrtEnvironment;
import dev.aria.midi.MidiWriter;
import dev.aria.midi.Note;

/**
 * The Java side of the cross-language vectors in {@code training/tests/vectors/}, written by the Python pipeline and
 * checked by its pytest suite too: tokens to notes to MIDI bytes, the sampling core, and every shipped decoder's logits.
 */
class CrossLanguageVectorsTest {

    private static final Path VECTORS = Path.of("training/tests/vectors");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vocabulary vocab = Vocabulary.load(Path.of("models/vocab.json"));

    CrossLanguageVectorsTest() throws IOException {
    }

    @Test
    void tokensDecodeToTheSameNotesAndMidiBytesAsPython() throws IOException {
        JsonNode cases = JSON.readTree(VECTORS.resolve("tokens_midi.json").toFile());
        TokenDecoder decoder = new TokenDecoder(vocab);
        MidiWriter writer = new MidiWriter(vocab.parts());
        assertTrue(cases.size() >= 4);
        for (JsonNode c : cases) {
            int[] tokens = ints(c.get("tokens"));
            List<Note> notes = decoder.notes(tokens);
            List<Note> expected = new ArrayList<>();
            for (JsonNode n : c.get("notes")) {
                expected.add(new Note(n.get(0).asInt(), n.get(1).asInt(), n.get(2).asInt(), n.get(3).asInt()));
            }
            assertEquals(expected, notes, c.get("name").asText());
            String text = c.get("midi_text").isNull() ? null : c.get("midi_text").asText();
            assertEquals(c.get("midi_hex").asText(), HexFormat.of().formatHex(writer.file(notes, text)), c.get("name").asText());
        }
    }

    @Test
    void samplerPicksTheSameTokensAsPython() throws IOException {
        JsonNode vec = JSON.readTree(VECTORS.resolve("sampler.json").toFile());
        boolean[] mask = new boolean[vec.get("mask").size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = vec.get("mask").get(i).asBoolean();
        }
        NucleusSampler sampler = new NucleusSampler(mask);
        for (JsonNode c : vec.get("cases")) {
            float[] logits = new float[mask.length];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) c.get("logits").get(i).asDouble();
            }
            NucleusSampler.Pick pick = sampler.pick(logits, c.get("temperature").asDouble(), c.get("top_p").asDouble(),
                    c.get("u").asDouble());
            assertEquals(c.get("token").asInt(), pick.token(), c.toString());
            assertEquals(c.get("kept").asInt(), pick.kept());
            assertFalse(mask[pick.token()]);
        }
    }

    @Test
    void guidedPicksMatchPython() throws IOException {
        JsonNode vec = JSON.readTree(VECTORS.resolve("sampler.json").toFile());
        boolean[] mask = new boolean[vec.get("mask").size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = vec.get("mask").get(i).asBoolean();
        }
        NucleusSampler sampler = new NucleusSampler(mask);
        assertTrue(vec.get("guided").size() >= 10);
        for (JsonNode c : vec.get("guided")) {
            double[] cond = new double[mask.length];
            double[] other = new double[mask.length];
            for (int i = 0; i < mask.length; i++) {
                cond[i] = (float) c.get("cond").get(i).asDouble();
                other[i] = (float) c.get("other").get(i).asDouble();
            }
            Guidance.combine(cond, other, c.get("guidance").asDouble());
            for (int i = 0; i < mask.length; i++) {
                assertEquals(c.get("combined").get(i).asDouble(), cond[i], 1e-9);
            }
            NucleusSampler.Pick pick = sampler.pick(cond, c.get("temperature").asDouble(), c.get("top_p").asDouble(),
                    c.get("u").asDouble());
            assertEquals(c.get("token").asInt(), pick.token(), c.toString());
            assertEquals(c.get("kept").asInt(), pick.kept());
        }
    }

    /**
     * Every decoder the service loads runs the committed scenario (two streams at different lengths: each one's
     * prefill, then batched one-token steps over the fixed-capacity cache) and gives PyTorch's logits. The
     * unconditioned baseline music_none.onnx (kept for the four-way comparison, not offered by the API) is checked by
     * the pytest suite alone.
     */
    @Test
    void everyShippedDecoderReproducesThePyTorchLogits() throws Exception {
        List<Conditioning> installed = MusicService.installed(Path.of("models"));
        assertFalse(installed.isEmpty(), "no decoder in models/");
        for (Conditioning c : installed) {
            Path cardFile = Path.of("models", "music_" + c.wireName() + ".json");
            JsonNode json = JSON.readTree(cardFile.toFile());
            DecoderCard card = DecoderCard.read(cardFile);
            reproduces(Path.of("models", card.file()), card, Path.of(json.get("onnx_runtime_check").get("vectors").asText()));
            for (String precision : List.of("int8", "int4")) { // its quantisations, within the tolerance their vectors state
                if (json.hasNonNull(precision)) {
                    DecoderCard q = card.quantised(precision, json.get(precision).get("file").asText());
                    reproduces(Path.of("models", q.file()), q, Path.of(json.get(precision).get("vectors").asText()));
                }
            }
        }
    }

    /**
     * The committed scenario (two streams at different lengths: each one's prefill, then batched one-token steps over
     * the fixed-capacity cache) through {@code onnx} gives PyTorch's logits within the vectors' tolerance.
     */
    private static void reproduces(Path onnx, DecoderCard card, Path vectors) throws Exception {
        JsonNode vec = JSON.readTree(vectors.toFile());
        assertEquals(onnx.getFileName().toString(), vec.get("model").asText());
        assertEquals(card.context(), vec.get("cache_capacity").asInt());
        JsonNode cond = vec.get("condition");
        JsonNode condMask = vec.get("condition_mask");
        double tolerance = vec.get("tolerance").asDouble();
        try (MusicDecoder decoder = new MusicDecoder(OrtEnvironment.getEnvironment(), onnx, card, 1);
                MusicDecoder.Stepper stepper = decoder.stepper()) {
            KvCache cache = decoder.cache(2);
            for (JsonNode call : vec.get("calls")) {
                int[] rows = ints(call.get("rows"));
                int k = rows.length;
                float[] conditions = new float[2 * k];
                float[] masks = new float[k];
                int[][] tokens = new int[k][];
                for (int b = 0; b < k; b++) {
                    tokens[b] = ints(call.get("input_ids").get(b));
                    if (!cond.isNull()) {
                        conditions[2 * b] = (float) cond.get(0).asDouble();
                        conditions[2 * b + 1] = (float) cond.get(1).asDouble();
                    }
                    masks[b] = condMask.isNull() ? 1f : (float) condMask.get(rows[b]).asDouble();
                }
                float[][] logits = new float[k][];
                if (tokens[0].length > 1 || k == 1) { // a prefill: from an empty cache
                    logits = decoder.encode(cache, rows, k, tokens[0].length, tokens, conditions, masks);
                } else { // a batched step of rows 0..k-1
                    int[] ids = new int[k];
                    for (int b = 0; b < k; b++) {
                        assertEquals(b, rows[b]);
                        ids[b] = tokens[b][0];
                    }
                    java.nio.FloatBuffer all = stepper.step(cache, k, ids, conditions, masks);
                    for (int b = 0; b < k; b++) {
                        logits[b] = new float[card.vocabSize()];
                        all.get(b * card.vocabSize(), logits[b]);
                    }
                }
                for (int b = 0; b < k; b++) {
                    JsonNode want = call.get("last_logits").get(b);
                    assertEquals(want.size(), logits[b].length);
                    double worst = 0;
                    for (int i = 0; i < logits[b].length; i++) {
                        worst = Math.max(worst, Math.abs(logits[b][i] - want.get(i).asDouble()));
                    }
                    assertTrue(worst <= tolerance, onnx + ": max |delta logit| " + worst + " in " + call.get("rows"));
                }
            }
            assertTrue(cache.length(1) > cache.length(0), "the streams were at different positions");
        }
    }

    @Test
    void vocabularyMatchesTheReferenceLayout() {
        assertEquals(1007, vocab.baseSize());
        assertEquals(1017, vocab.fullSize());
        assertEquals("PIANO_ON_60", vocab.token(vocab.noteToken(3, true, 60)));
        assertEquals(1000, vocab.timeshiftMs(vocab.baseSize() - 1));
        assertArrayEquals(new int[] {-2, -2, -1, 0, 1, 2}, new int[] {vocab.emotionBin(-1), vocab.emotionBin(-0.6),
                vocab.emotionBin(-0.59), vocab.emotionBin(0), vocab.emotionBin(0.21), vocab.emotionBin(1)});
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
