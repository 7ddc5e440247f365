package dev.aria.problem;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.config.AriaConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers a request body over {@code quarkus.http.limits.max-body-size} with a 413 problem body instead of the HTTP
 * layer's empty 413: such requests are refused before they reach JAX-RS, so its exception mappers never see them.
 *
 * <p>A route placed just before Quarkus's own upload-limit check refuses requests whose {@code Content-Length}
 * exceeds the limit; a failure handler does the same for bodies without a length (chunked) that the HTTP layer cuts
 * off once they pass the limit.
 */
@ApplicationScoped
public class BodyLimitProblems {

    private static final Logger LOG = Logger.getLogger(BodyLimitProblems.class);

    /** Quarkus's upload-limit route has order -2 ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}). */
    private static final int BEFORE_UPLOAD_LIMIT = -3;

    private final Optional<MemorySize> maxBodySize;
    private final AriaConfig config;
    private final ObjectMapper json;

    BodyLimitProblems(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize,
            AriaConfig config, ObjectMapper json) {
        this.maxBodySize = maxBodySize;
        this.config = config;
        this.json = json;
    }

    void install(@Observes Router router) {
        if (maxBodySize.isEmpty()) {
            return;
        }
        long limit = maxBodySize.get().asLongValue();
        router.route().order(BEFORE_UPLOAD_LIMIT).handler(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && parse(length) > limit) {
                refuse(context, limit);
            } else {
                context.next();
            }
        });
        router.route().order(BEFORE_UPLOAD_LIMIT).failureHandler(context -> {
            if (context.statusCode() == 413 && !context.response().headWritten()) {
                refuse(context, limit);
            } else {
                context.next();
            }
        });
    }

    private void refuse(RoutingContext context, long limit) {
        Problem problem = Problem.of(413, "request-too-large", null, "The request body is larger than the "
                + ProblemExceptionMappers.mebibytes(limit) + " this service accepts. Send an image of at most "
                + ProblemExceptionMappers.mebibytes(config.image().maxBytes()) + ".")
                .withInstance(context.request().path());
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":413}";
        }
        LOG.debugf("%s %s refused: body over %d bytes", context.request().method(), context.request().path(),
                limit);
        // the client may still be sending: answer, then close the connection rather than read the rest
        context.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .endHandler(ignored -> context.request().connection().close())
                .end(body);
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
