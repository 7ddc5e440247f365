package dev.aria.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class ProblemTest {

    @Test
    void derivesTypeAndTitleFromTheSlug() {
        Problem problem = Problem.of(415, "not-an-image", "image", "Send a JPEG.");
        assertEquals("urn:aria:problem:not-an-image", problem.type());
        assertEquals("Not an image", problem.title());
        assertEquals("not-an-image", problem.slug());
        assertEquals("image", problem.field());
    }

    @Test
    void dropsAnEmptyErrorList() {
        assertNull(Problem.of(400, "x", null, "d").withErrors(List.of()).errors());
    }

    @Test
    void refusesNonErrorStatuses() {
        assertThrows(IllegalArgumentException.class, () -> new ApiException(200, "ok", null, "fine"));
    }

    @Test
    void keepsHeadersInOrder() {
        ApiException e = new ApiException(503, "busy", null, "Retry later.").withHeader("Retry-After", "5")
                .withHeader("X-Queue", "2");
        assertEquals(List.of("Retry-After", "X-Queue"), List.copyOf(e.headers().keySet()));
        assertEquals(503, e.toProblem().status());
    }
}
