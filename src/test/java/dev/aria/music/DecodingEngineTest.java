package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.onnxruntime.OrtEnvironment;
import dev.aria.midi.Note;

/** The batched decoding engine on the shipped continuous_concat decoder, without the HTTP layer. */
class DecodingEngineTest {

    private static Vocabulary vocab;
    private static MusicDecoder decoder;
    private static DecoderLanes engine; // one lane

    @BeforeAll
    static void load() throws Exception {
        vocab = Vocabulary.load(Path.of("models/vocab.json"));
        decoder = new MusicDecoder(OrtEnvironment.getEnvironment(), Path.of("models/music_continuous_concat.onnx"),
                DecoderCard.read(Path.of("models/music_continuous_concat.json")), 1);
        engine = new DecoderLanes(decoder, vocab, 8, 8);
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
        decoder.close();
    }

    private static GenerationSettings settings(int genLen, int minInstruments, long seed) {
        return new GenerationSettings(0.5, 0.5, Conditioning.CONTINUOUS_CONCAT, genLen, 1.2, 1.2, 0.7, minInstruments,
                seed);
    }

    private static Job start(GenerationSettings s, int maxAttempts, int parallel, BooleanSupplier stop)
            throws InterruptedException {
        DecodingEngine lane = engine.reserve(s.guided() ? 2 : 1, Duration.ofSeconds(30));
        assertNotNull(lane, "streams reserved");
        Job job = new Job(s, engine.card(), vocab, maxAttempts, parallel, stop);
        lane.submit(job);
        return job;
    }

    private static GeneratedPiece run(GenerationSettings s, int maxAttempts, int parallel) throws Exception {
        return start(s, maxAttempts, parallel, () -> false).await((a, t, ms) -> { });
    }

    @Test
    void generatesPastTheTrainedWindowWithoutLosingTheThread() throws Exception {
        int window = decoder.card().context();
        int genLen = 2 * window + 37; // forces at least two slides of the window
        GeneratedPiece p = run(settings(genLen, 1, 3), 1, 1);
        assertEquals(genLen, p.length());
        assertFalse(p.truncated());
        List<Note> notes = new TokenDecoder(vocab).notes(p.tokens());
        assertFalse(notes.isEmpty());
        // music keeps coming after the first window: notes start in the last third of the token stream's time
        int end = notes.stream().mapToInt(Note::endMs).max().orElseThrow();
        int lateStarts = (int) notes.stream().filter(n -> n.startMs() > end * 2 / 3).count();
        assertTrue(lateStarts > 0, "no notes in the last third of " + end + " ms");
        for (int i = 0; i < p.length(); i++) {
            assertFalse(vocab.isSpecial(p.tokens()[i]), "special token sampled at " + i);
        }
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() throws Exception {
        GeneratedPiece a = run(settings(200, 1, 11), 1, 1);
        GeneratedPiece b = run(settings(200, 1, 11), 1, 1);
        GeneratedPiece c = run(settings(200, 1, 12), 1, 1);
        assertArrayEquals(a.tokens(), b.tokens());
        assertFalse(Arrays.equals(a.tokens(), c.tokens()));
    }

    @Test
    void aPieceIsTheSameWhoeverElseIsInTheBatch() throws Exception {
        GenerationSettings mine = settings(400, 1, 21);
        GeneratedPiece alone = run(mine, 1, 1);
        // the same request beside five others (two of them guided, all of other lengths and seeds), joining at once
        List<CompletableFuture<GeneratedPiece>> others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            GenerationSettings s = settings(150 + 97 * i, 1, 100 + i);
            if (i % 2 == 0) {
                s = s.withGuidance(2.0, Guidance.Contrast.VALENCE);
            }
            Job j = start(s, 1, 1, () -> false);
            others.add(CompletableFuture.supplyAsync(() -> await(j)));
        }
        Job crowded = start(mine, 1, 1, () -> false);
        assertArrayEquals(alone.tokens(), crowded.await((a, t, ms) -> { }).tokens());
        for (CompletableFuture<GeneratedPiece> o : others) {
            assertTrue(o.get().length() > 0);
        }
    }

