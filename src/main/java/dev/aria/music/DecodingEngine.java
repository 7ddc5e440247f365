package dev.aria.music;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

/**
 * Continuous batching on one lane of a decoder: every stream that is decoding on it (each running attempt of each
 * request, and the second stream of a guided attempt) advances in one shared decoder call per round, as LLM servers do.
 * A request's attempts join at the next round and leave when they end; nobody waits for a batch to fill or to drain.
 *
 * <p>Capacity is a number of streams (the lane's share of {@code aria.generation.streams}). A request reserves the
 * streams of one attempt through its {@link DecoderLanes}, waiting a bounded time while a bounded number of others
 * wait; the engine decodes more of its attempts side by side while spare streams exist and nobody waits for them. A
 * row's logits do not depend on the other rows of its call and each attempt draws from its own random stream, so the
 * same seed gives the same tokens whoever else is decoding, and on whichever lane (see {@link Job}).
 *
 * <p>A round: stop the attempts whose request stopped; encode, from an empty cache, the prefixes of new attempts and
 * the slid windows of full streams (one call per length), each sampling a token from its last position; then step
 * every stream by one token in one call and sample again. One thread owns the decoder and its cache; a request's thread
 * hands its {@link Job} over with {@link #submit} and waits in {@link Job#await}.
 */
