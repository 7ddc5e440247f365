package dev.aria.onnx;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** The ONNX Runtime environment and session options every model of the service is opened with. */
public final class SessionSettings {

    /** Property ONNX Runtime's Java API loads its native libraries from, instead of unpacking them from its jar. */
    static final String NATIVE_PATH = "onnxruntime.native.path";
    /** Folder beside ONNX Runtime's jar that the package step unpacks its Linux x64 libraries into (pom.xml). */
    static final String NATIVE_FOLDER = "onnxruntime-native";

    private SessionSettings() {
    }

    /**
     * The process's ONNX Runtime environment. Its libraries (28 MB) are loaded from {@value #NATIVE_FOLDER} beside
     * ONNX Runtime's jar where the package step put them, which saves unpacking them to the temporary folder at every
     * start (0.21 against 0.05 s here); elsewhere (tests, dev mode, another platform, {@value #NATIVE_PATH} set)
     * ONNX Runtime finds them as it always does.
     */
    public static synchronized OrtEnvironment environment() {
        if (System.getProperty(NATIVE_PATH) == null) {
            Path unpacked = unpackedLibraries(OrtEnvironment.class.getProtectionDomain().getCodeSource());
            if (unpacked != null) {
                System.setProperty(NATIVE_PATH, unpacked.toString());
            }
        }
        return OrtEnvironment.getEnvironment();
    }

    /** The folder of unpacked libraries beside the jar {@code source} names, when it holds this platform's; or null. */
    static Path unpackedLibraries(CodeSource source) {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (source == null || source.getLocation() == null || !os.startsWith("linux")
                || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return null;
        }
        try {
            Path jar = Path.of(source.getLocation().toURI());
            Path folder = jar.resolveSibling(NATIVE_FOLDER);
            boolean complete = Files.isRegularFile(folder.resolve(System.mapLibraryName("onnxruntime")))
                    && Files.isRegularFile(folder.resolve(System.mapLibraryName("onnxruntime4j_jni")));
            return Files.isRegularFile(jar) && complete ? folder.toAbsolutePath() : null;
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    /**
     * Options for a session that runs each inference on {@code intraOpThreads} threads (one node at a time), with
     * every graph optimisation. ONNX Runtime's CPU arena stays on: with it off every tensor is a malloc and a free,
     * which left the service larger after the soak (689 against 633 MiB), and handing large blocks straight back to
     * the system instead (MALLOC_MMAP_THRESHOLD_) doubled {@code /emotion}'s median time (bench/README.md, memory).
     * The caller closes the options once the session is made.
     */
    public static OrtSession.SessionOptions options(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(intraOpThreads);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return options;
    }
}
