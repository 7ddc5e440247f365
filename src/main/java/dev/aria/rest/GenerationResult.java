package dev.aria.rest;

import java.util.Base64;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.aria.music.Composition;
import dev.aria.music.GeneratedPiece;
import dev.aria.music.GenerationSettings;
import dev.aria.music.Measurement;

/**
 * Data of the {@code result} event of {@code POST /generate/events}: the MIDI file, the values {@code POST /generate}
 * sends as {@code ARIA-*} headers (under the names of its form fields), how the generation went, and the notes for a
 * piano roll.
 */
@Schema(name = "GenerationResult", description = "Data of the `result` event: the MIDI file (base64), the emotion and "
        + "settings used (the values POST /generate sends as ARIA-* headers), how the generation went, the emotion the "
        + "generated music measures (as POST /analyze measures it) beside the requested one, and every note.")
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
        @JsonProperty("valence_end")
        @Schema(description = "Valence the music ends with (an arc); only when an end emotion was asked for.",
                minimum = "-1", maximum = "1", nullable = true)
        Double valenceEnd,
        @JsonProperty("arousal_end")
        @Schema(description = "Arousal the music ends with (an arc); only when an end emotion was asked for.",
                minimum = "-1", maximum = "1", nullable = true)
        Double arousalEnd,
        @JsonProperty("emotion_source")
        @Schema(description = "`image` or `request`.", enumeration = {"image", "request"}, required = true)
        String emotionSource,
        @JsonProperty("emotion_model")
        @Schema(description = "Model that estimated the emotion; only when it came from an image.",
                examples = "image-emotion-photo-painting@2", nullable = true)
        String emotionModel,
        @JsonProperty("emotion_end_source")
        @Schema(description = "`image` (image_end) or `request` (valence_end, arousal_end); only with an arc.",
                enumeration = {"image", "request"}, nullable = true)
        String emotionEndSource,
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
        @Schema(description = "Candidates composed (the setting).", minimum = "1", maximum = "8", required = true)
        int candidates,
        @JsonProperty("chosen_candidate")
        @Schema(description = "Which candidate was returned, from 0: the one whose measured emotion is nearest the "
                + "request among those with enough instruments.", minimum = "0", required = true)
        int chosenCandidate,
        @JsonProperty("measured_valence")
        @Schema(description = "Valence of the generated music (the continuation, with a primer) as POST /analyze "
                + "measures it, on the scale of the request; absent when no pitched note plays or the music-emotion "
                + "reader is not loaded.", minimum = "-1", maximum = "1", examples = "0.31", nullable = true)
        Double measuredValence,
        @JsonProperty("measured_arousal")
        @Schema(description = "Arousal of the generated music as POST /analyze measures it; absent when nothing was "
                + "measured.", minimum = "-1", maximum = "1", examples = "0.52", nullable = true)
        Double measuredArousal,
        @JsonProperty("measured_curve")
        @Schema(description = "The measured emotion of the generated music over time, as POST /analyze's curve "
                + "(windows of 10 s every 5 s), in seconds from the start of the file (a continuation's windows start "
                + "at continuation_start_ms); absent when nothing was measured.", nullable = true)
        List<AnalysisResponse.CurvePoint> measuredCurve,
        @JsonProperty("measurement_model")
        @Schema(description = "The valence labeller that measured it.", examples = "valence_regressor@2",
                nullable = true)
        String measurementModel,
        @JsonProperty("candidate_measurements")
        @Schema(description = "Every candidate composed, in order, with its measured emotion and its distance from "
                + "the request; absent when nothing was measured.", nullable = true)
        List<CandidateMeasurement> candidateMeasurements,
        @JsonProperty("continuation_start_ms")
        @Schema(description = "Where the continuation of a primer begins, in milliseconds from the start of the file "
                + "(the primer's end); only with a primer.", minimum = "0", nullable = true)
        Integer continuationStartMs,
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

    /**
     * One candidate's measured emotion.
     *
     * @param valence     measured valence, null when no pitched note plays
     * @param arousal     measured arousal, null when no note plays
     * @param distance    from the request (see the README), null for a piece without notes
     * @param instruments instruments that play
     * @param metMinimum  whether at least min_instruments play
     */
    @Schema(name = "CandidateMeasurement", description = "The measured emotion of one candidate.")
    public record CandidateMeasurement(
            @Schema(minimum = "-1", maximum = "1", nullable = true, required = true) Double valence,
            @Schema(minimum = "-1", maximum = "1", nullable = true, required = true) Double arousal,
            @Schema(description = "Distance from the requested emotion in the valence-arousal plane (for an arc, the "
                    + "mean over the curve's windows of the distance to the emotion asked for at the window's middle).",
                    minimum = "0", nullable = true, required = true) Double distance,
            @Schema(minimum = "0", maximum = "5", required = true) int instruments,
            @JsonProperty("met_minimum") @Schema(required = true) boolean metMinimum) {
    }

    static GenerationResult of(GenerationRequest request, Composition composition) {
        GenerationSettings s = request.settings();
        GeneratedPiece piece = composition.piece();
        Measurement m = composition.measured();
        List<CandidateMeasurement> candidates = m == null ? null : composition.candidates().stream()
                .map(c -> new CandidateMeasurement(c.measured().valence(), c.measured().arousal(),
                        Double.isFinite(c.measured().distance()) ? c.measured().distance() : null,
                        c.piece().instruments(), c.piece().metMinimum()))
                .toList();
        return new GenerationResult(Base64.getEncoder().encodeToString(composition.midi()), request.fileName(),
                s.valence(), s.arousal(), s.arc() ? s.valenceEnd() : null, s.arc() ? s.arousalEnd() : null,
                request.emotionSource(), request.emotionModel(), request.endSource(), s.conditioning().wireName(),
                s.genLen(), s.noteTemperature(), s.restTemperature(), s.topP(), s.minInstruments(), s.seed(),
                request.modelId(), s.candidates(), composition.chosen(), m == null ? null : m.valence(),
                m == null ? null : m.arousal(),
                m == null ? null : m.curve().stream().map(AnalysisResponse.CurvePoint::of).toList(),
                m == null ? null : m.model(), candidates,
                s.primer() == null ? null : composition.continuationStartMs(), piece.attempts(), piece.instruments(),
                piece.metMinimum(), piece.truncated(), piece.length(), composition.durationMs(),
                composition.instruments(),
                composition.notes().stream().map(n -> new RollNote(n.instrument(), n.pitch(), n.startMs(), n.endMs()))
                        .toList());
    }
}
