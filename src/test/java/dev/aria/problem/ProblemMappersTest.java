package dev.aria.problem;

import static dev.aria.testing.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Every way a request can fail ends in an RFC 9457 body naming the field the client sent. */
@QuarkusTest
class ProblemMappersTest {

    @Test
    void namesFormFieldsOfABeanByTheirRestFormNames() {
        Response response = given().multiPart("valence", "0.1").multiPart("arousal", "0.1").multiPart("top_p", "1.5")
                .multiPart("min_instruments", "0").when().post("/generate");
        JsonPath problem = assertProblem(response, 400, "validation-failed", "min_instruments");
        List<String> fields = problem.getList("errors.field");
        assertEquals(List.of("min_instruments", "top_p"), fields);
        assertThat(problem.getString("detail"), containsString("(was 1.5)"));
        assertThat(problem.getString("detail"), not(containsString("topP")));
        assertThat(problem.getString("detail"), not(containsString("minInstruments")));
        assertThat(problem.getString("detail"), not(containsString("arg0")));
    }

    @Test
    void namesANonNumericFormField() {
        Response response = given().multiPart("valence", "0.1").multiPart("arousal", "0.1").multiPart("seed", "abc")
                .when().post("/generate");
        JsonPath problem = assertProblem(response, 400, "invalid-parameter", "seed");
        assertThat(problem.getString("detail"), containsString("whole number"));
        assertThat(problem.getString("detail"), containsString("'abc'"));
    }

    @Test
    void hidesTheCauseOfUnexpectedFailures() {
        Response response = given().when().get("/test-probe/boom");
        JsonPath problem = assertProblem(response, 500, "internal-error", null);
        assertThat(response.asString(), not(containsString("secret")));
        assertThat(response.asString(), not(containsString("passwd")));
        assertThat(problem.getString("detail"), containsString("id"));
    }
}
