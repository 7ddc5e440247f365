package dev.aria.music;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lanes of one decoder: engines that each batch their own streams on a thread, cache and step tensors of their
 * own, over the decoder's one session. One decoder call runs on one core (more intra-op threads spin between nodes and
 * slow a lone stream down), so one lane per core is what lets concurrent requests for the same decoder use every core.
 * The decoder's streams are split evenly among the lanes; a request goes to the least busy lane that has room, or waits
 * (a bounded time, behind a bounded number of others) for whichever lane frees room first. Which lane decodes a stream
 * does not change its tokens (see {@link DecodingEngine}).
 */
final class DecoderLanes implements AutoCloseable {

    /** Guards every lane's promised streams and the waiting requests. */
    final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final List<DecodingEngine> lanes;
    private final int maxWaiting;
    /** Requests waiting in {@link #reserve}; guarded by {@link #lock}. */
    private int waiting;
    private volatile boolean closed;

    /** One lane, its full window shifted by {@link DecodingEngine#DEFAULT_SHIFT} slots. */
    DecoderLanes(MusicDecoder decoder, Vocabulary vocab, int streams, int maxWaiting) {
        this(decoder, vocab, streams, 1, maxWaiting, DecodingEngine.DEFAULT_SHIFT);
    }

    /**
     * {@code lanes} engines with {@code streams / lanes} streams each, which at most {@code maxWaiting} requests wait
     * for; {@code shift} as {@link DecodingEngine}'s. Every lane gets at least the two streams of a guided attempt
     * (fewer lanes when the streams are too few), unless the decoder has a single stream.
     */
    DecoderLanes(MusicDecoder decoder, Vocabulary vocab, int streams, int lanes, int maxWaiting, int shift) {
        if (shift < 0 || shift >= decoder.card().context()) {
            throw new IllegalArgumentException("aria.generation.window-shift must be in [0, "
                    + decoder.card().context() + ")");
        }
        int n = Math.max(1, Math.min(lanes, streams / 2));
        List<DecodingEngine> engines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            engines.add(new DecodingEngine(this, decoder, vocab, streams / n, shift, i));
        }
        this.lanes = List.copyOf(engines);
        this.maxWaiting = maxWaiting;
    }

    DecoderCard card() {
        return lanes.get(0).card();
    }

    /** Streams of one lane: the most one request may hold. */
    int capacity() {
        return lanes.get(0).capacity();
    }

    int size() {
        return lanes.size();
    }

    /** Streams promised or in use now, in every lane. */
    int reservedStreams() {
        return lanes.stream().mapToInt(DecodingEngine::reservedStreams).sum();
    }

    /**
     * Reserves {@code streams} for one request on the least busy lane that has them free, waiting up to {@code wait}
     * for a lane to free them if at most {@code maxWaiting} other requests wait already. Submit the request's job to
     * the lane returned. Null: overloaded.
     */
    DecodingEngine reserve(int streams, Duration wait) throws InterruptedException {
        if (streams > capacity()) {
            throw new IllegalArgumentException(streams + " streams asked of a lane with " + capacity());
        }
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            DecodingEngine lane = waiting == 0 ? leastBusyWithRoom(streams) : null; // nobody jumps the queue
            if (lane == null) {
                if (waiting >= maxWaiting || wait.isZero() || closed) {
                    return null;
                }
                waiting++;
                try {
                    while ((lane = leastBusyWithRoom(streams)) == null) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0 || closed) {
                            return null;
                        }
                        freed.awaitNanos(left);
                    }
                } finally {
                    waiting--;
                }
            }
            lane.promise(streams);
            return lane;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the lane with room for {@code streams} that has the fewest streams busy, or null. */
    private DecodingEngine leastBusyWithRoom(int streams) {
        DecodingEngine best = null;
        int bestBusy = Integer.MAX_VALUE;
        for (DecodingEngine lane : lanes) {
            int busy = lane.reservedStreams(); // the lock is reentrant
            if (lane.hasRoom(streams) && busy < bestBusy) {
                best = lane;
                bestBusy = busy;
            }
        }
        return best;
    }

    /** {@code streams} of {@code lane} given back: a waiting request may take them. */
    void released(DecodingEngine lane, int streams) {
        lock.lock();
        try {
            lane.unpromise(streams);
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Requests waiting for streams now. */
    int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: whether requests wait, which spare streams go to first. */
    boolean hasWaiters() {
        return waiting > 0;
    }

    @Override
    public void close() {
        closed = true;
        lanes.forEach(DecodingEngine::close);
        lock.lock();
        try {
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
