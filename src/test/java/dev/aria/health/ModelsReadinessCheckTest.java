package dev.aria.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class ModelsReadinessCheckTest {

    private record Model(String name, boolean ready) implements ModelStatus {
    }

    private static final ModelStatus BROKEN = new ModelStatus() {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public boolean ready() {
            throw new IllegalStateException("cannot tell");
        }
    };

    @Test
    void isUpWhenEveryModelIsReady() {
        HealthCheckResponse response = new ModelsReadinessCheck(
                List.of(new Model("emotion", true), new Model("music", true))).call();
        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals(Map.of("emotion", "ready", "music", "ready"), response.getData().orElseThrow());
    }

    @Test
    void isDownWhileAnyModelIsNotReady() {
        HealthCheckResponse response = new ModelsReadinessCheck(
                List.of(new Model("emotion", true), new Model("music", false))).call();
        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals("not ready", response.getData().orElseThrow().get("music"));
    }

    @Test
    void countsAModelThatFailsToAnswerAsNotReady() {
        HealthCheckResponse response = new ModelsReadinessCheck(List.of(BROKEN)).call();
        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
    }

    @Test
    void isUpWithNoModelsToWaitFor() {
        assertEquals(HealthCheckResponse.Status.UP, new ModelsReadinessCheck(List.of()).call().getStatus());
    }
}
