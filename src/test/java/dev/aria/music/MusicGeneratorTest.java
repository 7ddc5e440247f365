package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.onnxruntime.OrtEnvironment;
import dev.aria.midi.Note;

/** The generation loop on the shipped continuous_concat decoder, without the HTTP layer. */
class MusicGeneratorTest {

    private static Vocabulary vocab;
    private static MusicDecoder decoder;
    private static MusicGenerator generator;

    @BeforeAll
    static void load() throws Exception {
        vocab = Vocabulary.load(Path.of("models/vocab.json"));
        decoder = new MusicDecoder(OrtEnvironment.getEnvironment(), Path.of("models/music_continuous_concat.onnx"),
                DecoderCard.read(Path.of("models/music_continuous_concat.json")), 1);
        generator = new MusicGenerator(vocab);
    }

    @AfterAll
    static void close() throws Exception {
        decoder.close();
    }

    private static GenerationSettings settings(int genLen, int minInstruments, long seed) {
        return new GenerationSettings(0.5, 0.5, Conditioning.CONTINUOUS_CONCAT, genLen, 1.2, 1.2, 0.7, minInstruments, seed);
    }

    @Test
    void generatesPastTheTrainedWindowWithoutLosingTheThread() throws Exception {
        int window = decoder.card().context();
        int genLen = 2 * window + 37; // forces at least two re-encodings of the cache
        GeneratedPiece p = generator.generate(decoder, settings(genLen, 1, 3), 1, () -> false, n -> { });
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
        GeneratedPiece a = generator.generate(decoder, settings(200, 1, 11), 1, () -> false, n -> { });
        GeneratedPiece b = generator.generate(decoder, settings(200, 1, 11), 1, () -> false, n -> { });
        GeneratedPiece c = generator.generate(decoder, settings(200, 1, 12), 1, () -> false, n -> { });
        assertArrayEquals(a.tokens(), b.tokens());
        assertFalse(Arrays.equals(a.tokens(), c.tokens()));
    }

    @Test
    void aStopRequestEndsTheGenerationEarlyAndSaysSo() throws Exception {
        AtomicInteger progress = new AtomicInteger();
        GeneratedPiece p = generator.generate(decoder, settings(2000, 1, 5), 3, () -> progress.get() >= 50, progress::set);
        assertTrue(p.truncated());
        assertEquals(50, p.length());
        assertEquals(1, p.attempts(), "a stopped generation is not retried");
    }

    @Test
    void tooFewInstrumentsIsRetriedAndTheRichestAttemptKept() throws Exception {
        // five instruments in 40 tokens is out of reach: every attempt runs, the best is returned, the miss reported
        GeneratedPiece p = generator.generate(decoder, settings(40, 5, 9), 3, () -> false, n -> { });
        assertEquals(3, p.attempts());
        assertFalse(p.metMinimum());
        assertEquals(new TokenDecoder(vocab).instrumentsPlaying(p.tokens()), p.instruments());
    }
}
