package dev.aria.problem;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.config.AriaConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers a request line over {@code aria.http.max-request-line} with 414 and headers over
 * {@code aria.http.max-header-size} with 431, each with a problem body, before any routing, body reading or
 * upload spooling.
 *
 * <p>Why two limits: the HTTP codec (Netty's decoder in Vert.x) refuses a head over
 * {@code quarkus.http.limits.max-initial-line-length} / {@code max-header-size} itself. Such a request never reaches
 * the router; Vert.x hands it to the HTTP server's {@code invalidRequestHandler}, whose default answers 414 / 431 with
 * an empty body and closes the connection. That handler can only be replaced on the {@code HttpServer} object, which
 * Quarkus 3.36 creates inside {@code VertxHttpRecorder} without a hook ({@code HttpServerOptionsCustomizer} sees the
 * options, not the server; quarkusio/quarkus#55082 asks for one). So the codec's limits are set above the ones
 * clients are told about, and this route enforces the latter: a head between the two gets a problem body; only a
 * head larger than the codec's limits still gets the codec's empty answer.
 */
@ApplicationScoped
public class RequestHeadLimits {

    private static final Logger LOG = Logger.getLogger(RequestHeadLimits.class);

    /** Before Quarkus's body handler ({@code Integer.MIN_VALUE + 1}), so no byte of the body is read first. */
    private static final int BEFORE_BODY_HANDLER = Integer.MIN_VALUE;

    /** Longest path echoed as the problem's {@code instance}. */
    private static final int MAX_INSTANCE = 256;

    private final AriaConfig config;
    private final ObjectMapper json;
    private final int codecMaxLine;
    private final long codecMaxHeaders;

    RequestHeadLimits(AriaConfig config, ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-initial-line-length") int codecMaxLine,
            @ConfigProperty(name = "quarkus.http.limits.max-header-size") MemorySize codecMaxHeaders) {
        this.config = config;
        this.json = json;
        this.codecMaxLine = codecMaxLine;
        this.codecMaxHeaders = codecMaxHeaders.asLongValue();
    }

    void install(@Observes Router router) {
        int maxLine = config.http().maxRequestLine();
        int maxHeaders = config.http().maxHeaderSize();
        if (maxLine >= codecMaxLine || maxHeaders >= codecMaxHeaders) {
            LOG.warnf("aria.http.max-request-line (%d) / max-header-size (%d) should be below "
                    + "quarkus.http.limits.max-initial-line-length (%d) / max-header-size (%d): requests over the "
                    + "latter get an empty 414 / 431 from the HTTP codec instead of a problem body", maxLine,
                    maxHeaders, codecMaxLine, codecMaxHeaders);
        }
        router.route().order(BEFORE_BODY_HANDLER).handler(context -> {
            HttpServerRequest request = context.request();
            int line = requestLineLength(request);
            if (line > maxLine) {
                refuse(context, Problem.of(414, "request-line-too-long", null, "The request line (method, path and query "
                        + "string) is " + line + " bytes long; this service accepts at most " + maxLine + ". Its "
                        + "endpoints take no query string: send the settings as form fields in the request body."));
                return;
            }
            long headers = headerBytes(request);
            if (headers > maxHeaders) {
                refuse(context, Problem.of(431, "headers-too-large", null, "The request headers take " + headers
                        + " bytes; this service accepts at most " + maxHeaders + " in all. Send fewer or shorter "
                        + "headers (large cookies and tokens are the usual cause)."));
                return;
            }
            context.next();
        });
    }

    /** {@code METHOD SP request-target SP HTTP-version}, as the codec measures it (without the CRLF). */
    static int requestLineLength(HttpServerRequest request) {
        String version = request.version() == HttpVersion.HTTP_2 ? "HTTP/2" : "HTTP/1.1";
        return request.method().name().length() + 1 + request.uri().length() + 1 + version.length();
    }

    /** Every header line, {@code name: value}, as the codec counts them (without the CRLFs). */
    static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + 2 + header.getValue().length();
        }
        return bytes;
    }

    private void refuse(RoutingContext context, Problem problem) {
        String path = context.request().path();
        Problem answer = path != null && path.length() <= MAX_INSTANCE ? problem.withInstance(path) : problem;
        String body;
        try {
            body = json.writeValueAsString(answer);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + problem.status() + "}";
        }
        LOG.debugf("%s refused: %s", context.request().method(), problem.detail());
        boolean http1 = context.request().version() != HttpVersion.HTTP_2;
        // As the codec does: answer, then close an HTTP/1 connection rather than read whatever body follows.
        context.response().setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (http1) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close")
                    .endHandler(ignored -> context.request().connection().close());
        }
        context.response().end(body);
    }
}
