package dev.aria.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The class-data archive the package step records (pom.xml, {@code app-cds}): the packaged jar, started the way the
 * README starts it, maps it ({@code -Xshare:on} refuses to start otherwise), and the run that records it (every model
 * loaded and answering, then exit 0) still passes.
 */
class ClassArchiveIT {

    private static final String JAR = "target/quarkus-app/quarkus-run.jar";
    private static final String ARCHIVE = "target/quarkus-app/app-cds.jsa";

    @Test
    void thePackagedServiceStartsFromItsArchiveLoadsEveryModelAndAnswers() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(JAR)), "the JVM package (not a native executable)");
        assertTrue(Files.isRegularFile(Path.of(ARCHIVE)), "the package step wrote " + ARCHIVE);
        Path log = Files.createTempFile("aria-archive-run", ".log");
        Process run = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:on", "-XX:SharedArchiveFile=" + ARCHIVE, "-Daria.exit-when-ready=true",
                "-Dquarkus.http.port=0", "-Djava.awt.headless=true", "-jar", JAR))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(run.waitFor(180, TimeUnit.SECONDS), "the run ended");
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, run.exitValue(), output);
            assertTrue(output.contains("Every model is ready and answered"), output);
        } finally {
            run.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
