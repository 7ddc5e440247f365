package dev.aria.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import dev.aria.config.AriaConfig;
import dev.aria.music.Conditioning;
import dev.aria.music.DecoderCard;
import dev.aria.music.GenerationSettings;
import dev.aria.music.MusicService;

/** Waiting on the service's generations in tests. */
public final class Generations {

    private Generations() {
    }

    /**
     * How many default requests the default decoder decodes at once: its streams over the streams one request takes
     * (one attempt's per default candidate, two when its default guidance is on). The test profile gives the decoders
     * few streams and no waiting room, so that overload is quick to reach.
     */
    public static int concurrentRequests(AriaConfig config, MusicService music) {
        DecoderCard card = music.card(Conditioning.fromWire(GenerationSettings.DEFAULT_CONDITIONING).orElseThrow())
                .orElseThrow();
        int perAttempt = card.guidance() != 1.0 ? 2 : 1;
        int streams = config.generation().streams();
        int perRequest = Math.max(1, Math.min(GenerationSettings.DEFAULT_CANDIDATES, streams / perAttempt)) * perAttempt;
        return streams / perRequest;
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
