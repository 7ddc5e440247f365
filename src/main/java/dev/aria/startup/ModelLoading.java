package dev.aria.startup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.aria.config.AriaConfig;
import dev.aria.health.ModelStatus;
import io.quarkus.arc.All;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServer;

/**
 * Loads the models beside the rest of the start-up: when the application starts, every {@link ModelStatus} bean is
 * created on a thread of its own (creating one opens its ONNX Runtime session and checks it with an inference), so the
 * HTTP server starts listening while they load instead of after them. Readiness waits for all of them, and a request
 * that comes earlier waits for the bean it needs (the container creates each bean once, whoever asks first).
 *
 * <p>With {@code aria.exit-when-ready} the application answers a few requests of its own once every model is ready
 * ({@link ArchiveRun}) and stops: the package step's run that records the JVM's class-data archive.
 */
@ApplicationScoped
public class ModelLoading {

    private static final Logger LOG = Logger.getLogger(ModelLoading.class);
    /** How long the exit-when-ready run waits for the models. */
    private static final long READY_WAIT_S = 120;

    void start(@Observes StartupEvent start, @All List<ModelStatus> models, AriaConfig config, HttpServer http) {
        List<CompletableFuture<Void>> created = new ArrayList<>();
        for (ModelStatus model : models) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread loading = new Thread(() -> {
                try {
                    model.name(); // the first call on the bean's proxy creates it
                    done.complete(null);
                } catch (RuntimeException e) {
                    LOG.error("A model bean could not be created", e);
                    done.completeExceptionally(e);
                }
            }, "aria-model-loading");
            loading.setDaemon(true);
            loading.start();
            created.add(done);
        }
        if (config.exitWhenReady()) {
            Thread exit = new Thread(() -> {
                boolean ok = awaitReady(models, created) && ArchiveRun.requests(http);
                Quarkus.asyncExit(ok ? 0 : 1);
            }, "aria-exit-when-ready");
            exit.setDaemon(true);
            exit.start();
        }
    }

    private static boolean awaitReady(List<ModelStatus> models, List<CompletableFuture<Void>> created) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_WAIT_S);
        try {
            CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(READY_WAIT_S, TimeUnit.SECONDS);
            while (System.nanoTime() < deadline) {
                if (models.stream().allMatch(ModelStatus::ready)) {
                    return true;
                }
                Thread.sleep(20);
            }
            LOG.errorf("Not every model was ready after %d s (aria.exit-when-ready)", READY_WAIT_S);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("A model failed to load (aria.exit-when-ready)", e);
        }
        return false;
    }
}
