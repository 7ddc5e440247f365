package dev.aria.music;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.aria.config.AriaConfig;
import dev.aria.health.ModelStatus;
import dev.aria.midi.MidiWriter;
import dev.aria.midi.Note;
import dev.aria.midi.Part;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * The music side of the service: the vocabulary, one ONNX decoder per shipped conditioning (loaded once at start-up,
 * warmed up with a short generation, closed at shutdown), the bound on concurrent generations, and the one pipeline
 * from settings to a MIDI file ({@link Slot#compose}) that every endpoint uses.
 */
@ApplicationScoped
@Startup
public class MusicService implements ModelStatus {

    private static final Logger LOG = Logger.getLogger(MusicService.class);

    private final AriaConfig config;
    private final MusicGenerator generator;
    private final MidiWriter midi;
    private final TokenDecoder tokenDecoder;
    private final List<String> instruments;
    private final Map<Conditioning, MusicDecoder> decoders = new EnumMap<>(Conditioning.class);
    private final Semaphore slots;
    private final DistributionSummary tokensGenerated;
    private final Counter rejected;
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean ready;

    MusicService(AriaConfig config, MeterRegistry registry) throws IOException, OrtException {
        this.config = config;
        Path dir = config.models().dir();
        Vocabulary vocab = Vocabulary.load(dir.resolve("vocab.json"));
        this.generator = new MusicGenerator(vocab);
        this.midi = new MidiWriter(vocab.parts());
        this.tokenDecoder = new TokenDecoder(vocab);
        this.instruments = vocab.parts().stream().map(Part::name).toList();
        this.slots = new Semaphore(config.generation().maxConcurrent());
        this.tokensGenerated = DistributionSummary.builder("aria.generate.tokens")
                .description("Tokens generated per /generate request").baseUnit("tokens")
                .publishPercentileHistogram().register(registry);
        this.rejected = Counter.builder("aria.generate.rejected")
                .description("/generate requests refused with 503 because every generation slot was busy")
                .register(registry);
        Gauge.builder("aria.generate.active", active, AtomicInteger::get)
                .description("Generations computing now (at most aria.generation.max-concurrent); a generation "
                        + "whose client left stops within one token")
                .register(registry);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (Conditioning c : installed(dir)) {
            Path onnx = dir.resolve("music_" + c.wireName() + ".onnx");
            Path card = dir.resolve("music_" + c.wireName() + ".json");
            decoders.put(c, new MusicDecoder(env, onnx, DecoderCard.read(card), config.generation().intraOpThreads()));
        }
        if (decoders.isEmpty()) {
            throw new IllegalStateException("No music decoder (music_<conditioning>.onnx + .json) in " + dir.toAbsolutePath());
        }
        for (MusicDecoder d : decoders.values()) {
            GenerationSettings warm = new GenerationSettings(0, 0, d.card().conditioning(), 16,
                    GenerationSettings.DEFAULT_NOTE_TEMPERATURE, GenerationSettings.DEFAULT_REST_TEMPERATURE,
                    GenerationSettings.DEFAULT_TOP_P, 1, 0);
            GeneratedPiece p = generator.generate(d, warm, 1, () -> false, n -> { });
            LOG.infof("Loaded %s (%d layers, window %d): warm-up generated %d tokens", d.card().id(),
                    d.card().layers(), d.card().context(), p.length());
        }
        ready = true;
    }

    /**
     * The conditionings whose decoder ({@code music_<conditioning>.onnx} with its card {@code .json}) is in
     * {@code dir}, in declaration order: those this service loads, and those the API document offers.
     */
    public static List<Conditioning> installed(Path dir) {
        return java.util.Arrays.stream(Conditioning.values())
                .filter(c -> Files.exists(dir.resolve("music_" + c.wireName() + ".onnx"))
                        && Files.exists(dir.resolve("music_" + c.wireName() + ".json")))
                .toList();
    }

    @Override
    public String name() {
        return "music-decoders";
    }

    @Override
    public boolean ready() {
        return ready;
    }

    /** Conditionings whose decoder is shipped, in declaration order. */
    public List<Conditioning> available() {
        return List.copyOf(decoders.keySet());
    }

    public Optional<DecoderCard> card(Conditioning c) {
        return Optional.ofNullable(decoders.get(c)).map(MusicDecoder::card);
    }

    /**
     * Reserves a generation slot, or none when every slot is busy: requests never queue without bound. Close the slot
     * (idempotent) when its generation has ended, however it ended.
     */
    public Optional<Slot> reserve() {
        if (!slots.tryAcquire()) {
            rejected.increment();
            return Optional.empty();
        }
        return Optional.of(new Slot());
    }

    /**
     * The first bytes of every MIDI file {@link Slot#compose} makes, known before the music: a transport may send
     * them at once.
     */
    public byte[] midiHeader() {
        return midi.header();
    }

    /** Generations computing now (the {@code aria.generate.active} gauge). */
    public int activeGenerations() {
        return active.get();
    }

    @PreDestroy
    void close() {
        ready = false;
        for (MusicDecoder d : decoders.values()) {
            try {
                d.close();
            } catch (OrtException e) {
                LOG.warn("closing decoder", e);
            }
        }
    }

    /** A reserved generation slot: it composes one piece. */
    public final class Slot implements AutoCloseable {
        private volatile boolean released;

        /**
         * The generation pipeline, in the caller's thread (a worker thread, never the event loop): generates the
         * tokens, stopped early by {@code stop} or by {@code aria.generation.deadline}, decodes them into notes and
         * writes the MIDI file, whose text event says which decoder played, how many instruments and attempts it took,
         * and whether it fell short.
         *
         * @param stop     polled at every token: true stops the generation (the client has gone)
         * @param progress told the number of tokens generated so far in the current attempt
         * @throws IllegalArgumentException when no decoder of {@code settings.conditioning()} is installed
         * @throws IllegalStateException    when the slot is already closed, or the decoder fails
         */
        public Composition compose(GenerationSettings settings, BooleanSupplier stop, IntConsumer progress) {
            if (released) {
                throw new IllegalStateException("generation slot already released");
            }
            MusicDecoder decoder = decoders.get(settings.conditioning());
            if (decoder == null) {
                throw new IllegalArgumentException("no decoder for " + settings.conditioning() + " is installed");
            }
            long deadline = System.nanoTime() + config.generation().deadline().toNanos();
            GeneratedPiece piece;
            active.incrementAndGet();
            try {
                piece = generator.generate(decoder, settings, config.generation().maxAttempts(),
                        () -> stop.getAsBoolean() || System.nanoTime() > deadline, progress);
            } catch (OrtException e) {
                throw new IllegalStateException("the decoder " + decoder.card().id() + " failed", e);
            } finally {
                active.decrementAndGet();
            }
            tokensGenerated.record(piece.length());
            if (piece.truncated() && stop.getAsBoolean()) {
                LOG.debugf("generation stopped by its caller after %d tokens", piece.length());
            } else if (piece.truncated()) {
                LOG.warnf("generation stopped at its deadline after %d of %d tokens", piece.length(),
                        settings.genLen());
            }
            List<Note> notes = tokenDecoder.notes(piece.tokens());
            return new Composition(piece, notes, instruments, midi.file(notes, summary(piece, settings)));
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                slots.release();
            }
        }
    }

    /** The text event of the MIDI file: model, instruments, attempts, and whether anything fell short. */
    private static String summary(GeneratedPiece p, GenerationSettings s) {
        return "ARIA " + p.modelId() + ": " + p.instruments() + " instruments, " + p.attempts() + " attempt(s)"
                + (p.metMinimum() ? "" : ", fewer than the " + s.minInstruments() + " asked for (best attempt kept)")
                + (p.truncated() ? ", stopped early at the deadline" : "");
    }
}
