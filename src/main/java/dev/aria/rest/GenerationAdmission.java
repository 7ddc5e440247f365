package dev.aria.rest;

import static dev.aria.music.GenerationSettings.DEFAULT_CONDITIONING;
import static dev.aria.music.GenerationSettings.DEFAULT_GEN_LEN;
import static dev.aria.music.GenerationSettings.DEFAULT_MIN_INSTRUMENTS;
import static dev.aria.music.GenerationSettings.DEFAULT_NOTE_TEMPERATURE;
import static dev.aria.music.GenerationSettings.DEFAULT_REST_TEMPERATURE;
import static dev.aria.music.GenerationSettings.DEFAULT_TOP_P;

import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import dev.aria.config.AriaConfig;
import dev.aria.emotion.Emotion;
import dev.aria.emotion.EmotionEstimator;
import dev.aria.image.ImageDecoder;
import dev.aria.music.Conditioning;
import dev.aria.music.GenerationSettings;
import dev.aria.music.MusicService;
import dev.aria.problem.ApiException;

/**
 * What {@code POST /generate} and {@code POST /generate/events} admit, so that both accept and refuse exactly the same
 * requests: a {@link GenerateForm} that passed Bean Validation becomes a {@link GenerationRequest} (the emotion source,
 * image or explicit values, exactly one; the image's emotion estimated; the defaults filled in; the deployment's limits
 * applied), and it gets a generation slot while one is free.
 */
@ApplicationScoped
class GenerationAdmission {

    private final MusicService music;
    private final ImageDecoder images;
    private final EmotionEstimator estimator;
    private final AriaConfig config;

    GenerationAdmission(MusicService music, ImageDecoder images, EmotionEstimator estimator, AriaConfig config) {
        this.music = music;
        this.images = images;
        this.estimator = estimator;
        this.config = config;
    }

    /** The request the form asks for, or the problem with it. Runs on a worker thread: an image takes CPU time. */
    GenerationRequest request(GenerateForm form) {
        boolean hasImage = form.image != null || (form.allFiles != null && !form.allFiles.isEmpty());
        boolean hasEmotion = form.valence != null || form.arousal != null;
        if (hasImage && hasEmotion) {
            throw new ApiException(400, "ambiguous-emotion", form.valence != null ? "valence" : "arousal",
                    "Send either an image or valence and arousal, not both. Remove the 'image' part, or the "
                            + "'valence' and 'arousal' fields.");
        }
        if (!hasImage && !hasEmotion) {
            throw new ApiException(400, "missing-emotion", "image", "Send an image as the file part 'image', or the "
                    + "fields 'valence' and 'arousal' (each in [-1, 1]), e.g. curl -F valence=0.8 -F arousal=0.6.");
        }
        if (!hasImage && (form.valence == null || form.arousal == null)) {
            String missing = form.valence == null ? "valence" : "arousal";
            throw new ApiException(400, "missing-field", missing, "Send both 'valence' and 'arousal' (each in "
                    + "[-1, 1]); '" + missing + "' is missing.");
        }
        Emotion emotion = hasImage
                ? images.decode(Uploads.image(form.image, form.allFiles), ImageDecoder.FIELD, estimator::estimate)
                : new Emotion(form.valence, form.arousal);
        GenerationSettings settings = settings(form, emotion);
        String modelId = music.card(settings.conditioning()).orElseThrow(() -> new ApiException(400,
                "conditioning-unavailable", "conditioning", "No decoder for conditioning '"
                        + settings.conditioning().wireName() + "' is installed here. Use one of "
                        + music.available().stream().map(Conditioning::wireName).toList() + ".")).id();
        return new GenerationRequest(settings, hasImage ? "image" : "request", hasImage ? estimator.modelId() : null,
                modelId);
    }

    /** A generation slot; when every one is busy, a 503 with Retry-After rather than a growing queue. */
    MusicService.Slot slot() {
        return music.reserve().orElseThrow(() -> new ApiException(503, "overloaded", null, "All "
                + config.generation().maxConcurrent() + " generation slots are busy. Retry after a few seconds.")
                .withHeader("Retry-After", String.valueOf(config.generation().retryAfter().toSeconds())));
    }

    /**
     * The form's settings, its defaults filled in. Its numbers are finite: {@code FormPartChecks} refuses NaN and
     * infinities as text, and Bean Validation bounds every decimal field on both sides.
     */
    private GenerationSettings settings(GenerateForm f, Emotion emotion) {
        Conditioning conditioning = Conditioning.fromWire(f.conditioning == null ? DEFAULT_CONDITIONING
                : f.conditioning).orElseThrow(); // the @Pattern constraint already refused other names
        int genLen = f.genLen == null ? DEFAULT_GEN_LEN : f.genLen;
        if (genLen > config.generation().maxGenLen()) {
            throw new ApiException(400, "out-of-range", "gen_len", "gen_len must be at most "
                    + config.generation().maxGenLen() + " on this deployment; send a smaller value.");
        }
        long seed = f.seed != null ? f.seed : ThreadLocalRandom.current().nextLong(GenerateForm.MAX_SEED + 1);
        return new GenerationSettings(emotion.valence(), emotion.arousal(), conditioning, genLen,
                f.noteTemperature == null ? DEFAULT_NOTE_TEMPERATURE : f.noteTemperature,
                f.restTemperature == null ? DEFAULT_REST_TEMPERATURE : f.restTemperature,
                f.topP == null ? DEFAULT_TOP_P : f.topP,
                f.minInstruments == null ? DEFAULT_MIN_INSTRUMENTS : f.minInstruments, seed);
    }
}
