package dev.aria.music;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import ai.onnxruntime.OrtException;

/**
 * Autoregressive generation with midi-emotion's sampling (see {@code training/sample.py}, whose semantics this
 * mirrors step for step):
 * <ul>
 * <li>the note temperature for the token after a TIMESHIFT, the rest temperature otherwise, multiplied by the
 * repetition penalty {@code 1 + 0.5 * max(0, ln((n + 1) / 4))}, where {@code n} counts steps whose nucleus kept at most
 * two tokens ({@code +1} on such a step, {@code n / 2} otherwise);</li>
 * <li>nucleus sampling over the non-special tokens ({@link NucleusSampler});</li>
 * <li>decoding with the key/value cache; when the cache would exceed the trained window, the window slides: it is
 * re-encoded from the emotion prefix and the most recent half of the music, so every relative distance stays inside
 * the trained range and {@code genLen} may exceed the context;</li>
 * <li>a piece with fewer than {@code minInstruments} instruments is generated again, up to {@code maxAttempts} times,
 * and the attempt with the most instruments is returned.</li>
 * </ul>
 * One random stream, seeded by the settings, draws every token of every attempt in turn.
 */
public final class MusicGenerator {

    private static final double PENALTY_COEFF = 0.5;

    private final Vocabulary vocab;
    private final TokenDecoder tokens;

    public MusicGenerator(Vocabulary vocab) {
        this.vocab = vocab;
        this.tokens = new TokenDecoder(vocab);
    }

    /**
     * @param stop     polled every step; true stops the generation (deadline passed or client gone)
     * @param progress told the number of tokens generated so far in the current attempt
     */
    public GeneratedPiece generate(MusicDecoder decoder, GenerationSettings s, int maxAttempts, BooleanSupplier stop,
            IntConsumer progress) throws OrtException {
        DecoderCard card = decoder.card();
        NucleusSampler sampler = new NucleusSampler(specialTokens(card.vocabSize()));
        SplittableRandom random = new SplittableRandom(s.seed());
        Attempt best = null;
        int attempts = 0;
        try (MusicDecoder.Stream stream = decoder.open(s.valence(), s.arousal())) {
            while (attempts < maxAttempts) {
                attempts++;
                Attempt attempt = new Attempt(prefix(card, s), s.genLen());
                attempt.run(stream, card, sampler, random, s, stop, progress);
                if (best == null || attempt.instruments() > best.instruments()) {
                    best = attempt;
                }
                if (attempt.instruments() >= s.minInstruments() || attempt.stopped) {
                    break;
                }
            }
        }
        return new GeneratedPiece(best.music(), best.instruments(), attempts,
                best.instruments() >= s.minInstruments(), best.stopped, card.id());
    }

    /** Emotion slots (if any) then {@code <START>}, as the model was trained. */
    private int[] prefix(DecoderCard card, GenerationSettings s) {
        return switch (card.conditioning()) {
            case CONTINUOUS_CONCAT -> new int[] {Vocabulary.START};
            case CONTINUOUS_TOKEN -> new int[] {Vocabulary.PAD, Vocabulary.PAD, Vocabulary.START};
            case DISCRETE_TOKEN -> new int[] {vocab.valenceToken(s.valence()), vocab.arousalToken(s.arousal()),
                    Vocabulary.START};
        };
    }

    private boolean[] specialTokens(int size) {
        boolean[] mask = new boolean[size];
        for (int i = 0; i < size; i++) {
            mask[i] = vocab.isSpecial(i);
        }
        return mask;
    }

    /** One attempt: the prefix, the music sampled after it, and the repetition count of its sampler. */
    private final class Attempt {
        private final int[] sequence;
        private final int prefixLength;
        private int length;
        private int smallNuclei;
        private boolean stopped;
        private int instruments;

        Attempt(int[] prefix, int genLen) {
            this.sequence = Arrays.copyOf(prefix, prefix.length + genLen);
            this.prefixLength = prefix.length;
            this.length = prefix.length;
        }

        /** Samples up to {@code genLen} tokens, one decoder step each, until done or {@code stop} says so. */
        void run(MusicDecoder.Stream stream, DecoderCard card, NucleusSampler sampler, SplittableRandom random,
                GenerationSettings s, BooleanSupplier stop, IntConsumer progress) throws OrtException {
            stream.reset();
            int[] feed = Arrays.copyOf(sequence, prefixLength);
            while (length < sequence.length) {
                if (stop.getAsBoolean()) {
                    stopped = true;
                    break;
                }
                if (stream.cacheLength() + feed.length > card.context()) {
                    feed = slideWindow(card);
                    stream.reset();
                }
                feed = new int[] {sample(stream.step(feed), sampler, s, random.nextDouble())};
                progress.accept(length - prefixLength);
            }
            instruments = tokens.instrumentsPlaying(music());
        }

        /** The next token, drawn from the logits of the last position with uniform draw {@code u}. */
        private int sample(float[] logits, NucleusSampler sampler, GenerationSettings s, double u) {
            double base = vocab.isTimeshift(sequence[length - 1]) ? s.noteTemperature() : s.restTemperature();
            double temperature = base * (1 + Math.max(0.0, Math.log((smallNuclei + 1) / 4.0) * PENALTY_COEFF));
            NucleusSampler.Pick pick = sampler.pick(logits, temperature, s.topP(), u);
            smallNuclei = pick.kept() <= 2 ? smallNuclei + 1 : smallNuclei / 2;
            sequence[length++] = pick.token();
            return pick.token();
        }

        /**
         * The window slide: the emotion slots, then the most recent half of the trained window, to be encoded from an
         * empty cache. ({@code <START>} has scrolled out of the window by then, as in the reference.)
         */
        private int[] slideWindow(DecoderCard card) {
            int slots = card.prefixLen();
            int keep = (card.context() - slots) / 2;
            int[] window = new int[slots + keep];
            System.arraycopy(sequence, 0, window, 0, slots);
            System.arraycopy(sequence, length - keep, window, slots, keep);
            return window;
        }

        /** The music: the tokens after the prefix. */
        int[] music() {
            return Arrays.copyOfRange(sequence, prefixLength, length);
        }

        /** Instruments with at least one note-on, once the attempt has run. */
        int instruments() {
            return instruments;
        }
    }
}
