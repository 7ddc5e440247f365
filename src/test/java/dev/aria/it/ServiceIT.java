package dev.aria.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.io.File;

import org.junit.jupiter.api.Test;

import dev.aria.testing.Midis;
import io.quarkus.test.junit.DisabledOnIntegrationTest;
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

    @Test
    void servesTheWebPage() {
        given().when().get("/")
                .then().statusCode(200)
                .contentType(containsString("text/html"))
                .body(containsString("Generate music"));
    }

    /** The music-emotion reader: the labeller, its ONNX session and the label scale of the decoder card, packaged. */
    @Test
    void readsTheEmotionOfAMidiFile() {
        given().multiPart("midi", new File("training/tests/vectors/midi/cheerful-major.mid"), "audio/midi")
                .when().post("/analyze")
                .then().statusCode(200)
                .body("valence", greaterThan(0.3f))
                .body("curve.size()", is(5))
                .body("model", startsWith("valence_regressor@"));
    }

    /**
     * {@code java -jar quarkus-run.jar} with no JVM flags: the jar's manifest (Add-Exports) opens the synthesiser's
     * offline interface, so audio renders. Gervill is not part of the native executable's tested surface.
     */
    @Test
    @DisabledOnIntegrationTest(forArtifactTypes = DisabledOnIntegrationTest.ArtifactType.NATIVE_BINARY)
    void rendersMidiAsAudioWithNoExtraJvmFlags() {
        given().multiPart("midi", "chord.mid", Midis.chord(500_000, 2), "audio/midi")
                .when().post("/render")
                .then().statusCode(200)
                .contentType(containsString("audio/wav"))
                .header("ARIA-Duration-Ms", is("1000"));
    }
}
