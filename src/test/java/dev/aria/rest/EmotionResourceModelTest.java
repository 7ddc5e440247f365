package dev.aria.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;

/** {@code POST /emotion} answers with the trained ONNX model, named as its card names it. */
@QuarkusTest
class EmotionResourceModelTest {

    @Test
    void answersWithTheOnnxModelId() throws IOException {
        JsonNode card = new ObjectMapper().readTree(Files.readAllBytes(Path.of("models", "image_emotion.json")));
        String modelId = card.path("name").asText() + "@" + card.path("version").asInt();
        JsonNode vectors = new ObjectMapper().readTree(
                Files.readAllBytes(Path.of("training", "tests", "vectors", "image_emotion.json")));
        for (JsonNode painting : vectors.path("paintings")) {
            String file = painting.path("file").asText();
            given().multiPart("image", file, TestImages.example(file), "image/jpeg")
                    .when().post("/emotion")
                    .then().statusCode(200)
                    .body("model", equalTo(modelId))
                    .body("valence", closeTo(painting.path("valence").asDouble()))
                    .body("arousal", closeTo(painting.path("arousal").asDouble()));
        }
    }

    /** RestAssured reads JSON numbers as Float: compare any Number within the vectors' tolerance. */
    private static Matcher<Number> closeTo(double expected) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Number actual) {
                return Math.abs(actual.doubleValue() - expected) <= 0.02;
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("within 0.02 of " + expected);
            }
        };
    }
}
