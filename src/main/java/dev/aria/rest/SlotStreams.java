package dev.aria.rest;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import jakarta.ws.rs.core.StreamingOutput;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Streamed response bodies that hold a slot (a generation's or a render's) and free it however the response ends.
 *
 * <p>The client may leave at any moment (closed tab, timeout, Ctrl-C); its work must not run on for nobody, nor keep
 * its slot. The body is told {@code clientGone}, which it polls as it goes (a generation at every token, a render at
 * every block of samples), and the slot is freed when the body returns or fails. If the response ends without the body
 * ever running, the routing context's end handler frees it. The connection's state is polled rather than waited for
 * with a close handler: a response has a single close handler, and Vert.x Web's routing contexts install their own
 * there while the response is being written, so one set by a resource is silently replaced and never called; writes
 * to a closed connection do not fail either, they are dropped.
 */
final class SlotStreams {

    /** What a streamed answer writes, told whether its client has gone. */
    @FunctionalInterface
    interface Body {
        void write(BooleanSupplier clientGone, OutputStream out) throws IOException;
    }

    private SlotStreams() {
    }

    /** A body that owns the slot {@code release} frees, from now on: also when this method fails. */
    static StreamingOutput holding(RoutingContext routing, Runnable release, Body body) {
        try {
            HttpServerResponse response = routing.response();
            AtomicBoolean gone = new AtomicBoolean();
            BooleanSupplier clientGone = () -> gone.get() || response.closed();
            AtomicBoolean started = new AtomicBoolean();
            routing.addEndHandler(ended -> {
                if (ended.failed()) {
                    gone.set(true);
                }
                if (started.compareAndSet(false, true)) {
                    release.run(); // the response ended before the body ran
                }
            });
            // A connection that closed before the end handler was added never calls it, and nothing then writes the
            // body: free the slot now. (Under load, a client that hangs up right after sending its request can be
            // gone before the resource method runs; its render or generation slot used to stay taken.)
            if (response.closed() && started.compareAndSet(false, true)) {
                release.run();
            }
            return out -> {
                if (!started.compareAndSet(false, true)) {
                    return; // the response already ended, and freed the slot
                }
                try {
                    if (!clientGone.getAsBoolean()) {
                        body.write(clientGone, out);
                    }
                } finally {
                    release.run();
                }
            };
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }
}
