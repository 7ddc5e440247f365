package dev.aria.music;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import ai.onnxruntime.OrtException;
import dev.aria.midi.TokenDecoder;

/**
 * Autoregressive generation with midi-emotion's sampling (see {@code training/sample.py}, whose semantics this
 * mirrors step for step):
 * <ul>
 * <li>the note temperature for the token after a TIMESHIFT, the rest temperature otherwise, multiplied by the
 * repetition penalty {@code 1 + 0.5 * max(0, ln((n + 1) / 4))}, where {@code n} counts steps whose nucleus kept at most
 * two tokens ({@code +1} on such a step, {@code n / 2} otherwise);</li>
 * <li>nucleus sampling over the non-special tokens ({@link NucleusSampler});</li>
 * <li>decoding with the key/value cache; when the cache would exceed the trained window, the window is re-encoded
 * from the emotion prefix and the most recent half of the music, so every relative distance stays inside the trained
 * range and {@code genLen} may exceed the context;</li>
 * <li>a piece with fewer than {@code minInstruments} instruments is generated again, up to {@code maxAttempts} times,
 * and the attempt with the most instruments is returned.</li>
 * </ul>
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
        boolean[] mask = new boolean[card.vocabSize()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = vocab.isSpecial(i);
        }
        NucleusSampler sampler = new NucleusSampler(mask);
        SplittableRandom random = new SplittableRandom(s.seed());
        int[] best = null;
        int bestLength = 0;
        int bestInstruments = -1;
        boolean bestTruncated = false;
        int attempt = 0;
        try (MusicDecoder.Stream stream = decoder.open(s.valence(), s.arousal())) {
            while (attempt < maxAttempts) {
                attempt++;
                int[] prefix = prefix(card, s);
                int[] seq = new int[prefix.length + s.genLen()];
                System.arraycopy(prefix, 0, seq, 0, prefix.length);
                int length = prefix.length;
                int generated = 0;
                boolean stopped = false;
                int[] feed = prefix.clone();
                int feedLength = prefix.length;
                int repeats = 0;
                stream.reset();
                while (generated < s.genLen()) {
                    if (stop.getAsBoolean()) {
                        stopped = true;
                        break;
                    }
                    if (stream.cacheLength() + feedLength > card.context()) {
                        int n = card.prefixLen();
                        int keep = (card.context() - n) / 2;
                        feed = new int[n + keep];
                        System.arraycopy(seq, 0, feed, 0, n);
                        System.arraycopy(seq, length - keep, feed, n, keep);
                        feedLength = feed.length;
                        stream.reset();
                    }
                    float[] logits = stream.step(feed, feedLength);
                    double base = vocab.isTimeshift(seq[length - 1]) ? s.noteTemperature() : s.restTemperature();
                    double temperature = base * (1 + Math.max(0.0, Math.log((repeats + 1) / 4.0) * PENALTY_COEFF));
                    NucleusSampler.Pick pick = sampler.pick(logits, temperature, s.topP(), random.nextDouble());
                    repeats = pick.kept() <= 2 ? repeats + 1 : repeats / 2;
                    seq[length++] = pick.token();
                    generated++;
                    feed = new int[] {pick.token()};
                    feedLength = 1;
                    progress.accept(generated);
                }
                int[] music = new int[generated];
                System.arraycopy(seq, prefix.length, music, 0, generated);
                int playing = tokens.instrumentsPlaying(music, generated);
                if (playing > bestInstruments) {
                    best = music;
                    bestLength = generated;
                    bestInstruments = playing;
                    bestTruncated = stopped;
                }
                if (playing >= s.minInstruments() || stopped) {
                    break;
                }
            }
        }
        return new GeneratedPiece(best, bestLength, bestInstruments, attempt, bestInstruments >= s.minInstruments(),
                bestTruncated, card.id());
    }

    /** Emotion slots (if any) then {@code <START>}, as the model was trained. */
    private int[] prefix(DecoderCard card, GenerationSettings s) {
        return switch (card.conditioning()) {
            case CONTINUOUS_CONCAT -> new int[] {Vocabulary.START};
            case CONTINUOUS_TOKEN -> new int[] {Vocabulary.PAD, Vocabulary.PAD, Vocabulary.START};
            case DISCRETE_TOKEN -> new int[] {vocab.valenceToken(s.valence()), vocab.arousalToken(s.arousal()), Vocabulary.START};
        };
    }
}
