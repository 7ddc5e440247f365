package dev.aria.music;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.aria.analysis.EmotionFeatures;
import dev.aria.analysis.EmotionReader;
import dev.aria.config.AriaConfig;
import dev.aria.health.ModelStatus;
import dev.aria.midi.MidiWriter;
import dev.aria.midi.Note;
import dev.aria.midi.Part;
import dev.aria.midi.TimedNote;
import dev.aria.onnx.SessionSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.Startup;

/**
 * The music side of the service: the vocabulary, one ONNX decoder per shipped conditioning (loaded side by side at
 * start-up, warmed up with a few tokens, closed at shutdown), each with its {@link DecoderLanes} (one
 * {@link DecodingEngine} per core, each batching the streams decoding on it, and the bound on waiting requests), and
 * the one pipeline from settings to a MIDI file ({@link Slot#compose}) that every endpoint uses: decode the
 * candidates, measure each one's emotion with the music-emotion reader, keep the nearest to the request, write the
 * file.
 */
@ApplicationScoped
@Startup
public class MusicService implements ModelStatus {

    private static final Logger LOG = Logger.getLogger(MusicService.class);

    private final AriaConfig config;
    private final Vocabulary vocab;
    private final MidiWriter midi;
    private final TokenDecoder tokenDecoder;
    private final TokenEncoder tokenEncoder;
    private final EmotionReader reader;
    private final List<String> instruments;
    private final Map<Conditioning, DecoderLanes> engines = new EnumMap<>(Conditioning.class);
    private final CompletableFuture<Void> loading;
    private final DistributionSummary tokensGenerated;
    private final Counter rejected;
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean ready;

    MusicService(AriaConfig config, MeterRegistry registry, EmotionReader reader) throws IOException, OrtException {
        this.config = config;
        this.reader = reader;
        Path dir = config.models().dir();
        this.vocab = Vocabulary.load(dir.resolve("vocab.json"));
        this.midi = new MidiWriter(vocab.parts());
        this.tokenDecoder = new TokenDecoder(vocab);
        this.tokenEncoder = new TokenEncoder(vocab);
        this.instruments = vocab.parts().stream().map(Part::name).toList();
        this.tokensGenerated = DistributionSummary.builder("aria.generate.tokens")
                .description("Tokens generated per /generate request (every candidate's)").baseUnit("tokens")
                .publishPercentileHistogram().register(registry);
        this.rejected = Counter.builder("aria.generate.rejected")
                .description("/generate requests refused with 503: no decoding stream came free in time")
                .register(registry);
        Gauge.builder("aria.generate.active", active, AtomicInteger::get)
                .description("Generations computing now; a generation whose client left stops within one token")
                .register(registry);
        if (installed(dir).isEmpty()) {
            throw new IllegalStateException("No music decoder (music_<conditioning>.onnx + .json) in " + dir.toAbsolutePath());
        }
        // The decoders load and warm up beside the rest of the start-up (the image model, the HTTP server); readiness
        // waits for them, and so does a request that comes earlier.
        this.loading = CompletableFuture.runAsync(() -> {
            try {
                for (Map.Entry<Conditioning, MusicDecoder> e : load(dir, config.generation().intraOpThreads(),
                        config.models().decoderPrecision()).entrySet()) {
                    DecoderLanes lanes = new DecoderLanes(e.getValue(), vocab, config.generation().streams(),
                            lanes(config), config.generation().maxWaiting(), config.generation().windowShift());
                    engines.put(e.getKey(), lanes);
                    Gauge.builder("aria.generate.streams", lanes, DecoderLanes::reservedStreams)
                            .tag("conditioning", e.getKey().wireName())
                            .description("Decoding streams in use or promised (at most aria.generation.streams)")
                            .register(registry);
                    Gauge.builder("aria.generate.waiting", lanes, DecoderLanes::waiting)
                            .tag("conditioning", e.getKey().wireName())
                            .description("Requests waiting for decoding streams (at most aria.generation.max-waiting)")
                            .register(registry);
                }
                warmUp();
                ready = true;
            } catch (IOException | OrtException | RuntimeException e) {
                LOG.error("The music decoders could not be loaded; the service stops", e);
                Quarkus.asyncExit(1);
                throw new CompletionException(e);
            }
        }, runnable -> new Thread(runnable, "aria-decoder-loading").start());
    }

