package dev.aria.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Assertions every error response must pass: an RFC 9457 body that helps, and leaks nothing. */
public final class Problems {

    private Problems() {
    }

    /**
     * Asserts an {@code application/problem+json} response with the given status, type slug and field (or no
     * field when {@code field} is null), a non-trivial detail and no Java internals. Returns the parsed body.
     */
    public static JsonPath assertProblem(Response response, int status, String slug, String field) {
        return assertProblem(response.statusCode(), response.contentType(), response.asString(), status, slug, field);
    }

    /** As {@link #assertProblem(Response, int, String, String)}, for a response read by another client. */
    public static JsonPath assertProblem(int actualStatus, String contentType, String body, int status, String slug,
            String field) {
        assertEquals(status, actualStatus, body);
        assertThat(contentType, startsWith("application/problem+json"));
        JsonPath json = JsonPath.from(body);
        assertEquals(status, json.getInt("status"), body);
        assertEquals("urn:aria:problem:" + slug, json.getString("type"), body);
        assertThat(json.getString("title"), not(nullValue()));
        String detail = json.getString("detail");
        assertTrue(detail != null && detail.length() > 20, "detail should explain what to change: " + body);
        assertThat(json.getString("instance"), startsWith("/"));
        if (field == null) {
            assertFalse(json.getMap("").containsKey("field"), "no field expected: " + body);
        } else {
            assertThat(body, json.getString("field"), equalTo(field));
        }
        assertNoInternals(body);
        return json;
    }

    /** No stack trace, exception class or package name in a body meant for clients. */
    public static void assertNoInternals(String body) {
        for (String leak : new String[] { "Exception", "\tat ", "at dev.aria", "at java.", "at io.", "stackTrace",
                "Caused by" }) {
            assertThat(body, not(containsString(leak)));
        }
    }
}
