package dev.aria.problem;

import java.io.IOException;
import java.util.Optional;

/**
 * Recognises the failures of RESTEasy Reactive's multipart parser that are the client's doing, which it raises as
 * plain {@link IOException}s and {@link RuntimeException}s and which would otherwise be answered as a 500:
 *
 * <ul>
 * <li>the body ends before the closing boundary (cut off, or a boundary that never occurs):
 * {@code IOException("Connection terminated parsing multipart request")} or {@code "... reading multipart data"};</li>
 * <li>a part whose headers cannot be parsed: {@code MultipartParser.MalformedMessageException};</li>
 * <li>more parts than {@code quarkus.http.limits.max-parameters}: a {@code RuntimeException} from
 * {@code FormData.add};</li>
 * <li>a body without a length that passes the HTTP limit: {@code IOException("Request too large")} from the input
 * stream, which has already answered 413 itself.</li>
 * </ul>
 *
 * <p>Anything else, e.g. a failure to write a spooled upload to disk, stays a 500.
 */
final class UnreadableForms {

    private static final String MULTIPART_PACKAGE = "org.jboss.resteasy.reactive.server.core.multipart.";
    private static final String MALFORMED = MULTIPART_PACKAGE + "MultipartParser$MalformedMessageException";
    private static final String FORM_DATA = MULTIPART_PACKAGE + "FormData";
    private static final String INPUT_STREAM = "org.jboss.resteasy.reactive.server.vertx.VertxInputStream";

    private UnreadableForms() {
    }

    static Optional<Problem> problemOf(Throwable failure) {
        int depth = 0;
        for (Throwable e = failure; e != null && depth < 8; e = e.getCause(), depth++) {
            if (e.getClass().getName().equals(MALFORMED)) {
                return Optional.of(malformed("A part of the multipart body has headers that cannot be read."));
            }
            StackTraceElement origin = e.getStackTrace().length == 0 ? null : e.getStackTrace()[0];
            if (origin != null && origin.getClassName().equals(INPUT_STREAM) && e instanceof IOException
                    && "Request too large".equals(e.getMessage())) {
                // the input stream has already answered 413 (see BodyLimitProblems): nothing of ours is a 500
                return Optional.of(Problem.of(413, "request-too-large", null, "The request body is larger than "
                        + "this service accepts."));
            }
            if (origin == null || !origin.getClassName().startsWith(MULTIPART_PACKAGE)) {
                continue;
            }
            if (e instanceof IOException && e.getMessage() != null
                    && e.getMessage().startsWith("Connection terminated")) {
                return Optional.of(malformed("The multipart body ends before its closing boundary: it was cut off, "
                        + "or its parts are not separated by the boundary its Content-Type declares."));
            }
            if (origin.getClassName().equals(FORM_DATA) && e.getClass() == RuntimeException.class) {
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
}
