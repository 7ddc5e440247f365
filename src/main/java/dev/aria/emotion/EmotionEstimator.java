package dev.aria.emotion;

import java.awt.image.BufferedImage;

/**
 * Estimates the emotion an image conveys. Implementations are thread-safe beans; the active one is whichever bean
 * of this type is not a {@code @DefaultBean} (the colour heuristic is the fallback).
 */
public interface EmotionEstimator {

    /**
     * @param rgb an upright {@link BufferedImage#TYPE_INT_RGB} image, as {@code ImageDecoder} returns it
     * @return valence and arousal, each in [−1, 1]
     */
    Emotion estimate(BufferedImage rgb);

    /**
     * Identifier of the model that produced the estimate, reported to clients, e.g.
     * {@code image-emotion-photo-painting@2}.
     */
    String modelId();
}
