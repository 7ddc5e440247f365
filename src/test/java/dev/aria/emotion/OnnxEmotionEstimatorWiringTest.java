package dev.aria.emotion;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/** In the running application the ONNX model, not the colour heuristic, is the emotion estimator. */
@QuarkusTest
class OnnxEmotionEstimatorWiringTest {

    @Inject
    EmotionEstimator estimator;

    static String cardModelId() throws IOException {
        JsonNode card = new ObjectMapper().readTree(Files.readAllBytes(Path.of("models", "image_emotion.json")));
        return card.path("name").asText() + "@" + card.path("version").asInt();
    }

    @Test
    void theOnnxModelReplacesTheColourHeuristic() throws IOException {
        assertEquals(cardModelId(), estimator.modelId());
        assertTrue(estimator.modelId().startsWith("image-emotion-"), estimator.modelId());
    }

    @Test
    void readinessListsTheEmotionModelAsReady() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'models' }.data.emotion", equalTo("ready"));
    }
}
