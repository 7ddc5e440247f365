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
}
