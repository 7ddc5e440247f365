package dev.aria.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.aria.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class OpenApiTest {

    @Test
    void documentsPostEmotionWithEveryStatusItAnswers() {
        var body = given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo("ARIA API"))
                .body("paths", hasKey("/emotion"))
                .body("paths.'/emotion'.post.tags", hasItem("emotion"))
                .body("paths.'/emotion'.post.requestBody.content.'multipart/form-data'.schema.properties.image.format",
                        equalTo("binary"))
                .body("paths.'/emotion'.post.requestBody.content.'multipart/form-data'.schema.properties",
                        not(hasKey("*")))
                .body("components.schemas", hasKey("Problem"))
                .body("components.schemas.EmotionResponse.properties.valence.minimum", equalTo(-1));
        for (String status : new String[] { "200", "400", "413", "415", "503", "500" }) {
            body.body("paths.'/emotion'.post.responses", hasKey(status));
        }
        body.body("paths.'/emotion'.post.responses.'400'.content.'application/problem+json'.examples",
                hasKey("wrong-field-name"));
    }

    /**
     * What a client (or schemathesis) may send according to the document is what the service accepts: the form
     * fields under their wire names, the image required by /emotion, exactly one emotion source for /generate, only
     * the conditionings this deployment ships, and the image part's media types.
     */
    @Test
    void documentsTheFormsAsTheServiceReadsThem() {
        String generate = "paths.'/generate'.post.requestBody.content.'multipart/form-data'";
        String emotion = "paths.'/emotion'.post.requestBody.content.'multipart/form-data'";
        var body = given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200);
        for (String wire : new String[] { "gen_len", "note_temperature", "rest_temperature", "top_p",
                "min_instruments", "seed", "valence", "arousal", "conditioning", "image" }) {
            body.body("components.schemas.GenerateForm.properties", hasKey(wire));
        }
        for (String java : new String[] { "genLen", "noteTemperature", "restTemperature", "topP", "minInstruments" }) {
            body.body("components.schemas.GenerateForm.properties", not(hasKey(java)));
        }
        body.body("components.schemas.GenerateForm.oneOf.required", contains(List.of("image"),
                List.of("valence", "arousal")))
                .body("components.schemas.GenerateForm.properties.conditioning.enum", contains("continuous_concat",
                        "continuous_token", "discrete_token"))
                .body("components.schemas.GenerateForm.properties.gen_len.maximum", equalTo(16384))
                .body(emotion + ".schema.required", contains("image"))
                .body(emotion + ".encoding.image.contentType", containsString("image/png"))
                .body(generate + ".encoding.image.contentType", containsString("image/jpeg"))
                .body(generate + ".examples.'explicit-emotion'.value.valence", equalTo(0.8f));
    }

    @Test
    void documentsTheGenerateSettingsUnderTheNamesClientsSend() {
        String form = "components.schemas.GenerateForm.properties";
        given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body(form, hasKey("gen_len"))
                .body(form, hasKey("note_temperature"))
                .body(form, hasKey("rest_temperature"))
                .body(form, hasKey("top_p"))
                .body(form, hasKey("min_instruments"))
                .body(form, not(hasKey("genLen")))
                .body(form, not(hasKey("topP")))
                .body(form + ".gen_len.default", equalTo(1024))
                .body(form + ".note_temperature.default", equalTo(1.2f))
                .body(form + ".rest_temperature.default", equalTo(1.2f))
                .body(form + ".top_p.default", equalTo(0.7f))
                .body(form + ".min_instruments.default", equalTo(2))
                .body(form + ".conditioning.default", equalTo("continuous_concat"))
                .body(form + ".gen_len.maximum", equalTo(16384))
                .body(form + ".top_p.title", equalTo("Top-p"))
                // the conditionings whose decoder is installed (all three ship), each with its description
                .body(form + ".conditioning.enum", equalTo(java.util.List.of("continuous_concat", "continuous_token",
                        "discrete_token")))
                .body(form + ".conditioning.x-enum-descriptions.size()", equalTo(3));
    }

    /**
     * Candidates, arcs and primers are in the document as the service reads them: candidates validated 1-8 with
     * its default, the end emotion's fields in [-1, 1] and required together (without an end image) or not at all,
     * the end image and the primer as file parts with their media types, and the result's measured emotion.
     */
    @Test
    void documentsCandidatesArcsPrimersAndTheMeasuredEmotion() {
        String form = "components.schemas.GenerateForm";
        String generate = "paths.'/generate'.post.requestBody.content.'multipart/form-data'";
        given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body(form + ".properties.candidates.minimum", equalTo(1))
                .body(form + ".properties.candidates.maximum", equalTo(8))
                .body(form + ".properties.candidates.default", equalTo(2))
                .body(form + ".properties.valence_end.minimum", equalTo(-1))
                .body(form + ".properties.arousal_end.maximum", equalTo(1))
                .body(form + ".properties.image_end.format", equalTo("binary"))
                .body(form + ".properties.primer.format", equalTo("binary"))
                .body(form + ".allOf[0].oneOf[0].required", contains("valence_end", "arousal_end"))
                .body(form + ".allOf[0].oneOf[0].not.required", contains("image_end"))
                .body(form + ".allOf[0].oneOf[1].not.anyOf.required", hasItem(List.of("valence_end")))
                .body(generate + ".encoding.primer.contentType", equalTo("audio/midi"))
                .body(generate + ".encoding.image_end.contentType", containsString("image/png"))
                .body("components.schemas.GenerationResult.properties", hasKey("measured_valence"))
                .body("components.schemas.GenerationResult.properties", hasKey("measured_curve"))
                .body("components.schemas.GenerationResult.properties", hasKey("candidate_measurements"))
                .body("components.schemas.GenerationResult.properties", hasKey("continuation_start_ms"))
                .body("components.schemas.GenerationResult.properties", hasKey("valence_end"));
    }

    @Test
    void documentsTheEventStreamAndTheRenderEndpoint() {
        var body = given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body("paths.'/generate/events'.post.responses.'200'.content", hasKey("text/event-stream"))
                .body("paths.'/generate/events'.post.requestBody.content.'multipart/form-data'.schema.'$ref'",
                        equalTo("#/components/schemas/GenerateForm"))
                .body("components.schemas", hasKey("GenerationProgress"))
                .body("components.schemas", hasKey("GenerationResult"))
                .body("components.schemas.GenerationResult.properties", hasKey("file_name"))
                .body("paths.'/render'.post.responses.'200'.content", hasKey("audio/wav"))
                .body("paths.'/render'.post.responses.'200'.headers", hasKey("ARIA-SoundFont"))
                .body("paths.'/render'.post.requestBody.content.'multipart/form-data'.schema.properties.midi.format",
                        equalTo("binary"));
        for (String status : new String[] { "200", "400", "413", "415", "503", "500" }) {
            body.body("paths.'/render'.post.responses", hasKey(status));
            body.body("paths.'/generate/events'.post.responses", hasKey(status));
        }
    }

    /** The documented answer of POST /emotion is the service's answer for that painting: the example cannot go stale. */
    @Test
    void documentsWhatTheServiceAnswersForTheExamplePainting() {
        Map<String, Object> example = given().queryParam("format", "json").when().get("/q/openapi").then()
                .statusCode(200).extract().jsonPath()
                .getMap("paths.'/emotion'.post.responses.'200'.content.'application/json'.examples.'starry-night'.value");
        JsonPath answer = given().multiPart("image", "starry-night.jpg", TestImages.example("starry-night.jpg"),
                "image/jpeg").when().post("/emotion").then().statusCode(200).extract().jsonPath();
        assertEquals(answer.getString("model"), example.get("model"));
        assertEquals(answer.getDouble("valence"), ((Number) example.get("valence")).doubleValue(), 0.0005);
        assertEquals(answer.getDouble("arousal"), ((Number) example.get("arousal")).doubleValue(), 0.0005);
    }

    @Test
    void servesSwaggerUi() {
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }
}
