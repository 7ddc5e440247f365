package dev.aria.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.aria.emotion.Emotion;

/**
 * Body of a successful {@code POST /emotion}.
 *
 * @param valence unpleasant (−1) to pleasant (+1)
 * @param arousal calm (−1) to excited (+1)
 * @param model   identifier of the model that made the estimate
 */
@Schema(name = "EmotionResponse", description = "The emotion an image conveys, as a point of Russell's circumplex.")
public record EmotionResponse(
        @Schema(description = "Unpleasant (-1) to pleasant (+1).", minimum = "-1", maximum = "1", examples = "0.705",
                required = true)
        double valence,
        @Schema(description = "Calm (-1) to excited (+1).", minimum = "-1", maximum = "1", examples = "-0.115",
                required = true)
        double arousal,
        @Schema(description = "Identifier of the model that made the estimate.",
                examples = "image-emotion-photo-painting@2",
                required = true)
        String model) {

    static EmotionResponse of(Emotion emotion, String model) {
        return new EmotionResponse(emotion.valence(), emotion.arousal(), model);
    }
}
