package dev.aria.problem;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.multipart.FormValue;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import dev.aria.config.AriaConfig;
import dev.aria.problem.RequestFields.Unconvertible;
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

    private final AriaConfig config;
    private final BeanManager beans;
    private volatile ResourceMethods resourceMethods;

    ProblemExceptionMappers(AriaConfig config, BeanManager beans) {
        this.config = config;
        this.beans = beans;
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
        Response.ResponseBuilder response = builder(e.toProblem().withInstance(request.path()));
        e.headers().forEach(response::header);
        return response.build();
    }

    /** Bean-validation failures: 400 naming each offending request field (500 if the service's own output broke a rule). */
    @ServerExceptionMapper
    public Response mapConstraintViolation(ConstraintViolationException e, HttpServerRequest request) {
        List<ConstraintViolation<?>> violations = new ArrayList<>(e.getConstraintViolations());
        if (violations.stream().anyMatch(RequestFields::isAboutReturnValue)) {
            return internalError(e, request);
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> violation : violations) {
            String field = RequestFields.fieldOf(violation);
            errors.add(new Problem.FieldError(field, describeViolation(violation)));
        }
        errors.sort(Comparator.comparing(error -> String.valueOf(error.field())));
        String detail;
        String field;
        if (errors.size() == 1) {
            Problem.FieldError only = errors.get(0);
            field = only.field();
            detail = (field == null ? "The request " : "Field '" + field + "' ") + only.detail()
                    + ". Change it and send the request again.";
        } else {
            field = errors.isEmpty() ? null : errors.get(0).field();
            detail = errors.size() + " fields are invalid: " + String.join("; ",
                    errors.stream().map(error -> "'" + error.field() + "' " + error.detail()).toList())
                    + ". Change them and send the request again.";
        }
        return builder(Problem.of(400, "validation-failed", field, detail).withErrors(errors)
                .withInstance(request.path())).build();
    }

    /** Errors raised by the JAX-RS runtime itself: unknown path, wrong method, wrong media type, ... */
    @ServerExceptionMapper
    public Response mapWebApplicationException(WebApplicationException e, HttpServerRequest request,
            ResourceInfo resourceInfo) {
        Response original = e.getResponse();
        int status = original == null ? 500 : original.getStatus();
        Throwable cause = e.getCause();
        if (status == 400 && cause instanceof JsonProcessingException json) {
            return jsonProblem(json, request);
        }
        if ((status == 400 || status == 404) && cause != null && !(cause instanceof WebApplicationException)) {
            Optional<Problem> conversion = conversionProblem(resourceInfo);
            if (conversion.isPresent()) {
                return builder(conversion.get().withInstance(request.path())).build();
            }
        }
        if (status >= 500 && status != 503) {
            return internalError(e, request);
        }
        Problem problem = switch (status) {
            case 400 -> Problem.of(400, "bad-request", null,
                    "The request could not be read. Check its fields and encoding against " + API_DOCUMENT + ".");
            case 404 -> Problem.of(404, "not-found", null, "There is nothing at " + request.method() + " "
                    + request.path() + ". Check the path against " + API_DOCUMENT + ".");
            case 405 -> Problem.of(405, "method-not-allowed", null, "Method " + request.method()
                    + " is not allowed on " + request.path() + "." + allowed(allowedMethods(request, original)));
            case 406 -> Problem.of(406, "not-acceptable", null, "This endpoint cannot answer in any media type of "
                    + "your Accept header (" + header(request, HttpHeaders.ACCEPT) + "). Accept a media type that "
                    + API_DOCUMENT + " lists for it (application/json for /emotion), or */*.");
            case 413 -> Problem.of(413, "request-too-large", null, "The request body is larger than this service "
                    + "accepts. Send an image of at most " + mebibytes(config.image().maxBytes()) + ".");
            case 415 -> Problem.of(415, "unsupported-media-type", null, "Content-Type "
                    + header(request, HttpHeaders.CONTENT_TYPE) + " is not accepted by " + request.method() + " "
                    + request.path() + ". Send the media type " + API_DOCUMENT + " gives for it, e.g. "
                    + "multipart/form-data for uploads.");
            case 503 -> Problem.of(503, "service-unavailable", null, "The service cannot answer right now. Retry "
                    + "later; /q/health/ready reports when it is ready.");
            default -> Problem.of(status, slugOf(original), null, "The request failed with status " + status + " ("
                    + reasonOf(original) + "). Check it against " + API_DOCUMENT + ".");
        };
        LOG.debugf("%s %s answered %d: %s", request.method(), request.path(), status, e.toString());
        Response.ResponseBuilder response = builder(problem.withInstance(request.path()));
        if (status == 405) {
            Set<String> allowed = allowedMethods(request, original);
            if (!allowed.isEmpty()) {
                response.header(HttpHeaders.ALLOW, String.join(", ", allowed));
            }
        }
        Object retryAfter = original == null ? null : original.getHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        if (retryAfter != null) {
            response.header(HttpHeaders.RETRY_AFTER, retryAfter);
        }
        if (status == 413) {
            // the client may still be sending the rest of an oversized body: close rather than read it
            response.header("Connection", "close");
        }
        return response.build();
    }

    /** JSON bodies that do not parse or do not fit the declared type. */
    @ServerExceptionMapper
    public Response mapMismatchedInput(MismatchedInputException e, HttpServerRequest request) {
        return jsonProblem(e, request);
    }

    /** JSON bodies that are not JSON at all. */
    @ServerExceptionMapper
    public Response mapJsonProcessing(JsonProcessingException e, HttpServerRequest request) {
        return jsonProblem(e, request);
    }

    /** Anything else is a fault of the service: 500, logged with an id, no internals in the body. */
    @ServerExceptionMapper
    public Response mapThrowable(Throwable e, HttpServerRequest request, ResourceInfo resourceInfo) {
        Optional<Problem> unreadable = UnreadableForms.problemOf(e);
        if (unreadable.isPresent()) {
            LOG.debugf("%s %s: unreadable form body: %s", request.method(), request.path(), e.toString());
            return builder(unreadable.get().withInstance(request.path())).build();
        }
        if (e instanceof IllegalArgumentException) {
            // form beans convert their fields without wrapping the failure in a BadRequestException
            Optional<Problem> conversion = conversionProblem(resourceInfo);
            if (conversion.isPresent()) {
                return builder(conversion.get().withInstance(request.path())).build();
            }
        }
        return internalError(e, request);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private Response internalError(Throwable e, HttpServerRequest request) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "%s %s failed (error id %s)", request.method(), request.path(), id);
        return builder(Problem.of(500, "internal-error", null, "The service failed unexpectedly; the error was "
                + "logged with id " + id + ". Try again; if it happens again, report this id.")
                .withInstance(request.path())).build();
    }

    private static Response jsonProblem(JsonProcessingException e, HttpServerRequest request) {
        String field = null;
        String detail;
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            field = jsonPath(mapping.getPath());
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            field = field == null ? unknown.getPropertyName() : field;
            detail = "The JSON body has an unknown property '" + field + "'. Remove it; the known properties are "
                    + unknown.getKnownPropertyIds() + ".";
        } else if (e instanceof InvalidFormatException invalid) {
            detail = "JSON property '" + field + "' has the value " + invalid.getValue() + ", which is not "
                    + article(invalid.getTargetType()) + ". Send " + article(invalid.getTargetType()) + ".";
        } else if (e instanceof MismatchedInputException mismatched && field != null) {
            detail = "JSON property '" + field + "' has the wrong type; send " + article(mismatched.getTargetType())
                    + ".";
        } else if (e instanceof JsonParseException parse && parse.getLocation() != null) {
            detail = "The body is not valid JSON (line " + parse.getLocation().getLineNr() + ", column "
                    + parse.getLocation().getColumnNr() + "). Send a well-formed JSON document.";
        } else {
            detail = "The JSON body could not be read. Send a JSON document matching " + API_DOCUMENT + ".";
        }
        LOG.debugf("%s %s: unreadable JSON: %s", request.method(), request.path(), e.getOriginalMessage());
        return builder(Problem.of(400, "malformed-json", field, detail).withInstance(request.path())).build();
    }

    private static String jsonPath(List<JsonMappingException.Reference> path) {
        StringBuilder name = new StringBuilder();
        for (JsonMappingException.Reference reference : path) {
            if (reference.getFieldName() != null) {
                if (!name.isEmpty()) {
                    name.append('.');
                }
                name.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                name.append('[').append(reference.getIndex()).append(']');
            }
        }
        return name.toString();
    }

    private static String article(Class<?> type) {
        if (type == null) {
            return "a value of the documented type";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return "a JSON object";
    }

    /** Which request field failed to convert, re-checking each field the matched resource method declares. */
    private static Optional<Problem> conversionProblem(ResourceInfo resourceInfo) {
        Method method;
        ResteasyReactiveRequestContext context;
        try {
            method = resourceInfo == null ? null : resourceInfo.getResourceMethod();
            context = CurrentRequestManager.get();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (method == null || context == null) {
            return Optional.empty();
        }
        Optional<Unconvertible> bad = RequestFields.findUnconvertible(method, (source, name) -> text(switch (source) {
            case FORM -> context.getFormParameter(name, true, false);
            case QUERY -> context.getQueryParameter(name, true, false);
            case HEADER -> context.getHeader(name, true);
            case PATH -> context.getPathParameter(name, false);
            case COOKIE -> {
                var cookie = context.getHttpHeaders().getCookies().get(name);
                yield cookie == null ? null : cookie.getValue();
            }
        }));
        return bad.map(u -> Problem.of(400, "invalid-parameter", u.field(), "The " + u.source().noun + " '"
                + u.field() + "' must be " + u.expected() + ", but was '" + abbreviate(u.value()) + "'. Send "
                + u.expected() + "."));
    }

    private static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof FormValue form) {
            return form.isFileItem() ? null : form.getValue();
        }
        if (value instanceof Collection<?> values && !values.isEmpty()) {
            return text(values.iterator().next());
        }
        return null;
    }

    private static String describeViolation(ConstraintViolation<?> violation) {
        Object invalid = violation.getInvalidValue();
        String message = violation.getMessage();
        if (invalid instanceof Number || invalid instanceof Boolean
                || (invalid instanceof CharSequence text && text.length() <= 40)) {
            return message + " (was " + invalid + ")";
        }
        return message;
    }

    static Response.ResponseBuilder builder(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
    }

    /** The methods the path accepts: from the exception if the runtime filled them in, else from the resources. */
    private Set<String> allowedMethods(HttpServerRequest request, Response original) {
        if (original != null && !original.getAllowedMethods().isEmpty()) {
            return new TreeSet<>(original.getAllowedMethods());
        }
        ResourceMethods methods = resourceMethods;
        if (methods == null) {
            methods = ResourceMethods.scan(beans);
            resourceMethods = methods;
        }
        return methods.allowedAt(request.path());
    }

    private static String allowed(Set<String> methods) {
        List<String> useful = methods.stream().filter(m -> !m.equals("HEAD") && !m.equals("OPTIONS")).toList();
        if (useful.isEmpty()) {
            return " See " + API_DOCUMENT + " for the methods it accepts.";
        }
        return " Use " + String.join(" or ", useful) + ".";
    }

    private static String header(HttpServerRequest request, String name) {
        String value = request.getHeader(name);
        return value == null ? "none" : "'" + abbreviate(value) + "'";
    }

    private static String abbreviate(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }

    static String mebibytes(long bytes) {
        double mib = bytes / (1024.0 * 1024.0);
        return mib == Math.rint(mib) ? String.format(Locale.ROOT, "%.0f MiB", mib)
                : String.format(Locale.ROOT, "%.1f MiB", mib);
    }

    private static String reasonOf(Response response) {
        return response == null || response.getStatusInfo() == null ? "error"
                : response.getStatusInfo().getReasonPhrase();
    }

    private static String slugOf(Response response) {
        return reasonOf(response).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
