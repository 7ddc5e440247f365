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
    void servesSwaggerUi() {
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }
}
