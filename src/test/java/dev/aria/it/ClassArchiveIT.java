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
 * The class archive the package step records (pom.xml, {@code app-cds}) for the JDK that runs the build: JDK 25's AOT
 * cache ({@code app.aot}) or, before it, a class-data archive ({@code app-cds.jsa}). The packaged jar, started the way
 * the README starts it, maps it ({@code -XX:AOTMode=on} and {@code -Xshare:on} refuse to start otherwise), and the run
 * that records it (every model loaded and answering, then exit 0) still passes.
 */
class ClassArchiveIT {

    private static final String JAR = "target/quarkus-app/quarkus-run.jar";
    private static final boolean AOT_CACHE = Runtime.version().feature() >= 25;
    private static final String ARCHIVE = AOT_CACHE ? "target/quarkus-app/app.aot" : "target/quarkus-app/app-cds.jsa";

    @Test
    void thePackagedServiceStartsFromItsArchiveLoadsEveryModelAndAnswers() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(JAR)), "the JVM package (not a native executable)");
        assertTrue(Files.isRegularFile(Path.of(ARCHIVE)), "the package step wrote " + ARCHIVE);
        Path log = Files.createTempFile("aria-archive-run", ".log");
        Process run = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                AOT_CACHE ? "-XX:AOTMode=on" : "-Xshare:on",
                (AOT_CACHE ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + ARCHIVE, "-Daria.exit-when-ready=true",
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
