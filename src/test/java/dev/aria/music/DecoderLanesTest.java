package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.onnxruntime.OrtEnvironment;

/** Several lanes (engines) over one decoder session: admission, waiting, and the same pieces as one lane. */
class DecoderLanesTest {

    private static Vocabulary vocab;
    private static MusicDecoder decoder;

    @BeforeAll
    static void load() throws Exception {
        vocab = Vocabulary.load(Path.of("models/vocab.json"));
        decoder = new MusicDecoder(OrtEnvironment.getEnvironment(), Path.of("models/music_continuous_concat.onnx"),
                DecoderCard.read(Path.of("models/music_continuous_concat.json")), 1);
    }

    @AfterAll
    static void close() throws Exception {
        decoder.close();
    }

    private static GenerationSettings settings(int genLen, long seed) {
        return new GenerationSettings(0.5, 0.5, Conditioning.CONTINUOUS_CONCAT, genLen, 1.2, 1.2, 0.7, 1, seed);
    }

    @Test
    void streamsAreSplitEvenlyAndEveryLaneHoldsAGuidedAttempt() throws Exception {
        try (DecoderLanes five = new DecoderLanes(decoder, vocab, 5, 2, 0, 32);
                DecoderLanes three = new DecoderLanes(decoder, vocab, 3, 2, 0, 32);
                DecoderLanes one = new DecoderLanes(decoder, vocab, 1, 2, 0, 32)) {
            assertEquals(2, five.size());
            assertEquals(2, five.capacity());
            assertEquals(1, three.size(), "two lanes of one and two streams could not both take a guided attempt");
            assertEquals(3, three.capacity());
            assertNotNull(three.reserve(2, Duration.ZERO), "a guided attempt's two streams");
            assertEquals(1, one.size());
            assertThrows(IllegalArgumentException.class, () -> one.reserve(2, Duration.ZERO),
                    "more streams than a lane has");
        }
    }

    @Test
    void requestsGoToTheLeastBusyLane() throws Exception {
        try (DecoderLanes lanes = new DecoderLanes(decoder, vocab, 4, 2, 0, 32)) {
            DecodingEngine a = lanes.reserve(1, Duration.ZERO);
            DecodingEngine b = lanes.reserve(1, Duration.ZERO);
            assertNotNull(a);
            assertNotNull(b);
            assertNotSame(a, b, "the second request goes to the idle lane");
            DecodingEngine c = lanes.reserve(2, Duration.ZERO);
            assertNull(c, "no lane has two streams free, and nobody may wait");
            b.release(1);
            assertSame(b, lanes.reserve(2, Duration.ZERO), "the lane with room takes it");
            assertEquals(3, lanes.reservedStreams());
            a.release(1);
            b.release(2);
            assertEquals(0, lanes.reservedStreams());
        }
    }

    @Test
    void aWaitingRequestIsServedByWhicheverLaneFreesFirst() throws Exception {
        try (DecoderLanes lanes = new DecoderLanes(decoder, vocab, 4, 2, 1, 32)) {
            DecodingEngine a = lanes.reserve(2, Duration.ZERO);
            DecodingEngine b = lanes.reserve(2, Duration.ZERO);
            assertNotSame(a, b);
            CompletableFuture<DecodingEngine> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return lanes.reserve(2, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lanes.waiting() == 0 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            long t0 = System.nanoTime();
            assertEquals(1, lanes.waiting());
            assertNull(lanes.reserve(1, Duration.ofSeconds(5)), "the one waiting place is taken: refused at once");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
            b.release(2); // the second lane frees first: the waiter does not wait for the first
            assertSame(b, waiter.get(10, TimeUnit.SECONDS));
            a.release(2);
            b.release(2);
            assertEquals(0, lanes.reservedStreams());
        }
    }

    @Test
    void piecesDecodedOnTwoLanesAtOnceAreThePiecesTheirSeedsMakeOnOne() throws Exception {
        List<GenerationSettings> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            GenerationSettings s = settings(150 + 70 * i, 40 + i);
            requests.add(i == 1 ? s.withGuidance(2.0, Guidance.Contrast.VALENCE) : s);
        }
        List<int[]> alone = new ArrayList<>();
        try (DecoderLanes one = new DecoderLanes(decoder, vocab, 2, 2)) {
            for (GenerationSettings s : requests) {
                alone.add(runAll(one, List.of(s)).get(0));
            }
        }
        try (DecoderLanes two = new DecoderLanes(decoder, vocab, 8, 2, 0, 32)) {
            List<int[]> together = runAll(two, requests);
            for (int i = 0; i < requests.size(); i++) {
                assertArrayEquals(alone.get(i), together.get(i), "request " + i);
            }
        }
    }

    @Test
    void anIdleLaneGivesItsCacheBackAndDecodesTheSameAfterwards() throws Exception {
        try (DecoderLanes lanes = new DecoderLanes(decoder, vocab, 8, 1, 0, 32)) {
            List<GenerationSettings> four = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                four.add(settings(120, 70 + i));
            }
            List<int[]> first = runAll(lanes, four);
            DecodingEngine lane = lanes.reserve(1, Duration.ZERO);
            lane.release(1);
            assertEquals(4, lane.cacheRows(), "the cache grew to the four streams");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lane.cacheRows() != 0 && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertEquals(0, lane.cacheRows(), "idle for " + DecodingEngine.IDLE_RELEASE_MS + " ms, the lane freed it");
            List<int[]> again = runAll(lanes, four);
            for (int i = 0; i < four.size(); i++) {
                assertArrayEquals(first.get(i), again.get(i), "request " + i);
            }
        }
    }

    /** Runs {@code requests} at once (each on the lane it is given) and returns their tokens. */
    private static List<int[]> runAll(DecoderLanes lanes, List<GenerationSettings> requests) throws Exception {
        List<Job> jobs = new ArrayList<>();
        Set<DecodingEngine> used = new HashSet<>();
        for (GenerationSettings s : requests) {
            Job job = new Job(s, lanes.card(), vocab, 1, 1, () -> false);
            DecodingEngine lane = lanes.reserve(job.streamsPerAttempt(), Duration.ofSeconds(30));
            assertNotNull(lane);
            used.add(lane);
            lane.submit(job);
            jobs.add(job);
        }
        assertEquals(Math.min(lanes.size(), requests.size()), used.size(), "every lane decodes");
        List<int[]> tokens = new ArrayList<>();
        for (Job j : jobs) {
            tokens.add(j.await((a, t, ms) -> { }).tokens());
        }
        assertEquals(0, lanes.reservedStreams(), "every stream given back");
        return tokens;
    }
}
