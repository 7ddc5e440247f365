package dev.aria.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;

/**
 * Every tunable of the ARIA service, under the {@code aria.} prefix of {@code application.properties}
 * (or the matching environment variable, e.g. {@code ARIA_IMAGE_MAX_BYTES}).
 *
 * <p>Values are validated at start-up: a non-positive limit stops the application with a message naming the key.
 */
@ConfigMapping(prefix = "aria")
public interface AriaConfig {

    /** Where the trained models live. */
    Models models();

    /** Limits applied to uploaded images before and while they are decoded. */
    Image image();

    /** Limits of music generation. */
    Generation generation();

    /** Rendering MIDI to audio ({@code POST /render}). */
    Audio audio();

    /** Limits of the request head that the service checks itself, to answer them with a problem body. */
    Http http();

    /** Reading the emotion of MIDI files ({@code POST /analyze}). */
    Analysis analysis();

    /**
     * {@code aria.exit-when-ready}: stop the application (exit code 0) as soon as every model has loaded, or with 1
     * when one fails; false by default. The package step runs the application once so to record its class-data
     * archive (pom.xml, {@code app-cds}).
     */
    @WithDefault("false")
    boolean exitWhenReady();

    /** {@code aria.models.*} */
    interface Models {

        /**
         * {@code aria.models.dir}: directory holding the ONNX models and their JSON cards. A relative path is
         * resolved against the working directory of the process.
         */
        @WithDefault("models")
        Path dir();

        /**
         * {@code aria.models.decoder-precision}: {@code int4} (default) serves each decoder's 4-bit quantisation
         * ({@code music_<conditioning>.int4.onnx}: 4-bit weights in blocks of 32, ONNX Runtime's MatMulNBits),
         * {@code int8} its 8-bit one, where its card says that held-out NLL stayed within 0.01 of the float32 file's,
         * else the next more precise file; {@code fp32} always serves the float32 file. A token takes about as long
         * with int4 as with int8, and about 1.9 times as long with fp32, on one core (README, Speed).
         */
        @WithDefault("int4")
        @jakarta.validation.constraints.Pattern(regexp = "int4|int8|fp32")
        String decoderPrecision();
    }

    /** {@code aria.image.*} */
    interface Image {

        /**
         * {@code aria.image.max-bytes}: largest accepted image file, in bytes (default 20 MiB). Larger uploads are
         * answered with 413. Keep {@code quarkus.http.limits.max-body-size} a little above this value so that the
         * multipart envelope around the image still fits.
         */
        @WithDefault("20971520")
        @Min(1)
        long maxBytes();

        /**
         * {@code aria.image.max-pixels}: largest accepted width × height (default 40 million). Read from the image
         * header <em>before</em> decoding, so that a small file declaring a huge canvas (a "decompression bomb")
         * never allocates its pixels.
         */
        @WithDefault("40000000")
        @Min(1)
        long maxPixels();

        /**
         * {@code aria.image.pixel-budget}: pixels being decoded and estimated at once, across all requests (default
         * 40 million, one image of the largest accepted size; a decoded image takes about 12 bytes a pixel at its
         * peak, so about 480 MB). A request whose image does not fit beside the others waits up to
         * {@code pixel-budget-wait}, then gets 503 with {@code Retry-After}. An image larger than the budget waits
         * for all of it.
         */
        @WithDefault("40000000")
        @Min(1)
        long pixelBudget();

        /** {@code aria.image.pixel-budget-wait}: how long a request waits for its share of the pixel budget. */
        @WithDefault("10s")
        Duration pixelBudgetWait();
    }

    /** {@code aria.generation.*} */
    interface Generation {

        /**
         * {@code aria.generation.streams}: decoding streams each decoder advances together in one batched call per
         * token (default 16). An attempt takes one stream, a guided attempt two; a request reserves the streams of one
         * attempt, and more of its attempts run beside it while streams are spare. Each stream's key/value cache takes
         * about 2 MB, allocated when its decoder is first used.
         */
        @WithDefault("16")
        @Min(1)
        int streams();

        /**
         * {@code aria.generation.queue-wait}: how long a request waits for its decoder's streams to come free before it
         * is refused with 503 and {@code Retry-After} (default 5 s).
         */
        @WithDefault("5s")
        Duration queueWait();

        /**
         * {@code aria.generation.max-waiting}: requests that may wait for streams on one decoder at a time (default
         * 16); the next one is refused with 503 at once, so that waiting stays bounded.
         */
        @WithDefault("16")
        @Min(0)
        int maxWaiting();

        /**
         * {@code aria.generation.parallel-attempts}: attempts of one request decoded side by side while streams are
         * spare (default 2). A later attempt stops as soon as an earlier one has enough instruments, so the second one
         * costs little when the first succeeds, and nothing waits for it when it fails.
         */
        @WithDefault("2")
        @Min(1)
        int parallelAttempts();

        /** {@code aria.generation.deadline}: wall-clock budget of one generation request (default 120 s). */
        @WithDefault("120s")
        Duration deadline();

        /** {@code aria.generation.max-gen-len}: largest number of tokens one generation may produce. */
        @WithDefault("16384")
        @Min(1)
        int maxGenLen();

        /**
         * {@code aria.generation.max-attempts}: how many times a generation is re-sampled when its output fails the
         * musical checks, before the request fails.
         */
        @WithDefault("3")
        @Min(1)
        int maxAttempts();

