package dev.aria.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import dev.aria.music.MusicService;

/** Waiting on the service's generation slots in tests. */
public final class Generations {

    private Generations() {
    }

    /** Polls until {@code expected} generations are computing, failing if that has not happened {@code within}. */
    public static void awaitActive(MusicService music, int expected, Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        while (music.activeGenerations() != expected && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertEquals(expected, music.activeGenerations(), "generations computing after " + within);
    }
}