final class DecodingEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DecodingEngine.class);
    /**
     * Slots a full window drops by default: 32 of 256, so the decoder always sees at least 224 tokens. On 10 held-out
     * POP909 songs (NLL of 3,840 tokens past the first window, training/results/window_nll.json) this stays closer to
     * the reference (the last 255 tokens encoded again for every token) than sliding half the window, at a fraction of
     * the cost.
     */
    static final int DEFAULT_SHIFT = 32;
    /** How long a lane stays idle before it gives its cache's memory back. */
    static final long IDLE_RELEASE_MS = 1000;

    private final MusicDecoder decoder;
    private final MusicDecoder.Stepper stepper;
    private final DecoderCard card;
    private final int capacity;
    /** Slots a full stream drops by shifting its cache; 0: its window slides (see the constructor). */
    private final int shiftSlots;
    private final NucleusSampler sampler;
    private final ConcurrentLinkedQueue<Job> submitted = new ConcurrentLinkedQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Thread thread;
    /** The lanes this engine is one of: they admit requests, under their lock. */
    private final DecoderLanes lanes;
    /** Streams promised to admitted requests (one attempt's each); guarded by the lanes' lock. */
    private int reserved;
    /** Streams held by extra attempts, which give them up to a new request; guarded by the lanes' lock. */
    private int extras;
    private volatile boolean closed;

    // the engine thread's state
    private KvCache cache;
    /** {@code cache}'s rows, for other threads to read. */
    private volatile int heldRows;
    /** Cache row i decodes stream {@code roles.get(i)} of attempt {@code rows.get(i)}. */
    private final List<Attempt> rows = new ArrayList<>();
    private final List<Integer> roles = new ArrayList<>();
    private final List<Job> jobs = new ArrayList<>();
    private int[] stepIds;
    private float[] stepConditions;
    private float[] stepMasks;

    /**
     * Lane {@code lane} of {@code lanes}: a thread, cache and step tensors of its own over the decoder's one session,
     * {@code capacity} streams. Its streams, when their window is full, drop their oldest {@code shift} slots by
     * shifting the cache ({@link KvCache#shift}) where the decoder has no emotion slots ({@code continuous_concat},
     * {@code none}); with {@code shift} 0, and always for the token conditionings (whose slots carry an emotion that
     * may have moved), the window slides instead: its most recent half is encoded again from an empty cache.
     */
    DecodingEngine(DecoderLanes lanes, MusicDecoder decoder, Vocabulary vocab, int capacity, int shift, int lane) {
        this.lanes = lanes;
        this.decoder = decoder;
        this.stepper = decoder.stepper();
        this.card = decoder.card();
        this.capacity = capacity;
        this.shiftSlots = card.prefixLen() == 0 ? shift : 0;
        boolean[] special = new boolean[card.vocabSize()];
        for (int i = 0; i < special.length; i++) {
            special[i] = vocab.isSpecial(i);
        }
        this.sampler = new NucleusSampler(special);
        this.thread = new Thread(this::loop, "aria-decoder-" + card.conditioning().wireName() + "-" + lane);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    DecoderCard card() {
        return card;
    }

    int capacity() {
        return capacity;
    }

    /** Streams promised or in use now. */
    int reservedStreams() {
        lanes.lock.lock();
        try {
            return reserved + extras;
        } finally {
            lanes.lock.unlock();
        }
    }

    /** Whether {@code streams} more can be promised here (extra attempts give way, see makeRoom); under the lock. */
    boolean hasRoom(int streams) {
        return reserved + streams <= capacity;
    }

    /** Promises {@code streams} to a request ({@link DecoderLanes#reserve}); under the lock. */
    void promise(int streams) {
        reserved += streams;
    }

    /** Gives back {@code streams} reserved for a request. */
    void release(int streams) {
        lanes.released(this, streams);
    }

    /** Takes back {@code streams} promised ({@link DecoderLanes#released}); under the lock. */
    void unpromise(int streams) {
        reserved -= streams;
    }

    private void releaseExtra(int streams) {
        lanes.lock.lock();
        try {
            extras -= streams;
        } finally {
            lanes.lock.unlock();
        }
    }

    /**
     * Hands {@code job} to the engine; the caller has reserved the streams of one attempt, which the engine gives back
     * when the job ends. Wait for it with {@link Job#await}.
     */
    void submit(Job job) {
        if (closed) {
            throw new IllegalStateException("the decoding engine of " + card.id() + " is closed");
        }
        submitted.add(job);
        lock.lock();
        try {
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------ engine thread

    private void loop() {
        while (!closed) {
            try {
                admit();
                if (jobs.isEmpty()) {
                    idle();
                    continue;
                }
                round();
            } catch (InterruptedException e) {
                break;
            } catch (Exception | Error e) {
                LOG.errorf(e, "decoder %s failed; its %d running request(s) fail", card.id(), jobs.size());
                for (Job j : List.copyOf(jobs)) {
                    fail(j, e);
                }
            }
        }
        IllegalStateException shutdown = new IllegalStateException("the service is shutting down");
        for (Job j : List.copyOf(jobs)) {
            fail(j, shutdown);
        }
        for (Job j; (j = submitted.poll()) != null;) {
            release(j.reservedStreams());
            j.fail(shutdown);
        }
        stepper.close();
    }

    /**
     * Waits for work; a lane idle for {@link #IDLE_RELEASE_MS} gives its cache's memory back (its size followed the
     * most streams that ran at once; the next request starts again from two rows).
     */
    private void idle() throws InterruptedException {
        lock.lock();
        try {
            while (submitted.isEmpty() && !closed) {
                if (cache == null) {
                    work.await();
                } else if (!work.await(IDLE_RELEASE_MS, TimeUnit.MILLISECONDS) && submitted.isEmpty()) {
                    replaceCache(null);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Rows of the lane's cache now (0 when it holds none). */
    int cacheRows() {
        return heldRows;
    }

    private void admit() {
        for (Job job; (job = submitted.poll()) != null;) {
            if (stepIds == null) {
                stepIds = new int[capacity];
                stepConditions = new float[2 * capacity];
                stepMasks = new float[capacity];
            }
            makeRoom(job.reservedStreams());
            jobs.add(job);
            startAttempts(job);
        }
    }

    /** Preempts extra attempts (the latest started first) until {@code streams} more fit in the cache. */
    private void makeRoom(int streams) {
        while (rows.size() + streams > capacity) {
            Attempt victim = null;
            for (int i = rows.size() - 1; i >= 0 && victim == null; i--) {
                if (rows.get(i).extra && rows.get(i).running()) {
                    victim = rows.get(i);
                }
            }
            if (victim == null) {
                throw new IllegalStateException("no room for a reserved request: " + rows.size() + " streams busy");
            }
            for (int i = rows.size() - 1; i >= 0; i--) {
                if (rows.get(i) == victim) {
                    removeRow(i);
                }
            }
            releaseExtra(victim.rows.length);
            victim.job.preempted(victim);
        }
    }

    /**
     * Starts the job's next attempts: on its own streams while one of its reserved attempts' places is free, then as
     * extras beside them while spare streams exist (at most {@code parallelAttempts - 1} extras at a time).
     */
    private void startAttempts(Job job) {
        int per = job.streamsPerAttempt();
        while (job.hasAttemptsLeft()) {
            boolean extra = job.liveReserved() >= job.reservedAttempts;
            if (extra && (job.live() >= job.reservedAttempts + job.parallelAttempts - 1 || !takeSpare(per))) {
                break;
            }
            Attempt a = job.newAttempt(extra);
            for (int role = 0; role < per; role++) {
                a.rows[role] = rows.size();
                rows.add(a);
                roles.add(role);
            }
            fitCache(rows.size());
        }
    }

    private boolean takeSpare(int streams) {
        lanes.lock.lock();
        try {
            if (lanes.hasWaiters() || !submitted.isEmpty() || reserved + extras + streams > capacity) {
                return false; // spare streams go to waiting and arriving requests first
            }
            extras += streams;
            return true;
        } finally {
            lanes.lock.unlock();
        }
    }

    private void round() throws Exception {
        for (Job j : jobs) {
            j.checkStop();
        }
        endAttempts();
        if (rows.isEmpty()) {
            return;
        }
        List<Attempt> prefixes = new ArrayList<>();
        List<Attempt> slides = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Attempt a = rows.get(i);
            if (a.running() && !a.needsPrefix && cache.length(i) >= card.context() && shiftSlots > 0) {
                cache.shift(i, shiftSlots); // every stream of the attempt, each in its row
            } else if (roles.get(i) == 0 && a.running()) {
                if (a.needsPrefix) {
                    prefixes.add(a);
                } else if (cache.length(i) >= card.context()) {
                    slides.add(a);
                }
            }
        }
        encode(prefixes, true);
        encode(slides, false);
        step();
        for (Job j : jobs) {
            j.publishProgress();
        }
        endAttempts();
    }

    /**
     * Encodes the prefixes (or slid windows) of {@code attempts}, one call per length (a window always has one length;
     * prefixes have one per primer length), and samples each one's next token.
     */
    private void encode(List<Attempt> attempts, boolean prefix) throws Exception {
        java.util.Map<Integer, List<Attempt>> byLength = new java.util.TreeMap<>();
        for (Attempt a : attempts) {
            int length = prefix ? a.prefix(0).length : a.window(0).length;
            byLength.computeIfAbsent(length, l -> new ArrayList<>()).add(a);
        }
        for (List<Attempt> group : byLength.values()) {
            encodeGroup(group, prefix);
        }
    }

    /** Encodes the prefixes (or slid windows), all of one length, of {@code group} in one call. */
    private void encodeGroup(List<Attempt> group, boolean prefix) throws Exception {
        List<int[]> targets = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        for (Attempt a : group) {
            for (int role = 0; role < a.rows.length; role++) {
                targets.add(new int[] {a.rows[role], role});
                tokens.add(prefix ? a.prefix(role) : a.window(role));
            }
        }
        int k = targets.size();
        int t = tokens.get(0).length;
        int[] cacheRows = new int[k];
        int[][] ids = new int[k][];
        float[] conditions = new float[2 * k];
        float[] masks = new float[k];
        for (int b = 0; b < k; b++) {
            cacheRows[b] = targets.get(b)[0];
            ids[b] = tokens.get(b);
            rows.get(cacheRows[b]).condition(targets.get(b)[1], conditions, masks, b);
        }
        float[][] last = decoder.encode(cache, cacheRows, k, t, ids, conditions, masks);
        FloatBuffer flat = FloatBuffer.allocate(k * card.vocabSize());
        for (float[] row : last) {
            flat.put(row);
        }
        int b = 0;
        for (Attempt a : group) {
            a.needsPrefix = false;
            int v = card.vocabSize();
            a.sample(flat, b * v, a.rows.length > 1 ? (b + 1) * v : 0, sampler);
            b += a.rows.length;
        }
    }

    /** Steps every stream one token in one call and samples each running attempt's next token. */
    private void step() throws Exception {
        int n = rows.size();
        for (int i = 0; i < n; i++) {
            Attempt a = rows.get(i);
            stepIds[i] = a.lastToken();
            a.condition(roles.get(i), stepConditions, stepMasks, i);
        }
        FloatBuffer logits = stepper.step(cache, n, stepIds, stepConditions, stepMasks);
        int v = card.vocabSize();
        for (int i = 0; i < n; i++) {
            Attempt a = rows.get(i);
            if (roles.get(i) == 0 && a.running()) {
                a.sample(logits, i * v, a.rows.length > 1 ? a.rows[1] * v : 0, sampler);
            }
        }
    }

    /**
     * Frees the streams of attempts that ended; a job with no running attempt either starts its next attempt (too few
     * instruments so far, attempts left) or ends.
     */
    private void endAttempts() {
        for (int i = rows.size() - 1; i >= 0; i--) { // the last row moves into a freed one: already seen
            Attempt a = rows.get(i);
            if (!a.running()) {
                if (roles.get(i) == 0 && a.extra) {
                    releaseExtra(a.rows.length);
                }
                removeRow(i);
            }
        }
        for (Job j : List.copyOf(jobs)) {
            if (j.hasAttemptsLeft()) {
                startAttempts(j);
            } else if (j.live() == 0) {
                jobs.remove(j);
                release(j.reservedStreams());
                j.complete();
            }
        }
    }

    /**
     * Makes the cache hold at least {@code streams} rows, called whenever streams are added, so that every stream has
     * its row. It is allocated on first use (a decoder nobody asks for takes no cache memory) and grows by doubling up
     * to the engine's capacity, so that its memory (2 MiB a row for the shipped decoders) follows the most streams that
     * ran at once since the lane was last idle ({@link #idle} frees it), not the most that could.
     */
    private void fitCache(int streams) {
        if (cache == null) {
            replaceCache(decoder.cache(Math.min(capacity, Math.max(2, Integer.highestOneBit(streams - 1) << 1))));
        } else if (cache.rows() < streams) {
            replaceCache(cache.grownTo(Math.min(capacity, Math.max(streams, 2 * cache.rows()))));
        }
    }

    /**
     * Makes {@code next} (null: none) the lane's cache and frees the one it replaces at once, after closing the step
     * tensors that read it in place (the next step builds them over {@code next}).
     */
    private void replaceCache(KvCache next) {
        if (cache != null) {
            stepper.close();
            cache.free();
        }
        cache = next;
        heldRows = next == null ? 0 : next.rows();
    }

    /** Removes cache row {@code i}, moving the last row's stream into it. */
    private void removeRow(int i) {
        int last = rows.size() - 1;
        if (i != last) {
            cache.move(last, i);
            Attempt moved = rows.get(last);
            int role = roles.get(last);
            rows.set(i, moved);
            roles.set(i, role);
            moved.rows[role] = i;
        } else {
            cache.clear(i);
        }
        rows.remove(last);
        roles.remove(last);
    }

    private void fail(Job j, Throwable e) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            Attempt a = rows.get(i);
            if (a.job == j) {
                if (roles.get(i) == 0 && a.extra) {
                    releaseExtra(a.rows.length);
                }
                removeRow(i);
            }
        }
        jobs.remove(j);
        release(j.reservedStreams());
        j.fail(e);
    }
}
