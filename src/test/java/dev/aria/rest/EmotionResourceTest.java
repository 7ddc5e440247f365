package dev.aria.rest;

import static dev.aria.testing.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.aria.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

@QuarkusTest
class EmotionResourceTest {

    private static final String BOUNDARY = "aria-test-boundary";

    private static Response postImage(String fileName, byte[] bytes, String mimeType) {
        return given().multiPart("image", fileName, bytes, mimeType).when().post("/emotion");
    }

    private static JsonPath assertEmotion(Response response) {
        assertEquals(200, response.statusCode(), response.asString());
        assertThat(response.contentType(), containsString("application/json"));
        JsonPath json = response.jsonPath();
        double valence = json.getDouble("valence");
        double arousal = json.getDouble("arousal");
        assertTrue(valence >= -1 && valence <= 1, "valence " + valence);
        assertTrue(arousal >= -1 && arousal <= 1, "arousal " + arousal);
        String model = json.getString("model");
        assertTrue(model != null && !model.isBlank(), "model must be named: " + response.asString());
        return json;
    }

    @Test
    void estimatesEveryExamplePaintingWithinRangeAndTellsThemApart() {
        Set<String> points = new HashSet<>();
        for (String name : TestImages.EXAMPLES) {
            JsonPath json = assertEmotion(postImage(name, TestImages.example(name), "image/jpeg"));
            points.add(json.getDouble("valence") + "," + json.getDouble("arousal"));
        }
        assertEquals(TestImages.EXAMPLES.size(), points.size(), "each painting gets its own point: " + points);
    }

    @Test
    void servesTheExamplePaintingsStatically() {
        byte[] served = given().when().get("/examples/starry-night.jpg").then().statusCode(200)
                .contentType("image/jpeg").extract().asByteArray();
        assertEquals(TestImages.example("starry-night.jpg").length, served.length);
    }

    @Test
    void acceptsOnePixelPng() {
        assertEmotion(postImage("dot.png", TestImages.onePixelPng(Color.MAGENTA), "image/png"));
    }

    @Test
    void acceptsGreyPng() {
        assertEmotion(postImage("grey.png", TestImages.greyPng(32, 32, 90), "image/png"));
    }

    @Test
    void acceptsPngWithAlpha() {
        assertEmotion(postImage("alpha.png", TestImages.alphaPng(32, 32, new Color(0, 128, 255, 100)), "image/png"));
    }

    @Test
    void acceptsCmykJpeg() {
        assertEmotion(postImage("cmyk.jpg", TestImages.cmykJpeg(32, 32, 0, 200, 200, 0), "image/jpeg"));
    }

    @Test
    void acceptsExifRotatedJpeg() {
        assertEmotion(postImage("rotated.jpg",
                TestImages.jpegWithOrientation(64, 32, Color.RED, Color.BLUE, 6), "image/jpeg"));
    }

    @Test
    void ignoresTheDeclaredPartTypeAndSniffsTheContent() {
        assertEmotion(postImage("picture.bin", TestImages.onePixelPng(Color.GREEN), "application/octet-stream"));
    }

    @Test
    void rejectsEmptyFile() {
        assertProblem(postImage("empty.jpg", new byte[0], "image/jpeg"), 400, "empty-image", "image");
    }

    @Test
    void rejectsTextFileNamedJpg() {
        JsonPath problem = assertProblem(postImage("notes.jpg", "Dear diary, today I ...".getBytes(), "image/jpeg"),
                415, "not-an-image", "image");
        assertThat(problem.getString("detail"), containsString("JPEG"));
        assertThat(problem.getString("detail"), containsString("PNG"));
    }

    @Test
    void rejectsTruncatedJpeg() {
        byte[] half = TestImages.truncated(TestImages.example("the-scream.jpg"), 0.5);
        assertProblem(postImage("half.jpg", half, "image/jpeg"), 400, "corrupt-image", "image");
    }

    @Test
    void rejectsPngDeclaringFiftyThousandSquaredPixelsBeforeDecoding() {
        JsonPath problem = assertProblem(postImage("bomb.png", TestImages.pngHeaderOnly(50_000, 50_000), "image/png"),
                400, "image-too-large", "image");
        assertThat(problem.getString("detail"), containsString("50000×50000"));
    }

    @Test
    void rejectsRequestWithoutImagePart() {
        Response response = given().multiPart("note", "no picture today").when().post("/emotion");
        JsonPath problem = assertProblem(response, 400, "missing-field", "image");
        assertThat(problem.getString("detail"), containsString("'image'"));
    }

    @Test
    void rejectsImageSentUnderTheWrongPartName() {
        Response response = given().multiPart("file", "starry-night.jpg", TestImages.example("starry-night.jpg"),
                "image/jpeg").when().post("/emotion");
        JsonPath problem = assertProblem(response, 400, "wrong-field-name", "image");
        assertThat(problem.getString("detail"), containsString("'file'"));
        assertThat(problem.getString("detail"), containsString("must be called 'image'"));
    }

    @Test
    void rejectsJsonBodyWithUnsupportedMediaType() {
        Response response = given().contentType("application/json").body("{\"image\": \"aGVsbG8=\"}").when()
                .post("/emotion");
        JsonPath problem = assertProblem(response, 415, "unsupported-media-type", null);
        assertThat(problem.getString("detail"), containsString("multipart/form-data"));
    }

    @Test
    void rejectsGetWithMethodNotAllowedNamingPost() {
        Response response = given().when().get("/emotion");
        JsonPath problem = assertProblem(response, 405, "method-not-allowed", null);
        assertThat(problem.getString("detail"), containsString("POST"));
    }

    @Test
    void rejectsUnacceptableAcceptHeader() {
        Response response = given().accept("text/html")
                .multiPart("image", "dot.png", TestImages.onePixelPng(Color.RED), "image/png").when().post("/emotion");
        assertProblem(response, 406, "not-acceptable", null);
    }

    @Test
    void answersUnknownPathsWithProblem() {
        Response response = given().when().get("/no-such-thing");
        assertProblem(response, 404, "not-found", null);
    }

    @Test
    void rejectsBodiesOverTheHttpLimitFromTheirHeaders() throws Exception {
        // announce 26 MiB with "Expect: 100-continue", as curl -F does for large files, and send no body: the
        // service must refuse from the headers alone, before any of the body travels
        long length = 26L * 1024 * 1024;
        try (Socket socket = new Socket(URI.create(RestAssured.baseURI).getHost(), RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /emotion HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary="
                    + BOUNDARY + "\r\nContent-Length: " + length + "\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String[] response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .split("\r\n\r\n", 2);
            String head = response[0];
            String contentType = head.lines().filter(line -> line.toLowerCase().startsWith("content-type:"))
                    .map(line -> line.substring("content-type:".length()).trim()).findFirst().orElse("");
            int status = Integer.parseInt(head.split(" ")[1]);
            JsonPath problem = assertProblem(status, contentType, response.length > 1 ? response[1] : "", 413,
                    "request-too-large", null);
            assertThat(problem.getString("detail"), containsString("20 MiB"));
        }
    }
}
