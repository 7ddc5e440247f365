package dev.aria.music;

/**
 * The result of a generation.
 *
 * @param tokens      the generated tokens (without the prefix)
 * @param instruments instruments that play
 * @param attempts    generations run (1 unless too few instruments played)
 * @param metMinimum  whether {@code instruments >= minInstruments}; if not, this is the attempt with the most
 * @param truncated   whether the deadline or a cancellation stopped the last attempt early
 * @param modelId     the decoder's id and version
 */
public record GeneratedPiece(int[] tokens, int instruments, int attempts, boolean metMinimum, boolean truncated,
        String modelId) {

    /** Number of tokens generated. */
    public int length() {
        return tokens.length;
    }
}
