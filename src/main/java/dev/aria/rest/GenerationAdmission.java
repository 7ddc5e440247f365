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
import dev.aria.music.DecoderCard;
import dev.aria.music.GenerationSettings;
import dev.aria.music.Guidance;
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
        Conditioning conditioning = Conditioning.fromWire(form.conditioning == null ? DEFAULT_CONDITIONING
                : form.conditioning).orElseThrow(); // the @Pattern constraint already refused other names
        DecoderCard card = music.card(conditioning).orElseThrow(() -> new ApiException(400,
                "conditioning-unavailable", "conditioning", "No decoder for conditioning '"
                        + conditioning.wireName() + "' is installed here. Use one of "
                        + music.available().stream().map(Conditioning::wireName).toList() + "."));
        GenerationSettings settings = settings(form, emotion, card);
        if (settings.guided() && settings.contrast() == Guidance.Contrast.NULL && !card.nullCondition()) {
            throw new ApiException(400, "guidance-unavailable", "guidance", "The " + card.id() + " decoder has no "
                    + "null condition to guide against; send guidance=1, or guidance_contrast=valence.");
        }
        String modelId = card.id();
        return new GenerationRequest(settings, hasImage ? "image" : "request", hasImage ? estimator.modelId() : null,
                modelId);
    }

    /**
     * The decoding streams of the request; when none came free in time, a 503 with Retry-After rather than a
     * growing queue.
     */
    MusicService.Slot slot(GenerationRequest request) {
        return music.reserve(request.settings()).orElseThrow(() -> new ApiException(503, "overloaded", null,
                "Every decoding stream of " + request.settings().conditioning().wireName() + " stayed busy for "
                        + config.generation().queueWait().toSeconds() + " s. Retry after a few seconds.")
                .withHeader("Retry-After", String.valueOf(config.generation().retryAfter().toSeconds())));
    }

    /**
     * The form's settings, its defaults filled in. Its numbers are finite: {@code FormPartChecks} refuses NaN and
     * infinities as text, and Bean Validation bounds every decimal field on both sides.
     */
    private GenerationSettings settings(GenerateForm f, Emotion emotion, DecoderCard card) {
        int genLen = f.genLen != null ? f.genLen : f.duration != null ? config.generation().maxGenLen() : DEFAULT_GEN_LEN;
        if (genLen > config.generation().maxGenLen()) {
            throw new ApiException(400, "out-of-range", "gen_len", "gen_len must be at most "
                    + config.generation().maxGenLen() + " on this deployment; send a smaller value.");
        }
        long seed = f.seed != null ? f.seed : ThreadLocalRandom.current().nextLong(GenerateForm.MAX_SEED + 1);
        // the decoder's own guidance unless the request names one (a contrast alone keeps the decoder's weight)
        Guidance.Contrast contrast = f.guidanceContrast == null ? card.guidanceContrast()
                : Guidance.Contrast.fromWire(f.guidanceContrast).orElseThrow(); // @Pattern refused other names
        return new GenerationSettings(emotion.valence(), emotion.arousal(), card.conditioning(), genLen,
                f.noteTemperature == null ? DEFAULT_NOTE_TEMPERATURE : f.noteTemperature,
                f.restTemperature == null ? DEFAULT_REST_TEMPERATURE : f.restTemperature,
                f.topP == null ? DEFAULT_TOP_P : f.topP,
                f.minInstruments == null ? DEFAULT_MIN_INSTRUMENTS : f.minInstruments, seed,
                f.guidance == null ? card.guidance() : f.guidance, contrast,
                f.duration == null ? 0 : (int) Math.round(f.duration * 1000), Double.NaN, Double.NaN);
    }
}
