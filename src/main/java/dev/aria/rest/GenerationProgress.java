package dev.aria.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Data of a {@code progress} event of {@code POST /generate/events}.
 *
 * @param attempt     which attempt is running, from 1 (another starts when too few instruments played)
 * @param maxAttempts most attempts this deployment makes
 * @param tokens      tokens generated so far in this attempt
 * @param genLen      tokens the attempt will generate, at most
 * @param seconds     seconds of music those tokens make
 */
@Schema(name = "GenerationProgress", description = "Data of a `progress` event: how far the current attempt is.")
public record GenerationProgress(
        @Schema(description = "Current attempt, from 1.", examples = "1", minimum = "1", required = true)
        int attempt,
        @JsonProperty("max_attempts")
        @Schema(description = "Most attempts this deployment makes.", examples = "3", minimum = "1", required = true)
        int maxAttempts,
        @Schema(description = "Tokens generated so far in this attempt.", examples = "512", minimum = "0",
                required = true)
        int tokens,
        @JsonProperty("gen_len")
        @Schema(description = "Tokens this attempt generates in all, at most.", examples = "1024", minimum = "1",
                required = true)
        int genLen,
        @Schema(description = "Seconds of music the tokens so far make.", examples = "11.4", minimum = "0",
                required = true)
        double seconds) {
}
