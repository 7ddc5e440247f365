package dev.aria.rest;

import static dev.aria.testing.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

import org.junit.jupiter.api.Test;

import dev.aria.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * What lies beyond one emotion in, one piece out (issue 16): candidates ranked by the emotion the music-emotion reader
 * measures, the measured emotion coming back, emotion arcs, and continuing a MIDI file. Everything runs on the shipped
 * decoders and reader; the measured values are checked against {@code POST /analyze} of the returned file.
 */
@QuarkusTest
class GenerateMeasuredTest {

    private static final Path VECTOR_MIDI = Path.of("training/tests/vectors/midi");

    private static RequestSpecification form(Map<String, String> fields) {
        RequestSpecification req = given();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            req = req.multiPart(f.getKey(), f.getValue());
        }
        return req;
    }

    private static Map<String, String> fields(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    /** The result event of a /generate/events request. */
    private static JsonPath result(RequestSpecification req) {
        Response r = req.accept("text/event-stream").when().post("/generate/events");
        assertEquals(200, r.statusCode(), r.asString());
        List<GenerateEventsTest.Event> events = GenerateEventsTest.parse(r.asString());
        GenerateEventsTest.Event last = events.get(events.size() - 1);
        assertEquals("result", last.name(), last.data());
        return last.json();
    }

    private static JsonPath analyze(byte[] midi) {
        return given().multiPart("midi", "piece.mid", midi, "audio/midi").when().post("/analyze").then()
                .statusCode(200).extract().jsonPath();
    }

    private static List<MetaMessage> metaEvents(byte[] midi, int type, List<Long> ticks) throws Exception {
        Sequence seq = MidiSystem.getSequence(new ByteArrayInputStream(midi));
        List<MetaMessage> found = new ArrayList<>();
        Track meta = seq.getTracks()[0];
        for (int i = 0; i < meta.size(); i++) {
            MidiEvent e = meta.get(i);
            if (e.getMessage() instanceof MetaMessage m && m.getType() == type) {
                found.add(m);
                if (ticks != null) {
                    ticks.add(e.getTick());
                }
            }
        }
        return found;
    }

    private static String text(byte[] midi) throws Exception {
        List<MetaMessage> texts = metaEvents(midi, 0x01, null);
        return texts.isEmpty() ? "" : new String(texts.get(0).getData(), StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------------------------------------ candidates

    @Test
    void theMeasuredEmotionIsWhatPostAnalyzeReadsInTheReturnedFile() throws Exception {
        JsonPath result = result(form(fields("valence", "0.6", "arousal", "0.5", "gen_len", "512", "seed", "3",
                "min_instruments", "2")));
        byte[] midi = Base64.getDecoder().decode(result.getString("midi"));
        JsonPath analysis = analyze(midi);
        assertEquals(analysis.getDouble("valence"), result.getDouble("measured_valence"), 1e-6);
        assertEquals(analysis.getDouble("arousal"), result.getDouble("measured_arousal"), 1e-6);
        assertEquals(analysis.getList("curve").size(), result.getList("measured_curve").size());
        assertEquals(analysis.getDouble("curve[0].arousal"), result.getDouble("measured_curve[0].arousal"), 1e-6);
        assertEquals(analysis.getString("model"), result.getString("measurement_model"));
        assertEquals(dev.aria.music.GenerationSettings.DEFAULT_CANDIDATES, result.getInt("candidates"));
        double distance = Math.hypot(result.getDouble("measured_valence") - 0.6,
                result.getDouble("measured_arousal") - 0.5);
        assertEquals(distance, result.getDouble("candidate_measurements[" + result.getInt("chosen_candidate")
                + "].distance"), 1e-6);
        // the file says the same, in its text event (headers leave before the music exists)
        assertThat(text(midi), containsString(String.format(java.util.Locale.ROOT, "measured valence %.4f, arousal "
                + "%.4f (%s)", result.getDouble("measured_valence"), result.getDouble("measured_arousal"),
                analysis.getString("model"))));
    }

    @Test
    void candidatesReturnTheOneNearestTheRequestAndTheSameSeedTheSameBytes() throws Exception {
        Map<String, String> ask = fields("valence", "-0.7", "arousal", "0.8", "gen_len", "256", "seed", "23",
                "min_instruments", "2", "candidates", "4");
        JsonPath four = result(form(ask));
        assertEquals(4, four.getInt("candidates"));
        List<Map<String, Object>> measured = four.getList("candidate_measurements");
        assertEquals(4, measured.size());
        int chosen = four.getInt("chosen_candidate");
        double best = Double.POSITIVE_INFINITY;
        for (Map<String, Object> c : measured) {
            if ((Boolean) c.get("met_minimum") && c.get("distance") != null) {
                best = Math.min(best, ((Number) c.get("distance")).doubleValue());
            }
        }
        assertEquals(best, ((Number) measured.get(chosen).get("distance")).doubleValue(), 1e-6,
                "the nearest of those with enough instruments: " + measured);
        assertEquals(((Number) measured.get(chosen).get("arousal")).doubleValue(), four.getDouble("measured_arousal"),
                1e-6);
        // candidate 0 is the piece of a request with one candidate: the pool grows, it does not change
        JsonPath one = result(form(new LinkedHashMap<>(ask) {{ put("candidates", "1"); }}));
        assertEquals(one.getDouble("candidate_measurements[0].distance"),
                ((Number) measured.get(0).get("distance")).doubleValue(), 1e-6);
        assertTrue(four.getDouble("candidate_measurements[" + chosen + "].distance")
                <= one.getDouble("candidate_measurements[0].distance"), "more candidates never end farther");
        // same seed, same bytes; POST /generate writes the candidate and its measurement into the file
        byte[] a = form(ask).when().post("/generate").then().statusCode(200).extract().asByteArray();
        byte[] b = form(ask).when().post("/generate").then().statusCode(200).extract().asByteArray();
        assertArrayEquals(a, b);
        assertArrayEquals(Base64.getDecoder().decode(four.getString("midi")), a);
        assertThat(text(a), containsString("candidate " + (chosen + 1) + " of 4 (nearest the request)"));
    }

    @Test
    void candidatesAreValidatedLikeEveryOtherSetting() {
        for (String bad : new String[] {"0", "9", "-1"}) {
            assertProblem(form(fields("valence", "0", "arousal", "0", "candidates", bad)).when().post("/generate"),
                    400, "validation-failed", "candidates");
        }
        assertProblem(form(fields("valence", "0", "arousal", "0", "candidates", "two")).when().post("/generate"),
                400, "invalid-parameter", "candidates");
        Response r = form(fields("valence", "0", "arousal", "0", "candidates", "3", "gen_len", "16",
                "min_instruments", "1")).when().post("/generate");
        assertEquals(200, r.statusCode());
        assertEquals("3", r.header("ARIA-Candidates"));
    }

    // ------------------------------------------------------------------------------------------------ arcs

    @Test
    void anArcNeedsBothEndValuesOrAnEndImageNotBoth() {
        assertProblem(form(fields("valence", "0", "arousal", "0", "valence_end", "0.5")).when().post("/generate"),
                400, "missing-field", "arousal_end");
        assertProblem(form(fields("valence", "0", "arousal", "0", "arousal_end", "0.5")).when()
                .post("/generate/events"), 400, "missing-field", "valence_end");
        assertProblem(form(fields("valence", "0", "arousal", "0", "valence_end", "1.5", "arousal_end", "0")).when()
                .post("/generate"), 400, "validation-failed", "valence_end");
        Response both = given().multiPart("valence", "0").multiPart("arousal", "0").multiPart("valence_end", "0.5")
                .multiPart("arousal_end", "0.5")
                .multiPart("image_end", "the-scream.jpg", TestImages.example("the-scream.jpg"), "image/jpeg")
                .when().post("/generate");
        assertProblem(both, 400, "ambiguous-emotion", "valence_end");
        Response notImage = given().multiPart("valence", "0").multiPart("arousal", "0")
                .multiPart("image_end", "end.jpg", "words".getBytes(StandardCharsets.UTF_8), "image/jpeg")
                .when().post("/generate");
        assertProblem(notImage, 415, "not-an-image", "image_end");
    }

    @Test
    void anEndImageGivesTheArcItsEmotionAndTheHeadersSaySo() {
        JsonPath scream = given().multiPart("image", "the-scream.jpg", TestImages.example("the-scream.jpg"),
                "image/jpeg").when().post("/emotion").then().statusCode(200).extract().jsonPath();
        Response r = given().multiPart("image", "starry-night.jpg", TestImages.example("starry-night.jpg"), "image/jpeg")
                .multiPart("image_end", "the-scream.jpg", TestImages.example("the-scream.jpg"), "image/jpeg")
                .multiPart("gen_len", "64").multiPart("min_instruments", "1").multiPart("seed", "4")
                .when().post("/generate");
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals(String.format(java.util.Locale.ROOT, "%.4f", scream.getDouble("valence")),
                r.header("ARIA-Valence-End"));
        assertEquals(String.format(java.util.Locale.ROOT, "%.4f", scream.getDouble("arousal")),
                r.header("ARIA-Arousal-End"));
        assertEquals("image", r.header("ARIA-Emotion-End-Source"));
    }

    /**
     * An arc from calm to excited on continuous_concat, whose decoder follows arousal (r 0.84 on generated pieces):
     * over two seeds, the measured arousal of the last 10-second window is above that of the first, by more than the
     * constant pieces of the same seeds differ between their windows.
     */
    @Test
    void theMeasuredArousalTravelsAlongAnArcFromCalmToExcited() {
        double arcRise = 0;
        for (String seed : new String[] {"1", "2"}) {
            JsonPath arc = result(form(fields("valence", "0.3", "arousal", "-0.9", "valence_end", "0.3",
                    "arousal_end", "0.9", "gen_len", "1536", "seed", seed, "min_instruments", "1")));
            assertEquals(0.9, arc.getDouble("arousal_end"), 1e-6);
            assertEquals("request", arc.getString("emotion_end_source"));
            List<Map<String, Object>> curve = arc.getList("measured_curve");
            assertTrue(curve.size() >= 3, "several windows: " + curve.size());
            double first = ((Number) curve.get(0).get("arousal")).doubleValue();
            double last = ((Number) curve.get(curve.size() - 1).get("arousal")).doubleValue();
            arcRise += (last - first) / 2;
        }
        assertTrue(arcRise > 0.3, "the arc's measured arousal rose by " + arcRise + " on average");
    }

    // ------------------------------------------------------------------------------------------------ primer

    @Test
    void aPrimerIsFollowedByItsContinuationAndTheFileSaysWhereItBegins() throws Exception {
        byte[] primer = Files.readAllBytes(VECTOR_MIDI.resolve("cheerful-major.mid"));
        Response r = given().multiPart("valence", "0.5").multiPart("arousal", "0.5").multiPart("gen_len", "256")
                .multiPart("seed", "8").multiPart("min_instruments", "1")
                .multiPart("primer", "cheerful-major.mid", primer, "audio/midi").when().post("/generate");
        assertEquals(200, r.statusCode(), r.asString());
        int start = Integer.parseInt(r.header("ARIA-Continuation-Start-Ms"));
        JsonPath original = analyze(primer);
        double primerEnd = original.getDouble("curve[-1].end_s");
        assertEquals(primerEnd * 1000, start, 8, "the continuation begins where the primer ends");
        byte[] midi = r.asByteArray();
        List<Long> ticks = new ArrayList<>();
        List<MetaMessage> markers = metaEvents(midi, 0x06, ticks);
        assertEquals(1, markers.size());
        assertEquals("continuation", new String(markers.get(0).getData(), StandardCharsets.ISO_8859_1));
        assertEquals(start / 2, ticks.get(0), "a marker at the continuation's tick (2 ms a tick)");
        assertThat(text(midi), containsString(String.format(java.util.Locale.ROOT, "continuation from %.3f s",
                start / 1000.0)));
        // the primer, then more: notes start before and after the marker
        Sequence seq = MidiSystem.getSequence(new ByteArrayInputStream(midi));
        int before = 0;
        int after = 0;
        for (Track t : seq.getTracks()) {
            for (int i = 0; i < t.size(); i++) {
                if (t.get(i).getMessage() instanceof ShortMessage m && m.getCommand() == ShortMessage.NOTE_ON
                        && m.getData2() > 0) {
                    if (t.get(i).getTick() < ticks.get(0)) {
                        before++;
                    } else {
                        after++;
                    }
                }
            }
        }
        assertEquals(primerNotes(primer), before, "every note of the primer, before the continuation");
        assertTrue(after > 0, "a continuation");
        // the events say the same, and measure the continuation only
        JsonPath result = result(given().multiPart("valence", "0.5").multiPart("arousal", "0.5")
                .multiPart("gen_len", "256").multiPart("seed", "8").multiPart("min_instruments", "1")
                .multiPart("primer", "cheerful-major.mid", primer, "audio/midi"));
        assertEquals(start, result.getInt("continuation_start_ms"));
        assertArrayEquals(midi, Base64.getDecoder().decode(result.getString("midi")));
        assertEquals(start / 1000.0, result.getDouble("measured_curve[0].start_s"), 1e-9);
    }

    @Test
    void aPrimerInEIsContinuedInE() throws Exception {
        // the decoders were trained on pieces moved to C: a primer in E is moved to C for the decoder and its
        // continuation back to E, so it is exactly the continuation of the same primer in C, a major third up
        byte[] inC = Files.readAllBytes(VECTOR_MIDI.resolve("cheerful-major.mid"));
        byte[] inE = transposed(inC, 4);
        List<int[]> fromC = continuationNotes(continueWith(inC));
        Response e = continueWith(inE);
        List<int[]> fromE = continuationNotes(e);
        assertFalse(fromC.isEmpty());
        assertEquals(fromC.size(), fromE.size());
        for (int i = 0; i < fromC.size(); i++) {
            int[] c = fromC.get(i);
            int pitch = c[1] == 9 ? c[2] : c[2] + 4 > 108 ? c[2] + 4 - 12 : c[2] + 4;
            assertArrayEquals(new int[] { c[0], c[1], pitch }, fromE.get(i), "note " + i);
        }
        assertThat(text(e.asByteArray()), containsString("in the primer's key (written in C, moved by +4 semitones)"));
        assertEquals(4, dev.aria.analysis.EmotionFeatures.tonic(new dev.aria.midi.MidiNoteReader(
                new dev.aria.midi.MidiNoteReader.Limits(512, 100_000, 1800)).read(inE)));
    }

    private static Response continueWith(byte[] primer) {
        Response r = given().multiPart("valence", "-0.6").multiPart("arousal", "0.3").multiPart("gen_len", "256")
                .multiPart("seed", "8").multiPart("min_instruments", "1").multiPart("candidates", "1")
                .multiPart("primer", "primer.mid", primer, "audio/midi").when().post("/generate");
        assertEquals(200, r.statusCode(), r.asString());
        return r;
    }

    /** {tick, channel, pitch} of every note that starts at or after the continuation's marker, in file order. */
    private static List<int[]> continuationNotes(Response r) throws Exception {
        byte[] midi = r.asByteArray();
        List<Long> ticks = new ArrayList<>();
        metaEvents(midi, 0x06, ticks);
        List<int[]> notes = new ArrayList<>();
        for (Track t : MidiSystem.getSequence(new ByteArrayInputStream(midi)).getTracks()) {
            for (int i = 0; i < t.size(); i++) {
                if (t.get(i).getMessage() instanceof ShortMessage m && m.getCommand() == ShortMessage.NOTE_ON
                        && m.getData2() > 0 && t.get(i).getTick() >= ticks.get(0)) {
                    notes.add(new int[] { (int) t.get(i).getTick(), m.getChannel(), m.getData1() });
                }
            }
        }
        return notes;
    }

    /** The MIDI file with every note off the drum channel moved by {@code semitones}. */
    private static byte[] transposed(byte[] midi, int semitones) throws Exception {
        Sequence seq = MidiSystem.getSequence(new ByteArrayInputStream(midi));
        for (Track t : seq.getTracks()) {
            for (int i = 0; i < t.size(); i++) {
                if (t.get(i).getMessage() instanceof ShortMessage m && m.getChannel() != 9
                        && (m.getCommand() == ShortMessage.NOTE_ON || m.getCommand() == ShortMessage.NOTE_OFF)) {
                    m.setMessage(m.getCommand(), m.getChannel(), m.getData1() + semitones, m.getData2());
                }
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int[] types = MidiSystem.getMidiFileTypes(seq);
        MidiSystem.write(seq, types[types.length - 1], out);
        return out.toByteArray();
    }

    /** Notes of a file as the reader of /analyze and of primers reads them. */
    private static int primerNotes(byte[] midi) {
        try {
            return new dev.aria.midi.MidiNoteReader(new dev.aria.midi.MidiNoteReader.Limits(512, 100_000, 1800))
                    .read(midi).size();
        } catch (dev.aria.midi.MidiNoteReader.Unreadable e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPrimerBesideExplicitValuesIsNotTakenForAnImage() {
        Response r = given().multiPart("valence", "-0.5").multiPart("arousal", "-0.5").multiPart("gen_len", "32")
                .multiPart("min_instruments", "1")
                .multiPart("primer", "sad.mid", readVector("sad-minor.mid"), "audio/midi").when().post("/generate");
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("request", r.header("ARIA-Emotion-Source"));
        assertNotNull(r.header("ARIA-Continuation-Start-Ms"));
        assertNull(r.header("ARIA-Valence-End"));
    }

    @Test
    void aBadPrimerIsRefusedNamingThePrimer() {
        assertProblem(given().multiPart("valence", "0").multiPart("arousal", "0")
                .multiPart("primer", "song.mid", TestImages.example("udnie.jpg"), "audio/midi").when()
                .post("/generate"), 415, "not-midi", "primer");
        byte[] whole = readVector("cheerful-major.mid");
        byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2);
        assertProblem(given().multiPart("valence", "0").multiPart("arousal", "0")
                .multiPart("primer", "half.mid", half, "audio/midi").when().post("/generate/events"), 400,
                "corrupt-midi", "primer");
        assertFalse(half.length == whole.length);
    }

    private static byte[] readVector(String name) {
        try {
            return Files.readAllBytes(VECTOR_MIDI.resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
