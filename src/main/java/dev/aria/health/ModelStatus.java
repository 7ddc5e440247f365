package dev.aria.health;

/**
 * A model the service needs in order to answer requests. Every bean of this type is polled by
 * {@link ModelsReadinessCheck}: the service is ready only when all of them are.
 */
public interface ModelStatus {

    /** Short name shown in the readiness data, e.g. {@code emotion} or {@code music-decoder}. */
    String name();

    /** Whether the model is loaded and can serve requests now. */
    boolean ready();
}
