package dev.aria.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.cert.Certificate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the service's ONNX Runtime loads its native libraries from. */
class SessionSettingsTest {

    private static CodeSource jar(Path file) throws Exception {
        URL url = file.toUri().toURL();
        return new CodeSource(url, (Certificate[]) null);
    }

    @Test
    void theLibrariesUnpackedBesideTheJarAreUsedWhenBothAreThere(@TempDir Path lib) throws Exception {
        boolean linuxX64 = System.getProperty("os.name").toLowerCase().startsWith("linux")
                && (System.getProperty("os.arch").equals("amd64") || System.getProperty("os.arch").equals("x86_64"));
        Path jar = Files.createFile(lib.resolve("com.microsoft.onnxruntime.onnxruntime-1.29.0.jar"));
        Path folder = Files.createDirectory(lib.resolve(SessionSettings.NATIVE_FOLDER));
        Files.createFile(folder.resolve(System.mapLibraryName("onnxruntime")));
        assertNull(SessionSettings.unpackedLibraries(jar(jar)), "the JNI library is missing");
        Files.createFile(folder.resolve(System.mapLibraryName("onnxruntime4j_jni")));
        assertEquals(linuxX64 ? folder.toAbsolutePath() : null, SessionSettings.unpackedLibraries(jar(jar)),
                "only this platform's libraries are unpacked");
    }

    @Test
    void elsewhereOnnxRuntimeFindsItsOwn(@TempDir Path classes) throws Exception {
        assertNull(SessionSettings.unpackedLibraries(null), "no code source (a native image)");
        assertNull(SessionSettings.unpackedLibraries(jar(classes)), "a folder of classes (tests, dev mode)");
        assertNull(SessionSettings.unpackedLibraries(jar(classes.resolve("missing.jar"))), "no such jar");
    }
}
