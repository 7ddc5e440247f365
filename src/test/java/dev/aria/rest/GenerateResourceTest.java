package dev.aria.rest;

import static dev.aria.testing.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URL;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.aria.config.AriaConfig;
import dev.aria.music.MusicService;
import dev.aria.testing.Generations;
import dev.aria.testing.Multipart;
import dev.aria.testing.RawHttp;
import dev.aria.testing.TestImages;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
class GenerateResourceTest {

    @Inject
    AriaConfig config;

    @Inject
    MusicService music;

    @Inject
    MeterRegistry registry;

    @TestHTTPResource("/")
    URL root;

    /** Explicit emotion plus settings as multipart fields. */
    private static Response generate(Map<String, String> fields) {
        RequestSpecification req = given();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            req = req.multiPart(f.getKey(), f.getValue());
        }
        return req.when().post("/generate");
    }

    private static Map<String, String> request(String valence, String arousal, String seed) {
        return new java.util.LinkedHashMap<>(Map.of("valence", valence, "arousal", arousal, "gen_len", "384",
                "seed", seed, "min_instruments", "2"));
    }

    private static Sequence parse(Response r) throws Exception {
        assertEquals(200, r.statusCode(), r.asString());
        assertThat(r.contentType(), startsWith("audio/midi"));
        return MidiSystem.getSequence(new ByteArrayInputStream(r.asByteArray()));
    }

    /** Channels that play at least one note, and every pitch, checked against the vocabulary's range. */
    private static TreeSet<Integer> channelsPlaying(Sequence seq) {
        TreeSet<Integer> channels = new TreeSet<>();
        for (Track t : seq.getTracks()) {
            for (int i = 0; i < t.size(); i++) {
                if (t.get(i).getMessage() instanceof ShortMessage m && m.getCommand() == ShortMessage.NOTE_ON
                        && m.getData2() > 0) {
                    channels.add(m.getChannel());
                    assertTrue(m.getData1() >= 21 && m.getData1() <= 108, "pitch " + m.getData1());
                }
            }
        }
        return channels;
    }

    @Test
    void composesAMultiInstrumentMidiFileForAnExplicitEmotion() throws Exception {
        Response r = generate(request("0.8", "0.6", "7"));
        Sequence seq = parse(r);
        assertEquals(6, seq.getTracks().length, "tempo track + one per instrument");
        assertEquals(250, seq.getResolution());
        assertTrue(channelsPlaying(seq).size() >= 2, "at least min_instruments play: " + channelsPlaying(seq));
        assertTrue(seq.getMicrosecondLength() > 2_000_000, "a few seconds of music at least");
        assertEquals("7", r.header("ARIA-Seed"));
        assertEquals("0.8000", r.header("ARIA-Valence"));
        assertEquals("0.6000", r.header("ARIA-Arousal"));
        assertEquals("request", r.header("ARIA-Emotion-Source"));
        assertEquals("continuous_concat", r.header("ARIA-Conditioning"));
        assertNotNull(r.header("ARIA-Model"));
        assertEquals("attachment; filename=\"aria-7.mid\"", r.header("Content-Disposition"));
        assertThat(summary(seq), containsString("instruments"));
    }

    @Test
    void drumsPlayOnChannelTenAndOtherInstrumentsHaveGmPrograms() throws Exception {
        Sequence seq = parse(generate(request("0.5", "0.9", "3")));
        Track drums = seq.getTracks()[1];
        for (int i = 0; i < drums.size(); i++) {
            if (drums.get(i).getMessage() instanceof ShortMessage m && m.getCommand() == ShortMessage.NOTE_ON) {
                assertEquals(9, m.getChannel());
            }
        }
        List<Integer> programs = new ArrayList<>();
        for (Track t : seq.getTracks()) {
            for (int i = 0; i < t.size(); i++) {
                if (t.get(i).getMessage() instanceof ShortMessage m && m.getCommand() == ShortMessage.PROGRAM_CHANGE) {
                    programs.add(m.getData1());
                }
            }
        }
        assertEquals(List.of(24, 32, 0, 48), programs, "guitar, bass, piano, strings");
    }

    @Test
    void sameSeedAndInputsGiveByteIdenticalFiles() {
        byte[] a = generate(request("-0.4", "0.2", "42")).then().statusCode(200).extract().asByteArray();
        byte[] b = generate(request("-0.4", "0.2", "42")).then().statusCode(200).extract().asByteArray();
        assertArrayEquals(a, b);
    }

    @Test
    void differentEmotionsGiveDifferentMusic() {
        byte[] sad = generate(request("-0.9", "-0.9", "5")).then().statusCode(200).extract().asByteArray();
        byte[] happy = generate(request("0.9", "0.9", "5")).then().statusCode(200).extract().asByteArray();
        assertFalse(java.util.Arrays.equals(sad, happy));
    }

    /**
     * Every conditioning of the paper is served by its own trained decoder: the file parses, several instruments play,
     * the headers name the decoder that ran, the same seed gives the same bytes and another emotion other music.
     */
    @ParameterizedTest
    @ValueSource(strings = {"continuous_concat", "continuous_token", "discrete_token"})
    void everyConditioningComposesWithItsOwnDecoder(String conditioning) throws Exception {
        Map<String, String> calm = request("-0.7", "-0.7", "11");
        calm.put("conditioning", conditioning);
        Response r = generate(calm);
        Sequence seq = parse(r);
        assertTrue(channelsPlaying(seq).size() >= 2, conditioning + ": " + channelsPlaying(seq));
        assertEquals(conditioning, r.header("ARIA-Conditioning"));
        assertThat(r.header("ARIA-Model"), startsWith("music_" + conditioning + "@"));
        assertThat(summary(seq), containsString("music_" + conditioning + "@"));
        assertArrayEquals(r.asByteArray(), generate(calm).then().statusCode(200).extract().asByteArray());
        Map<String, String> lively = request("0.7", "0.7", "11");
        lively.put("conditioning", conditioning);
        assertFalse(java.util.Arrays.equals(r.asByteArray(),
                generate(lively).then().statusCode(200).extract().asByteArray()), conditioning);
    }

    @Test
    void generatesFromAnImageAndReportsItsEmotion() throws Exception {
        Response r = given().multiPart("image", "the-scream.jpg", TestImages.example("the-scream.jpg"), "image/jpeg")
                .multiPart("gen_len", "128").multiPart("seed", "1").multiPart("min_instruments", "1")
                .when().post("/generate");
        parse(r);
        assertEquals("image", r.header("ARIA-Emotion-Source"));
        double v = Double.parseDouble(r.header("ARIA-Valence"));
        assertTrue(v >= -1 && v <= 1);
        assertNotNull(r.header("ARIA-Emotion-Model"));
    }

    @Test
    void aSeedIsChosenAndReturnedWhenNoneIsSent() {
        Response r = given().multiPart("valence", "0").multiPart("arousal", "0").multiPart("gen_len", "32")
                .multiPart("min_instruments", "1").when().post("/generate");
        assertEquals(200, r.statusCode());
        long seed = Long.parseLong(r.header("ARIA-Seed"));
        assertTrue(seed >= 0);
        assertEquals("attachment; filename=\"aria-" + seed + ".mid\"", r.header("Content-Disposition"));
    }

    @Test
    void outOfRangeSettingsAreRefusedNamingTheField() {
        String[][] cases = {
                {"top_p", "1.5"}, {"top_p", "0"}, {"gen_len", "0"}, {"gen_len", "16385"}, {"min_instruments", "6"},
                {"min_instruments", "0"}, {"note_temperature", "0"}, {"rest_temperature", "-1"}, {"seed", "-1"},
                {"valence", "1.01"}, {"arousal", "-2"}, {"conditioning", "sideways"}};
        for (String[] c : cases) {
            Map<String, String> f = request("0.1", "0.1", "1");
            f.put(c[0], c[1]);
            assertProblem(generate(f), 400, "validation-failed", c[0]);
        }
    }

    @Test
    void nonNumericSettingsAreRefusedNamingTheField() {
        for (String field : new String[] {"top_p", "gen_len", "seed", "valence", "note_temperature"}) {
            Map<String, String> f = request("0.1", "0.1", "1");
            f.put(field, "lots");
            assertProblem(generate(f), 400, "invalid-parameter", field);
        }
    }

    @Test
    void nanAndInfinityAreRefused() {
        for (String bad : new String[] {"NaN", "Infinity", "-Infinity"}) {
            Map<String, String> f = request("0.1", "0.1", "1");
            f.put("rest_temperature", bad);
            Response r = generate(f);
            assertEquals(400, r.statusCode(), bad + ": " + r.asString());
            assertEquals("rest_temperature", r.jsonPath().getString("field"));
            f = request(bad, "0.1", "1");
            r = generate(f);
            assertEquals(400, r.statusCode(), bad + ": " + r.asString());
            assertEquals("valence", r.jsonPath().getString("field"));
        }
    }

    @Test
    void bothOrNeitherEmotionSourceIsRefused() {
        Response both = given().multiPart("image", "udnie.jpg", TestImages.example("udnie.jpg"), "image/jpeg")
                .multiPart("valence", "0.2").multiPart("arousal", "0.2").when().post("/generate");
        assertProblem(both, 400, "ambiguous-emotion", "valence");
        Response neither = given().multiPart("gen_len", "64").when().post("/generate");
        assertProblem(neither, 400, "missing-emotion", "image");
        Response half = given().multiPart("valence", "0.2").when().post("/generate");
        assertProblem(half, 400, "missing-field", "arousal");
    }

    @Test
    void aNonImageIsRefused() {
        Response r = given().multiPart("image", "notes.jpg", "just text".getBytes(StandardCharsets.UTF_8), "image/jpeg")
                .when().post("/generate");
        assertEquals(415, r.statusCode(), r.asString());
        assertEquals("image", r.jsonPath().getString("field"));
    }

    @Test
    void overloadIsAnsweredWith503AndRetryAfterNeverAnError() throws Exception {
        int slots = Generations.concurrentRequests(config, music);
        int requests = 4 * slots;
        assertTrue(requests > slots, "the test must ask for more generations than there are slots");
        double rejectedBefore = registry.get("aria.generate.rejected").counter().count();
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                Map<String, String> f = request("0.3", "0.3", String.valueOf(i));
                f.put("gen_len", "1024");
                f.put("min_instruments", "1");
                calls.add(pool.submit(() -> {
                    go.await();
                    return generate(f);
                }));
            }
            go.countDown();
            int ok = 0;
            int busy = 0;
            for (Future<Response> c : calls) {
                Response r = c.get();
                if (r.statusCode() == 200) {
                    parse(r);
                    ok++;
                } else {
                    assertProblem(r, 503, "overloaded", null);
                    assertTrue(Integer.parseInt(r.header("Retry-After")) > 0, "Retry-After in whole seconds");
                    busy++;
                }
            }
            assertEquals(requests, ok + busy);
            assertTrue(ok >= 1 && busy >= 1, ok + " answered, " + busy + " refused");
            assertEquals(rejectedBefore + busy, registry.get("aria.generate.rejected").counter().count(), 0.0);
        } finally {
            pool.shutdownNow();
        }
        given().when().get("/q/health/ready").then().statusCode(200);
        generate(request("0.1", "0.1", "1")).then().statusCode(200);
    }

    /**
     * Clients that leave while their music is being composed must not leave work behind: with every slot held by
     * a client that then disconnects after the first bytes, the generations stop (the active gauge drops to 0 long
     * before 4096 tokens could be composed, and the tokens recorded for them are fewer than asked for) and a new
     * request is served at once.
     */
    @Test
    void aClientThatDisconnectsMidStreamStopsItsGenerationAndFreesItsSlot() throws Exception {
        int slots = Generations.concurrentRequests(config, music);
        DistributionSummary tokens = registry.get("aria.generate.tokens").summary();
        long countBefore = tokens.count();
        double totalBefore = tokens.totalAmount();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < slots; i++) {
                clients.add(startLongGeneration(i));
            }
            Generations.awaitActive(music, slots, Duration.ofSeconds(10));
            assertProblem(generate(request("0.1", "0.1", "1")), 503, "overloaded", null);
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
        long left = System.nanoTime();
        Generations.awaitActive(music, 0, Duration.ofSeconds(5));
        long stoppedMillis = (System.nanoTime() - left) / 1_000_000;
        assertEquals(countBefore + slots, tokens.count(), "each abandoned generation ended and was recorded");
        double composed = tokens.totalAmount() - totalBefore;
        assertTrue(composed < slots * 4096.0, "abandoned generations stopped early: " + composed + " tokens");
        given().accept("text/plain").when().get("/q/metrics").then().statusCode(200)
                .body(containsString("aria_generate_active 0.0"));
        long start = System.nanoTime();
        generate(request("0.1", "0.1", "1")).then().statusCode(200);
        long servedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(servedMillis < 30_000, "a new request is served after the clients left: " + servedMillis + " ms");
        System.out.printf("disconnect: generations stopped %d ms after the clients left, %.0f tokens composed for "
                + "them, next request served in %d ms%n", stoppedMillis, composed, servedMillis);
    }

    /**
     * Posts a 4096-token generation over a raw socket and reads the response up to the 14-byte MIDI header that is
     * streamed before composing starts; returns the still-open socket.
     */
    private Socket startLongGeneration(int seed) throws Exception {
        Multipart form = Multipart.of(Map.of("valence", "0.5", "arousal", "0.5", "gen_len", "4096",
                "min_instruments", "1", "seed", String.valueOf(seed)));
        Socket socket = RawHttp.send(root.getHost(), root.getPort(), form.head("/generate"), form.bytes());
        InputStream in = socket.getInputStream();
        String status = RawHttp.line(in);
        assertThat(status, startsWith("HTTP/1.1 200"));
        Map<String, String> headers = RawHttp.headers(in);
        assertThat(headers.get("content-type"), startsWith(GenerateResource.AUDIO_MIDI));
        assertEquals("chunked", headers.get("transfer-encoding"));
        byte[] header = new byte[14];
        int read = 0;
        while (read < header.length) {
            int size = RawHttp.nextChunk(in);
            assertTrue(size > 0, "the MIDI header arrives before the music");
            byte[] chunk = in.readNBytes(size);
            RawHttp.line(in);
            int n = Math.min(chunk.length, header.length - read);
            System.arraycopy(chunk, 0, header, read, n);
            read += n;
        }
        assertEquals("MThd", new String(header, 0, 4, StandardCharsets.US_ASCII));
        return socket;
    }

    private static String summary(Sequence seq) {
        Track meta = seq.getTracks()[0];
        for (int i = 0; i < meta.size(); i++) {
            MidiEvent e = meta.get(i);
            if (e.getMessage() instanceof MetaMessage m && m.getType() == 0x01) {
                return new String(m.getData(), StandardCharsets.ISO_8859_1);
            }
        }
        return "";
    }
}
