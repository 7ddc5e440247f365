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
import dev.aria.midi.TokenDecoder;
import dev.aria.problem.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * The music side of the service: the vocabulary, one ONNX decoder per shipped conditioning (loaded once at start-up,
 * warmed up with a short generation, closed at shutdown), and the bound on concurrent generations.
 */
@ApplicationScoped
@Startup
public class MusicService implements ModelStatus {

    private static final Logger LOG = Logger.getLogger(MusicService.class);

    private final AriaConfig config;
    private final Vocabulary vocab;
    private final MusicGenerator generator;
    private final MidiWriter midi;
    private final TokenDecoder tokenDecoder;
    private final Map<Conditioning, MusicDecoder> decoders = new EnumMap<>(Conditioning.class);
    private final Semaphore slots;
    private final DistributionSummary tokensGenerated;
    private final Counter rejected;
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean ready;

    MusicService(AriaConfig config, MeterRegistry registry) throws IOException, OrtException {
        this.config = config;
        Path dir = config.models().dir();
        this.vocab = Vocabulary.load(dir.resolve("vocab.json"));
        this.generator = new MusicGenerator(vocab);
        this.midi = new MidiWriter(vocab);
        this.tokenDecoder = new TokenDecoder(vocab);
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
            GenerationSettings warm = new GenerationSettings(0, 0, d.card().conditioning(), 16, 1.2, 1.2, 0.7, 1, 0);
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

    public Vocabulary vocabulary() {
        return vocab;
    }

    public MidiWriter midiWriter() {
        return midi;
    }

    public TokenDecoder tokenDecoder() {
        return tokenDecoder;
    }

    /** Conditionings whose decoder is shipped, in declaration order. */
    public List<Conditioning> available() {
        return List.copyOf(decoders.keySet());
    }

    public Optional<DecoderCard> card(Conditioning c) {
        return Optional.ofNullable(decoders.get(c)).map(MusicDecoder::card);
    }

    /**
     * Reserves a generation slot or refuses at once with 503 + Retry-After: requests never queue without bound.
     * Close the returned slot (idempotent) when the generation has ended, however it ended.
     */
    public Slot reserve() {
        if (!slots.tryAcquire()) {
            rejected.increment();
            throw new ApiException(503, "overloaded", null, "All " + config.generation().maxConcurrent()
                    + " generation slots are busy. Retry after a few seconds.")
                    .withHeader("Retry-After", String.valueOf(config.generation().retryAfter().toSeconds()));
        }
        return new Slot();
    }

    /** Runs one generation in the caller's thread (a worker thread, never the event loop). */
    public GeneratedPiece generate(Slot slot, GenerationSettings settings, BooleanSupplier stop, IntConsumer progress)
            throws OrtException {
        if (slot.released) {
            throw new IllegalStateException("generation slot already released");
        }
        MusicDecoder decoder = decoders.get(settings.conditioning());
        if (decoder == null) {
            throw unavailable(settings.conditioning());
        }
        active.incrementAndGet();
        try {
            GeneratedPiece piece = generator.generate(decoder, settings, config.generation().maxAttempts(), stop,
                    progress);
            tokensGenerated.record(piece.length());
            return piece;
        } finally {
            active.decrementAndGet();
        }
    }

    /** Generations computing now (the {@code aria.generate.active} gauge). */
    public int activeGenerations() {
        return active.get();
    }

    /** The 400 for a conditioning whose decoder is not shipped in this deployment. */
    public ApiException unavailable(Conditioning c) {
        return new ApiException(400, "conditioning-unavailable", "conditioning", "No decoder for conditioning '"
                + c.wireName() + "' is installed here. Use one of " + available().stream().map(Conditioning::wireName).toList() + ".");
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

    /** A reserved generation slot. */
    public final class Slot implements AutoCloseable {
        private volatile boolean released;

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                slots.release();
            }
        }
    }
}
