package dev.aria.problem;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers every exception that leaves a REST resource with an RFC 9457 {@code application/problem+json} body.
 *
 * <p>JAX-RS picks the mapper of the most specific exception type, so the {@link Throwable} catch-all only sees what
 * nothing else claimed; it logs the exception with an id and returns that id, never a stack trace.
 */
public final class ProblemExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ProblemExceptionMappers.class);

    private static final String API_DOCUMENT = "the API document at /q/openapi (or /q/swagger-ui)";
    /** What every resource of this service accepts: each endpoint is a POST. */
    private static final String ALLOWED_METHOD = HttpMethod.POST;

    private final RequestLimits limits;

    ProblemExceptionMappers(RequestLimits limits) {
        this.limits = limits;
    }

    /** Failures the code raised on purpose. */
    @ServerExceptionMapper
    public Response mapApiException(ApiException e, HttpServerRequest request) {
        if (e.status() == 503) {
            // deliberate load shedding or a model still loading: expected, not a fault
            LOG.infof("%s %s answered 503 %s: %s", request.method(), request.path(), e.type(), e.detail());
        } else if (e.status() >= 500) {
            LOG.warnf(e.getCause(), "%s %s answered %d %s: %s", request.method(), request.path(), e.status(),
                    e.type(), e.detail());
        } else {
            LOG.debugf("%s %s answered %d %s: %s", request.method(), request.path(), e.status(), e.type(), e.detail());
        }
        Response.ResponseBuilder response = answer(e.toProblem(), request);
        e.headers().forEach(response::header);
        return response.build();
    }

    /** Bean Validation failures: 400 naming each offending form field as clients name it ({@link FormFieldNames}). */
    @ServerExceptionMapper
    public Response mapConstraintViolation(ConstraintViolationException e, HttpServerRequest request) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(violation -> new Problem.FieldError(fieldOf(violation), describe(violation)))
                .sorted(Comparator.comparing(error -> String.valueOf(error.field()))).toList();
        String field = errors.isEmpty() ? null : errors.get(0).field();
        String detail = errors.size() == 1
                ? "Field '" + field + "' " + errors.get(0).detail() + ". Change it and send the request again."
                : errors.size() + " fields are invalid: " + String.join("; ", errors.stream()
                        .map(error -> "'" + error.field() + "' " + error.detail()).toList())
                        + ". Change them and send the request again.";
        return answer(Problem.of(400, "validation-failed", field, detail).withErrors(errors), request).build();
    }

    /** Errors raised by the JAX-RS runtime itself: unknown path, wrong method, wrong media type, a part too large. */
    @ServerExceptionMapper
    public Response mapWebApplicationException(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return internalError(e, request);
        }
        LOG.debugf("%s %s answered %d: %s", request.method(), request.path(), status, e.toString());
        Problem problem = switch (status) {
            case 404 -> Problem.of(404, "not-found", null, "There is nothing at " + request.method() + " "
                    + request.path() + ". Check the path against " + API_DOCUMENT + ".");
            case 405 -> Problem.of(405, "method-not-allowed", null, "Method " + request.method()
                    + " is not allowed on " + request.path() + ". Use " + ALLOWED_METHOD + ".");
            case 406 -> Problem.of(406, "not-acceptable", null, "This endpoint cannot answer in any media type of "
                    + "your Accept header (" + header(request, HttpHeaders.ACCEPT) + "). Accept a media type that "
                    + API_DOCUMENT + " lists for it (application/json for /emotion), or */*.");
            case 413 -> limits.bodyTooLarge();
            case 415 -> Problem.of(415, "unsupported-media-type", null, "Content-Type "
                    + header(request, HttpHeaders.CONTENT_TYPE) + " is not accepted by " + request.method() + " "
                    + request.path() + ". Send the media type " + API_DOCUMENT + " gives for it, e.g. "
                    + "multipart/form-data for uploads.");
            default -> Problem.of(status, reason(e).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"), null,
                    "The request failed with status " + status + " (" + reason(e) + "). Check its fields and encoding "
                    + "against " + API_DOCUMENT + ".");
        };
        Response.ResponseBuilder response = answer(problem, request);
        if (status == 405) {
            response.header(HttpHeaders.ALLOW, ALLOWED_METHOD);
        } else if (status == 413) {
            // the client may still be sending the rest of an oversized body: close rather than read it
            response.header("Connection", "close");
        }
        return response.build();
    }

    /** Anything else: a multipart body the parser cannot read, or a fault of the service (500, logged with an id). */
    @ServerExceptionMapper
    public Response mapThrowable(Throwable e, HttpServerRequest request) {
        if (request.response().headWritten() || request.response().closed() || connectionClosed(e)) {
            return tooLate(e, request);
        }
        Optional<Problem> unreadable = FormPartChecks.unreadable(e);
        if (unreadable.isPresent()) {
            LOG.debugf("%s %s: unreadable form body: %s", request.method(), request.path(), e.toString());
            return answer(unreadable.get(), request).build();
        }
        return internalError(e, request);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Nothing can be answered any more: the client has gone (it left during its upload or during the answer), or the
     * answer has begun (a streamed body failed half-way, or the input stream answered a body without a length that
     * passed the limit itself, with an empty 413, and then failed the read). A client that left is no fault; anything
     * else is logged as one. The connection is reset, so that no client takes a cut-off answer for a whole one, and
     * the response has no entity: RESTEasy then writes nothing more (a status or an end on a sent response it skips).
     */
    private static Response tooLate(Throwable e, HttpServerRequest request) {
        if (e instanceof IOException) {
            LOG.debugf("%s %s: no answer possible any more (%s)", request.method(), request.path(), e.toString());
        } else {
            LOG.errorf(e, "%s %s failed after its answer had begun", request.method(), request.path());
        }
        request.response().reset();
        return Response.status(request.response().getStatusCode()).build();
    }

    /**
     * Whether the failure says the connection is closed: the request body's input stream can find it closed a moment
     * before Vert.x marks the response closed.
     */
    private static boolean connectionClosed(Throwable failure) {
        int depth = 0;
        for (Throwable e = failure; e != null && depth < 8; e = e.getCause(), depth++) { // causes can form a loop
            if (e instanceof ClosedChannelException || e instanceof HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    private static Response internalError(Throwable e, HttpServerRequest request) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "%s %s failed (error id %s)", request.method(), request.path(), id);
        return answer(Problem.of(500, "internal-error", null, "The service failed unexpectedly; the error was "
                + "logged with id " + id + ". Try again; if it happens again, report this id."), request).build();
    }

    private static Response.ResponseBuilder answer(Problem problem, HttpServerRequest request) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem.withInstance(request.path()));
    }

    /** The form field a violation is about: the last node of its path, named by {@link FormFieldNames}. */
    private static String fieldOf(ConstraintViolation<?> violation) {
        String field = null;
        for (Path.Node node : violation.getPropertyPath()) {
            field = node.getName();
        }
        return field;
    }

    private static String describe(ConstraintViolation<?> violation) {
        Object invalid = violation.getInvalidValue();
        if (invalid instanceof Number || (invalid instanceof CharSequence text && text.length() <= 40)) {
            return violation.getMessage() + " (was " + invalid + ")";
        }
        return violation.getMessage();
    }

    private static String header(HttpServerRequest request, String name) {
        String value = request.getHeader(name);
        return value == null ? "none" : "'" + (value.length() <= 60 ? value : value.substring(0, 57) + "...") + "'";
    }

    private static String reason(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        String reason = status == null ? null : status.getReasonPhrase();
        return reason == null || reason.isBlank() ? "Error" : reason.trim();
    }
}
