package dev.aria.problem;

import static dev.aria.testing.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
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
    void namesTheFormFieldOfAViolatedParameterConstraint() {
        Response response = given().formParam("seed", 1).formParam("temperature", 3.5).when()
                .post("/test-probe/params");
        JsonPath problem = assertProblem(response, 400, "validation-failed", "temperature");
        assertThat(problem.getString("detail"), containsString("'temperature'"));
        assertThat(problem.getString("detail"), containsString("3.5"));
        assertEquals("temperature", problem.getString("errors[0].field"));
    }

    @Test
    void namesFormFieldsOfABeanByTheirRestFormNames() {
        Response response = given().multiPart("top_p", "1.5").multiPart("bars", "0").when().post("/test-probe/bean");
        JsonPath problem = assertProblem(response, 400, "validation-failed", "bars");
        List<String> fields = problem.getList("errors.field");
        assertThat(fields, hasItems("top_p", "bars"));
        assertThat(problem.getString("detail"), not(containsString("topP")));
        assertThat(problem.getString("detail"), not(containsString("arg0")));
    }

    @Test
    void namesANonNumericFormField() {
        Response response = given().formParam("seed", "abc").formParam("temperature", 1.0).when()
                .post("/test-probe/params");
        JsonPath problem = assertProblem(response, 400, "invalid-parameter", "seed");
        assertThat(problem.getString("detail"), containsString("whole number"));
        assertThat(problem.getString("detail"), containsString("'abc'"));
    }

    @Test
    void listsTheValuesOfAnEnumFormField() {
        Response response = given().formParam("seed", 1).formParam("temperature", 1.0).formParam("mood", "angry")
                .when().post("/test-probe/params");
        JsonPath problem = assertProblem(response, 400, "invalid-parameter", "mood");
        assertThat(problem.getString("detail"), containsString("HAPPY, SAD"));
    }

    @Test
    void answersANonNumericQueryParameterWith400Not404() {
        Response response = given().queryParam("count", "many").when().get("/test-probe/query");
        assertProblem(response, 400, "invalid-parameter", "count");
    }

    @Test
    void namesTheQueryParameterOfAViolatedConstraint() {
        Response response = given().queryParam("count", 0).when().get("/test-probe/query");
        assertProblem(response, 400, "validation-failed", "count");
    }

    @Test
    void namesTheJsonPropertyOfAViolatedBodyConstraint() {
        Response response = given().contentType("application/json").body("{\"max_len\": 0, \"name\": \"x\"}").when()
                .post("/test-probe/json");
        assertProblem(response, 400, "validation-failed", "max_len");
    }

    @Test
    void namesTheJsonPropertyOfTheWrongType() {
        Response response = given().contentType("application/json").body("{\"max_len\": \"long\", \"name\": \"x\"}")
                .when().post("/test-probe/json");
        assertProblem(response, 400, "malformed-json", "max_len");
    }

    @Test
    void rejectsBrokenJson() {
        Response response = given().contentType("application/json").body("{\"max_len\": ").when()
                .post("/test-probe/json");
        assertProblem(response, 400, "malformed-json", null);
    }

    @Test
    void hidesTheCauseOfUnexpectedFailures() {
        Response response = given().when().get("/test-probe/boom");
        JsonPath problem = assertProblem(response, 500, "internal-error", null);
        assertThat(response.asString(), not(containsString("secret")));
        assertThat(response.asString(), not(containsString("passwd")));
        assertThat(problem.getString("detail"), containsString("id"));
    }

    @Test
    void keepsServiceUnavailableAndItsRetryAfter() {
        Response response = given().when().get("/test-probe/unavailable");
        assertProblem(response, 503, "service-unavailable", null);
        assertEquals("7", response.header("Retry-After"));
    }

    @Test
    void passesHeadersOfApiExceptionsOn() {
        Response response = given().when().get("/test-probe/busy");
        assertProblem(response, 503, "overloaded", null);
        assertEquals("5", response.header("Retry-After"));
    }
}
