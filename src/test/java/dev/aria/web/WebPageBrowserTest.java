package dev.aria.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.aria.testing.TestImages;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The web page in a real browser: Debian's headless Chromium, driven through its chromedriver by Selenium, against
 * the service on its test port. Nothing is downloaded: both paths are given, so Selenium Manager is never asked.
 * Screenshots go to {@code target/screenshots/} (kept by CI). Skipped, with a message, where Chromium is missing.
 */
@QuarkusTest
class WebPageBrowserTest {

    /** Override with -Dchromium.binary=... and -Dwebdriver.chrome.driver=... (not aria.*: that prefix is the app's). */
    private static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration GENERATION = Duration.ofSeconds(180);

    private static WebDriver browser;

    @TestHTTPResource("/")
    URL page;

    /** Each test is skipped, saying why, where Chromium or its driver is missing; the browser starts once. */
    @BeforeEach
    void needsChromium() {
        String missing = "Browser test skipped: it needs Chromium at " + CHROMIUM + " and chromedriver at "
                + CHROMEDRIVER + " (Debian: apt-get install chromium chromium-driver).";
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            System.err.println(missing);
        }
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), missing);
        if (browser == null) {
            System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString()); // no Selenium Manager look-up
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,900", "--mute-audio", "--no-first-run", "--disable-extensions",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            browser = new ChromeDriver(service, options);
        }
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void composesMusicForAnExamplePaintingWithAChangedSetting() throws Exception {
        WebDriverWait wait = openPage();

        // the gallery, with the README's credits
        wait.until(b -> b.findElements(By.cssSelector("#gallery .example")).size() == TestImages.EXAMPLES.size());
        assertThat(browser.findElement(By.id("gallery")).getText(), containsString("Edvard Munch"));
        assertThat(browser.findElement(By.id("credits")).getText(), containsString("neural-style"));

        // an example painting: its valence and arousal shown, as POST /emotion gives them
        browser.findElement(By.cssSelector(".example[data-file='the-scream.jpg']")).click();
        wait.until(b -> "ready".equals(state(b)));
        JsonPath emotion = given().multiPart("image", "the-scream.jpg", TestImages.example("the-scream.jpg"),
                "image/jpeg").when().post("/emotion").then().statusCode(200).extract().jsonPath();
        double shownValence = Double.parseDouble(browser.findElement(By.id("valence")).getAttribute("value"));
        double shownArousal = Double.parseDouble(browser.findElement(By.id("arousal")).getAttribute("value"));
        assertEquals(emotion.getDouble("valence"), shownValence, 0.006);
        assertEquals(emotion.getDouble("arousal"), shownArousal, 0.006);
        assertThat(browser.findElement(By.id("emotion-source")).getText(), containsString(emotion.getString("model")));
        assertTrue(browser.findElement(By.id("preview")).isDisplayed(), "a preview of the image");

        // the settings panel, built from the OpenAPI document; shorten the piece and fix the seed
        browser.findElement(By.cssSelector("#advanced summary")).click();
        WebElement genLen = wait.until(b -> b.findElement(By.id("setting-gen_len")));
        assertEquals("1024", genLen.getAttribute("value"), "the schema's default");
        assertEquals("16384", genLen.getAttribute("max"), "the schema's maximum");
        assertThat(browser.findElement(By.id("settings")).getText(), containsString("paper's best"));
        type(genLen, "160");
        type(browser.findElement(By.id("setting-seed")), "11");

        browser.findElement(By.id("generate")).click();
        finish();

        assertTrue(Integer.parseInt(browser.findElement(By.id("progress")).getAttribute("data-events")) > 2,
                "progress events were shown");
        Sequence midi = downloadedMidi();
        assertEquals(6, midi.getTracks().length);
        WebElement audioLink = browser.findElement(By.id("download-wav"));
        assertEquals("flac", audioLink.getAttribute("data-format"), "Chromium plays FLAC, so the page asks for it");
        assertTrue(Long.parseLong(audioLink.getAttribute("data-bytes")) > 44_100, "audio of some seconds");
        assertThat(audioLink.getAttribute("download"), startsWith("aria-11"));
        double duration = new WebDriverWait(browser, Duration.ofSeconds(20)).until(b -> {
            Object d = js(b).executeScript("return document.getElementById('audio').duration;");
            return d instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
        });
        assertTrue(duration > 1, "the audio element loaded the FLAC: " + duration + " s");
        assertThat(browser.findElement(By.id("audio-status")).getText(), containsString("General MIDI"));

        WebElement roll = browser.findElement(By.id("roll"));
        int notes = Integer.parseInt(roll.getAttribute("data-notes"));
        assertTrue(notes > 0, "the piano roll has notes");
        Number coloured = (Number) js(browser).executeScript("""
                const c = document.getElementById('roll');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 0; i < d.length; i += 4) { if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n++; }
                return n;""");
        assertTrue(coloured.intValue() > 50, "coloured notes are drawn on the canvas: " + coloured);
        String summary = browser.findElement(By.id("summary")).getText();
        assertThat(summary, containsString("the image (" + emotion.getString("model") + ")"));
        assertThat(summary, containsString("11"));

        assertNoExternalRequests();
        screenshot("web-page-1280.png", 1280);
        screenshot("web-page-390.png", 390);
        Object overflow = js(browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertEquals(0L, ((Number) overflow).longValue(), "nothing wider than a 390 px phone screen");
    }

    @Test
    void movingThePointByKeyboardSendsAnExplicitEmotion() throws Exception {
        WebDriverWait wait = openPage();
        wait.until(b -> b.findElements(By.cssSelector("#gallery .example")).size() == TestImages.EXAMPLES.size());
        browser.findElement(By.cssSelector(".example[data-file='starry-night.jpg']")).click();
        wait.until(b -> "ready".equals(state(b)));

        // drag the point to the sad quadrant, then nudge it with the keyboard
        WebElement plane = browser.findElement(By.id("plane"));
        new Actions(browser).moveToElement(plane).clickAndHold()
                .moveByOffset(-plane.getSize().getWidth() / 4, plane.getSize().getHeight() / 4).release().perform();
        WebElement point = browser.findElement(By.id("point"));
        point.sendKeys(Keys.ARROW_DOWN, Keys.ARROW_DOWN);
        double valence = Double.parseDouble(browser.findElement(By.id("valence")).getAttribute("value"));
        double arousal = Double.parseDouble(browser.findElement(By.id("arousal")).getAttribute("value"));
        assertTrue(valence < -0.2 && arousal < -0.2, "in the sad quadrant: " + valence + ", " + arousal);
        assertEquals("sad / depressed", browser.findElement(By.id("quadrant")).getText());
        assertTrue(browser.findElement(By.id("reset-emotion")).isDisplayed(), "the image's estimate can be restored");

        browser.findElement(By.cssSelector("#advanced summary")).click();
        type(wait.until(b -> b.findElement(By.id("setting-gen_len"))), "48");
        type(browser.findElement(By.id("setting-min_instruments")), "1");
        browser.findElement(By.id("generate")).sendKeys(Keys.ENTER);
        finish();
        String summary = browser.findElement(By.id("summary")).getText();
        assertThat(summary, containsString("your point"));
        assertThat(summary, containsString(String.format(java.util.Locale.ROOT, "valence %.2f", valence)));
    }

    /**
     * The arc: the start point set in its boxes (calm), the arc switched on, its end ring dragged on the plane
     * (towards excited); the request carries the end emotion (the summary shows it), and the result shows the emotion
     * the service measured in the music beside the one asked for (the same as POST /analyze reads in the downloaded
     * file) and its curve over the piano roll.
     */
    @Test
    void drawsAnArcAndShowsTheMeasuredEmotionBesideTheAskedOne() throws Exception {
        WebDriverWait wait = openPage();
        wait.until(b -> b.findElements(By.cssSelector("#gallery .example")).size() == TestImages.EXAMPLES.size());
        type(browser.findElement(By.id("valence")), "0.3");
        type(browser.findElement(By.id("arousal")), "-0.8");
        browser.findElement(By.id("arc")).click();
        WebElement ring = browser.findElement(By.id("point-end"));
        assertTrue(ring.isDisplayed(), "the end point appears");
        assertEquals("0.80", browser.findElement(By.id("arousal-end")).getAttribute("value"),
                "the end starts across the plane in arousal");
        // drag the ring a quarter of the plane to the right: valence grows by about half a unit
        WebElement plane = browser.findElement(By.id("plane"));
        new Actions(browser).moveToElement(ring).clickAndHold().moveByOffset(plane.getSize().getWidth() / 4, 0)
                .release().perform();
        double valenceEnd = Double.parseDouble(browser.findElement(By.id("valence-end")).getAttribute("value"));
        double arousalEnd = Double.parseDouble(browser.findElement(By.id("arousal-end")).getAttribute("value"));
        assertTrue(valenceEnd > 0.6 && arousalEnd > 0.6, "dragged to " + valenceEnd + ", " + arousalEnd);
        assertEquals("0.30", browser.findElement(By.id("valence")).getAttribute("value"), "the start stayed");
        assertEquals("visible", browser.findElement(By.id("arc-line")).getAttribute("visibility"));

        browser.findElement(By.cssSelector("#advanced summary")).click();
        type(wait.until(b -> b.findElement(By.id("setting-gen_len"))), "1536");
        type(browser.findElement(By.id("setting-min_instruments")), "1");
        type(browser.findElement(By.id("setting-candidates")), "2");
        type(browser.findElement(By.id("setting-seed")), "5");
        browser.findElement(By.id("generate")).click();
        finish();

        assertThat(browser.findElement(By.id("summary")).getText(), containsString(String.format(
                java.util.Locale.ROOT, "→ valence %.2f, arousal %.2f", valenceEnd, arousalEnd)));
        WebElement measured = browser.findElement(By.id("measured"));
        assertTrue(measured.isDisplayed(), "the measured emotion is shown");
        JsonPath analysis = analyze(downloadedMidiBytes());
        assertEquals(analysis.getDouble("arousal"), Double.parseDouble(measured.getAttribute("data-measured-arousal")),
                1e-6, "what the page shows is what /analyze reads in the file it offers");
        String compare = browser.findElement(By.id("compare")).getText();
        assertThat(compare, containsString(String.format(java.util.Locale.ROOT, "valence 0.30, arousal -0.80 → "
                + "valence %.2f, arousal %.2f", valenceEnd, arousalEnd)));
        assertThat(compare, containsString(String.format(java.util.Locale.ROOT, "arousal %.2f",
                analysis.getDouble("arousal"))));
        assertThat(compare, containsString("of 2 candidates"));
        int windows = analysis.getList("curve").size();
        assertTrue(windows >= 2, "a piece of several windows: " + windows);
        assertEquals(windows, Integer.parseInt(measured.getAttribute("data-curve-points")));
        assertEquals(windows, Integer.parseInt(browser.findElement(By.id("roll")).getAttribute("data-curve-points")),
                "the measured curve is drawn over the piano roll");
        assertEquals(2 + 1 + 1 + 1, browser.findElements(By.cssSelector("#result-plane-marks > *")).size(),
                "asked arrow and its two ends, measured curve and point");
        screenshot("web-page-arc-1280.png", 1280);
    }

    @Test
    void continuesAnUploadedMidiFile() throws Exception {
        WebDriverWait wait = openPage();
        Path primer = Path.of("training/tests/vectors/midi/sparse-slow.mid").toAbsolutePath();
        browser.findElement(By.id("primer")).sendKeys(primer.toString());
        assertThat(browser.findElement(By.id("primer-caption")).getText(), containsString("sparse-slow.mid"));
        browser.findElement(By.cssSelector("#advanced summary")).click();
        type(wait.until(b -> b.findElement(By.id("setting-gen_len"))), "64");
        type(browser.findElement(By.id("setting-min_instruments")), "1");
        browser.findElement(By.id("generate")).click();
        finish();
        int primerEndMs = Integer.parseInt(given().multiPart("valence", "0").multiPart("arousal", "0")
                .multiPart("gen_len", "1").multiPart("min_instruments", "1")
                .multiPart("primer", "sparse-slow.mid", Files.readAllBytes(primer), "audio/midi").when()
                .post("/generate").then().statusCode(200).extract().header("ARIA-Continuation-Start-Ms"));
        assertThat(browser.findElement(By.id("compare")).getText(), containsString(String.format(
                java.util.Locale.ROOT, "from %.1f s, after your MIDI file", primerEndMs / 1000.0)));
        assertTrue(Integer.parseInt(browser.findElement(By.id("roll")).getAttribute("data-duration-ms")) > primerEndMs,
                "the piano roll shows the primer and its continuation");
        // a file that is not MIDI: the problem names the primer, shown beside it
        Path notMidi = Files.createTempFile("not-midi", ".mid");
        Files.writeString(notMidi, "X:1\nK:G\n|GABc|");
        browser.findElement(By.id("primer-clear")).click();
        browser.findElement(By.id("primer")).sendKeys(notMidi.toString());
        browser.findElement(By.id("generate")).click();
        WebElement error = wait.until(b -> {
            WebElement e = b.findElement(By.id("setting-primer-error"));
            return e.isDisplayed() ? e : null;
        });
        assertThat(error.getText(), containsString("'primer'"));
        assertEquals("true", browser.findElement(By.id("primer")).getAttribute("aria-invalid"));
        Files.delete(notMidi);
    }

    @Test
    void showsTheProblemDetailAndMarksTheFieldItNames() {
        WebDriverWait wait = openPage();
        browser.findElement(By.cssSelector("#advanced summary")).click();
        WebElement topP = wait.until(b -> b.findElement(By.id("setting-top_p")));
        type(topP, "3");
        browser.findElement(By.id("generate")).click();
        WebElement error = wait.until(b -> {
            WebElement e = b.findElement(By.id("generate-error"));
            return e.isDisplayed() ? e : null;
        });
        String detail = given().multiPart("valence", "0").multiPart("arousal", "0").multiPart("top_p", "3")
                .when().post("/generate").then().statusCode(400).extract().jsonPath().getString("detail");
        assertThat(error.getText(), containsString(detail));
        assertEquals("true", topP.getAttribute("aria-invalid"));
        assertThat(browser.findElement(By.id("setting-top_p-error")).getText(), containsString("less than or equal to 1"));
        assertEquals("error", state(browser));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** The page at 1280 x 900, and a wait of 30 s on it. */
    private WebDriverWait openPage() {
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(page.toString());
        return new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    private void finish() {
        new WebDriverWait(browser, GENERATION).until(b -> {
            String s = state(b);
            if ("error".equals(s)) {
                throw new AssertionError("the page reports an error: " + b.findElement(By.id("generate-error")).getText()
                        + b.findElement(By.id("render-error")).getText());
            }
            return "done".equals(s);
        });
    }

    private static String state(WebDriver b) {
        return b.findElement(By.id("main")).getAttribute("data-state");
    }

    private static void type(WebElement input, String text) {
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        input.sendKeys(text);
    }

    private static JavascriptExecutor js(WebDriver b) {
        return (JavascriptExecutor) b;
    }

    private static JsonPath analyze(byte[] midi) {
        return given().multiPart("midi", "piece.mid", midi, "audio/midi").when().post("/analyze").then()
                .statusCode(200).extract().jsonPath();
    }

    /** The MIDI file behind the download button, read inside the page and parsed here. */
    private Sequence downloadedMidi() throws Exception {
        return MidiSystem.getSequence(new ByteArrayInputStream(downloadedMidiBytes()));
    }

    /** The bytes of the MIDI file behind the download button, read inside the page. */
    private byte[] downloadedMidiBytes() {
        WebElement link = browser.findElement(By.id("download-midi"));
        assertThat(link.getAttribute("href"), startsWith("blob:"));
        Object base64 = js(browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(document.getElementById('download-midi').href).then(r => r.arrayBuffer()).then(b => {
                  let s = ''; new Uint8Array(b).forEach(x => s += String.fromCharCode(x)); done(btoa(s));
                });""");
        byte[] bytes = Base64.getDecoder().decode((String) base64);
        assertEquals(Long.parseLong(link.getAttribute("data-bytes")), bytes.length);
        return bytes;
    }

    /** Every resource the page loaded came from the service itself. */
    @SuppressWarnings("unchecked")
    private void assertNoExternalRequests() {
        List<Object> urls = (List<Object>) js(browser).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name);");
        String origin = page.getProtocol() + "://" + page.getAuthority() + "/";
        for (Object url : urls) {
            assertThat("requested " + url, url.toString(), startsWith(origin));
        }
        assertTrue(urls.size() >= 3, "the page's own requests were seen: " + urls);
    }

    /** A full-page screenshot at the given width. */
    private void screenshot(String name, int width) throws IOException {
        browser.manage().window().setSize(new Dimension(width, 900));
        Number height = (Number) js(browser).executeScript(
                "window.dispatchEvent(new Event('resize')); return document.documentElement.scrollHeight;");
        browser.manage().window().setSize(new Dimension(width, Math.min(6000, height.intValue() + 120)));
        try {
            Thread.sleep(400); // the piano roll redraws 100 ms after a resize
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.createDirectories(SCREENSHOTS);
        Path file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(file, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
