package dev.aria.rest;

import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import dev.aria.config.AriaConfig;
import dev.aria.emotion.Emotion;
import dev.aria.emotion.EmotionEstimator;
import dev.aria.image.ImageDecoder;
import dev.aria.image.ImageUploads;
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
        Emotion emotion;
        if (hasImage) {
            emotion = images.decode(ImageUploads.require(form.image, form.allFiles, ImageDecoder.FIELD), ImageDecoder.FIELD,
                    estimator::estimate);
        } else {
            emotion = new Emotion(finite("valence", form.valence, true), finite("arousal", form.arousal, true));
        }
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

    private GenerationSettings settings(GenerateForm f, Emotion emotion) {
        Conditioning conditioning = Conditioning.fromWire(f.conditioning == null ? "continuous_concat" : f.conditioning)
                .orElseThrow(); // the @Pattern constraint already refused other names
        int genLen = f.genLen == null ? 1024 : f.genLen;
        if (genLen > config.generation().maxGenLen()) {
            throw new ApiException(400, "out-of-range", "gen_len", "gen_len must be at most "
                    + config.generation().maxGenLen() + " on this deployment; send a smaller value.");
        }
        long seed = f.seed != null ? f.seed : ThreadLocalRandom.current().nextLong(GenerateForm.MAX_SEED + 1);
        return new GenerationSettings(emotion.valence(), emotion.arousal(), conditioning, genLen,
                finite("note_temperature", f.noteTemperature == null ? 1.2 : f.noteTemperature, false),
                finite("rest_temperature", f.restTemperature == null ? 1.2 : f.restTemperature, false),
                finite("top_p", f.topP == null ? 0.7 : f.topP, false),
                f.minInstruments == null ? 2 : f.minInstruments, seed);
    }

    /** NaN and infinities pass the decimal range checks of Bean Validation; refuse them here, naming the field. */
    private static double finite(String field, Double value, boolean required) {
        if (value == null && required) {
            throw new ApiException(400, "missing-field", field, "Send both 'valence' and 'arousal' (each in [-1, 1]); '"
                    + field + "' is missing.");
        }
        if (!Double.isFinite(value)) {
            throw new ApiException(400, "not-a-number", field, "'" + field + "' must be a finite number, not " + value + ".");
        }
        return value;
    }
}
