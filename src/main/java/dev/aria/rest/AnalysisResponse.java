package dev.aria.rest;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.aria.analysis.EmotionReader;

/**
 * Body of a successful {@code POST /analyze}: the emotion of a whole MIDI file and its curve over time.
 *
 * @param valence unpleasant (−1) to pleasant (+1); null when the file has no pitched note (drums only)
 * @param arousal calm (−1) to excited (+1)
 * @param curve   the emotion of successive windows, covering the piece
 * @param model   the valence labeller's id
 */
@Schema(name = "AnalysisResponse", description = "The emotion a piece of music conveys, measured as the music "
        + "decoders' training pieces were labelled: valence by the labeller (37 music-theory features, gradient "
        + "boosting trained on human ratings of VGMIDI and EMOPIA), arousal as midi-emotion defines it (notes per "
        + "second divided by the instruments playing), both on the training labels' scale [-1, 1] (requesting these "
        + "values from POST /generate asks for music like this piece).")
public record AnalysisResponse(
        @Schema(description = "Unpleasant (-1) to pleasant (+1); null when the piece has no pitched note (drums only), "
                + "since valence is read from harmony and melody.", minimum = "-1", maximum = "1", examples = "0.485",
                nullable = true, required = true)
        Double valence,
        @Schema(description = "Calm (-1) to excited (+1).", minimum = "-1", maximum = "1", examples = "0.54",
                required = true)
        double arousal,
        @Schema(description = "The emotion over time: windows of 10 s every 5 s from the start of the file (they "
                + "overlap by half), the last one reaching the end of the last note; each window is measured as an "
                + "excerpt on its own, from the notes that start in it.", required = true)
        List<CurvePoint> curve,
        @Schema(description = "Identifier of the valence labeller.", examples = "valence_regressor@2",
                required = true)
        String model) {

    /** One window of the curve. */
    @Schema(name = "CurvePoint", description = "The emotion of one window of the piece.")
    public record CurvePoint(
            @JsonProperty("start_s")
            @Schema(description = "Start of the window, in seconds from the start of the file.", minimum = "0",
                    examples = "5.0", required = true)
            double startS,
            @JsonProperty("end_s")
            @Schema(description = "End of the window: 10 s after its start, or the end of the last note.",
                    minimum = "0", examples = "15.0", required = true)
            double endS,
            @Schema(description = "Valence of the window; null when no pitched note starts in it.", minimum = "-1",
                    maximum = "1", nullable = true, required = true)
            Double valence,
            @Schema(description = "Arousal of the window; null when no note starts in it (a rest).", minimum = "-1",
                    maximum = "1", nullable = true, required = true)
            Double arousal) {

        static CurvePoint of(EmotionReader.Window w) {
            return new CurvePoint(w.start(), w.end(), w.valence(), w.arousal());
        }
    }

    static AnalysisResponse of(EmotionReader.Reading reading) {
        return new AnalysisResponse(reading.valence(), reading.arousal(), reading.curve().stream()
                .map(CurvePoint::of).toList(), reading.model());
    }
}
