package dev.aria.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HealthTest {

    @Test
    void reportsLive() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("alive"));
    }

    @Test
    void reportsReadinessOfTheModels() {
        // UP or DOWN depending on which models are installed; the check must be listed either way
        given().when().get("/q/health/ready").then().body("checks.name", hasItem("models"));
    }
}
