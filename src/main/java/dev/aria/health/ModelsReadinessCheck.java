package dev.aria.health;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.arc.All;

/**
 * Readiness ({@code /q/health/ready}): UP only when every {@link ModelStatus} bean reports ready. The data lists
 * each model as {@code name: "ready" | "not ready"}, so an operator sees which one holds the service back.
 */
@Readiness
@ApplicationScoped
public class ModelsReadinessCheck implements HealthCheck {

    static final String NAME = "models";

    private final List<ModelStatus> models;

    ModelsReadinessCheck(@All List<ModelStatus> models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        boolean allReady = true;
        for (ModelStatus model : models) {
            boolean ready;
            try {
                ready = model.ready();
            } catch (RuntimeException e) {
                ready = false;
            }
            allReady &= ready;
            response.withData(model.name(), ready ? "ready" : "not ready");
        }
        return response.status(allReady).build();
    }
}