    /** {@code aria.generation.lanes}, by default one per core. */
    private static int lanes(AriaConfig config) {
        int lanes = config.generation().lanes().orElse(Runtime.getRuntime().availableProcessors());
        if (lanes < 1) {
            throw new IllegalArgumentException("aria.generation.lanes must be at least 1, not " + lanes);
        }
        return lanes;
    }

    /** The engines, once loaded (waits for the start-up's loading). */
    private Map<Conditioning, DecoderLanes> engines() {
        loading.join();
        return engines;
    }

    /** The installed decoders, their sessions created side by side (each takes a few hundred milliseconds). */
    private static Map<Conditioning, MusicDecoder> load(Path dir, int threads, String precision)
            throws IOException, OrtException {
        OrtEnvironment env = SessionSettings.environment();
        Map<Conditioning, CompletableFuture<MusicDecoder>> loading = new EnumMap<>(Conditioning.class);
        for (Conditioning c : installed(dir)) {
            DecoderCard card = DecoderCard.read(dir.resolve("music_" + c.wireName() + ".json"), precision);
            Path onnx = dir.resolve(card.file());
            loading.put(c, CompletableFuture.supplyAsync(() -> {
                try {
                    return new MusicDecoder(env, onnx, card, threads);
                } catch (OrtException e) {
                    throw new CompletionException(e);
                }
            }));
        }
        Map<Conditioning, MusicDecoder> out = new EnumMap<>(Conditioning.class);
        for (Map.Entry<Conditioning, CompletableFuture<MusicDecoder>> e : loading.entrySet()) {
            try {
                out.put(e.getKey(), e.getValue().join());
            } catch (CompletionException ex) {
                if (ex.getCause() instanceof OrtException ort) {
                    throw ort;
                }
                throw ex;
            }
        }
        return out;
    }

    /** The least work that proves each decoder answers: a prefix and two steps, every engine at once. */
    private void warmUp() {
        List<CompletableFuture<Void>> runs = new java.util.ArrayList<>();
        for (DecoderLanes lanes : engines.values()) {
            GenerationSettings warm = new GenerationSettings(0, 0, lanes.card().conditioning(), 3,
                    GenerationSettings.DEFAULT_NOTE_TEMPERATURE, GenerationSettings.DEFAULT_REST_TEMPERATURE,
                    GenerationSettings.DEFAULT_TOP_P, 1, 0);
            runs.add(CompletableFuture.runAsync(() -> {
                GeneratedPiece p = run(lanes, warm, () -> false, (a, t, ms) -> { }); // the lanes share one session
                LOG.infof("Loaded %s (%d layers, window %d, %d lane(s) of %d streams): warm-up generated %d tokens",
                        lanes.card().id(), lanes.card().layers(), lanes.card().context(), lanes.size(),
                        lanes.capacity(), p.length());
            }));
        }
        runs.forEach(CompletableFuture::join);
    }

