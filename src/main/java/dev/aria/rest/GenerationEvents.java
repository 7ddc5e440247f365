package dev.aria.rest;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.jboss.logging.Logger;

import dev.aria.config.AriaConfig;
import dev.aria.midi.Note;
import dev.aria.music.GeneratedPiece;
import dev.aria.music.MusicService;
import dev.aria.problem.Problem;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * One generation as a stream of server-sent events: {@code progress} events while tokens are generated, then one
 * {@code result} (or, should the generation itself fail once the stream has begun, one {@code error} carrying a
 * problem body). The generation runs on a worker thread when the stream is subscribed; a client that goes away
 * cancels the stream, which stops the generation at its next token and frees its slot.
 */
@ApplicationScoped
class GenerationEvents {

    /** Progress events per attempt, at most (plus the first and the last). */
    static final int PROGRESS_EVENTS = 64;
    private static final Logger LOG = Logger.getLogger(GenerationEvents.class);

    private final MusicService music;
    private final AriaConfig config;

    GenerationEvents(MusicService music, AriaConfig config) {
        this.music = music;
        this.config = config;
    }

    /** The events of one generation, which owns {@code slot} from now on and closes it however the stream ends. */
    Multi<OutboundSseEvent> stream(GenerationRequest request, MusicService.Slot slot, Sse sse) {
        AtomicBoolean gone = new AtomicBoolean();
        long deadline = System.nanoTime() + config.generation().deadline().toNanos();
        return Multi.createFrom().<OutboundSseEvent>emitter(emitter -> {
            emitter.onTermination(() -> gone.set(true));
            try (slot) {
                Progress progress = new Progress(emitter, sse, request.settings().genLen());
                progress.emit(0);
                GeneratedPiece piece = music.generate(slot, request.settings(),
                        () -> gone.get() || System.nanoTime() > deadline, progress);
                if (gone.get()) {
                    LOG.debugf("event stream closed by the client after %d tokens", piece.length());
                    return;
                }
                List<Note> notes = music.tokenDecoder().notes(piece.tokens(), piece.length());
                byte[] midi = music.midiWriter().file(notes, request.summary(piece));
                emitter.emit(event(sse, "result", GenerationResult.class,
                        GenerationResult.of(request, piece, notes, midi, music.vocabulary().instruments())));
                emitter.complete();
            } catch (Exception e) { // the stream has begun: report in-band, as an event carrying a problem body
                String id = UUID.randomUUID().toString();
                LOG.errorf(e, "POST /generate/events failed (error id %s)", id);
                emitter.emit(event(sse, "error", Problem.class, Problem.of(500, "internal-error", null,
                        "The generation failed unexpectedly; the error was logged with id " + id + ". Try again; if it "
                                + "happens again, report this id.").withInstance("/generate/events")));
                emitter.complete();
            }
        }, BackPressureStrategy.BUFFER)
                .onTermination().invoke(slot::close)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static <T> OutboundSseEvent event(Sse sse, String name, Class<T> type, T data) {
        return sse.newEventBuilder().name(name).mediaType(MediaType.APPLICATION_JSON_TYPE).data(type, data).build();
    }

    /** Turns the generator's per-token count into at most {@link #PROGRESS_EVENTS} events per attempt. */
    private final class Progress implements IntConsumer {
        private final MultiEmitter<? super OutboundSseEvent> emitter;
        private final Sse sse;
        private final int genLen;
        private final int step;
        private int attempt = 1;
        private int last;

        Progress(MultiEmitter<? super OutboundSseEvent> emitter, Sse sse, int genLen) {
            this.emitter = emitter;
            this.sse = sse;
            this.genLen = genLen;
            this.step = Math.max(1, genLen / PROGRESS_EVENTS);
        }

        @Override
        public void accept(int tokens) {
            if (tokens <= last) { // the count went back: a new attempt began
                attempt++;
                last = 0;
            }
            if (tokens == 1 || tokens == genLen || tokens - last >= step) {
                emit(tokens);
            }
        }

        void emit(int tokens) {
            last = tokens;
            emitter.emit(event(sse, "progress", GenerationProgress.class,
                    new GenerationProgress(attempt, config.generation().maxAttempts(), tokens, genLen)));
        }
    }
}