        /**
         * {@code aria.generation.intra-op-threads}: ONNX Runtime threads each decoder's calls use. Each decoder decodes
         * on a thread of its own, so keep this times the number of decoders in use at or below the number of cores.
         */
        @WithDefault("1")
        @Min(1)
        int intraOpThreads();

        /**
         * {@code aria.generation.lanes}: engines that decode side by side on each decoder, each batching its own
         * streams in calls of its own (default: one per core the JVM sees; fewer when {@code streams} would leave a
         * lane less than a guided attempt's two). One decoder call runs on one core, so one lane per core lets
         * concurrent requests use every core. The decoder's streams are split evenly among its lanes, and a waiting
         * request takes room on whichever lane frees it first.
         */
        OptionalInt lanes();

        /**
         * {@code aria.generation.window-shift}: when a stream has filled the decoder's window (256 tokens), the oldest
         * this many tokens leave it by shifting the key/value cache (RoPE keys turned back), for the decoders without
         * emotion slots ({@code continuous_concat}); 0 slides the window instead, encoding its most recent half again,
         * which the token conditionings always do. Between 0 and 255.
         */
        @WithDefault("32")
        @Min(0)
        @jakarta.validation.constraints.Max(255)
        int windowShift();

        /**
         * {@code aria.generation.retry-after}: the {@code Retry-After} a client is told to wait when no decoding stream
         * came free in time (503).
         */
        @WithDefault("10s")
        Duration retryAfter();
    }

    /** {@code aria.audio.*} */
    interface Audio {

        /**
         * {@code aria.audio.soundfont}: General MIDI SoundFont (SF2 or DLS) the synthesiser plays with. Debian's
         * {@code fluid-soundfont-gm} (FluidR3_GM.sf2, MIT licence) installs the default path. When the file is absent
         * or unreadable, the JDK's built-in (thinner) General MIDI sound set is used instead; each response says which
         * in its {@code ARIA-SoundFont} header.
         */
        @WithDefault("/usr/share/sounds/sf2/FluidR3_GM.sf2")
        Path soundfont();

        /** {@code aria.audio.max-midi-bytes}: largest MIDI file accepted (default 1 MiB); larger ones get 413. */
        @WithDefault("1048576")
        @Min(1)
        long maxMidiBytes();

        /**
         * {@code aria.audio.max-duration}: longest piece rendered (default 10 min); longer ones are refused with 400
         * before any audio is synthesised. Rendering takes roughly 3-5 s of one core per minute of music.
         */
        @WithDefault("10m")
        Duration maxDuration();

        /** {@code aria.audio.sample-rate}: sample rate of the WAV files, in Hz (16-bit stereo PCM). */
        @WithDefault("44100")
        @Min(8000)
        int sampleRate();

        /**
         * {@code aria.audio.max-concurrent}: renders running at the same time; further requests are refused with 503
         * and Retry-After ({@code aria.generation.retry-after}) instead of queueing.
         */
        @WithDefault("1")
        @Min(1)
        int maxConcurrent();
    }

    /**
     * {@code aria.analysis.*}: what one MIDI file may hold before it is read. Each bound is checked while the file is
     * parsed, before the work it would cause: parsing is linear in the bytes, the features are n log n in the notes and
     * linear in the duration (windows), so these four bound the time and memory of one analysis.
     */
    interface Analysis {

        /** {@code aria.analysis.max-midi-bytes}: largest MIDI file accepted (default 1 MiB); larger ones get 413. */
        @WithDefault("1048576")
        @Min(1)
        long maxMidiBytes();

        /** {@code aria.analysis.max-tracks}: most track chunks a file may announce (default 512). */
        @WithDefault("512")
        @Min(1)
        int maxTracks();

        /** {@code aria.analysis.max-notes}: most notes a file may make (default 100,000). */
        @WithDefault("100000")
        @Min(1)
        int maxNotes();

        /** {@code aria.analysis.max-duration}: latest note end accepted (default 30 min). */
        @WithDefault("30m")
        Duration maxDuration();

        /**
         * {@code aria.analysis.max-concurrent}: analyses running at the same time (default 2). A request that finds
         * them all busy waits up to {@code slot-wait}, then gets 503 with {@code Retry-After}.
         */
        @WithDefault("2")
        @Min(1)
        int maxConcurrent();

        /** {@code aria.analysis.slot-wait}: how long a request waits for a free analysis slot (default 5 s). */
        @WithDefault("5s")
        Duration slotWait();
    }

    /**
     * {@code aria.http.*}: the request line and header limits clients are told about. The HTTP codec refuses a head
     * over {@code quarkus.http.limits.max-initial-line-length} / {@code max-header-size} with an empty 414 / 431
     * before the application sees it; these limits sit below those and are checked before any routing, so that a
     * head between the two gets the same answer with an {@code application/problem+json} body saying what to change
     * (see {@code dev.aria.problem.RequestLimits}).
     */
    interface Http {

        /**
         * {@code aria.http.max-request-line}: longest request line (method, path, query string and version), in bytes
         * (default 4096); longer ones get 414 request-line-too-long.
         */
        @WithDefault("4096")
        @Min(1)
        int maxRequestLine();

        /**
         * {@code aria.http.max-header-size}: most bytes of header lines ({@code name: value}, all of them together)
         * one request may send (default 16384); more get 431 headers-too-large.
         */
        @WithDefault("16384")
        @Min(1)
        int maxHeaderSize();
    }
}