    /** One generation on {@code lanes}, its streams reserved here: for the warm-up, which no request competes with. */
    private GeneratedPiece run(DecoderLanes lanes, GenerationSettings s, BooleanSupplier stop, Progress progress) {
        try {
            DecodingEngine engine = lanes.reserve(s.guided() ? 2 : 1, Duration.ofMinutes(1));
            if (engine == null) {
                throw new IllegalStateException("no stream free on " + lanes.card().id());
            }
            Job job = new Job(s, engine.card(), vocab, 1, 1, stop);
            engine.submit(job);
            return job.await(progress::progress);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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
        return List.copyOf(engines().keySet());
    }

    public Optional<DecoderCard> card(Conditioning c) {
        return Optional.ofNullable(engines().get(c)).map(DecoderLanes::card);
    }

    /**
     * Reserves the decoding streams {@code settings} need on its decoder: one attempt's (two streams when guided) per
     * candidate, at most all the decoder has (candidates beyond those run after them, or beside them on spare
     * streams), waiting up to {@code aria.generation.queue-wait} behind at most {@code aria.generation.max-waiting}
     * other requests; none when they stay busy: requests never queue without bound. Close the slot (idempotent) when
     * its generation has ended, however it ended.
     *
     * @throws IllegalArgumentException when no decoder of {@code settings.conditioning()} is installed
     */
    public Optional<Slot> reserve(GenerationSettings settings) {
        DecoderLanes lanes = engines().get(settings.conditioning());
        if (lanes == null) {
            throw new IllegalArgumentException("no decoder for " + settings.conditioning() + " is installed");
        }
        int streams = streams(settings, lanes.capacity());
        try {
            DecodingEngine lane = lanes.reserve(streams, config.generation().queueWait());
            if (lane != null) {
                return Optional.of(new Slot(lane, streams));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rejected.increment();
        return Optional.empty();
    }

    /** Streams a request with {@code s} holds: one attempt's per candidate, at most a lane's {@code capacity}. */
    private static int streams(GenerationSettings s, int capacity) {
        int per = s.guided() ? 2 : 1;
        return Math.max(1, Math.min(s.candidates(), capacity / per)) * per;
    }

    /**
     * A piece to continue, from its notes (as {@code MidiNoteReader} reads a MIDI file): tokenised as the data
     * pipeline tokenises its MIDI files ({@link TokenEncoder}); empty when no note survives (drum notes outside the
     * vocabulary's pitches are dropped).
     */
    public Optional<Primer> primer(List<TimedNote> notes) {
        int[] tokens = tokenEncoder.tokens(notes);
        if (tokens.length == 0) {
            return Optional.empty();
        }
        int endMs = 0;
        for (int t : tokens) {
            endMs += vocab.isTimeshift(t) ? vocab.timeshiftMs(t) : 0;
        }
        int shiftToC = Primer.shiftToC(EmotionFeatures.tonic(notes));
        return Optional.of(new Primer(tokens, endMs, tokenEncoder.tokens(notes, shiftToC), shiftToC));
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
        loading.cancel(false);
        for (DecoderLanes e : engines.values()) {
            e.close();
        }
    }

    /** What a composition reports while it runs: attempt number (from 1), tokens and milliseconds of music so far. */
    @FunctionalInterface
    public interface Progress {
        void progress(int attempt, int tokens, long musicMs);
    }

    /** Decoding streams reserved for one request: it composes one piece. */
    public final class Slot implements AutoCloseable {
        private final DecodingEngine engine;
        private final int streams;
        private boolean submitted;
        private boolean released;

        private Slot(DecodingEngine engine, int streams) {
            this.engine = engine;
            this.streams = streams;
        }

        /**
         * The generation pipeline, run by the decoder's engine while the calling (worker) thread waits: generates the
         * tokens, stopped early by {@code stop} or by {@code aria.generation.deadline}, decodes them into notes and
         * writes the MIDI file, whose text event says which decoder played, how many instruments and attempts it took,
         * and whether it fell short.
         *
         * @param stop     polled at every token: true stops the generation (the client has gone)
         * @param progress told, on the calling thread, how far the generation has come
         * @throws IllegalArgumentException when the settings ask for another decoder than the slot's
         * @throws IllegalStateException    when the slot was used or closed already, or the decoder fails
         */
        public Composition compose(GenerationSettings settings, BooleanSupplier stop, Progress progress) {
            synchronized (this) {
                if (released || submitted) {
                    throw new IllegalStateException("generation slot already used");
                }
                if (settings.conditioning() != engine.card().conditioning()
                        || streams(settings, engine.capacity()) != streams) {
                    throw new IllegalArgumentException("the slot was reserved for other settings");
                }
                submitted = true; // the engine gives the streams back when the job ends
            }
            long deadline = System.nanoTime() + config.generation().deadline().toNanos();
            Job job = new Job(settings, engine.card(), vocab, config.generation().maxAttempts(),
                    streams / (settings.guided() ? 2 : 1), config.generation().parallelAttempts(),
                    () -> stop.getAsBoolean() || System.nanoTime() > deadline);
            List<GeneratedPiece> pieces;
            active.incrementAndGet();
            try {
                engine.submit(job);
                pieces = job.awaitCandidates(progress::progress);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while composing", e);
            } finally {
                active.decrementAndGet();
            }
            Primer primer = settings.primer();
            int startMs = primer == null ? 0 : primer.endMs();
            // a key-normalised decoder continued the primer moved to C: its music goes back to the primer's key
            int back = primer == null ? 0 : primer.shiftBackFor(engine.card());
            List<Composition.Candidate> candidates = new java.util.ArrayList<>(pieces.size());
            List<int[]> music = new java.util.ArrayList<>(pieces.size()); // each candidate's tokens in the file's key
            tokensGenerated.record(pieces.stream().mapToInt(GeneratedPiece::length).sum());
            for (GeneratedPiece p : pieces) {
                int[] m = back == 0 ? p.tokens() : vocab.transpose(p.tokens(), back);
                music.add(m);
                candidates.add(new Composition.Candidate(p, reader.ready()
                        ? Measurement.of(reader, tokenDecoder.notes(m), startMs, settings) : null));
            }
            int chosen = choose(candidates);
            GeneratedPiece piece = candidates.get(chosen).piece();
            if (piece.truncated() && stop.getAsBoolean()) {
                LOG.debugf("generation stopped by its caller after %d tokens", piece.length());
            } else if (piece.truncated()) {
                LOG.warnf("generation stopped at its deadline after %d of %d tokens", piece.length(),
                        settings.genLen());
            }
            int[] tokens = music.get(chosen);
            if (primer != null) {
                tokens = java.util.stream.IntStream.concat(java.util.Arrays.stream(primer.tokens()),
                        java.util.Arrays.stream(tokens)).toArray();
            }
            List<Note> notes = tokenDecoder.notes(tokens);
            String summary = summary(piece, settings, candidates, chosen, startMs, back);
            byte[] file = primer == null ? midi.file(notes, summary)
                    : midi.file(notes, summary, startMs, "continuation");
            return new Composition(piece, notes, instruments, file, startMs, List.copyOf(candidates), chosen);
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                if (!submitted) {
                    engine.release(streams); // never composed: nobody else gives the streams back
                }
            }
        }
    }

    /**
     * The candidate kept: among those with at least {@code min_instruments} instruments (all, when none has), the one
     * whose measured emotion is nearest the request; the earliest of equals (so the first, when nothing was measured).
     */
    static int choose(List<Composition.Candidate> candidates) {
        int best = 0;
        for (int i = 1; i < candidates.size(); i++) {
            if (better(candidates.get(i), candidates.get(best))) {
                best = i;
            }
        }
        return best;
    }

    private static boolean better(Composition.Candidate a, Composition.Candidate b) {
        if (a.piece().metMinimum() != b.piece().metMinimum()) {
            return a.piece().metMinimum();
        }
        if (!a.piece().metMinimum() && a.piece().instruments() != b.piece().instruments()) {
            return a.piece().instruments() > b.piece().instruments();
        }
        double da = a.measured() == null ? Double.POSITIVE_INFINITY : a.measured().distance();
        double db = b.measured() == null ? Double.POSITIVE_INFINITY : b.measured().distance();
        return da < db;
    }

    /**
     * The text event of the MIDI file: model, instruments, attempts, whether anything fell short, the measured emotion
     * of the generated music, the candidates, and where a continuation begins and by how much it was moved back into
     * the primer's key.
     */
    private static String summary(GeneratedPiece p, GenerationSettings s, List<Composition.Candidate> candidates,
            int chosen, int continuationMs, int keyShift) {
        Measurement m = candidates.get(chosen).measured();
        return "ARIA " + p.modelId() + ": " + p.instruments() + " instruments, " + p.attempts() + " attempt(s)"
                + (s.guided() ? ", guidance " + s.guidance() : "")
                + (p.metMinimum() ? "" : ", fewer than the " + s.minInstruments() + " asked for (best attempt kept)")
                + (p.truncated() ? ", stopped early at the deadline" : "")
                + (m == null ? ", emotion not measured (no music-emotion reader)"
                        : m.arousal() == null ? ", no notes to measure"
                                : String.format(java.util.Locale.ROOT, "; measured valence %s, arousal %.4f (%s)",
                                        m.valence() == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f",
                                                m.valence()), m.arousal(), m.model()))
                + (candidates.size() > 1 ? String.format(java.util.Locale.ROOT,
                        ", candidate %d of %d (nearest the request)", chosen + 1, candidates.size()) : "")
                + (s.primer() != null ? String.format(java.util.Locale.ROOT, "; continuation from %.3f s",
                        continuationMs / 1000.0) : "")
                + (s.primer() != null && keyShift != 0 ? String.format(java.util.Locale.ROOT,
                        " in the primer's key (written in C, moved by %+d semitones)", keyShift) : "");
    }
}
