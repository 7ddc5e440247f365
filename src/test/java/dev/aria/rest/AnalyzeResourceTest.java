package dev.aria.rest;

import static dev.aria.testing.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.testing.Midis;
import dev.aria.testing.Smf;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** {@code POST /analyze} over HTTP, with the real labeller and the committed MIDI files of the vectors. */
@QuarkusTest
class AnalyzeResourceTest {

    private static final Path MIDI = Path.of("training/tests/vectors/midi");

    private static Response analyze(String name, byte[] midi) {
        return given().multiPart("midi", name, midi, "audio/midi").when().post("/analyze");
    }

    private static JsonPath analysed(String file) throws Exception {
        Response r = analyze(file, Files.readAllBytes(MIDI.resolve(file)));
        assertEquals(200, r.statusCode(), r.asString());
        return r.jsonPath();
    }

    @Test
    void aCheerfulMajorTuneReadsPleasantAndItsMinorVersionUnpleasant() throws Exception {
        JsonPath major = analysed("cheerful-major.mid");
        JsonPath minor = analysed("sad-minor.mid");
        assertTrue(major.getDouble("valence") > 0.3, major.prettify());
        assertTrue(minor.getDouble("valence") < -0.3, minor.prettify());
        assertEquals(major.getDouble("arousal"), minor.getDouble("arousal"), 1e-9, "same rhythm, same arousal");
        String labeller = new ObjectMapper().readTree(Path.of("models/valence_regressor.json").toFile()).get("id")
                .asText();
        assertEquals(labeller, major.getString("model"));
    }

    @Test
    void aDenseFastPieceReadsExcitedAndASparseSlowOneCalm() throws Exception {
        assertTrue(analysed("dense-fast.mid").getDouble("arousal") > 0.5);
        assertTrue(analysed("sparse-slow.mid").getDouble("arousal") < -0.5);
    }

    @Test
    void theCurveCoversThePieceInTenSecondWindowsEveryFive() throws Exception {
        List<Map<String, Object>> curve = analysed("cheerful-major.mid").getList("curve");
        assertEquals(5, curve.size());
        for (int k = 0; k < curve.size(); k++) {
            Map<String, Object> w = curve.get(k);
            assertEquals(5.0 * k, number(w, "start_s"));
            assertEquals(Math.min(5.0 * k + 10, 27.3857), number(w, "end_s"), 1e-4, "16 bars at 140 bpm end at 27.39 s");
            assertTrue(number(w, "valence") > 0 && Math.abs(number(w, "arousal")) <= 1, w.toString());
        }
    }

    @Test
    void silentWindowsAndDrumsHaveNoValence() throws Exception {
        // type1-quirks.mid: notes in the first 5 s, a 25 s rest, two notes at 30 s
        List<Map<String, Object>> curve = analysed("type1-quirks.mid").getList("curve");
        assertEquals(6, curve.size());
        assertNull(curve.get(1).get("valence"));
        assertNull(curve.get(1).get("arousal"));
        assertTrue(curve.get(5).get("valence") instanceof Number);
        // a kick on channel 10 every half second for 2 s: arousal, but no harmony or melody to read valence from
        byte[][] kicks = new byte[8][];
        for (int i = 0; i < 8; i += 2) {
            kicks[i] = Smf.event(i == 0 ? 0 : 120, 0x99, 36, 100);
            kicks[i + 1] = Smf.event(120, 0x89, 36, 0);
        }
        Response drums = analyze("drums.mid", Smf.file(0, 480, Smf.track(kicks)));
        assertEquals(200, drums.statusCode(), drums.asString());
        assertNull(drums.jsonPath().get("valence"), drums.asString());
        assertNull(drums.jsonPath().get("curve[0].valence"));
        assertTrue(drums.jsonPath().getDouble("arousal") >= -1);
    }

    @Test
    void aFileJavaxSoundMidiWritesIsRead() {
        Response r = analyze("chord.mid", Midis.chord(500_000, 8));
        assertEquals(200, r.statusCode(), r.asString());
        // four instruments' worth of notes in 4 s: one window, reaching the end of the chord
        assertEquals(1, r.jsonPath().getList("curve").size());
        assertEquals(4.0, r.jsonPath().getDouble("curve[0].end_s"), 1e-9);
    }

    @Test
    void refusesWhatIsNoMidiNamingThePart() {
        assertProblem(analyze("picture.mid", "not music at all, just words".getBytes()), 415, "not-midi", "midi");
        assertProblem(given().multiPart("file", "song.mid", Midis.noteAt(0), "audio/midi").when().post("/analyze"),
                400, "wrong-field-name", "midi");
    }

    @Test
    void isDocumentedWithEveryStatusItAnswers() {
        var body = given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body("paths.'/analyze'.post.requestBody.content.'multipart/form-data'.schema.required",
                        equalTo(List.of("midi")))
                .body("paths.'/analyze'.post.requestBody.content.'multipart/form-data'.encoding.midi.contentType",
                        equalTo("audio/midi"))
                .body("components.schemas.AnalysisResponse.properties.valence.minimum", equalTo(-1))
                .body("components.schemas.CurvePoint.properties", hasKey("start_s"))
                .body("paths.'/analyze'.post.responses.'200'.content.'application/json'.examples", hasKey("cheerful-major"));
        for (String status : new String[] { "200", "400", "413", "415", "503", "500" }) {
            body.body("paths.'/analyze'.post.responses", hasKey(status));
        }
    }

    @Test
    void theReaderIsPartOfReadiness() {
        given().when().get("/q/health/ready").then().body("checks.find { it.name == 'models' }.data.'music-emotion'",
                equalTo("ready"));
    }

    private static double number(Map<String, Object> window, String key) {
        return ((Number) window.get(key)).doubleValue();
    }
}
