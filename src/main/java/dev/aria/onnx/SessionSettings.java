package dev.aria.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** The ONNX Runtime session options every model of the service is opened with. */
public final class SessionSettings {

    private SessionSettings() {
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
