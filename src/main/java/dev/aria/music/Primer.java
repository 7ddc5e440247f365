package dev.aria.music;

/**
 * Music to continue: a piece's notes as tokens of the shared vocabulary ({@link TokenEncoder}), generated music
 * following them.
 *
 * @param tokens the whole piece's tokens (no {@code <START>}); the decoder sees at most the last window of them
 * @param endMs  where the tokens end, in milliseconds: the sum of their time shifts, where the continuation begins
 */
public record Primer(int[] tokens, int endMs) {

    public Primer {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a primer needs at least one token");
        }
    }
}
