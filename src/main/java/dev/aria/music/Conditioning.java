package dev.aria.music;

import java.util.Arrays;
import java.util.Optional;

/** How the emotion reaches the decoder (Sulun, Davies and Viana, 2022). The wire names are the reference demo's. */
public enum Conditioning {
    /** (v, a) -> linear -> a vector concatenated to every token embedding. The paper's best. */
    CONTINUOUS_CONCAT("continuous_concat"),
    /** v and a each -> linear -> an embedding-wide vector in the first two positions. */
    CONTINUOUS_TOKEN("continuous_token"),
    /** v and a quantised to five bins each, given as two control tokens before the music. */
    DISCRETE_TOKEN("discrete_token");

    private final String wireName;

    Conditioning(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Conditioning> fromWire(String name) {
        return Arrays.stream(values()).filter(c -> c.wireName.equals(name)).findFirst();
    }
}
