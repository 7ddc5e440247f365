package dev.aria.rest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.config.AriaConfig;
import dev.aria.music.Composition;
import dev.aria.music.MusicService;
import dev.aria.problem.Problem;

/**
 * One generation as a stream of server-sent events ({@code text/event-stream}): {@code progress} events while tokens
 * are generated, then one {@code result} (or, should the generation itself fail once the stream has begun, one
 * {@code error} carrying a problem body).
 *
 * <p>A client that goes away is normal (a closed tab, a reload, a client that has read enough): the generation stops
 * at its next token, its slot is freed, and nothing is logged above DEBUG. That is why the events are written here,
 * to the response's output stream, where the outcome of every write comes back to this class, instead of being
 * returned as a {@code Multi<OutboundSseEvent>}: RESTEasy Reactive's writer for those
 * ({@code PublisherResponseHandler}) logs every failed write as ERROR "Exception in SSE server handling", and a
 * failed write cannot be avoided by checking the connection before writing, because Netty closes the channel a
 * moment before Vert.x marks the response closed (in a trial, 3 of 10 early disconnects lost that race and were
 * logged). {@code SseEventSink} would report the writes too, but ending its response from the generating thread
 * races with RESTEasy's own set-up of the sink after the resource method returns ("Response has already been
 * written").
 */
@ApplicationScoped
class GenerationEvents {

    /** Progress events per attempt, at most (plus the first and the last). */
    static final int PROGRESS_EVENTS = 64;
    private static final Logger LOG = Logger.getLogger(GenerationEvents.class);

    private final AriaConfig config;
    private final ObjectMapper json;

    GenerationEvents(AriaConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    /**
     * Runs one generation on the calling (worker) thread and writes its events to {@code out}. Returns normally when
     * the client leaves: {@code connectionClosed} is polled at every token, and a write that fails means the same.
     */
    void write(GenerationRequest request, MusicService.Slot slot, BooleanSupplier connectionClosed, OutputStream out) {
        Events events = new Events(out, connectionClosed);
        try {
            Progress progress = new Progress(events, request.settings().genLen());
            progress.emit(0, 0);
            Composition piece = slot.compose(request.settings(), events::clientGone, progress);
            events.send("result", GenerationResult.of(request, piece));
        } catch (RuntimeException e) { // the stream has begun: report in-band, as an event carrying a problem body
            String id = UUID.randomUUID().toString();
            LOG.errorf(e, "POST /generate/events failed (error id %s)", id);
            events.send("error", Problem.of(500, "internal-error", null,
                    "The generation failed unexpectedly; the error was logged with id " + id + ". Try again; if it "
                            + "happens again, report this id.").withInstance("/generate/events"));
        }
    }

    /** The events of one stream, and whether its client is still there to read them. */
    private final class Events {
        private final OutputStream out;
        private final BooleanSupplier connectionClosed;
        private volatile boolean writeFailed;

        Events(OutputStream out, BooleanSupplier connectionClosed) {
            this.out = out;
            this.connectionClosed = connectionClosed;
        }

        boolean clientGone() {
            return writeFailed || connectionClosed.getAsBoolean();
        }

        /** Writes one event ({@code event:} name, {@code data:} the JSON of {@code data}) unless the client left. */
        void send(String name, Object data) {
            if (clientGone()) {
                return;
            }
            byte[] event;
            try {
                // Jackson writes JSON on one line, so one data: line carries it
                event = ("event: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("cannot serialise the " + name + " event", e);
            }
            try {
                out.write(event);
                out.flush();
            } catch (IOException e) { // the connection closed under the write: the client left
                writeFailed = true;
                LOG.debugf("event stream: the client left (%s)", e);
            }
        }
    }

    /** Turns the generation's progress into at most {@link #PROGRESS_EVENTS} events per attempt. */
    private final class Progress implements MusicService.Progress {
        private final Events events;
        private final int genLen;
        private final int step;
        private int attempt = 1;
        private int last;

        Progress(Events events, int genLen) {
            this.events = events;
            this.genLen = genLen;
            this.step = Math.max(1, genLen / PROGRESS_EVENTS);
        }

        @Override
        public void progress(int attemptNumber, int tokens, long musicMs) {
            if (attemptNumber != attempt) { // another attempt leads now
                attempt = attemptNumber;
                last = 0;
            }
            if (tokens > last && (last == 0 || tokens == genLen || tokens - last >= step)) {
                emit(tokens, musicMs);
            }
        }

        void emit(int tokens, long musicMs) {
            last = tokens;
            events.send("progress", new GenerationProgress(attempt, config.generation().maxAttempts(), tokens,
                    genLen, musicMs / 1000.0));
        }
    }
}
