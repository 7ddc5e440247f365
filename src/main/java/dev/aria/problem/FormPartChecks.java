package dev.aria.problem;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.core.multipart.FormData;
import org.jboss.resteasy.reactive.server.multipart.FormValue;

import dev.aria.problem.FormFieldNames.FormField;
import io.vertx.core.http.HttpServerRequest;

/**
 * The multipart requests that JAX-RS would otherwise half-accept or answer with a 500, refused naming what to change:
 *
 * <ul>
 * <li>before the body is read: no {@code Content-Type} at all (415 {@code unsupported-media-type}; JAX-RS treats a
 * missing type as matching any {@code @Consumes}), and {@code multipart/form-data} without a {@code boundary}
 * (400 {@code malformed-multipart}; the body cannot be split into parts, and would silently read as empty);</li>
 * <li>once the form is read: a field sent more than once (400 {@code duplicate-field}; which value would win is an
 * accident of the parser), and a numeric field that is empty, not written as a plain decimal number, or beyond its
 * Java type (400 {@code invalid-parameter}; JAX-RS reads an empty number as "absent", i.e. the default, and Java's
 * number parsing also takes {@code NaN}, {@code Infinity}, {@code 0x1p3}, {@code 1d} and surrounding blanks);</li>
 * <li>a body the multipart parser cannot read ({@link #unreadable}).</li>
 * </ul>
 *
 * <p>Which fields exist and which are numbers is read from the {@code @BeanParam} form of the matched resource method.
 */
public class FormPartChecks {

    /** A decimal number as JSON writes one (sign, digits, optional fraction and exponent), nothing else. */
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern WHOLE = Pattern.compile("[-+]?\\d+");
    private static final String MULTIPART_PACKAGE = "org.jboss.resteasy.reactive.server.core.multipart.";

    @ServerRequestFilter
    public void checkContentType(HttpServerRequest request, ResourceInfo resource) {
        Consumes consumes = resource == null || resource.getResourceMethod() == null ? null
                : resource.getResourceMethod().getAnnotation(Consumes.class);
        if (consumes == null || !consumes.value()[0].startsWith(MediaType.MULTIPART_FORM_DATA)) {
            return;
        }
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || contentType.isBlank()) {
            throw new ApiException(415, "unsupported-media-type", null, "The request has no Content-Type. Send "
                    + "multipart/form-data (e.g. curl -F image=@picture.jpg " + request.path() + "), with the "
                    + "fields described in the API document at /q/openapi.");
        }
        if (contentType.toLowerCase(Locale.ROOT).startsWith(MediaType.MULTIPART_FORM_DATA)
                && !hasBoundary(contentType)) {
            throw new ApiException(400, "malformed-multipart", null, "The Content-Type multipart/form-data has no "
                    + "boundary parameter, so the body cannot be split into its parts. Let your HTTP client build "
                    + "the multipart body and its Content-Type (e.g. curl -F, or FormData in a browser) instead of "
                    + "setting the header by hand.");
        }
    }

    @ServerRequestFilter
    @WithFormRead
    public void checkFields(ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        ResteasyReactiveRequestContext context = CurrentRequestManager.get();
        FormData form = context == null ? null : context.getFormData();
        if (method == null || form == null) {
            return;
        }
        for (FormField field : FormFieldNames.of(method)) {
            Deque<FormValue> values = form.get(field.name());
            if (values == null || values.isEmpty()) {
                continue;
            }
            if (values.size() > 1) {
                throw new ApiException(400, "duplicate-field", field.name(), "The field '" + field.name()
                        + "' was sent " + values.size() + " times; send it once.");
            }
            if (!values.getFirst().isFileItem()) {
                checkNumber(field, values.getFirst().getValue());
            }
        }
    }

    private static void checkNumber(FormField field, String text) {
        Class<?> type = field.type();
        boolean whole = type == Integer.class || type == int.class || type == Long.class || type == long.class;
        if (!whole && type != Double.class && type != double.class) {
            return;
        }
        String expected = whole ? "a whole number such as 42 (digits with an optional sign)"
                : "a decimal number such as 0.9 (digits with an optional sign, point and exponent; NaN and "
                        + "Infinity are not numbers here)";
        if (text == null || text.isEmpty()) {
            throw invalid(field, "is empty. Send " + expected + ", or leave the field out to use its default.");
        }
        if (!(whole ? WHOLE : DECIMAL).matcher(text).matches()) {
            throw invalid(field, "must be " + expected + ", without blanks, but was '" + abbreviate(text) + "'.");
        }
        try {
            if (type == Integer.class || type == int.class) {
                Integer.parseInt(text);
            } else if (whole) {
                Long.parseLong(text);
            }
        } catch (NumberFormatException e) {
            throw invalid(field, "is beyond every value it accepts: '" + abbreviate(text) + "'. Send a whole number "
                    + "in the range the API document at /q/openapi gives for it.");
        }
    }

    private static ApiException invalid(FormField field, String what) {
        return new ApiException(400, "invalid-parameter", field.name(), "The form field '" + field.name() + "' "
                + what);
    }

    /**
     * The problem with a multipart body whose parser failed on the client's account, with a plain {@link IOException}
     * or {@link RuntimeException} that would otherwise be answered as a 500: the body ends before the closing
     * boundary (cut off, or a boundary that never occurs: "Connection terminated parsing multipart request" or
     * "... reading multipart data"), a part whose headers cannot be parsed ({@code MalformedMessageException}), or
     * more parts than {@code quarkus.http.limits.max-parameters} (a {@code RuntimeException} from
     * {@code FormData.add}). Anything else, e.g. a failure to write a spooled upload to disk, is none of these.
     */
    static Optional<Problem> unreadable(Throwable failure) {
        int depth = 0;
        for (Throwable e = failure; e != null && depth < 8; e = e.getCause(), depth++) {
            if (e.getClass().getName().equals(MULTIPART_PACKAGE + "MultipartParser$MalformedMessageException")) {
                return Optional.of(malformed("A part of the multipart body has headers that cannot be read."));
            }
            String origin = e.getStackTrace().length == 0 ? "" : e.getStackTrace()[0].getClassName();
            if (!origin.startsWith(MULTIPART_PACKAGE)) {
                continue;
            }
            if (e instanceof IOException && e.getMessage() != null
                    && e.getMessage().startsWith("Connection terminated")) {
                return Optional.of(malformed("The multipart body ends before its closing boundary: it was cut off, "
                        + "or its parts are not separated by the boundary its Content-Type declares."));
            }
            if (origin.equals(MULTIPART_PACKAGE + "FormData") && e.getClass() == RuntimeException.class) {
                return Optional.of(Problem.of(400, "too-many-fields", null, "The multipart body has more parts "
                        + "than this service reads. Send only the fields the API document at /q/openapi lists, "
                        + "each once."));
            }
        }
        return Optional.empty();
    }

    private static Problem malformed(String what) {
        return Problem.of(400, "malformed-multipart", null, what + " Let your HTTP client build the multipart "
                + "body (e.g. curl -F image=@picture.jpg, or FormData in a browser) and send it complete.");
    }

    private static boolean hasBoundary(String contentType) {
        for (String parameter : contentType.split(";")) {
            String[] pair = parameter.trim().split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("boundary")
                    && !pair[1].trim().replace("\"", "").isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String value) {
        String printable = value.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 37) + "...";
    }
}
