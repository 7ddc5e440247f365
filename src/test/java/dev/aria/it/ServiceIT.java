package dev.aria.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged service, started as it ships: {@code ./mvnw verify} runs this against
 * {@code target/quarkus-app/quarkus-run.jar}, {@code ./mvnw verify -Dnative} against the native executable. It pins
 * what the container images and the Kubernetes probes in {@code deploy/} rely on.
 */
@QuarkusIntegrationTest
class ServiceIT {

    @Test
    void reportsReadyOnceTheModelsAreLoaded() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", is("UP"));
    }

    @Test
    void reportsLiveAndStartedForTheProbes() {
        given().when().get("/q/health/live")
                .then().statusCode(200)
                .body("status", is("UP"));
        given().when().get("/q/health/started")
                .then().statusCode(200)
                .body("status", is("UP"));
    }

    @Test
    void publishesTheOpenApiDocumentListingTheEmotionEndpoint() {
        given().queryParam("format", "json")
                .when().get("/q/openapi")
                .then().statusCode(200)
                .body("info.title", is("ARIA API"))
                .body("paths", hasKey("/emotion"));
    }

    @Test
    void exposesPrometheusMetrics() {
        // Prometheus' own text format, as a scraper asks for it (without Accept, Quarkus answers OpenMetrics)
        given().accept("text/plain")
                .when().get("/q/metrics")
                .then().statusCode(200)
                .contentType(containsString("text/plain"))
                .body(containsString("# TYPE "));
    }
}
