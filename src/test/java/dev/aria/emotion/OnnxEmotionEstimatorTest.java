package dev.aria.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.image.ImageDecoder;
import dev.aria.problem.ApiException;
import dev.aria.testing.TestImages;

/**
 * The Java side of the image model reproduces Python's: same resized pixels, same valence and arousal on the
 * committed vectors ({@code training/tests/vectors/image_emotion.json}, written by {@code training/export_image.py});
 * and the model reads the example paintings on the side people rate them.
 */
class OnnxEmotionEstimatorTest {

    private static final Path VECTORS = Path.of("training", "tests", "vectors", "image_emotion.json");
    private static final double TOLERANCE = 0.02;

    private static OnnxEmotionEstimator estimator;
    private static JsonNode vectors;
    private final ImageDecoder decoder = new ImageDecoder(20L << 20, 40_000_000L);

    @BeforeAll
    static void load() throws IOException {
        estimator = new OnnxEmotionEstimator(Path.of("models"));
        vectors = new ObjectMapper().readTree(Files.readAllBytes(VECTORS));
    }

    @AfterAll
    static void close() {
        estimator.close();
    }

    private static List<JsonNode> paintings() {
        List<JsonNode> paintings = new ArrayList<>();
        vectors.path("paintings").forEach(paintings::add);
        assertEquals(TestImages.EXAMPLES.size(), paintings.size());
        return paintings;
    }

    private BufferedImage decode(JsonNode painting) {
        return decoder.decode(TestImages.example(painting.path("file").asText()));
    }

    @Test
    void loadsTheModelAndNamesItAfterTheCard() {
        assertTrue(estimator.ready());
        assertEquals("emotion", estimator.name());
        assertEquals(vectors.path("model").asText(), estimator.modelId());
    }

    @Test
    void resizesEveryPaintingToTheSamePixelsAsPillow() throws NoSuchAlgorithmException {
        for (JsonNode painting : paintings()) {
            BufferedImage picture = OnnxEmotionEstimator.picture(decode(painting));
            int[] pixels = picture.getRGB(0, 0, OnnxEmotionEstimator.SIZE, OnnxEmotionEstimator.SIZE, null, 0,
                    OnnxEmotionEstimator.SIZE);
            byte[] rgb = new byte[3 * pixels.length];
            long byteSum = 0;
            for (int i = 0; i < pixels.length; i++) {
                rgb[3 * i] = (byte) (pixels[i] >> 16);
                rgb[3 * i + 1] = (byte) (pixels[i] >> 8);
                rgb[3 * i + 2] = (byte) pixels[i];
                byteSum += (pixels[i] >> 16 & 0xFF) + (pixels[i] >> 8 & 0xFF) + (pixels[i] & 0xFF);
            }
            String file = painting.path("file").asText();
            assertEquals(painting.path("rgb_byte_sum").asLong(), byteSum, file);
            assertEquals(painting.path("rgb_sha256").asText(),
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rgb)), file);

            double sum = 0;
            double squares = 0;
            for (float x : OnnxEmotionEstimator.inputTensor(picture)) {
                sum += x;
                squares += (double) x * x;
            }
            assertEquals(painting.path("tensor_sum").asDouble(), sum, 1e-6 * Math.abs(sum), file);
            assertEquals(painting.path("tensor_sum_squares").asDouble(), squares, 1e-6 * squares, file);
        }
    }

    @Test
    void estimatesEveryPaintingAsThePythonModelDoes() {
        for (JsonNode painting : paintings()) {
            Emotion emotion = estimator.estimate(decode(painting));
            String file = painting.path("file").asText();
            System.out.printf("%-22s valence %+.4f (python %+.4f)  arousal %+.4f (python %+.4f)%n", file,
                    emotion.valence(), painting.path("valence").asDouble(), emotion.arousal(),
                    painting.path("arousal").asDouble());
            assertEquals(painting.path("valence").asDouble(), emotion.valence(), TOLERANCE, file + " valence");
            assertEquals(painting.path("arousal").asDouble(), emotion.arousal(), TOLERANCE, file + " arousal");
        }
    }

    @Test
    void readsTheScreamAsUnpleasantAndAroused() {
        // people (VAPS norms): (-0.29, +0.38); the photo-only v1 model read it as calm and pleasant (+0.20, -0.42)
        Emotion scream = estimator.estimate(decoder.decode(TestImages.example("the-scream.jpg")));
        assertTrue(scream.valence() < 0, scream::toString);
        assertTrue(scream.arousal() > 0, scream::toString);
    }

    @Test
    void readsTheStarryNightAsMorePleasantThanTheScream() {
        // people: The Starry Night (+0.33, -0.13), The Scream (-0.29, +0.38)
        Emotion starry = estimator.estimate(decoder.decode(TestImages.example("starry-night.jpg")));
        Emotion scream = estimator.estimate(decoder.decode(TestImages.example("the-scream.jpg")));
        assertTrue(starry.valence() > 0, starry::toString);
        assertTrue(starry.valence() > scream.valence() + 0.2, () -> starry + " vs " + scream);
    }

    @Test
    void neverPinsPlainPicturesAtTheEnds() {
        Color[] colours = { Color.BLACK, Color.WHITE, Color.GRAY, new Color(200, 30, 30), new Color(40, 160, 60),
                new Color(30, 60, 200) };
        for (Color colour : colours) {
            Emotion emotion = estimator.estimate(TestImages.filled(640, 480, BufferedImage.TYPE_INT_RGB, colour));
            assertTrue(Math.abs(emotion.valence()) < 0.95 && Math.abs(emotion.arousal()) < 0.95,
                    () -> colour + " -> " + emotion);
        }
    }

    @Test
    void withoutAModelFileIsNotReadyAndAnswers503(@TempDir Path empty) {
        OnnxEmotionEstimator missing = new OnnxEmotionEstimator(empty);
        assertFalse(missing.ready());
        ApiException e = assertThrows(ApiException.class,
                () -> missing.estimate(decoder.decode(TestImages.example("udnie.jpg"))));
        assertEquals(503, e.status());
        assertEquals("model-unavailable", e.type());
        missing.close();
    }
}
