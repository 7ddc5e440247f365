package dev.aria.analysis;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.aria.config.AriaConfig;
import dev.aria.health.ModelStatus;
import dev.aria.midi.TimedNote;
import dev.aria.onnx.SessionSettings;
import dev.aria.problem.ApiException;

/**
 * The emotion of a piece of music, measured as the music decoders' training pieces were labelled
 * ({@code training/build_dataset.py scaled_emotion}): valence from the labeller ({@code models/valence_regressor.onnx}
 * on {@link EmotionFeatures#features}), arousal as midi-emotion defines it ({@link EmotionFeatures#arousalRaw}), both
 * put on the training labels' scale, {@code clip(2 (x - lo) / (hi - lo) - 1, -1, 1)}, with the constants
 * {@code valence_raw_scale} and {@code arousal_raw_scale} of the served {@code continuous_concat} decoder's card
 * ({@code models/music_continuous_concat.json}, {@code data}), read at start-up. Besides the whole piece it measures
 * a curve: windows of {@value #WINDOW_S} s every {@value #HOP_S} s ({@code emotion_features.curve_windows}), each
 * measured as an excerpt on its own.
 *
 * <p>Life cycle as {@code OnnxEmotionEstimator}: one session opened at start-up and checked with an inference,
 * shared by all requests, closed at shutdown; if the labeller or either card cannot be read the service still starts,
 * {@link #ready()} is false and {@link #read} answers 503 {@code model-unavailable}.
 */
@ApplicationScoped
public class EmotionReader implements ModelStatus, AutoCloseable {

    /** The labeller inside {@code aria.models.dir}, and its card ({@code id} names it). */
    public static final String MODEL_FILE = "valence_regressor.onnx";
    public static final String CARD_FILE = "valence_regressor.json";
    /** The card whose {@code data} holds the scale of the training labels. */
    public static final String SCALE_CARD_FILE = "music_continuous_concat.json";
    /** Length of a curve window, in seconds ({@code emotion_features.CURVE_WIN}). */
    public static final double WINDOW_S = 10.0;
    /** Distance between the starts of successive curve windows, in seconds ({@code CURVE_HOP}). */
    public static final double HOP_S = 5.0;

    private static final Logger LOG = Logger.getLogger(EmotionReader.class);

    /**
     * One window of the curve.
     *
     * @param start   where it starts, in seconds from the start of the piece
     * @param end     where it ends (the piece's end for the last window)
     * @param valence its valence, null when no pitched note starts in it
     * @param arousal its arousal, null when no note starts in it
     */
    public record Window(double start, double end, Double valence, Double arousal) {
    }

    /**
     * The emotion of a piece.
     *
     * @param valence  unpleasant (−1) to pleasant (+1), null when the piece has no pitched note (drums only)
     * @param arousal  calm (−1) to excited (+1)
     * @param curve    the windows, in order, covering the piece from 0 s to its last note's end
     * @param model    the labeller's id, e.g. {@code valence_regressor@2}
     */
    public record Reading(Double valence, double arousal, List<Window> curve, String model) {
    }

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final String modelId;
    private final double[] valenceScale;
    private final double[] arousalScale;
    private final String problem;
    private final AtomicBoolean closed = new AtomicBoolean();

    @Inject
    EmotionReader(AriaConfig config) {
        this(config.models().dir());
    }

    /** Opens the labeller in {@code modelsDir}; never throws: what cannot be loaded leaves the reader not ready. */
    public EmotionReader(Path modelsDir) {
        this.environment = SessionSettings.environment();
        OrtSession opened = null;
        String id = "valence_regressor (not loaded)";
        double[] v = null;
        double[] a = null;
        String failure = null;
        try {
            id = text(read(modelsDir.resolve(CARD_FILE)), "id");
            JsonNode data = read(modelsDir.resolve(SCALE_CARD_FILE)).path("data");
            v = pair(data, "valence_raw_scale");
            a = pair(data, "arousal_raw_scale");
            opened = open(modelsDir.resolve(MODEL_FILE));
            check(opened);
            LOG.infof("Music-emotion reader %s loaded; label scales from %s: valence %s, arousal %s", id,
                    SCALE_CARD_FILE, Arrays.toString(v), Arrays.toString(a));
        } catch (IOException | OrtException | RuntimeException e) {
            failure = e.toString();
            LOG.errorf(e, "Music-emotion reader could not be loaded from %s; /analyze answers 503 until it is",
                    modelsDir.toAbsolutePath());
            if (opened != null) {
                closeQuietly(opened);
                opened = null;
            }
        }
        this.session = opened;
        this.modelId = id;
        this.valenceScale = v;
        this.arousalScale = a;
        this.problem = failure;
    }

