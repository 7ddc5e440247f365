package dev.aria.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

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
                .body(form + ".gen_len.maximum", equalTo(4096))
                .body(form + ".top_p.title", equalTo("Top-p"))
                .body(form + ".conditioning.enum.size()", equalTo(3))
                .body(form + ".conditioning.x-enum-descriptions.size()", equalTo(3));
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

    @Test
    void servesSwaggerUi() {
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }
}
