package dev.aria.music;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ai.onnxruntime.OrtEnvironment;

/**
 * The Java decoder loop alone (row (c) of bench/bench_decode.py): the service's {@link DecodingEngine} on a shipped
 * decoder, without HTTP, timing whole generations. Prints one JSON object per measurement on standard output.
 *
 * <pre>
 * java -cp ... dev.aria.music.DecodeBenchmark models/music_continuous_concat.onnx REPEATS LENGTH:BATCH[:GUIDANCE] ...
 * </pre>
 * BATCH streams of LENGTH tokens run at once (different seeds, one attempt each, min_instruments 1); GUIDANCE (default 1)
 * above 1 makes each of them a guided pair. The median of REPEATS runs is reported, after one warm-up run. The system
 * property {@code threads} (default 1) sets ONNX Runtime's intra-op threads, as {@code aria.generation.intra-op-threads}
 * does in the service, and {@code lanes} (default 1) the engines decoding side by side, as
 * {@code aria.generation.lanes} does (the streams of a batch spread over them).
 */
public final class DecodeBenchmark {

    private DecodeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path onnx = Path.of(args[0]);
        int repeats = Integer.parseInt(args[1]);
        Vocabulary vocab = Vocabulary.load(onnx.resolveSibling("vocab.json"));
        String name = onnx.getFileName().toString();
        DecoderCard card = DecoderCard.read(onnx.resolveSibling(name.substring(0, name.indexOf('.')) + ".json"));
        for (String precision : DecoderCard.PRECISIONS) { // music_x.int4.onnx, music_x.int8.onnx; float32: music_x.onnx
            if (name.endsWith("." + precision + ".onnx")) {
                card = card.quantised(precision, name);
            }
        }
        try (MusicDecoder decoder = new MusicDecoder(OrtEnvironment.getEnvironment(), onnx, card,
                Integer.getInteger("threads", 1));
                DecoderLanes engine = new DecoderLanes(decoder, vocab, 16, Integer.getInteger("lanes", 1), 16,
                        DecodingEngine.DEFAULT_SHIFT)) {
            for (int i = 2; i < args.length; i++) {
                String[] spec = args[i].split(":");
                int length = Integer.parseInt(spec[0]);
                int batch = Integer.parseInt(spec[1]);
                double guidance = spec.length > 2 ? Double.parseDouble(spec[2]) : 1.0;
                run(engine, vocab, card, length, batch, guidance); // warm-up
                List<Double> seconds = new ArrayList<>();
                List<Double> cpu = new ArrayList<>();
                for (int r = 0; r < repeats; r++) {
                    long c0 = processCpuNanos();
                    seconds.add(run(engine, vocab, card, length, batch, guidance));
                    cpu.add((processCpuNanos() - c0) / 1e9);
                }
                seconds.sort(Double::compare);
                cpu.sort(Double::compare);
                double median = seconds.get(seconds.size() / 2);
                System.out.printf(Locale.ROOT, "{\"length\": %d, \"batch\": %d, \"guidance\": %s, \"seconds\": %.4f,"
                        + " \"cpu_seconds\": %.4f, \"tokens_per_s\": %.1f, \"peak_rss_mb\": %.1f}%n", length, batch,
                        guidance, median, cpu.get(cpu.size() / 2), length * batch / median, peakRssMb());
            }
        }
    }

    private static double run(DecoderLanes engine, Vocabulary vocab, DecoderCard card, int length, int batch,
            double guidance) throws Exception {
        List<Job> jobs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int b = 0; b < batch; b++) {
            GenerationSettings s = new GenerationSettings(0.5, 0.3, card.conditioning(), length, 1.2, 1.2, 0.7, 1,
                    1000 + b).withGuidance(guidance,
                    card.nullCondition() ? Guidance.Contrast.NULL : Guidance.Contrast.VALENCE);
            DecodingEngine lane = engine.reserve(s.guided() ? 2 : 1, Duration.ofSeconds(60));
            if (lane == null) {
                throw new IllegalStateException("no stream free");
            }
            Job job = new Job(s, card, vocab, 1, 1, () -> false);
            lane.submit(job);
            jobs.add(job);
        }
        for (Job j : jobs) {
            if (j.await((a, t, ms) -> { }).length() != length) {
                throw new IllegalStateException("short piece");
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** CPU time of the whole process (every thread: the engine's, ONNX Runtime's, the JIT's and the collector's). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
