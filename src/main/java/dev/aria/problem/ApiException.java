package dev.aria.problem;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A failure the client can fix (or, for 5xx, one the service reports deliberately), carried to
 * {@link ProblemExceptionMappers} and answered as an RFC 9457 {@link Problem}.
 *
 * <p>Throw it from any layer; the {@code detail} must tell the user what to change. Example:
 *
 * <pre>{@code
 * throw new ApiException(400, "empty-image", "image", "The part 'image' is empty. Attach a JPEG, PNG, ... file.");
 * }</pre>
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String field;
    private final Map<String, String> headers = new LinkedHashMap<>();

    /**
     * @param status HTTP status, 400–599
     * @param type   problem type slug, lower-case words joined by '-' (becomes {@code urn:aria:problem:<type>})
     * @param field  name of the offending request field, or {@code null}
     * @param detail what went wrong and what to change
     */
    public ApiException(int status, String type, String field, String detail) {
        this(status, type, field, detail, null);
    }

    /** As {@link #ApiException(int, String, String, String)}, keeping the underlying cause for the log. */
    public ApiException(int status, String type, String field, String detail, Throwable cause) {
        super(Objects.requireNonNull(detail, "detail"), cause);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("An ApiException needs an error status, not " + status);
        }
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
        this.field = field;
    }

    /** Adds a response header, e.g. {@code Retry-After} on a 503. Returns this exception. */
    public ApiException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    /** The problem type slug. */
    public String type() {
        return type;
    }

    /** The offending request field, or {@code null}. */
    public String field() {
        return field;
    }

    public String detail() {
        return getMessage();
    }

    /** Extra response headers, in insertion order. */
    public Map<String, String> headers() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** The problem body this exception is answered with (without {@code instance}). */
    public Problem toProblem() {
        return Problem.of(status, type, field, getMessage());
    }
}
