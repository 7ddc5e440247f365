package dev.aria.music;

/**
 * Everything one generation needs, already validated.
 *
 * @param valence        requested valence in [-1, 1]
 * @param arousal        requested arousal in [-1, 1]
 * @param conditioning   which decoder
 * @param genLen         tokens to generate
 * @param noteTemperature temperature of the token after a TIMESHIFT
 * @param restTemperature temperature of every other token
 * @param topP           nucleus mass in (0, 1]
 * @param minInstruments regenerate while fewer instruments play (bounded by the attempts)
 * @param seed           seed of the draws; same seed and inputs give the same tokens
 */
public record GenerationSettings(double valence, double arousal, Conditioning conditioning, int genLen,
        double noteTemperature, double restTemperature, double topP, int minInstruments, long seed) {

    // The defaults of the reference demo and midi-emotion's generator: the one source of the form's defaults, the
    // API document's and the service's warm-up.
    /** The wire name of {@link Conditioning#CONTINUOUS_CONCAT}, the paper's best. */
    public static final String DEFAULT_CONDITIONING = "continuous_concat";
    public static final int DEFAULT_GEN_LEN = 1024;
    public static final double DEFAULT_NOTE_TEMPERATURE = 1.2;
    public static final double DEFAULT_REST_TEMPERATURE = 1.2;
    public static final double DEFAULT_TOP_P = 0.7;
    public static final int DEFAULT_MIN_INSTRUMENTS = 2;
}
