package dev.aria.rest;

import java.util.List;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.PartType;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * The multipart form of {@code POST /generate}. The constraints here are both the checks (Bean Validation) and the
 * ranges in the OpenAPI schema, so the two cannot drift apart. Defaults are those of the reference ARIA demo and
 * midi-emotion's generator.
 */
@Schema(name = "GenerateForm", description = "Either an image, or valence and arousal; plus optional settings.")
public class GenerateForm {

    static final String CONDITIONINGS = "continuous_concat|continuous_token|discrete_token";
    /** Largest seed: 2^53 - 1, so that JavaScript clients keep every seed exact. */
    static final long MAX_SEED = 9_007_199_254_740_991L;

    @RestForm("image")
    @Schema(type = SchemaType.STRING, format = "binary",
            description = "An image whose emotion the music should carry. Leave out when giving valence and arousal.")
    public FileUpload image;

    @RestForm(FileUpload.ALL)
    @Schema(hidden = true)
    public List<FileUpload> allFiles;

    @RestForm("valence")
    @PartType("text/plain")
    @DecimalMin("-1") @DecimalMax("1")
    @Schema(description = "Explicit valence, unpleasant (-1) to pleasant (+1); with arousal, instead of an image.",
            minimum = "-1", maximum = "1", examples = "0.8")
    public Double valence;

    @RestForm("arousal")
    @PartType("text/plain")
    @DecimalMin("-1") @DecimalMax("1")
    @Schema(description = "Explicit arousal, calm (-1) to excited (+1); with valence, instead of an image.",
            minimum = "-1", maximum = "1", examples = "0.6")
    public Double arousal;

    @RestForm("conditioning")
    @PartType("text/plain")
    @Pattern(regexp = CONDITIONINGS, message = "must be one of continuous_concat, continuous_token, discrete_token")
    @Schema(description = "How the emotion conditions the decoder: continuous_concat (a vector joined to every token "
            + "embedding; the paper's best), continuous_token (two vectors before the music), discrete_token (five "
            + "bins each, as two control tokens).", enumeration = {"continuous_concat", "continuous_token",
                    "discrete_token"}, defaultValue = "continuous_concat")
    public String conditioning;

    @RestForm("gen_len")
    @PartType("text/plain")
    @Min(1) @Max(4096)
    @Schema(name = "gen_len", description = "Tokens to generate (about 30-60 tokens a second of music). Longer than the model's "
            + "context works: the window slides.", minimum = "1", maximum = "4096", defaultValue = "1024")
    public Integer genLen;

    @RestForm("note_temperature")
    @PartType("text/plain")
    @DecimalMin(value = "0", inclusive = false) @DecimalMax("4")
    @Schema(name = "note_temperature", description = "Sampling temperature of the token that follows a time shift (which note starts next).",
            minimum = "0", exclusiveMinimum = true, maximum = "4", defaultValue = "1.2")
    public Double noteTemperature;

    @RestForm("rest_temperature")
    @PartType("text/plain")
    @DecimalMin(value = "0", inclusive = false) @DecimalMax("4")
    @Schema(name = "rest_temperature", description = "Sampling temperature of every other token.", minimum = "0", exclusiveMinimum = true,
            maximum = "4", defaultValue = "1.2")
    public Double restTemperature;

    @RestForm("top_p")
    @PartType("text/plain")
    @DecimalMin(value = "0", inclusive = false) @DecimalMax("1")
    @Schema(name = "top_p", description = "Nucleus sampling: sample among the most probable tokens whose probabilities add up to "
            + "top_p.", minimum = "0", exclusiveMinimum = true, maximum = "1", defaultValue = "0.7")
    public Double topP;

    @RestForm("min_instruments")
    @PartType("text/plain")
    @Min(1) @Max(5)
    @Schema(name = "min_instruments", description = "Regenerate (a bounded number of times) while fewer instruments than this play.",
            minimum = "1", maximum = "5", defaultValue = "2")
    public Integer minInstruments;

    @RestForm("seed")
    @PartType("text/plain")
    @Min(0) @Max(MAX_SEED)
    @Schema(description = "Seed of the sampler: the same seed and inputs give a byte-identical MIDI file. Random "
            + "when left out; the seed used is returned in the ARIA-Seed header.", minimum = "0",
            maximum = "9007199254740991")
    public Long seed;
}
