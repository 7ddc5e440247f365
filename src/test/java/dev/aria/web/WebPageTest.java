package dev.aria.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.aria.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;

/** The web page as files: served at the root, self-contained, crediting every example painting. */
@QuarkusTest
class WebPageTest {

    private static final List<String> PAGE_FILES = List.of("index.html", "aria.js", "aria.css");

    @Test
    void servesThePageAndItsAssetsFromTheService() {
        given().when().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("Generate music"))
                .body(containsString("Advanced settings"));
        given().when().get("/aria.js").then().statusCode(200).contentType(containsString("javascript"));
        given().when().get("/aria.css").then().statusCode(200).contentType(containsString("text/css"));
        given().when().get("/examples/README.md").then().statusCode(200).body(containsString("| file |"));
    }

    /** No CDN, font service or other host: the only absolute URL allowed is the SVG namespace (not a request). */
    @Test
    void referencesNoOtherHost() throws IOException {
        Pattern url = Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}[^\\s'\"<>)]*");
        for (String file : PAGE_FILES) {
            String text = resource(file);
            Matcher m = url.matcher(text);
            List<String> found = new ArrayList<>();
            while (m.find()) {
                if (!m.group().startsWith("http://www.w3.org/2000/svg")) {
                    found.add(m.group());
                }
            }
            assertEquals(List.of(), found, file + " must reference nothing outside the service");
            assertTrue(!text.contains("@import"), file + ": no @import");
        }
    }

    /** The gallery's captions come from examples/README.md: every image shipped must have a row there. */
    @Test
    void everyExamplePaintingIsCreditedInTheReadme() throws IOException {
        String readme = resource("examples/README.md");
        TreeSet<String> credited = new TreeSet<>();
        for (String line : readme.split("\n")) {
            Matcher row = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|([^|]+)\\|([^|]+)\\|([^|]+)\\|").matcher(line);
            if (row.find()) {
                credited.add(row.group(1));
                assertTrue(!row.group(2).isBlank() && !row.group(3).isBlank() && !row.group(4).isBlank(),
                        "title, artist and year for " + row.group(1));
            }
        }
        assertEquals(new TreeSet<>(TestImages.EXAMPLES), credited);
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = WebPageTest.class.getResourceAsStream("/META-INF/resources/" + path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
