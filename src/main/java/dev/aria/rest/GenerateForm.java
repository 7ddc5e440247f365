package dev.aria.rest;

import static dev.aria.music.GenerationSettings.DEFAULT_CANDIDATES;
import static dev.aria.music.GenerationSettings.DEFAULT_CONDITIONING;
import static dev.aria.music.GenerationSettings.DEFAULT_GEN_LEN;
import static dev.aria.music.GenerationSettings.DEFAULT_MIN_INSTRUMENTS;
import static dev.aria.music.GenerationSettings.DEFAULT_NOTE_TEMPERATURE;
import static dev.aria.music.GenerationSettings.DEFAULT_REST_TEMPERATURE;
import static dev.aria.music.GenerationSettings.DEFAULT_TOP_P;

import java.util.List;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.PartType;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import dev.aria.music.GenerationSettings;

/**
 * The multipart form of {@code POST /generate}. The constraints here are both the checks (Bean Validation) and the
 * ranges in the OpenAPI schema, so the two cannot drift apart; the web page builds its settings panel from that
 * schema (titles, descriptions, defaults, ranges and {@code x-enum-descriptions}). Each {@code @Schema(name)} repeats
 * the {@code @RestForm} name, which the OpenAPI scanner does not read on its own. The defaults are
 * {@link GenerationSettings}'s, those of the reference ARIA demo and midi-emotion's generator.
 */
@Schema(name = "GenerateForm", description = "Either an image, or valence and arousal; optionally where the emotion "
        + "ends (an arc: valence_end and arousal_end, or a second image, image_end), a MIDI file to continue (primer); "
        + "plus optional settings.")
public class GenerateForm {

    /** The file parts besides {@code image}. */
    static final String IMAGE_END = "image_end";
    static final String PRIMER = "primer";

    static final String CONDITIONINGS = "continuous_concat|continuous_token|discrete_token";
    /** Largest seed: 2^53 - 1, so that JavaScript clients keep every seed exact. */
    static final long MAX_SEED = 9_007_199_254_740_991L;

    @RestForm("image")
    @Schema(type = SchemaType.STRING, format = "binary", title = "Image",
            description = "An image whose emotion the music should carry. Leave out when giving valence and arousal.")
    public FileUpload image;

    @RestForm(FileUpload.ALL)
    @Schema(hidden = true)
    public List<FileUpload> allFiles;

    @RestForm(IMAGE_END)
    @Schema(name = IMAGE_END, type = SchemaType.STRING, format = "binary", title = "End image",
            description = "A second image: the emotion moves from the start emotion (image, or valence and arousal) to "
            + "this image's over the piece. Instead of valence_end and arousal_end.")
    public FileUpload imageEnd;

    @RestForm(PRIMER)
    @Schema(type = SchemaType.STRING, format = "binary", title = "Primer (MIDI to continue)",
            description = "A Standard MIDI File to continue under the requested emotion (type 0 or 1, General MIDI "
            + "programs mapped to the five instruments as the training data's were; at most 1 MiB, 512 tracks, "
            + "100,000 notes, 30 minutes). The answer holds the primer (as the vocabulary represents it: 8 ms grid, "
            + "five instruments) followed by the continuation, in the primer's key; the decoder sees the primer's last "
            + "half window (moved to C, the key it was trained in, and its music moved back). Where "
            + "the continuation begins: the ARIA-Continuation-Start-Ms header, a marker event 'continuation' in the "
            + "file, continuation_start_ms in the result event.")
    public FileUpload primer;

    @RestForm("valence")
    @PartType("text/plain")
    @DecimalMin("-1") @DecimalMax("1")
    @Schema(title = "Valence",
            description = "Explicit valence, unpleasant (-1) to pleasant (+1); with arousal, instead of an image.",
            minimum = "-1", maximum = "1", examples = "0.8")
    public Double valence;

    @RestForm("arousal")
    @PartType("text/plain")
    @DecimalMin("-1") @DecimalMax("1")
    @Schema(title = "Arousal",
            description = "Explicit arousal, calm (-1) to excited (+1); with valence, instead of an image.",
            minimum = "-1", maximum = "1", examples = "0.6")
    public Double arousal;

    @RestForm("valence_end")
    @PartType("text/plain")
    @DecimalMin("-1") @DecimalMax("1")
    @Schema(name = "valence_end", title = "Valence at the end",
            description = "Valence the piece ends with: the condition moves linearly from the start valence over the "
            + "piece (an emotion arc). Send with arousal_end, or neither; not with image_end. With continuous_concat "
            + "it moves at every token; with the token conditionings at every window slide (the first after about "
            + "254 tokens, then every 127), so a piece shorter than one window keeps its start emotion.",
            minimum = "-1", maximum = "1", examples = "0.8")
    public Double valenceEnd;

    @RestForm("arousal_end")
    @PartType("text/plain")
    @DecimalMin("-1") @DecimalMax("1")
    @Schema(name = "arousal_end", title = "Arousal at the end",
            description = "Arousal the piece ends with (see valence_end). Send with valence_end, or neither.",
            minimum = "-1", maximum = "1", examples = "0.8")
    public Double arousalEnd;

    @RestForm("conditioning")
    @PartType("text/plain")
    @Pattern(regexp = CONDITIONINGS, message = "must be one of continuous_concat, continuous_token, discrete_token")
    @Schema(title = "Conditioning", description = "How the emotion conditions the decoder: continuous_concat (a "
            + "vector joined to every token embedding; the paper's best), continuous_token (two vectors before the "
            + "music), discrete_token (five bins each, as two control tokens).", enumeration = {"continuous_concat",
                    "continuous_token", "discrete_token"}, defaultValue = DEFAULT_CONDITIONING,
            extensions = @Extension(name = "x-enum-descriptions", parseValue = true, value = """
                    ["Valence and arousal as a vector joined to every token's embedding: the paper's best.",
                     "Valence and arousal as two learned vectors placed before the music.",
                     "Valence and arousal each quantised to five levels, given as two control tokens."]"""))
    public String conditioning;

