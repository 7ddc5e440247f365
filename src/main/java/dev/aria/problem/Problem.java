package dev.aria.problem;

import java.util.List;
import java.util.Locale;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem details body ({@code application/problem+json}), the only shape an error response of this
 * service has.
 *
 * <p>{@code type} is a URN, {@code urn:aria:problem:<slug>}, stable per kind of problem, so clients can branch on it
 * without parsing {@code detail}; {@code title} is the same for every problem of one type. The service adds two
 * extension members: {@code field}, the form field that caused the problem, and {@code errors}, one entry per
 * offending field when a request breaks several constraints at once.
 * Absent members are left out of the JSON.
 *
 * @param type     URI identifying the kind of problem, {@code urn:aria:problem:<slug>}
 * @param title    short summary of the problem type
 * @param status   the HTTP status code of the response
 * @param detail   what went wrong with this request and what to change
 * @param instance path of the request that failed
 * @param field    name of the offending request field, or {@code null} when the problem is not about one field
 * @param errors   per-field problems of a request that failed validation, or {@code null}
 */
@Schema(name = "Problem", description = "RFC 9457 problem details. Every error response has this shape.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        @Schema(description = "Kind of problem, stable: branch on this.", examples = "urn:aria:problem:not-an-image")
        String type,
        @Schema(description = "Short summary of the problem type.", examples = "Not an image")
        String title,
        @Schema(description = "HTTP status code.", examples = "415", minimum = "400", maximum = "599")
        int status,
        @Schema(description = "What went wrong and what to change.")
        String detail,
        @Schema(description = "Path of the failed request.", examples = "/emotion")
        String instance,
        @Schema(description = "Name of the offending request field, if the problem is about one.", examples = "image",
                nullable = true)
        String field,
        @Schema(description = "One entry per offending field when validation failed.", nullable = true)
        List<FieldError> errors) {

    /** The media type of every error body. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** Prefix of every {@code type}: the slug follows it. */
    public static final String TYPE_PREFIX = "urn:aria:problem:";

    /**
     * One offending field of a request that failed validation.
     *
     * @param field  name of the request field as the client sent it
     * @param detail what is wrong with its value and what to send instead
     */
    @Schema(name = "FieldError")
    public record FieldError(
            @Schema(examples = "top_p") String field,
            @Schema(examples = "must be less than or equal to 1 (was 1.5)") String detail) {
    }

    public Problem {
        errors = errors == null || errors.isEmpty() ? null : List.copyOf(errors);
    }

    /** A problem of the given type slug, with its title derived from the slug. */
    public static Problem of(int status, String slug, String field, String detail) {
        return new Problem(TYPE_PREFIX + slug, titleOf(slug), status, detail, null, field, null);
    }

    /** The same problem, about the request at {@code path}. */
    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, field, errors);
    }

    /** The same problem, listing per-field errors. */
    public Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(type, title, status, detail, instance, field, fieldErrors);
    }

    /** The slug of {@link #type()}, e.g. {@code not-an-image}. */
    public String slug() {
        return type != null && type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type;
    }

    /** {@code not-an-image} becomes {@code Not an image}. */
    static String titleOf(String slug) {
        String words = slug.replace('-', ' ').trim();
        return words.isEmpty() ? "Error" : words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }
}
