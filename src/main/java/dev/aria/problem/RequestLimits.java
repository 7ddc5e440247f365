package dev.aria.problem;

import java.util.Locale;
import java.util.Map;
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
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The limits of a request's size, answered with a problem body: a request line over {@code aria.http.max-request-line}
 * (414), header lines over {@code aria.http.max-header-size} (431), and a body over
 * {@code quarkus.http.limits.max-body-size} (413). These requests are refused by routes ahead of JAX-RS, before any
 * routing, body reading or upload spooling, so JAX-RS's exception mappers never see them; the 413 that the multipart
 * parser raises while it reads reaches them, and {@link #bodyTooLarge()} gives it the same answer.
 *
 * <p>The head: the HTTP codec (Netty's decoder in Vert.x) refuses a head over
 * {@code quarkus.http.limits.max-initial-line-length} / {@code max-header-size} itself, with an empty 414 / 431 from
 * the HTTP server's {@code invalidRequestHandler}, which Quarkus 3.36 creates inside {@code VertxHttpRecorder}
 * without a hook (quarkusio/quarkus#55082). So the codec's limits are set above the ones clients are told about, and
 * a head between the two gets a problem body; only one beyond the codec's still gets the codec's empty answer.
 *
 * <p>The body: a {@code Content-Length} over the limit is refused from the headers, just before Quarkus's own
 * upload-limit check. A body without a length (chunked) is read by RESTEasy Reactive's blocking input stream, which
 * answers an empty 413 itself once the raw byte count passes the limit; its multipart parser has the same limit for the
 * data of the parts and raises a 413 that is answered with a problem body. So for such bodies the raw limit is raised
 * by {@link #CHUNKED_SLACK} (room for boundaries and part headers): an oversized upload trips the parser's check; the
 * raw limit, still in place, only stops bytes the parser never sees as part data (outside any part).
 */
@ApplicationScoped
public class RequestLimits {

    private static final Logger LOG = Logger.getLogger(RequestLimits.class);

    /** Before Quarkus's body handler ({@code Integer.MIN_VALUE + 1}), so no byte of the body is read first. */
    private static final int BEFORE_BODY_HANDLER = Integer.MIN_VALUE;
    /** Quarkus's upload-limit route has order -2 ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}). */
    private static final int BEFORE_UPLOAD_LIMIT = -3;
    private static final int AFTER_UPLOAD_LIMIT = -1;
    /** Raw bytes allowed beyond the limit in a body without a length: multipart boundaries and part headers. */
    static final long CHUNKED_SLACK = 1024 * 1024;
    /** Longest path echoed as the problem's {@code instance}. */
    private static final int MAX_INSTANCE = 256;

    private final AriaConfig config;
    private final ObjectMapper json;
    private final int codecMaxLine;
    private final long codecMaxHeaders;
    private final Optional<MemorySize> maxBody;
    private final MemorySize maxField;

    RequestLimits(AriaConfig config, ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-initial-line-length") int codecMaxLine,
            @ConfigProperty(name = "quarkus.http.limits.max-header-size") MemorySize codecMaxHeaders,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBody,
            @ConfigProperty(name = "quarkus.http.limits.max-form-attribute-size") MemorySize maxField) {
        this.config = config;
        this.json = json;
        this.codecMaxLine = codecMaxLine;
        this.codecMaxHeaders = codecMaxHeaders.asLongValue();
        this.maxBody = maxBody;
        this.maxField = maxField;
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
            long headers = headerBytes(request);
            if (line > maxLine) {
                refuse(context, Problem.of(414, "request-line-too-long", null, "The request line (method, path and "
                        + "query string) is " + line + " bytes long; this service accepts at most " + maxLine + ". Its "
                        + "endpoints take no query string: send the settings as form fields in the request body."));
            } else if (headers > maxHeaders) {
                refuse(context, Problem.of(431, "headers-too-large", null, "The request headers take " + headers
                        + " bytes; this service accepts at most " + maxHeaders + " in all. Send fewer or shorter "
                        + "headers (large cookies and tokens are the usual cause)."));
            } else {
                context.next();
            }
        });
        if (maxBody.isEmpty()) {
            return;
        }
        long limit = maxBody.get().asLongValue();
        router.route().order(BEFORE_UPLOAD_LIMIT).handler(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && length.trim().matches("\\d{1,18}") && Long.parseLong(length.trim()) > limit) {
                refuse(context, bodyTooLarge());
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
                refuse(context, bodyTooLarge()); // Vert.x cut off a body without a length
            } else {
                context.next();
            }
        });
    }

    /** The 413 of a body, or a part of it, over the limits: the same wherever the limit is noticed. */
    Problem bodyTooLarge() {
        return Problem.of(413, "request-too-large", null, "The request body is larger than this service accepts: at "
                + "most " + mebibytes(maxBody.map(MemorySize::asLongValue).orElse(0L)) + " in all, an image of at "
                + "most " + mebibytes(config.image().maxBytes()) + ", a text field of at most " + maxField.asLongValue()
                + " bytes. Send a smaller image, e.g. a JPEG of at most 4000 pixels a side.");
    }

    /** {@code METHOD SP request-target SP HTTP-version}, as the codec measures it (without the CRLF). */
    private static int requestLineLength(HttpServerRequest request) {
        String version = request.version() == HttpVersion.HTTP_2 ? "HTTP/2" : "HTTP/1.1";
        return request.method().name().length() + 1 + request.uri().length() + 1 + version.length();
    }

    /** Every header line, {@code name: value}, as the codec counts them (without the CRLFs). */
    private static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + 2 + header.getValue().length();
        }
        return bytes;
    }

    /** Answers with the problem; as the codec does, then closes an HTTP/1 connection rather than read what follows. */
    private void refuse(RoutingContext context, Problem problem) {
        String path = context.request().path();
        Problem answer = path != null && path.length() <= MAX_INSTANCE ? problem.withInstance(path) : problem;
        String body;
        try {
            body = json.writeValueAsString(answer);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + problem.status() + "}";
        }
        LOG.debugf("%s %s refused: %s", context.request().method(), answer.instance(), problem.detail());
        context.response().setStatusCode(problem.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (context.request().version() != HttpVersion.HTTP_2) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close")
                    .endHandler(ignored -> context.request().connection().close());
        }
        context.response().end(body);
    }

    static String mebibytes(long bytes) {
        double mib = bytes / (1024.0 * 1024.0);
        return mib == Math.rint(mib) ? String.format(Locale.ROOT, "%.0f MiB", mib)
                : String.format(Locale.ROOT, "%.1f MiB", mib);
    }
}