    /**
     * The quantised files (4-bit, served by default, and 8-bit) keep that promise too: their weights are quantised,
     * their activations per row (MatMulNBits), never over the whole batch as dynamic quantisation would (which made a
     * piece depend on its neighbours).
     */
    @Test
    void aPieceOfAQuantisedDecoderIsTheSameWhoeverElseIsInTheBatch() throws Exception {
        for (String precision : List.of("int4", "int8")) {
            DecoderCard card = DecoderCard.read(Path.of("models/music_continuous_concat.json"), precision);
            assertTrue(card.file().endsWith("." + precision + ".onnx"), "the shipped card vouches for " + card.file());
            aPieceIsTheSameWhoeverElseIsInTheBatch(card);
        }
    }

    private static void aPieceIsTheSameWhoeverElseIsInTheBatch(DecoderCard card) throws Exception {
        try (MusicDecoder quantised = new MusicDecoder(OrtEnvironment.getEnvironment(), Path.of("models", card.file()), card, 1);
                DecoderLanes own = new DecoderLanes(quantised, vocab, 8, 8)) {
            GenerationSettings mine = settings(300, 1, 23);
            GeneratedPiece alone = runOn(own, mine);
            List<Job> others = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                GenerationSettings s = settings(120 + 61 * i, 1, 300 + i);
                Job j = new Job(i % 2 == 0 ? s.withGuidance(2.0, Guidance.Contrast.VALENCE) : s, own.card(), vocab, 1, 1,
                        () -> false);
                own.reserve(j.streamsPerAttempt(), Duration.ofSeconds(30)).submit(j);
                others.add(j);
            }
            assertArrayEquals(alone.tokens(), runOn(own, mine).tokens());
            for (Job j : others) {
                j.await((a, t, ms) -> { });
            }
        }
    }

    private static GeneratedPiece runOn(DecoderLanes e, GenerationSettings s) throws Exception {
        Job job = new Job(s, e.card(), vocab, 1, 1, () -> false);
        e.reserve(1, Duration.ofSeconds(30)).submit(job);
        return job.await((a, t, ms) -> { });
    }

    @Test
    void attemptsSideBySideChooseWhatOneAfterAnotherWould() throws Exception {
        // five instruments in 60 tokens is rarely reached: attempts run, each from its own random stream
        for (long seed : new long[] {9, 10, 31}) {
            GeneratedPiece sequential = run(settings(60, 5, seed), 3, 1);
            GeneratedPiece parallel = run(settings(60, 5, seed), 3, 3);
            assertArrayEquals(sequential.tokens(), parallel.tokens(), "seed " + seed);
            assertEquals(sequential.attempts(), parallel.attempts());
            assertEquals(sequential.metMinimum(), parallel.metMinimum());
        }
    }

    @Test
    void tooFewInstrumentsIsRetriedAndTheRichestAttemptKept() throws Exception {
        // five instruments in 40 tokens is out of reach: every attempt runs, the best is returned, the miss reported
        GeneratedPiece p = run(settings(40, 5, 9), 3, 2);
        assertEquals(3, p.attempts());
        assertFalse(p.metMinimum());
        assertEquals(new TokenDecoder(vocab).instrumentsPlaying(p.tokens()), p.instruments());
    }

    @Test
    void aStopRequestEndsTheGenerationEarlyAndSaysSo() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        Job job = start(settings(4000, 1, 5), 3, 2, () -> seen.get() >= 50);
        GeneratedPiece p = job.await((a, t, ms) -> seen.set(t));
        assertTrue(p.truncated());
        assertTrue(p.length() >= 50 && p.length() < 1000, p.length() + " tokens");
        assertEquals(1, p.attempts(), "a stopped generation is not retried");
    }

    @Test
    void guidanceDecodesTwoStreamsAndChangesTheMusicDeterministically() throws Exception {
        GenerationSettings plain = settings(300, 1, 41);
        GenerationSettings valence = plain.withGuidance(2.0, Guidance.Contrast.VALENCE);
        GeneratedPiece p = run(plain, 1, 1);
        GeneratedPiece v1 = run(valence, 1, 1);
        GeneratedPiece v2 = run(valence, 1, 1);
        assertArrayEquals(v1.tokens(), v2.tokens());
        assertFalse(Arrays.equals(p.tokens(), v1.tokens()));
        if (decoder.card().nullCondition()) {
            GeneratedPiece g = run(plain.withGuidance(2.0, Guidance.Contrast.NULL), 1, 1);
            assertFalse(Arrays.equals(p.tokens(), g.tokens()));
            assertFalse(Arrays.equals(g.tokens(), v1.tokens()));
        }
    }

    @Test
    void guidanceAgainstANullConditionTheDecoderLacksIsRefused() {
        if (decoder.card().nullCondition()) {
            return; // the shipped decoder has one: nothing to refuse
        }
        GenerationSettings s = settings(50, 1, 1).withGuidance(2.0, Guidance.Contrast.NULL);
        assertThrows(IllegalArgumentException.class, () -> new Job(s, engine.card(), vocab, 1, 1, () -> false));
    }

    @Test
    void extraAttemptsGiveWayToANewRequestAndStillChooseTheSame() throws Exception {
        GenerationSettings hard = settings(300, 5, 77); // attempts beside each other while streams are spare
        GeneratedPiece alone = run(hard, 3, 1);
        Job first = start(hard, 3, 3, () -> false);
        List<Job> later = new ArrayList<>();
        for (int i = 0; i < 7; i++) { // fill every stream: the extra attempts must give theirs up
            later.add(start(settings(80, 1, 500 + i), 1, 1, () -> false));
        }
        assertArrayEquals(alone.tokens(), first.await((a, t, ms) -> { }).tokens());
        for (Job j : later) {
            assertEquals(80, j.await((a, t, ms) -> { }).length());
        }
        assertEquals(0, engine.reservedStreams(), "every stream given back");
    }

    @Test
    void aFullEngineRefusesAfterItsWaitAndServesAgainOnceFree() throws Exception {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            jobs.add(start(settings(600, 1, 900 + i), 1, 1, () -> false));
        }
        long t0 = System.nanoTime();
        assertNull(engine.reserve(1, Duration.ofMillis(200)), "no stream is free");
        assertTrue(System.nanoTime() - t0 >= 150_000_000L, "it waited before refusing");
        for (Job j : jobs) {
            j.await((a, t, ms) -> { });
        }
        DecodingEngine lane = engine.reserve(1, Duration.ZERO);
        assertNotNull(lane);
        lane.release(1);
        assertEquals(0, engine.reservedStreams());
    }

    @Test
    void aRequestThatFindsEveryStreamTakenWaitsAndIsServedWhenOneFrees() throws Exception {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            jobs.add(start(settings(200, 1, 700 + i), 1, 1, () -> false));
        }
        long t0 = System.nanoTime();
        DecodingEngine lane = engine.reserve(1, Duration.ofSeconds(30));
        assertNotNull(lane, "served once a stream came free");
        long waited = (System.nanoTime() - t0) / 1_000_000;
        Job late = new Job(settings(50, 1, 799), engine.card(), vocab, 1, 1, () -> false);
        lane.submit(late);
        assertEquals(50, late.await((a, t, ms) -> { }).length());
        assertTrue(waited > 0, "it waited " + waited + " ms");
        for (Job j : jobs) {
            j.await((a, t, ms) -> { });
        }
    }

    /** A job holding {@code reserved} attempts' streams, as a request with candidates does. */
    private static List<GeneratedPiece> candidates(GenerationSettings s, int reserved) throws Exception {
        DecodingEngine lane = engine.reserve(reserved, Duration.ofSeconds(30));
        assertNotNull(lane, "streams reserved");
        Job job = new Job(s, engine.card(), vocab, 3, reserved, 2, () -> false);
        lane.submit(job);
        return job.awaitCandidates((a, t, ms) -> { });
    }

    @Test
    void candidatesSideBySideAreThePiecesTheirSeedsMakeAlone() throws Exception {
        GenerationSettings one = settings(120, 2, 61);
        List<GeneratedPiece> four = candidates(one.withCandidates(4), 4);
        assertEquals(4, four.size());
        // candidate 0 is the piece of a request without candidates: same seed, same bytes as before
        assertArrayEquals(run(one, 3, 2).tokens(), four.get(0).tokens());
        for (int i = 0; i < 4; i++) {
            for (int j = i + 1; j < 4; j++) {
                assertFalse(Arrays.equals(four.get(i).tokens(), four.get(j).tokens()), i + " and " + j);
            }
        }
        // fewer candidates are the first ones of more; fewer streams (one after another) change nothing
        List<GeneratedPiece> two = candidates(one.withCandidates(2), 2);
        List<GeneratedPiece> queued = candidates(one.withCandidates(4), 1);
        for (int i = 0; i < 4; i++) {
            if (i < 2) {
                assertArrayEquals(four.get(i).tokens(), two.get(i).tokens(), "candidate " + i);
            }
            assertArrayEquals(four.get(i).tokens(), queued.get(i).tokens(), "candidate " + i + " queued");
            assertEquals(four.get(i).attempts(), queued.get(i).attempts());
        }
        assertEquals(0, engine.reservedStreams(), "every stream given back");
    }

    @Test
    void aPrimerIsContinuedAndPrimersOfEveryLengthShareABatch() throws Exception {
        TokenEncoder encoder = new TokenEncoder(vocab);
        List<dev.aria.midi.TimedNote> scale = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // 200 piano notes: 400 tokens and more, longer than the window keeps
            scale.add(new dev.aria.midi.TimedNote(dev.aria.midi.TimedNote.PIANO, 60 + i % 8, i * 0.25, i * 0.25 + 0.2));
        }
        Primer longPrimer = new Primer(encoder.tokens(scale), 50_000);
        Primer shortPrimer = new Primer(encoder.tokens(scale.subList(0, 6)), 1_500);
        GenerationSettings plain = settings(300, 1, 17);
        GenerationSettings withLong = plain.withPrimer(longPrimer);
        GenerationSettings withShort = plain.withPrimer(shortPrimer);
        GeneratedPiece none = run(plain, 1, 1);
        GeneratedPiece longAlone = run(withLong, 1, 1);
        GeneratedPiece shortAlone = run(withShort, 1, 1);
        assertEquals(300, longAlone.length());
        assertFalse(Arrays.equals(none.tokens(), longAlone.tokens()), "the primer changes the music");
        assertFalse(Arrays.equals(longAlone.tokens(), shortAlone.tokens()));
        // the three prefixes have three lengths: encoded in one round, one call each, the same pieces as alone
        Job a = start(withLong, 1, 1, () -> false);
        Job b = start(withShort, 1, 1, () -> false);
        Job c = start(plain, 1, 1, () -> false);
        assertArrayEquals(longAlone.tokens(), await(a).tokens());
        assertArrayEquals(shortAlone.tokens(), await(b).tokens());
        assertArrayEquals(none.tokens(), await(c).tokens());
        // the primer's pianist keeps playing: the continuation plays piano
        long piano = Arrays.stream(longAlone.tokens()).filter(t -> vocab.isNote(t) && vocab.noteOn(t)
                && vocab.noteInstrument(t) == dev.aria.midi.TimedNote.PIANO).count();
        assertTrue(piano > 0, "piano notes in the continuation");
    }

    @Test
    void anArcChangesTheConditionAlongThePieceDeterministically() throws Exception {
        GenerationSettings calm = new GenerationSettings(0.5, -0.9, Conditioning.CONTINUOUS_CONCAT, 600, 1.2, 1.2, 0.7,
                1, 29);
        GenerationSettings arc = calm.withEnd(0.5, 0.9);
        GeneratedPiece constant = run(calm, 1, 1);
        GeneratedPiece a1 = run(arc, 1, 1);
        GeneratedPiece a2 = run(arc, 1, 1);
        assertArrayEquals(a1.tokens(), a2.tokens());
        assertFalse(Arrays.equals(constant.tokens(), a1.tokens()));
        assertEquals(0.0, arc.arousalAt(300), 1e-12, "half way, half way between the two");
    }

    private static GeneratedPiece await(Job j) {
        try {
            return j.await((a, t, ms) -> { });
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
