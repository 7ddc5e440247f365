package dev.aria.music;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One request's generation on a {@link DecodingEngine}: its candidates, their attempts, how they end, and the piece
 * each candidate ends with.
 *
 * <p>A request asks for one or more <em>candidates</em>, pieces composed independently of each other (the service then
 * keeps the one whose measured emotion is nearest the request). Each candidate's attempts follow the reference: a piece
 * with fewer than {@code minInstruments} instruments is generated again, up to {@code maxAttempts} times, and the first
 * that has enough is the candidate's piece (else the one with the most instruments, the earliest of equals). Attempt
 * {@code i} of candidate {@code c} draws from its own random stream split from the seed (candidate 0's are those of a
 * request without candidates, and candidate {@code c}'s do not depend on how many candidates were asked for), so it
 * samples the same tokens whether it runs alone or beside others; when attempts of a candidate run side by side, a
 * later one stops as soon as an earlier one has enough instruments, since it could no longer be chosen. Every choice
 * is therefore the one that running the attempts one after another would make.
 *
 * <p>The job holds the streams of {@code reservedAttempts} attempts for its whole life (a request with several
 * candidates reserves one attempt's streams per candidate, as many as the decoder has); attempts beyond those run as
 * <em>extras</em> on spare streams, at most {@code parallelAttempts - 1} at a time, and give them up to a new request.
 * The attempts run in the order (attempt number, candidate): every candidate's first attempt before any second one.
 *
 * <p>The request's thread waits in {@link #await}; the engine's thread runs everything else.
 */
final class Job {

    private static final Comparator<Attempt> RUN_ORDER = Comparator.<Attempt>comparingInt(a -> a.index)
            .thenComparingInt(a -> a.candidate);

    final GenerationSettings settings;
    final DecoderCard card;
    final Vocabulary vocab;
    final Guidance.Contrast contrast;
    final int maxAttempts;
    final int candidates;
    /** Attempts that run on the job's own streams at once. */
    final int reservedAttempts;
    final int parallelAttempts;
    /** The primer's last tokens that the decoder sees (at most the part of a window a slide keeps), else empty. */
    final int[] primerTail;
    /** Whether {@code <START>} precedes {@link #primerTail}: the whole primer fits, so the decoder sees its start. */
    private final boolean primerFromStart;
    private final BooleanSupplier stop;
    private final long[][] seeds;
    private final List<Attempt> attempts = new ArrayList<>();
    /** Attempts given back by preempted extras, to run again: key {@code index * candidates + candidate}. */
    private final TreeSet<Integer> pending = new TreeSet<>();
    private final int[] nextAttempt;
    private final Attempt[] firstMet;
    private final CountDownLatch done = new CountDownLatch(1);
    private boolean stopped;
    private volatile List<GeneratedPiece> result;
    private volatile Throwable failure;
    private volatile int progressAttempt = 1;
    private volatile int progressTokens;
    private volatile long progressMs;

    /** A job on the streams of one attempt, whatever its settings' candidates (those then run one after another). */
    Job(GenerationSettings settings, DecoderCard card, Vocabulary vocab, int maxAttempts, int parallelAttempts,
            BooleanSupplier stop) {
        this(settings, card, vocab, maxAttempts, 1, parallelAttempts, stop);
    }

    Job(GenerationSettings settings, DecoderCard card, Vocabulary vocab, int maxAttempts, int reservedAttempts,
            int parallelAttempts, BooleanSupplier stop) {
        this.settings = settings;
        this.card = card;
        this.vocab = vocab;
        this.contrast = settings.contrast();
        this.maxAttempts = maxAttempts;
        this.candidates = settings.candidates();
        this.reservedAttempts = Math.max(1, reservedAttempts);
        this.parallelAttempts = Math.max(1, parallelAttempts);
        this.stop = stop;
        if (settings.guided() && contrast == Guidance.Contrast.NULL && !card.nullCondition()) {
            throw new IllegalArgumentException(card.id() + " has no null condition to guide against");
        }
        // attempt i of candidate c always starts from seeds[c][i], however often it is (re)started; candidate 0 draws
        // first, so that a request without candidates samples what it always did
        SplittableRandom root = new SplittableRandom(settings.seed());
        this.seeds = new long[candidates][maxAttempts];
        for (int c = 0; c < candidates; c++) {
            for (int i = 0; i < maxAttempts; i++) {
                seeds[c][i] = root.nextLong();
            }
        }
        this.nextAttempt = new int[candidates];
        this.firstMet = new Attempt[candidates];
        int[] primer = settings.primer() == null ? new int[0] : settings.primer().tokensFor(card);
        int keep = slideKeeps();
        this.primerFromStart = primer.length < keep;
        this.primerTail = java.util.Arrays.copyOfRange(primer, Math.max(0, primer.length - keep), primer.length);
    }

    /** Streams one attempt decodes: two when guided. */
    int streamsPerAttempt() {
        return settings.guided() ? 2 : 1;
    }

    /** Streams the job holds from its admission to its end. */
    int reservedStreams() {
        return reservedAttempts * streamsPerAttempt();
    }

    /** Music tokens a window slide keeps: the most recent half of the window after the emotion slots. */
    int slideKeeps() {
        return (card.context() - card.prefixLen()) / 2;
    }

    // ------------------------------------------------------------------------------------ engine thread

    boolean hasAttemptsLeft() {
        return !stopped && nextItem() >= 0;
    }

    /** The next attempt to start, as {@code index * candidates + candidate}; -1 when none is left. */
    private int nextItem() {
        int best = -1;
        for (int key : pending) {
            if (firstMet[key % candidates] == null) {
                best = key;
                break;
            }
        }
        for (int c = 0; c < candidates; c++) {
            if (firstMet[c] == null && nextAttempt[c] < maxAttempts) {
                int key = nextAttempt[c] * candidates + c;
                if (best < 0 || key < best) {
                    best = key;
                }
            }
        }
        return best;
    }

    Attempt newAttempt(boolean extra) {
        int key = nextItem();
        if (!pending.remove(key)) {
            nextAttempt[key % candidates]++;
        }
        int c = key % candidates;
        int index = key / candidates;
        Attempt a = new Attempt(this, c, index, new SplittableRandom(seeds[c][index]), streamsPerAttempt(), extra);
        attempts.add(a);
        attempts.sort(RUN_ORDER);
        return a;
    }

    /** An extra attempt gave its streams to another request: it is forgotten, to run again later if needed. */
    void preempted(Attempt a) {
        a.end(Attempt.State.PREEMPTED);
        attempts.remove(a);
        pending.add(a.index * candidates + a.candidate);
    }

    /** Running attempts. */
    int live() {
        int n = 0;
        for (Attempt a : attempts) {
            if (a.running()) {
                n++;
            }
        }
        return n;
    }

    /** Running attempts on the job's own streams. */
    int liveReserved() {
        int n = 0;
        for (Attempt a : attempts) {
            if (a.running() && !a.extra) {
                n++;
            }
        }
        return n;
    }

    /** Polled every round: the deadline or the client's departure stop every running attempt. */
    void checkStop() {
        if (!stopped && stop.getAsBoolean()) {
            stopped = true;
            for (Attempt a : attempts) {
                a.end(Attempt.State.STOPPED);
            }
        }
    }

    /** {@code a} reached the minimum: later attempts of its candidate can no longer be chosen. */
    void metMinimum(Attempt a) {
        int c = a.candidate;
        if (firstMet[c] == null || a.index < firstMet[c].index) {
            firstMet[c] = a;
        }
        for (Attempt b : attempts) {
            if (b.candidate == c && b.index > a.index) {
                b.end(Attempt.State.CANCELLED);
            }
        }
    }

    /**
     * Publishes the leading attempt's progress for {@link #await}: the earliest running attempt of a candidate still
     * looking for enough instruments, else the first candidate's piece with enough.
     */
    void publishProgress() {
        Attempt lead = null;
        for (int i = 0; i < attempts.size() && lead == null; i++) {
            Attempt a = attempts.get(i);
            if (a.running() && firstMet[a.candidate] == null) {
                lead = a;
            }
        }
        for (int c = 0; c < candidates && lead == null; c++) {
            lead = firstMet[c];
        }
        if (lead != null) {
            publish(lead);
        }
    }

    private void publish(Attempt a) {
        progressAttempt = a.index + 1;
        progressTokens = a.length();
        progressMs = a.musicMs();
    }

    /**
     * The first tokens of stream {@code role} (role 1 is the contrast of a guided attempt): its emotion slots, then
     * {@code <START>} and the primer's last tokens, or only those tokens when the primer is longer than that.
     */
    int[] prefix(int role) {
        int[] slots = slots(role, 0);
        int start = primerFromStart ? 1 : 0;
        int[] p = new int[slots.length + start + primerTail.length];
        System.arraycopy(slots, 0, p, 0, slots.length);
        if (primerFromStart) {
            p[slots.length] = Vocabulary.START;
        }
        System.arraycopy(primerTail, 0, p, slots.length + start, primerTail.length);
        return p;
    }

    /** The emotion slots of stream {@code role} once {@code generated} tokens exist (none for continuous_concat). */
    int[] slots(int role, int generated) {
        boolean nullStream = role == 1 && contrast == Guidance.Contrast.NULL;
        return switch (card.conditioning()) {
            case CONTINUOUS_CONCAT -> new int[0];
            case CONTINUOUS_TOKEN -> new int[] {Vocabulary.PAD, Vocabulary.PAD};
            case DISCRETE_TOKEN -> nullStream ? new int[] {Vocabulary.PAD, Vocabulary.PAD}
                    : new int[] {vocab.valenceToken(valence(role, generated)), vocab.arousalToken(arousal(generated))};
        };
    }

    /** Valence of stream {@code role} once {@code generated} tokens exist (the opposite for a valence contrast). */
    double valence(int role, int generated) {
        double v = settings.valenceAt(generated);
        return role == 1 && contrast == Guidance.Contrast.VALENCE ? -v : v;
    }

    double arousal(int generated) {
        return settings.arousalAt(generated);
    }

    /** Chooses each candidate's piece once every attempt has ended, and wakes the waiting request. */
    void complete() {
        List<GeneratedPiece> pieces = new ArrayList<>(candidates);
        for (int c = 0; c < candidates; c++) {
            Attempt chosen = firstMet[c];
            int counted = 0;
            for (Attempt a : attempts) {
                if (a.candidate == c) {
                    counted++;
                    if (firstMet[c] == null && (chosen == null || a.instruments() > chosen.instruments())) {
                        chosen = a;
                    }
                }
            }
            if (chosen == null) { // stopped before this candidate's first attempt began
                pieces.add(new GeneratedPiece(new int[0], 0, 0, false, true, card.id()));
                continue;
            }
            if (firstMet[c] != null) {
                counted = firstMet[c].index + 1;
            }
            pieces.add(new GeneratedPiece(chosen.music(), chosen.instruments(), counted, firstMet[c] != null,
                    chosen.state() == Attempt.State.STOPPED, card.id()));
            if (c == 0) {
                publish(chosen);
            }
        }
        result = List.copyOf(pieces);
        done.countDown();
    }

    void fail(Throwable e) {
        failure = e;
        done.countDown();
    }

    // ---------------------------------------------------------------------------------- request thread

    /** What a waiting request is told: attempt number (from 1), tokens and milliseconds of music so far. */
    interface ProgressListener {
        void progress(int attempt, int tokens, long musicMs);
    }

    /**
     * Waits for the pieces, one per candidate in candidate order, telling {@code listener} (on this thread) whenever the
     * progress moved.
     *
     * @throws IllegalStateException when the decoder failed
     */
    List<GeneratedPiece> awaitCandidates(ProgressListener listener) throws InterruptedException {
        int lastTokens = -1;
        int lastAttempt = -1;
        while (!done.await(50, TimeUnit.MILLISECONDS)) {
            int t = progressTokens;
            int a = progressAttempt;
            if (t != lastTokens || a != lastAttempt) {
                listener.progress(a, t, progressMs);
                lastTokens = t;
                lastAttempt = a;
            }
        }
        if (failure != null) {
            throw new IllegalStateException("the decoder " + card.id() + " failed", failure);
        }
        if (progressTokens != lastTokens || progressAttempt != lastAttempt) {
            listener.progress(progressAttempt, progressTokens, progressMs);
        }
        return result;
    }

    /** The first candidate's piece (the only one of a job without candidates); see {@link #awaitCandidates}. */
    GeneratedPiece await(ProgressListener listener) throws InterruptedException {
        return awaitCandidates(listener).get(0);
    }
}
