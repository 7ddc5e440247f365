package dev.aria.problem;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.vertx.VertxInputStream;

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
 *
 * <p>Chunked multipart bodies are read by RESTEasy Reactive's blocking input stream, which, once the raw byte count
 * passes the limit, ends the response itself with an empty 413 before any mapper runs. Its multipart parser has the
 * same limit for the data of the parts and raises a {@code WebApplicationException(413)} that the exception mappers
 * answer with a problem body. So for bodies without a length the raw limit is raised by {@link #CHUNKED_SLACK}
 * (room for boundaries and part headers): an oversized upload trips the parser's check, answered with a problem;
 * the raw limit, still in place, only stops bodies the parser never sees as part data (bytes outside any part).
 */
@ApplicationScoped
public class BodyLimitProblems {

    private static final Logger LOG = Logger.getLogger(BodyLimitProblems.class);

    /** Quarkus's upload-limit route has order -2 ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}). */
    private static final int BEFORE_UPLOAD_LIMIT = -3;
    private static final int AFTER_UPLOAD_LIMIT = -1;

    /** Raw bytes allowed beyond the limit in a body without a length: multipart boundaries and part headers. */
    static final long CHUNKED_SLACK = 1024 * 1024;

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
        router.route().order(AFTER_UPLOAD_LIMIT).handler(context -> {
            if (context.get(VertxInputStream.MAX_REQUEST_SIZE_KEY) instanceof Long raw) {
                context.put(VertxInputStream.MAX_REQUEST_SIZE_KEY, raw + CHUNKED_SLACK);
            }
            context.next();
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
