package dev.aria.rest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import javax.sound.midi.MidiSystem;

import jakarta.inject.Inject;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.image.ImageDecoder;
import dev.aria.testing.LogCapture;
import dev.aria.testing.Multipart;
import dev.aria.testing.Problems;
import dev.aria.testing.RawHttp;
import dev.aria.testing.Smf;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Runs every case of the hostile-input corpus ({@code src/test/resources/hostile/cases.json}, written by
 * {@code make_corpus.py} there) against the service and checks the status, the media type, and for errors the
 * problem type and the {@code field} it names, with no internals in the body. Image cases run against
 * {@code /emotion} and, with a short {@code gen_len}, {@code /generate}; accepted images are also decoded directly
 * to check their size and a few pixels (EXIF rotation, alpha on white, first GIF frame, ...). MIDI cases run against
 * {@code /analyze}, and as the part {@code primer} against {@code /generate}.
 */
@QuarkusTest
class HostileCorpusTest {

    private static final Path CORPUS = Paths.get("src/test/resources/hostile");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    @Inject
    ImageDecoder decoder;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * Each case is one dynamic test; a last one fails if anything was logged at ERROR while they ran: every hostile
     * input is the client's doing, answered once, never a fault of the service.
     */
    @TestFactory
    Stream<DynamicTest> everyHostileInputGetsItsAnswer() {
        JsonNode manifest = manifest();
        List<DynamicTest> tests = new ArrayList<>();
        LogCapture errors = LogCapture.atLeast(Level.SEVERE);
        for (JsonNode c : manifest.get("cases")) {
            List<String> endpoints = new ArrayList<>(List.of(c.get("endpoint").asText()));
            if (c.path("both").asBoolean(false)) {
                endpoints.add("/generate");
            }
            for (String endpoint : endpoints) {
                tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " -> POST " + endpoint,
                        () -> check(c, endpoint, send(manifest, c, endpoint))));
            }
            if (c.has("decoded")) {
                tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " -> decoded", () -> checkDecoded(c)));
            }
        }
        tests.add(DynamicTest.dynamicTest("nothing is logged at ERROR while the corpus runs", () -> {
            Thread.sleep(500); // a failure after the answer is logged a moment after the client has read it
            errors.close();
            assertEquals(List.of(), errors.lines());
        }));
        return tests.stream().onClose(errors::close);
    }

    @Test
    void theCorpusHasAtLeastFortyCasesAndUsesEveryFile() throws IOException {
        JsonNode cases = manifest().get("cases");
        assertTrue(cases.size() >= 40, cases.size() + " cases");
        Set<String> ids = new HashSet<>();
        Set<String> used = new HashSet<>(Set.of("cases.json", "make_corpus.py", "make_midi_corpus.py"));
        for (JsonNode c : cases) {
            assertTrue(ids.add(c.get("id").asText()), "duplicate id " + c.get("id"));
            assertTrue(c.has("status") && c.has("type") && c.has("field") && c.hasNonNull("why"), c.toString());
            boolean bodiless = c.has("contentType") && c.get("contentType").isNull();
            assertEquals(c.get("status").asInt() == 200 || bodiless, c.get("type").isNull(),
                    "an error with a body needs a type: " + c);
            JsonNode request = c.get("request");
            request.findValues("file").forEach(f -> used.add(f.asText()));
            request.findValues("bodyFile").forEach(f -> used.add(f.asText()));
        }
        try (Stream<Path> files = Files.list(CORPUS)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                assertTrue(used.contains(name), name + " is in the corpus directory but no case uses it");
                assertTrue(Files.size(file) < 64 * 1024, name + " is large: generate it in the test instead");
            }
        }
        for (String name : used) {
            assertTrue(Files.exists(CORPUS.resolve(name)), "missing corpus file " + name);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** What came back, from whichever client sent the request. */
    private record Answer(int status, String contentType, byte[] body) {
    }

    private void check(JsonNode c, String endpoint, Answer answer) throws Exception {
        String body = new String(answer.body(), StandardCharsets.UTF_8);
        int status = c.get("status").asInt();
        assertEquals(status, answer.status(), c.get("why").asText() + ": " + abbreviate(body));
        if (c.has("contentType") && c.get("contentType").isNull()) {
            assertEquals(0, answer.body().length, "no body expected: " + abbreviate(body));
            return;
        }
        if (status == 200) {
            if (endpoint.equals("/analyze")) {
                assertThat(answer.contentType(), startsWith("application/json"));
                checkAnalysis(c, JsonPath.from(body), body);
            } else if (endpoint.equals("/emotion")) {
                assertThat(answer.contentType(), startsWith("application/json"));
                JsonPath json = JsonPath.from(body);
                assertTrue(Math.abs(json.getDouble("valence")) <= 1 && Math.abs(json.getDouble("arousal")) <= 1,
                        body);
            } else {
                assertThat(answer.contentType(), startsWith(GenerateResource.AUDIO_MIDI));
                assertArrayEquals("MThd".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(answer.body(), 4));
                assertTrue(MidiSystem.getSequence(new ByteArrayInputStream(answer.body())).getTracks().length > 1);
            }
            return;
        }
        String field = c.get("field").isNull() ? null : c.get("field").asText();
        Problems.assertProblem(answer.status(), answer.contentType(), body, status, c.get("type").asText(), field);
    }

    /** A 200 of /analyze: emotion in range, a curve from 0 s in 5 s steps, the labeller named, and what the case
     * says (a null valence, a number of windows). */
    private static void checkAnalysis(JsonNode c, JsonPath json, String body) {
        JsonNode expected = c.path("analysis");
        if (expected.has("valence") && expected.get("valence").isNull()) {
            assertTrue(json.get("valence") == null, body);
        } else {
            assertTrue(Math.abs(json.getDouble("valence")) <= 1, body);
        }
        assertTrue(Math.abs(json.getDouble("arousal")) <= 1, body);
        List<Map<String, Object>> curve = json.getList("curve");
        assertTrue(!curve.isEmpty(), body);
        if (expected.has("windows")) {
            assertEquals(expected.get("windows").asInt(), curve.size(), body);
        }
        for (int k = 0; k < curve.size(); k++) {
            assertEquals(5.0 * k, ((Number) curve.get(k).get("start_s")).doubleValue(), 1e-9, body);
        }
        assertThat(json.getString("model"), startsWith("valence_regressor@"));
    }

    private void checkDecoded(JsonNode c) throws IOException {
        JsonNode expected = c.get("decoded");
        BufferedImage image = decoder.decode(CORPUS.resolve(c.get("request").get("file").asText()));
        assertEquals(expected.get("width").asInt(), image.getWidth(), "width");
        assertEquals(expected.get("height").asInt(), image.getHeight(), "height");
        for (JsonNode pixel : expected.path("pixels")) {
            int x = pixel.get(0).asInt();
            int y = pixel.get(1).asInt();
            int want = Integer.parseInt(pixel.get(2).asText(), 16);
            int tolerance = pixel.get(3).asInt();
            int got = image.getRGB(x, y) & 0xFFFFFF;
            for (int shift = 0; shift <= 16; shift += 8) {
                int difference = Math.abs((got >> shift & 0xFF) - (want >> shift & 0xFF));
                assertTrue(difference <= tolerance, String.format(Locale.ROOT,
                        "pixel (%d, %d) is #%06x, expected #%06x +- %d", x, y, got, want, tolerance));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Building and sending each kind of request

    private Answer send(JsonNode manifest, JsonNode c, String endpoint) throws Exception {
        JsonNode request = c.get("request");
        Map<String, String> defaults = new LinkedHashMap<>();
        manifest.get("generateDefaults").fields().forEachRemaining(e -> defaults.put(e.getKey(), e.getValue().asText()));
        if (request.has("file")) {
            String part = request.path("part").asText("image");
            Multipart form = new Multipart().file(part,
                    request.path("filename").asText(request.get("file").asText()), request.get("mime").asText(),
                    corpusFile(request.get("file").asText()));
            if (endpoint.equals("/generate")) {
                defaults.forEach((name, value) -> { // an image is the emotion; beside a primer, the defaults' is
                    if (!part.equals("image") || !name.equals("valence") && !name.equals("arousal")) {
                        form.text(name, value);
                    }
                });
            }
            return post(endpoint, form.contentType(), form.bytes());
        }
        if (request.has("fields")) {
            Map<String, String> fields = new LinkedHashMap<>(defaults);
            request.get("fields").fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    fields.remove(e.getKey());
                } else {
                    fields.put(e.getKey(), e.getValue().asText());
                }
            });
            Multipart form = new Multipart();
            fields.forEach(form::text);
            return post(endpoint, form.contentType(), form.bytes());
        }
        if (request.has("parts")) {
            Multipart form = new Multipart();
            for (JsonNode part : request.get("parts")) {
                if (part.has("file")) {
                    form.file(part.get("name").asText(), part.get("file").asText(), part.get("mime").asText(),
                            corpusFile(part.get("file").asText()));
                } else {
                    form.text(part.get("name").asText(), part.get("text").asText());
                }
            }
            return post(endpoint, form.contentType(), form.bytes());
        }
        if (request.has("raw")) {
            JsonNode raw = request.get("raw");
            byte[] body = raw.has("bodyFile") ? corpusFile(raw.get("bodyFile").asText())
                    : raw.get("body").asText().getBytes(StandardCharsets.ISO_8859_1);
            return post(endpoint, raw.get("contentType").isNull() ? null : raw.get("contentType").asText(), body);
        }
        return generated(request, endpoint, defaults);
    }

    private Answer generated(JsonNode request, String endpoint, Map<String, String> defaults) throws Exception {
        String generator = request.get("generator").asText();
        switch (generator) {
            case "png-bomb" -> {
                Multipart form = new Multipart().file("image", "bomb.png", "image/png",
                        pngBomb(request.get("width").asInt(), request.get("height").asInt()));
                if (endpoint.equals("/generate")) {
                    form.text("gen_len", "16");
                }
                return post(endpoint, form.contentType(), form.bytes());
            }
            case "oversized-body" -> {
                long bytes = request.get("bytes").asLong();
                boolean chunked = request.get("chunked").asBoolean();
                String head = "POST " + endpoint + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; "
                        + "boundary=huge\r\n" + (chunked ? "Transfer-Encoding: chunked\r\n"
                                : "Content-Length: " + bytes + "\r\nExpect: 100-continue\r\n")
                        + "Connection: close\r\n\r\n";
                byte[] partHead = request.path("outsideParts").asBoolean(false) ? new byte[0]
                        : ("--huge\r\nContent-Disposition: form-data; name=\"image\"; filename=\"huge.png\"\r\n"
                                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                RawHttp.Reply reply = RawHttp.exchange(root.getHost(), root.getPort(), head, out -> {
                    if (chunked) {
                        writeChunked(out, partHead, bytes);
                    }
                });
                return new Answer(reply.status(), reply.contentType(), reply.body());
            }
            case "large-file" -> {
                byte[] file = new byte[request.get("bytes").asInt()];
                byte[] png = corpusFile("one-pixel.png");
                System.arraycopy(png, 0, file, 0, png.length);
                Multipart form = new Multipart().file("image", "large.png", "image/png", file);
                return post(endpoint, form.contentType(), form.bytes());
            }
            case "many-parts" -> {
                Multipart form = new Multipart();
                for (int i = 0; i < request.get("count").asInt(); i++) {
                    form.text("f" + i, "1");
                }
                return post(endpoint, form.contentType(), form.bytes());
            }
            case "long-field" -> {
                Multipart form = new Multipart();
                defaults.forEach(form::text);
                form.text(request.get("name").asText(), "1".repeat(request.get("bytes").asInt()));
                return post(endpoint, form.contentType(), form.bytes());
            }
            case "large-header" -> {
                String head = "POST " + endpoint + " HTTP/1.1\r\nHost: localhost\r\nX-Padding: "
                        + "a".repeat(request.get("bytes").asInt()) + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                RawHttp.Reply reply = RawHttp.exchange(root.getHost(), root.getPort(), head, out -> { });
                return new Answer(reply.status(), reply.contentType(), reply.body());
            }
            case "long-uri" -> {
                String head = "POST " + endpoint + "?q=" + "a".repeat(request.get("bytes").asInt())
                        + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                RawHttp.Reply reply = RawHttp.exchange(root.getHost(), root.getPort(), head, out -> { });
                return new Answer(reply.status(), reply.contentType(), reply.body());
            }
            case "midi-notes" -> {
                Multipart form = new Multipart().file(request.path("part").asText("midi"), "notes.mid", "audio/midi",
                        midiNotes(request.get("notes").asInt()));
                if (endpoint.equals("/generate")) {
                    defaults.forEach(form::text);
                }
                return post(endpoint, form.contentType(), form.bytes());
            }
            case "method" -> {
                Multipart form = new Multipart().file("image", "one-pixel.png", "image/png",
                        corpusFile("one-pixel.png"));
                HttpRequest http = HttpRequest.newBuilder(uri(endpoint)).timeout(Duration.ofSeconds(60))
                        .header("Content-Type", form.contentType())
                        .method(request.get("method").asText(), HttpRequest.BodyPublishers.ofByteArray(form.bytes()))
                        .build();
                return answer(client.send(http, HttpResponse.BodyHandlers.ofByteArray()));
            }
            default -> throw new IllegalArgumentException("unknown generator " + generator);
        }
    }

    private Answer post(String endpoint, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder http = HttpRequest.newBuilder(uri(endpoint)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            http.header("Content-Type", contentType);
        }
        return answer(client.send(http.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    private static Answer answer(HttpResponse<byte[]> response) {
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                response.body());
    }

    private URI uri(String endpoint) {
        return URI.create(root.toString()).resolve(endpoint.substring(1));
    }

    /** {@code head}, then zeros up to {@code bytes} in all, as chunks of 64 KiB. */
    private static void writeChunked(OutputStream out, byte[] head, long bytes) {
        byte[] chunk = new byte[64 * 1024];
        String size = Integer.toHexString(chunk.length) + "\r\n";
        try {
            if (head.length > 0) {
                out.write((Integer.toHexString(head.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(head);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            for (long sent = head.length; sent < bytes; sent += chunk.length) {
                out.write(size.getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A 1-bit grey PNG of {@code width × height} whose every row is zeros: about a thousandth of its 112 MB of
     * rows on the wire, as a real decompression bomb is.
     */
    static byte[] pngBomb(int width, int height) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' });
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 1).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION),
                1 << 16)) {
            byte[] row = new byte[1 + (width + 7) / 8];
            for (int y = 0; y < height; y++) {
                deflate.write(row);
            }
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    /**
     * A type-0 file of {@code notes} quarter-second notes (120 bpm, 480 ticks a quarter) cycling over two octaves,
     * with running status: three bytes an event, six a note.
     */
    static byte[] midiNotes(int notes) {
        ByteArrayOutputStream events = new ByteArrayOutputStream(6 * notes + 16);
        events.writeBytes(new byte[] { 0, (byte) 0x90, 60, 100 });
        for (int i = 0; i < notes; i++) {
            // 120 ticks (0x78) later: this note off, the next on
            events.writeBytes(new byte[] { 0x78, (byte) (60 + i % 24), 0 });
            if (i + 1 < notes) {
                events.writeBytes(new byte[] { 0, (byte) (60 + (i + 1) % 24), 100 });
            }
        }
        events.writeBytes(new byte[] { 0, (byte) 0xFF, 0x2F, 0 });
        return Smf.file(0, 480, Smf.chunk("MTrk", events.toByteArray()));
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(name);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] corpusFile(String name) {
        try {
            return Files.readAllBytes(CORPUS.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode manifest() {
        try (InputStream in = Files.newInputStream(CORPUS.resolve("cases.json"))) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 400 ? body : body.substring(0, 400) + "...";
    }
}
