package dev.aria.music;

/**
 * Everything one generation needs, already validated.
 *
 * @param valence         requested valence in [-1, 1] (at the start, if the emotion moves)
 * @param arousal         requested arousal in [-1, 1] (at the start, if the emotion moves)
 * @param conditioning    which decoder
 * @param genLen          tokens to generate, at most
 * @param noteTemperature temperature of the token after a TIMESHIFT
 * @param restTemperature temperature of every other token
 * @param topP            nucleus mass in (0, 1]
 * @param minInstruments  regenerate while fewer instruments play (bounded by the attempts)
 * @param seed            seed of the draws; same seed and inputs give the same tokens
 * @param guidance        classifier-free guidance weight; 1 = off (one stream), else two streams per attempt
 * @param contrast        what a guided attempt's second stream is conditioned on
 * @param durationMs      stop once the music is this long (milliseconds); 0 = only {@code genLen} stops it
 * @param valenceEnd      valence at the end, the condition moving linearly from {@code valence}; NaN = constant
 * @param arousalEnd      arousal at the end, likewise; NaN = constant
 * @param candidates      pieces decoded side by side, each from its own random streams; the one whose measured
 *                        emotion is nearest the request is kept (1 = the piece of the seed, unmeasured choice)
 * @param primer          music to continue (its tokens come before the generated ones), or {@code null}
 */
public record GenerationSettings(double valence, double arousal, Conditioning conditioning, int genLen,
        double noteTemperature, double restTemperature, double topP, int minInstruments, long seed, double guidance,
        Guidance.Contrast contrast, int durationMs, double valenceEnd, double arousalEnd, int candidates,
        Primer primer) {

    // The defaults of the reference demo and midi-emotion's generator: the one source of the form's defaults, the
    // API document's and the service's warm-up.
    /** The wire name of {@link Conditioning#CONTINUOUS_CONCAT}, the paper's best. */
    public static final String DEFAULT_CONDITIONING = "continuous_concat";
    public static final int DEFAULT_GEN_LEN = 1024;
    public static final double DEFAULT_NOTE_TEMPERATURE = 1.2;
    public static final double DEFAULT_REST_TEMPERATURE = 1.2;
    public static final double DEFAULT_TOP_P = 0.7;
    public static final int DEFAULT_MIN_INSTRUMENTS = 2;
    // 2: the largest step closer to the requested emotion per second spent (README, "Candidates"; bench/candidates.py)
    public static final int DEFAULT_CANDIDATES = 2;
    public static final int MAX_CANDIDATES = 8;
    // Guidance has no constant default: each decoder's card names the weight and contrast chosen on its evaluation
    // (DecoderCard.guidance).

    /** A constant emotion, no guidance, no duration: the reference generator's settings. */
    public GenerationSettings(double valence, double arousal, Conditioning conditioning, int genLen,
            double noteTemperature, double restTemperature, double topP, int minInstruments, long seed) {
        this(valence, arousal, conditioning, genLen, noteTemperature, restTemperature, topP, minInstruments, seed,
                1.0, Guidance.Contrast.NULL, 0, Double.NaN, Double.NaN, 1, null);
    }

    public GenerationSettings {
        if (candidates < 1) {
            throw new IllegalArgumentException("candidates must be at least 1, was " + candidates);
        }
        if (Double.isNaN(valenceEnd) != Double.isNaN(arousalEnd)) {
            throw new IllegalArgumentException("an arc needs both an end valence and an end arousal");
        }
    }

    /** Whether each attempt decodes a second, contrasting stream. */
    public boolean guided() {
        return guidance != 1.0;
    }

    /** The same settings with another guidance. */
    public GenerationSettings withGuidance(double weight, Guidance.Contrast c) {
        return new GenerationSettings(valence, arousal, conditioning, genLen, noteTemperature, restTemperature, topP,
                minInstruments, seed, weight, c, durationMs, valenceEnd, arousalEnd, candidates, primer);
    }

    /** The same settings with {@code n} candidates. */
    public GenerationSettings withCandidates(int n) {
        return new GenerationSettings(valence, arousal, conditioning, genLen, noteTemperature, restTemperature, topP,
                minInstruments, seed, guidance, contrast, durationMs, valenceEnd, arousalEnd, n, primer);
    }

    /** The same settings with an arc to ({@code v}, {@code a}). */
    public GenerationSettings withEnd(double v, double a) {
        return new GenerationSettings(valence, arousal, conditioning, genLen, noteTemperature, restTemperature, topP,
                minInstruments, seed, guidance, contrast, durationMs, v, a, candidates, primer);
    }

    /** The same settings continuing {@code p}. */
    public GenerationSettings withPrimer(Primer p) {
        return new GenerationSettings(valence, arousal, conditioning, genLen, noteTemperature, restTemperature, topP,
                minInstruments, seed, guidance, contrast, durationMs, valenceEnd, arousalEnd, candidates, p);
    }

    /** Whether the emotion moves from (valence, arousal) to (valenceEnd, arousalEnd) over the piece. */
    public boolean arc() {
        return !Double.isNaN(valenceEnd);
    }

    /** Valence once {@code generated} of {@code genLen} tokens exist. */
    public double valenceAt(int generated) {
        return Double.isNaN(valenceEnd) ? valence : valence + (valenceEnd - valence) * generated / genLen;
    }

    /** Arousal once {@code generated} of {@code genLen} tokens exist. */
    public double arousalAt(int generated) {
        return Double.isNaN(arousalEnd) ? arousal : arousal + (arousalEnd - arousal) * generated / genLen;
    }
}
