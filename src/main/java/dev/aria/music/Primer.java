package dev.aria.music;

/**
 * Music to continue: a piece's notes as tokens of the shared vocabulary ({@link TokenEncoder}), generated music
 * following them. A decoder trained on pieces moved to C ({@link DecoderCard#keyNormalised()}) is given the primer moved
 * to C too, and what it writes goes back to the primer's key.
 *
 * @param tokens   the whole piece's tokens in its own key (no {@code <START>}), as the answer holds them
 * @param endMs    where the tokens end, in milliseconds: the sum of their time shifts, where the continuation begins
 * @param tokensInC the same notes moved by {@code shiftToC} semitones (pitched notes only)
 * @param shiftToC semitones (−5 … +6) that move the primer's tonic ({@code EmotionFeatures.tonic}) to C
 */
public record Primer(int[] tokens, int endMs, int[] tokensInC, int shiftToC) {

    public Primer {
        if (tokens.length == 0 || tokensInC.length != tokens.length) {
            throw new IllegalArgumentException("a primer needs at least one token, the same in C");
        }
    }

    /** A primer whose key is left as it is (its tonic taken for C). */
    public Primer(int[] tokens, int endMs) {
        this(tokens, endMs, tokens, 0);
    }

    /** Semitones (−5 … +6) that move a piece with this tonic (pitch class) to C ({@code keys.shift_to_c}). */
    public static int shiftToC(int tonic) {
        return -(tonic <= 6 ? tonic : tonic - 12);
    }

    /** What the decoder of {@code card} is given: the primer moved to C when it was trained on pieces in C. */
    int[] tokensFor(DecoderCard card) {
        return card.keyNormalised() ? tokensInC : tokens;
    }

    /** Semitones that take what the decoder of {@code card} writes back to the primer's key. */
    int shiftBackFor(DecoderCard card) {
        return card.keyNormalised() ? -shiftToC : 0;
    }
}
