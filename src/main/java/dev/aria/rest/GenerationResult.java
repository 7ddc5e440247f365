package dev.aria.rest;

import java.util.Base64;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.aria.music.Composition;
import dev.aria.music.GeneratedPiece;
import dev.aria.music.GenerationSettings;

/**
 * Data of the {@code result} event of {@code POST /generate/events}: the MIDI file, the values {@code POST /generate}
 * sends as {@code ARIA-*} headers (under the names of its form fields), how the generation went, and the notes for a
 * piano roll.
 */
@Schema(name = "GenerationResult", description = "Data of the `result` event: the MIDI file (base64), the emotion and "
        + "settings used (the values POST /generate sends as ARIA-* headers), how the generation went, and every note.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationResult(
        @Schema(description = "The type-1 Standard MIDI File, base64-encoded; byte for byte what POST /generate "
                + "returns for the same request and seed.", required = true)
        String midi,
        @JsonProperty("file_name")
        @Schema(description = "Suggested file name.", examples = "aria-7.mid", required = true)
        String fileName,
        @Schema(description = "Valence the music was conditioned on.", minimum = "-1", maximum = "1", required = true)
        double valence,
        @Schema(description = "Arousal the music was conditioned on.", minimum = "-1", maximum = "1", required = true)
        double arousal,
        @JsonProperty("emotion_source")
        @Schema(description = "`image` or `request`.", enumeration = {"image", "request"}, required = true)
        String emotionSource,
        @JsonProperty("emotion_model")
        @Schema(description = "Model that estimated the emotion; only when it came from an image.",
                examples = "image-emotion-photo-painting@2", nullable = true)
        String emotionModel,
        @Schema(description = "Conditioning used.", examples = "continuous_concat", required = true)
        String conditioning,
        @JsonProperty("gen_len")
        @Schema(description = "Tokens asked for.", required = true)
        int genLen,
        @JsonProperty("note_temperature")
        @Schema(required = true)
        double noteTemperature,
        @JsonProperty("rest_temperature")
        @Schema(required = true)
        double restTemperature,
        @JsonProperty("top_p")
        @Schema(required = true)
        double topP,
        @JsonProperty("min_instruments")
        @Schema(required = true)
        int minInstruments,
        @Schema(description = "Seed used; send it back to get the same file.", required = true)
        long seed,
        @Schema(description = "Decoder id and version.", required = true)
        String model,
        @Schema(description = "Generations run (more than 1 when too few instruments played).", required = true)
        int attempts,
        @Schema(description = "Instruments that play.", minimum = "0", maximum = "5", required = true)
        int instruments,
        @JsonProperty("met_minimum")
        @Schema(description = "Whether at least min_instruments play; if not, the best attempt was kept.",
                required = true)
        boolean metMinimum,
        @Schema(description = "Whether the deadline stopped the generation early.", required = true)
        boolean truncated,
        @Schema(description = "Tokens generated.", required = true)
        int tokens,
        @JsonProperty("duration_ms")
        @Schema(description = "Length of the music: the end of the last note, in milliseconds.", required = true)
        int durationMs,
        @JsonProperty("instrument_names")
        @Schema(description = "Instrument names, indexed by a note's `instrument`.",
                examples = "[\"drums\", \"guitar\", \"bass\", \"piano\", \"strings\"]", required = true)
        List<String> instrumentNames,
        @Schema(description = "Every note, ordered by start time.", required = true)
        List<RollNote> notes) {

    /**
     * One note of the piece.
     *
     * @param instrument index into {@code instrument_names}
     * @param pitch      MIDI note number
     * @param startMs    start, in milliseconds from the beginning
     * @param endMs      end, in milliseconds from the beginning
     */
    @Schema(name = "RollNote")
    public record RollNote(
            @Schema(description = "Index into instrument_names.", examples = "3", required = true) int instrument,
            @Schema(description = "MIDI note number.", examples = "60", required = true) int pitch,
            @JsonProperty("start_ms") @Schema(examples = "1000", required = true) int startMs,
            @JsonProperty("end_ms") @Schema(examples = "1496", required = true) int endMs) {
    }

    static GenerationResult of(GenerationRequest request, Composition composition) {
        GenerationSettings s = request.settings();
        GeneratedPiece piece = composition.piece();
        return new GenerationResult(Base64.getEncoder().encodeToString(composition.midi()), request.fileName(),
                s.valence(), s.arousal(), request.emotionSource(), request.emotionModel(), s.conditioning().wireName(),
                s.genLen(), s.noteTemperature(), s.restTemperature(), s.topP(), s.minInstruments(), s.seed(),
                request.modelId(), piece.attempts(), piece.instruments(), piece.metMinimum(), piece.truncated(),
                piece.length(), composition.durationMs(), composition.instruments(),
                composition.notes().stream().map(n -> new RollNote(n.instrument(), n.pitch(), n.startMs(), n.endMs()))
                        .toList());
    }
}
