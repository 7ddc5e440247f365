package dev.aria.problem;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;
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

import dev.aria.problem.RequestFields.FormField;
import io.vertx.core.http.HttpServerRequest;

/**
 * Refuses multipart requests that JAX-RS would otherwise half-accept, naming what to change:
 *
 * <ul>
 * <li>before the body is read: no {@code Content-Type} at all (415 {@code unsupported-media-type}; JAX-RS treats a
 * missing type as matching any {@code @Consumes}), and {@code multipart/form-data} without a {@code boundary}
 * (400 {@code malformed-multipart}; the body cannot be split into parts, and would silently read as empty);</li>
 * <li>once the form is read: a field sent more than once (400 {@code duplicate-field}; which value would win is an
 * accident of the parser), and a numeric field that is empty or not written as a plain decimal number
 * (400 {@code invalid-parameter}; JAX-RS reads an empty number as "absent", i.e. the default, and Java's number
 * parsing also takes {@code NaN}, {@code Infinity}, {@code 0x1p3}, {@code 1d} and surrounding blanks).</li>
 * </ul>
 *
 * <p>Which fields exist and which are numbers is read from the matched resource method ({@code @RestForm} /
 * {@code @FormParam} parameters and {@code @BeanParam} fields), so new endpoints are covered without changes here.
 */
public class FormPartChecks {

    /** A decimal number as JSON writes one (sign, digits, optional fraction and exponent), nothing else. */
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern WHOLE = Pattern.compile("[-+]?\\d+");

    @ServerRequestFilter
    public void checkContentType(HttpServerRequest request, ResourceInfo resource) {
        if (!consumesMultipart(resource)) {
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
        for (FormField field : RequestFields.formFields(method)) {
            Deque<FormValue> values = form.get(field.name());
            if (values == null || values.isEmpty()) {
                continue;
            }
            if (values.size() > 1) {
                throw new ApiException(400, "duplicate-field", field.name(), "The field '" + field.name()
                        + "' was sent " + values.size() + " times; send it once.");
            }
            FormValue value = values.getFirst();
            if (value.isFileItem()) {
                continue;
            }
            if (org.jboss.resteasy.reactive.multipart.FileUpload.class.isAssignableFrom(field.type())) {
                throw new ApiException(400, "not-a-file", field.name(), "The part '" + field.name() + "' came as a "
                        + "text field; send it as a file part (with a filename), e.g. curl -F " + field.name()
                        + "=@picture.jpg.");
            }
            checkNumber(field, value.getValue());
        }
    }

    private static void checkNumber(FormField field, String text) {
        boolean whole = RequestFields.isWholeNumber(field.type());
        boolean decimal = RequestFields.isDecimalNumber(field.type());
        if (!whole && !decimal) {
            return;
        }
        String expected = whole ? "a whole number such as 42 (digits with an optional sign)"
                : "a decimal number such as 0.9 (digits with an optional sign, point and exponent; NaN and "
                        + "Infinity are not numbers here)";
        if (text == null || text.isEmpty()) {
            throw new ApiException(400, "invalid-parameter", field.name(), "The form field '" + field.name()
                    + "' is empty. Send " + expected + ", or leave the field out to use its default.");
        }
        if (!(whole ? WHOLE : DECIMAL).matcher(text).matches()) {
            throw new ApiException(400, "invalid-parameter", field.name(), "The form field '" + field.name()
                    + "' must be " + expected + ", without blanks, but was '" + abbreviate(text) + "'.");
        }
    }

    private static boolean consumesMultipart(ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null) {
            return false;
        }
        Consumes consumes = method.getAnnotation(Consumes.class);
        if (consumes == null) {
            consumes = method.getDeclaringClass().getAnnotation(Consumes.class);
        }
        return consumes != null && Arrays.stream(consumes.value())
                .anyMatch(type -> type.toLowerCase(Locale.ROOT).startsWith(MediaType.MULTIPART_FORM_DATA));
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
