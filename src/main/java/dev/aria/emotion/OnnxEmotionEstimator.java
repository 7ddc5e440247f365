package dev.aria.emotion;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Semaphore;
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
import dev.aria.image.ImageDecoder;
import dev.aria.onnx.SessionSettings;
import dev.aria.problem.ApiException;

/**
 * Emotion of an image from the ONNX model trained on human ratings ({@code models/image_emotion.onnx}, card
 * {@code models/image_emotion.json}, fitted by {@code training/train_image.py}, exported by
 * {@code training/export_image.py}). Being a plain bean of
 * {@link EmotionEstimator}, it replaces the {@code @DefaultBean} colour heuristic.
 *
 * <p>Input contract (the card's {@code preprocessing}): the upright RGB image is resized straight to
 * {@value #SIZE} × {@value #SIZE} with {@link ImageDecoder#resize} (Pillow {@code BILINEAR}, byte for byte, no
 * crop), then fed as float32 RGB in [0, 1], NCHW. Normalisation, the mirror view, the art statistics, the photo and
 * painting ridges and the gate that mixes them are in the graph; outputs {@code valence} and {@code arousal} are
 * [N, 1] in [−1, 1].
 *
 * <p>Life cycle: one {@link OrtSession} is opened at start-up (on a thread of its own, see
 * {@link dev.aria.startup.ModelLoading}), checked with a warm-up inference, shared by all requests (ONNX Runtime
 * sessions are thread-safe) and closed at shutdown. If the file is missing or unreadable the service still starts,
 * {@link #ready()} is false (so {@code /q/health/ready} is DOWN) and {@link #estimate} answers 503
 * {@code model-unavailable}.
 */
@ApplicationScoped
public class OnnxEmotionEstimator implements EmotionEstimator, ModelStatus, AutoCloseable {

    /** Model file inside {@code aria.models.dir}. */
    public static final String MODEL_FILE = "image_emotion.onnx";
    /** Model card inside {@code aria.models.dir}: {@code name} and {@code version} make the model id. */
    public static final String CARD_FILE = "image_emotion.json";
    /** Side of the square picture the model reads. */
    public static final int SIZE = 224;

    private static final Logger LOG = Logger.getLogger(OnnxEmotionEstimator.class);
    private static final String INPUT = "image";
    private static final long[] SHAPE = { 1, 3, SIZE, SIZE };

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final String modelId;
    private final String problem;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * Inferences at once: one per core. Each runs on one thread, so more would not finish sooner, and each holds its
     * own activations in ONNX Runtime's arena, which keeps its peak: measured with the shipped model, 240 runs on 4
     * threads left the process 79 MB larger, on 2 threads 47 MB, on 1 thread 27 MB.
     */
    private final Semaphore inferences = new Semaphore(Runtime.getRuntime().availableProcessors(), true);

    @Inject
    OnnxEmotionEstimator(AriaConfig config) {
        this(config.models().dir());
    }

    /**
     * Opens the model in {@code modelsDir}; never throws: a model that cannot be loaded leaves the estimator
     * not {@link #ready()}.
     */
    public OnnxEmotionEstimator(Path modelsDir) {
        this.environment = SessionSettings.environment();
        Path model = modelsDir.resolve(MODEL_FILE);
        Path card = modelsDir.resolve(CARD_FILE);
        OrtSession opened = null;
        String id = "image-emotion (not loaded)";
        String failure = null;
        try {
            id = modelId(card);
            opened = open(model);
            warmUp(opened);
            LOG.infof("Emotion model %s loaded from %s", id, model.toAbsolutePath());
        } catch (IOException | OrtException | RuntimeException e) {
            failure = e.toString();
            LOG.errorf(e, "Emotion model %s could not be loaded; /emotion answers 503 until it is", model);
            if (opened != null) {
                closeQuietly(opened);
                opened = null;
            }
        }
        this.session = opened;
        this.modelId = id;
        this.problem = failure;
    }

    @Override
    public Emotion estimate(BufferedImage rgb) {
        if (session == null) {
            throw new ApiException(503, "model-unavailable", null, "The emotion model is not loaded; the service "
                    + "logged why when it started. Retry later; /q/health/ready reports when it is ready.")
                    .withHeader("Retry-After", "30");
        }
        float[] input = inputTensor(picture(rgb));
        inferences.acquireUninterruptibly(); // a few tens of milliseconds a turn
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(input), SHAPE);
                OrtSession.Result result = session.run(Map.of(INPUT, tensor))) {
            float valence = ((float[][]) result.get("valence").orElseThrow().getValue())[0][0];
            float arousal = ((float[][]) result.get("arousal").orElseThrow().getValue())[0][0];
            return Emotion.clamped(valence, arousal);
        } catch (OrtException e) {
            throw new IllegalStateException("Emotion model inference failed", e);
        } finally {
            inferences.release();
        }
    }

    /** {@code name@version} from the model card, e.g. {@code image-emotion-photo-painting@2}. */
    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public String name() {
        return "emotion";
    }

    @Override
    public boolean ready() {
        return session != null && !closed.get();
    }

    /** The picture the model reads: {@code rgb} resized straight to {@value #SIZE} × {@value #SIZE}. */
    public static BufferedImage picture(BufferedImage rgb) {
        return ImageDecoder.resize(rgb, SIZE, SIZE);
    }

    /** NCHW float32 RGB in [0, 1] of a {@value #SIZE} × {@value #SIZE} picture (byte / 255, as in training). */
    public static float[] inputTensor(BufferedImage picture) {
        int plane = SIZE * SIZE;
        int[] pixels = picture.getRGB(0, 0, SIZE, SIZE, null, 0, SIZE);
        float[] input = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            int p = pixels[i];
            input[i] = (p >> 16 & 0xFF) / 255f;
            input[plane + i] = (p >> 8 & 0xFF) / 255f;
            input[2 * plane + i] = (p & 0xFF) / 255f;
        }
        return input;
    }

    @PreDestroy
    @Override
    public void close() {
        if (session != null && closed.compareAndSet(false, true)) {
            closeQuietly(session);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static String modelId(Path card) throws IOException {
        JsonNode json = new ObjectMapper().readTree(Files.readAllBytes(card));
        String name = json.path("name").asText("");
        int version = json.path("version").asInt(0);
        if (name.isBlank() || version <= 0) {
            throw new IOException("Model card " + card + " lacks 'name' or 'version'");
        }
        return name + "@" + version;
    }

    private OrtSession open(Path model) throws OrtException, IOException {
        if (!Files.isRegularFile(model)) {
            throw new IOException("No model file " + model.toAbsolutePath());
        }
        try (OrtSession.SessionOptions options = SessionSettings.options(1)) {
            return environment.createSession(model.toString(), options);
        }
    }

    /** One inference on a grey picture: fails start-up checks early and pays ONNX Runtime's first-run costs. */
    private void warmUp(OrtSession opened) throws OrtException {
        float[] grey = new float[3 * SIZE * SIZE];
        Arrays.fill(grey, 0.5f);
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(grey), SHAPE);
                OrtSession.Result result = opened.run(Map.of(INPUT, tensor))) {
            float valence = ((float[][]) result.get("valence").orElseThrow().getValue())[0][0];
            float arousal = ((float[][]) result.get("arousal").orElseThrow().getValue())[0][0];
            if (!(Math.abs(valence) <= 1 && Math.abs(arousal) <= 1)) {
                throw new IllegalStateException("Warm-up gave (" + valence + ", " + arousal + ")");
            }
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("Closing the emotion model session failed", e);
        }
    }
}
