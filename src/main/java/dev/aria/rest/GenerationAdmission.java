package dev.aria.rest;

import static dev.aria.music.GenerationSettings.DEFAULT_CANDIDATES;
import static dev.aria.music.GenerationSettings.DEFAULT_CONDITIONING;
import static dev.aria.music.GenerationSettings.DEFAULT_GEN_LEN;
import static dev.aria.music.GenerationSettings.DEFAULT_MIN_INSTRUMENTS;
import static dev.aria.music.GenerationSettings.DEFAULT_NOTE_TEMPERATURE;
import static dev.aria.music.GenerationSettings.DEFAULT_REST_TEMPERATURE;
import static dev.aria.music.GenerationSettings.DEFAULT_TOP_P;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import dev.aria.analysis.MidiAnalysis;
import dev.aria.config.AriaConfig;
import dev.aria.emotion.Emotion;
import dev.aria.emotion.EmotionEstimator;
import dev.aria.image.ImageDecoder;
import dev.aria.music.Conditioning;
import dev.aria.music.DecoderCard;
import dev.aria.music.GenerationSettings;
import dev.aria.music.Guidance;
import dev.aria.music.MusicService;
import dev.aria.music.Primer;
import dev.aria.problem.ApiException;

/**
 * What {@code POST /generate} and {@code POST /generate/events} admit, so that both accept and refuse exactly the same
 * requests: a {@link GenerateForm} that passed Bean Validation becomes a {@link GenerationRequest} (the emotion source,
 * image or explicit values, exactly one; where an arc ends, a second image or explicit values, at most one; the images'
 * emotions estimated; a primer read as {@code POST /analyze} reads MIDI and tokenised; the defaults filled in; the
 * deployment's limits applied), and it gets a generation slot while one is free.
 */
@ApplicationScoped
class GenerationAdmission {

    private final MusicService music;
    private final ImageDecoder images;
    private final EmotionEstimator estimator;
    private final AriaConfig config;
    private final MidiAnalysis midi;

    GenerationAdmission(MusicService music, ImageDecoder images, EmotionEstimator estimator, AriaConfig config,
            MidiAnalysis midi) {
        this.music = music;
        this.images = images;
        this.estimator = estimator;
        this.config = config;
        this.midi = midi;
    }

    /** The request the form asks for, or the problem with it. Runs on a worker thread: an image takes CPU time. */
    GenerationRequest request(GenerateForm form) {
        // every file part but the end image and the primer: the image, or an image sent under another name
        List<org.jboss.resteasy.reactive.multipart.FileUpload> imageParts = form.allFiles == null ? List.of()
                : form.allFiles.stream().filter(f -> !GenerateForm.IMAGE_END.equals(f.name())
                        && !GenerateForm.PRIMER.equals(f.name())).toList();
        boolean hasImage = form.image != null || !imageParts.isEmpty();
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
        boolean endImage = form.imageEnd != null;
        if (endImage && (form.valenceEnd != null || form.arousalEnd != null)) {
            throw new ApiException(400, "ambiguous-emotion", form.valenceEnd != null ? "valence_end" : "arousal_end",
                    "Send either an end image or valence_end and arousal_end, not both. Remove the 'image_end' part, or "
                            + "the 'valence_end' and 'arousal_end' fields.");
        }
        if ((form.valenceEnd == null) != (form.arousalEnd == null)) {
            String missing = form.valenceEnd == null ? "valence_end" : "arousal_end";
            throw new ApiException(400, "missing-field", missing, "An emotion arc needs both 'valence_end' and "
                    + "'arousal_end' (each in [-1, 1]); '" + missing + "' is missing. Send both, or neither for a "
                    + "constant emotion.");
        }
        Primer primer = form.primer == null ? null : primer(form.primer);
        Emotion emotion = hasImage
                ? images.decode(Uploads.image(form.image, imageParts), ImageDecoder.FIELD, estimator::estimate)
                : new Emotion(form.valence, form.arousal);
        Emotion end = endImage
                ? images.decode(Uploads.require(form.imageEnd, List.of(), GenerateForm.IMAGE_END, "the end image",
                        "end.jpg"), GenerateForm.IMAGE_END, estimator::estimate)
                : form.valenceEnd != null ? new Emotion(form.valenceEnd, form.arousalEnd) : null;
        Conditioning conditioning = Conditioning.fromWire(form.conditioning == null ? DEFAULT_CONDITIONING
                : form.conditioning).orElseThrow(); // the @Pattern constraint already refused other names
        DecoderCard card = music.card(conditioning).orElseThrow(() -> new ApiException(400,
                "conditioning-unavailable", "conditioning", "No decoder for conditioning '"
                        + conditioning.wireName() + "' is installed here. Use one of "
                        + music.available().stream().map(Conditioning::wireName).toList() + "."));
        GenerationSettings settings = settings(form, emotion, card);
        if (end != null) {
            settings = settings.withEnd(end.valence(), end.arousal());
        }
        if (primer != null) {
            settings = settings.withPrimer(primer);
        }
        if (settings.guided() && settings.contrast() == Guidance.Contrast.NULL && !card.nullCondition()) {
            throw new ApiException(400, "guidance-unavailable", "guidance", "The " + card.id() + " decoder has no "
                    + "null condition to guide against; send guidance=1, or guidance_contrast=valence.");
        }
        String modelId = card.id();
        return new GenerationRequest(settings, hasImage ? "image" : "request",
                hasImage || endImage ? estimator.modelId() : null, end == null ? null : endImage ? "image" : "request",
                modelId);
    }

    /**
     * The primer part as music to continue: read with the limits and problem answers of {@code POST /analyze}, each
     * naming {@code primer}; a file without notes (or only drum notes outside the vocabulary) is refused too.
     */
    private Primer primer(org.jboss.resteasy.reactive.multipart.FileUpload upload) {
        java.nio.file.Path file = Uploads.require(upload, List.of(), GenerateForm.PRIMER, "the MIDI file to continue",
                "primer.mid");
        try {
            return music.primer(midi.notes(file, GenerateForm.PRIMER)).orElseThrow(() -> new ApiException(400,
                    "no-notes", GenerateForm.PRIMER, "The MIDI file in 'primer' has no notes to continue (no note-on "
                            + "that a note-off ends, or only drum notes outside the pitches 21-108 the decoder "
                            + "knows). Send a file with music in it, or leave 'primer' out."));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded primer", e);
        }
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
                f.duration == null ? 0 : (int) Math.round(f.duration * 1000), Double.NaN, Double.NaN,
                f.candidates == null ? DEFAULT_CANDIDATES : f.candidates, null);
    }
}
