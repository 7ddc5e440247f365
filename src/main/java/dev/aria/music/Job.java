package dev.aria.music;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One request's generation on a {@link DecodingEngine}: its attempts, how they end, and the piece chosen from them.
 *
 * <p>The attempts follow the reference: a piece with fewer than {@code minInstruments} instruments is generated
 * again, up to {@code maxAttempts} times, and the first that has enough is the piece (else the one with the most
 * instruments, the earliest of equals). Attempt {@code i} draws from the {@code i}-th random stream split from the
 * seed, so it samples the same tokens whether it runs alone or beside others; when attempts run side by side, a later
 * one stops as soon as an earlier one has enough instruments, since it could no longer be chosen. The choice is
 * therefore the one that running them one after another would make.
 *
 * <p>The request's thread waits in {@link #await}; the engine's thread runs everything else.
 */
final class Job {

    final GenerationSettings settings;
    final DecoderCard card;
    final Vocabulary vocab;
    final Guidance.Contrast contrast;
    final int maxAttempts;
    final int parallelAttempts;
    private final BooleanSupplier stop;
    private final long[] seeds;
    private final List<Attempt> attempts = new ArrayList<>();
    /** Attempt numbers given back by preempted attempts, to run again (lowest first). */
    private final java.util.TreeSet<Integer> pending = new java.util.TreeSet<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private int nextAttempt;
    private boolean stopped;
    private Attempt firstMet;
    private volatile GeneratedPiece result;
    private volatile Throwable failure;
    private volatile int progressAttempt = 1;
    private volatile int progressTokens;
    private volatile long progressMs;

    Job(GenerationSettings settings, DecoderCard card, Vocabulary vocab, int maxAttempts, int parallelAttempts,
            BooleanSupplier stop) {
        this.settings = settings;
        this.card = card;
        this.vocab = vocab;
        this.contrast = settings.contrast();
        this.maxAttempts = maxAttempts;
        this.parallelAttempts = Math.max(1, parallelAttempts);
        this.stop = stop;
        if (settings.guided() && contrast == Guidance.Contrast.NULL && !card.nullCondition()) {
            throw new IllegalArgumentException(card.id() + " has no null condition to guide against");
        }
        SplittableRandom root = new SplittableRandom(settings.seed());
        this.seeds = new long[maxAttempts]; // attempt i always starts from seeds[i], however often it is (re)started
        for (int i = 0; i < maxAttempts; i++) {
            seeds[i] = root.nextLong();
        }
    }

    /** Streams one attempt decodes: two when guided. */
    int streamsPerAttempt() {
        return settings.guided() ? 2 : 1;
    }

    // ------------------------------------------------------------------------------------ engine thread

    boolean hasAttemptsLeft() {
        return (nextAttempt < maxAttempts || !pending.isEmpty()) && !stopped && firstMet == null;
    }

    Attempt newAttempt(boolean extra) {
        int index = pending.isEmpty() ? nextAttempt++ : pending.pollFirst();
        Attempt a = new Attempt(this, index, new SplittableRandom(seeds[index]), streamsPerAttempt(), extra);
        attempts.add(a);
        attempts.sort(java.util.Comparator.comparingInt(x -> x.index));
        return a;
    }

    /** An extra attempt gave its streams to another request: it is forgotten, to run again later if needed. */
    void preempted(Attempt a) {
        a.end(Attempt.State.PREEMPTED);
        attempts.remove(a);
        pending.add(a.index);
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

    /** Polled every round: the deadline or the client's departure stop every running attempt. */
    void checkStop() {
        if (!stopped && stop.getAsBoolean()) {
            stopped = true;
            for (Attempt a : attempts) {
                a.end(Attempt.State.STOPPED);
            }
        }
    }

    /** {@code a} reached the minimum: later attempts can no longer be chosen. */
    void metMinimum(Attempt a) {
        if (firstMet == null || a.index < firstMet.index) {
            firstMet = a;
        }
        for (Attempt b : attempts) {
            if (b.index > a.index) {
                b.end(Attempt.State.CANCELLED);
            }
        }
    }

    /**
     * Publishes the leading attempt's progress for {@link #await}: the first with enough instruments, else the
     * earliest still running.
     */
    void publishProgress() {
        Attempt lead = firstMet;
        for (int i = 0; i < attempts.size() && lead == null; i++) {
            if (attempts.get(i).running()) {
                lead = attempts.get(i);
            }
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

    /** The emotion slots of stream {@code role} (role 1 is the contrast of a guided attempt) then {@code <START>}. */
    int[] prefix(int role, int generated) {
        boolean nullStream = role == 1 && contrast == Guidance.Contrast.NULL;
        return switch (card.conditioning()) {
            case CONTINUOUS_CONCAT -> new int[] {Vocabulary.START};
            case CONTINUOUS_TOKEN -> new int[] {Vocabulary.PAD, Vocabulary.PAD, Vocabulary.START};
            case DISCRETE_TOKEN -> nullStream ? new int[] {Vocabulary.PAD, Vocabulary.PAD, Vocabulary.START}
                    : new int[] {vocab.valenceToken(valence(role, generated)), vocab.arousalToken(arousal(generated)),
                            Vocabulary.START};
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

    /** Chooses the piece once every attempt has ended, and wakes the waiting request. */
    void complete() {
        Attempt chosen = firstMet;
        if (chosen == null) {
            for (Attempt a : attempts) {
                if (chosen == null || a.instruments() > chosen.instruments()) {
                    chosen = a;
                }
            }
        }
        int counted = firstMet != null ? firstMet.index + 1 : attempts.size();
        result = new GeneratedPiece(chosen.music(), chosen.instruments(), counted, firstMet != null,
                chosen.state() == Attempt.State.STOPPED, card.id());
        publish(chosen);
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
     * Waits for the piece, telling {@code listener} (on this thread) whenever the progress moved.
     *
     * @throws IllegalStateException when the decoder failed
     */
    GeneratedPiece await(ProgressListener listener) throws InterruptedException {
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
}