    /** The emotion of a piece and its curve; {@code notes} must not be empty. */
    public Reading read(List<TimedNote> notes) {
        if (session == null) {
            throw new ApiException(503, "model-unavailable", null, "The music-emotion model is not loaded ("
                    + problem + "). Retry later; /q/health/ready reports when it is ready.")
                    .withHeader("Retry-After", "30");
        }
        if (notes.isEmpty()) {
            throw new IllegalArgumentException("a piece without notes has no emotion");
        }
        List<TimedNote> sorted = new ArrayList<>(notes);
        sorted.sort(Comparator.comparingDouble(TimedNote::start));
        double end = 0;
        for (TimedNote n : sorted) {
            end = Math.max(end, Math.max(n.end(), n.start()));
        }
        int count = Math.max(1, (int) Math.ceil(Math.max(end - WINDOW_S, 0.0) / HOP_S) + 1);
        List<List<TimedNote>> excerpts = new ArrayList<>(count + 1);
        excerpts.add(notes);
        int first = 0;
        for (int k = 0; k < count; k++) {
            double t0 = k * HOP_S;
            double t1 = t0 + WINDOW_S;
            while (first < sorted.size() && sorted.get(first).start() < t0) {
                first++;
            }
            List<TimedNote> window = new ArrayList<>();
            for (int i = first; i < sorted.size() && sorted.get(i).start() < t1; i++) {
                TimedNote n = sorted.get(i);
                window.add(new TimedNote(n.instrument(), n.pitch(), n.start() - t0, Math.min(n.end(), t1) - t0));
            }
            excerpts.add(window);
        }
        double[] valence = valences(excerpts);
        List<Window> curve = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            List<TimedNote> window = excerpts.get(k + 1);
            double t0 = k * HOP_S;
            curve.add(new Window(t0, Math.min(t0 + WINDOW_S, end), scaled(valence[k + 1], valenceScale),
                    window.isEmpty() ? null : scale(EmotionFeatures.arousalRaw(window), arousalScale)));
        }
        return new Reading(scaled(valence[0], valenceScale), scale(EmotionFeatures.arousalRaw(notes), arousalScale),
                curve, modelId);
    }

    /** The labeller's raw valence of each excerpt in one batch; NaN where an excerpt has no pitched note. */
    private double[] valences(List<List<TimedNote>> excerpts) {
        double[] out = new double[excerpts.size()];
        List<Integer> rows = new ArrayList<>();
        List<float[]> features = new ArrayList<>();
        for (int i = 0; i < excerpts.size(); i++) {
            out[i] = Double.NaN;
            if (excerpts.get(i).stream().anyMatch(n -> !n.drum())) {
                rows.add(i);
                features.add(EmotionFeatures.features(excerpts.get(i)));
            }
        }
        if (rows.isEmpty()) {
            return out;
        }
        float[] raw = regress(features);
        for (int r = 0; r < rows.size(); r++) {
            out[rows.get(r)] = raw[r];
        }
        return out;
    }

    /** The regressor on feature rows: one inference for all of them. */
    float[] regress(List<float[]> rows) {
        FloatBuffer input = FloatBuffer.allocate(rows.size() * EmotionFeatures.COUNT);
        rows.forEach(input::put);
        input.flip();
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, input,
                new long[] { rows.size(), EmotionFeatures.COUNT });
                OrtSession.Result result = session.run(Map.of("features", tensor))) {
            float[][] v = (float[][]) result.get("valence").orElseThrow().getValue();
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i][0];
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("Valence regressor inference failed", e);
        }
    }

    /** {@code build_dataset.scale}: {@code clip(2 (x - lo) / (hi - lo) - 1, -1, 1)}. */
    static double scale(double x, double[] loHi) {
        double lo = loHi[0];
        double hi = loHi[1];
        return Math.min(Math.max(2 * (x - lo) / (hi - lo) - 1, -1.0), 1.0);
    }

    private static Double scaled(double raw, double[] loHi) {
        return Double.isNaN(raw) ? null : scale(raw, loHi);
    }

    /** The labeller's id, e.g. {@code valence_regressor@2}. */
    public String modelId() {
        return modelId;
    }

    /** The scale constants in use, {@code {lo, hi}} of valence then arousal (the card's {@code data}). */
    public double[][] scales() {
        return new double[][] { valenceScale.clone(), arousalScale.clone() };
    }

    @Override
    public String name() {
        return "music-emotion";
    }

    @Override
    public boolean ready() {
        return session != null && !closed.get();
    }

    @PreDestroy
    @Override
    public void close() {
        if (session != null && closed.compareAndSet(false, true)) {
            closeQuietly(session);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static JsonNode read(Path card) throws IOException {
        return new ObjectMapper().readTree(Files.readAllBytes(card));
    }

    private static String text(JsonNode json, String field) throws IOException {
        String value = json.path(field).asText("");
        if (value.isBlank()) {
            throw new IOException("the card lacks '" + field + "'");
        }
        return value;
    }

    private static double[] pair(JsonNode data, String field) throws IOException {
        JsonNode node = data.path(field);
        if (!node.isArray() || node.size() != 2 || !node.get(0).isNumber() || !node.get(1).isNumber()
                || !(node.get(1).asDouble() > node.get(0).asDouble())) {
            throw new IOException(SCALE_CARD_FILE + " has no 'data." + field + "' [lo, hi] with lo < hi");
        }
        return new double[] { node.get(0).asDouble(), node.get(1).asDouble() };
    }

    private OrtSession open(Path model) throws OrtException, IOException {
        if (!Files.isRegularFile(model)) {
            throw new IOException("No model file " + model.toAbsolutePath());
        }
        try (OrtSession.SessionOptions options = SessionSettings.options(1)) {
            return environment.createSession(model.toString(), options);
        }
    }

    /** One inference on the all-zero feature row: fails start-up checks early and pays first-run costs. */
    private void check(OrtSession opened) throws OrtException {
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.allocate(EmotionFeatures.COUNT),
                new long[] { 1, EmotionFeatures.COUNT });
                OrtSession.Result result = opened.run(Map.of("features", tensor))) {
            float v = ((float[][]) result.get("valence").orElseThrow().getValue())[0][0];
            if (!(Math.abs(v) <= 1)) {
                throw new IllegalStateException("Warm-up gave valence " + v);
            }
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("Closing the valence regressor session failed", e);
        }
    }
}