    @RestForm("gen_len")
    @PartType("text/plain")
    @Min(1) @Max(16384)
    @Schema(name = "gen_len", title = "Generation length",
            description = "Tokens to generate, at most (about 50-100 tokens a second of music; 16,384 is about three "
            + "minutes). Longer than the model's context works: the window slides.", minimum = "1", maximum = "16384",
            defaultValue = "" + DEFAULT_GEN_LEN)
    public Integer genLen;

    @RestForm("duration")
    @PartType("text/plain")
    @DecimalMin(value = "0", inclusive = false) @DecimalMax("600")
    @Schema(title = "Duration (seconds)", description = "Length of the music in seconds: generation stops once it is "
            + "this long (or after gen_len tokens, whichever comes first; with a duration, leave gen_len out to allow "
            + "the most this deployment does). Progress events report seconds too.", minimum = "0",
            exclusiveMinimum = true, maximum = "600", examples = "30")
    public Double duration;

    @RestForm("note_temperature")
    @PartType("text/plain")
    @DecimalMin(value = "0", inclusive = false) @DecimalMax("4")
    @Schema(name = "note_temperature", title = "Note temperature",
            description = "Sampling temperature of the token that follows a time shift (which note starts next).",
            minimum = "0", exclusiveMinimum = true, maximum = "4", defaultValue = "" + DEFAULT_NOTE_TEMPERATURE)
    public Double noteTemperature;

    @RestForm("rest_temperature")
    @PartType("text/plain")
    @DecimalMin(value = "0", inclusive = false) @DecimalMax("4")
    @Schema(name = "rest_temperature", title = "Rest temperature",
            description = "Sampling temperature of every other token.", minimum = "0", exclusiveMinimum = true,
            maximum = "4", defaultValue = "" + DEFAULT_REST_TEMPERATURE)
    public Double restTemperature;

    @RestForm("top_p")
    @PartType("text/plain")
    @DecimalMin(value = "0", inclusive = false) @DecimalMax("1")
    @Schema(name = "top_p", title = "Top-p",
            description = "Nucleus sampling: sample among the most probable tokens whose probabilities add up to "
            + "top_p.", minimum = "0", exclusiveMinimum = true, maximum = "1",
            defaultValue = "" + DEFAULT_TOP_P)
    public Double topP;

    @RestForm("min_instruments")
    @PartType("text/plain")
    @Min(1) @Max(5)
    @Schema(name = "min_instruments", title = "Minimum instruments",
            description = "Regenerate (a bounded number of times) while fewer instruments than this play.",
            minimum = "1", maximum = "5", defaultValue = "" + DEFAULT_MIN_INSTRUMENTS)
    public Integer minInstruments;

    @RestForm("candidates")
    @PartType("text/plain")
    @Min(1) @Max(GenerationSettings.MAX_CANDIDATES)
    @Schema(title = "Candidates", description = "Pieces composed side by side, each from its own random streams "
            + "(the same seed gives the same pieces); each is measured with the music-emotion reader of POST /analyze "
            + "and the one nearest the requested emotion, among those with at least min_instruments instruments, is "
            + "returned. More candidates come closer to the request and cost more time (see the README's figures).",
            minimum = "1", maximum = "" + GenerationSettings.MAX_CANDIDATES, defaultValue = "" + DEFAULT_CANDIDATES)
    public Integer candidates;

    @RestForm("guidance")
    @PartType("text/plain")
    @DecimalMin("0") @DecimalMax("5")
    @Schema(title = "Guidance", description = "Classifier-free guidance weight: how far the music is pushed towards "
            + "the emotion, beyond what the decoder alone gives it. 1 = off (one stream per attempt); above 1, each "
            + "attempt also decodes a contrasting stream (see guidance_contrast) in the same batched call, and the "
            + "next token is drawn from contrast + guidance x (conditional - contrast). Left out: the weight chosen on "
            + "the evaluation of the conditioning's decoder (its card's serving.guidance; the document's default is "
            + "that of the default conditioning).", minimum = "0", maximum = "5")
    public Double guidance;

    @RestForm("guidance_contrast")
    @PartType("text/plain")
    @Pattern(regexp = "null|valence", message = "must be one of null, valence")
    @Schema(name = "guidance_contrast", title = "Guidance contrast", description = "What guidance pushes away from: "
            + "null (the decoder's learned 'no emotion', classic classifier-free guidance: valence and arousal both "
            + "grow stronger) or valence (the same arousal with the opposite valence: valence alone grows stronger). "
            + "Left out: the contrast chosen with the decoder's guidance.",
            enumeration = {"null", "valence"},
            extensions = @Extension(name = "x-enum-descriptions", parseValue = true, value = """
                    ["Away from the learned null condition: the whole emotion is pushed.",
                     "Away from the opposite valence at the same arousal: valence alone is pushed."]"""))
    public String guidanceContrast;

    @RestForm("seed")
    @PartType("text/plain")
    @Min(0) @Max(MAX_SEED)
    @Schema(title = "Seed",
            description = "Seed of the sampler: the same seed and inputs give a byte-identical MIDI file. Random "
            + "when left out; the seed used is returned in the ARIA-Seed header.", minimum = "0",
            maximum = "9007199254740991")
    public Long seed;
}
