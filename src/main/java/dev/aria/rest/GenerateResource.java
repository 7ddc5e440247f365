package dev.aria.rest;

import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import dev.aria.config.AriaConfig;
import dev.aria.music.GeneratedPiece;
import dev.aria.music.GenerationSettings;
import dev.aria.music.MusicService;
import dev.aria.problem.Problem;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /generate}: music with the emotion of an image, or of an explicit (valence, arousal), as a Standard
 * MIDI File streamed while it is composed: the header leaves when generation starts, the tracks when it ends.
 * {@code POST /generate/events}: the same generation reported as server-sent events (progress, then the result with
 * the MIDI file and its notes), for the web page.
 */
@Path("/generate")
@Tag(name = "music", description = "Compose multi-instrument MIDI music with a given emotion.")
public class GenerateResource {

    public static final String AUDIO_MIDI = "audio/midi";
    private static final Logger LOG = Logger.getLogger(GenerateResource.class);

    private final MusicService music;
    private final GenerationRequests requests;
    private final GenerationEvents events;
    private final AriaConfig config;

    GenerateResource(MusicService music, GenerationRequests requests, GenerationEvents events, AriaConfig config) {
        this.music = music;
        this.requests = requests;
        this.events = events;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces({AUDIO_MIDI, Problem.MEDIA_TYPE})
    @Blocking // image decoding and the generation itself run on worker threads, never the event loop
    @Operation(summary = "Compose music with the emotion of an image or of explicit valence/arousal",
            description = "Send either the file part `image`, or the fields `valence` and `arousal` (each in [-1, 1]), "
                    + "plus any settings. The answer is a type-1 Standard MIDI File (drums, guitar, bass, piano, strings; "
                    + "General MIDI programs, drums on channel 10), streamed: its header is sent as soon as generation "
                    + "starts, its tracks when the piece is complete. The emotion and settings used come back in "
                    + "ARIA-* headers; how many attempts were needed and how many instruments play are written "
                    + "into the file as a text event of the first track.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
            schema = @Schema(implementation = GenerateForm.class),
            examples = @ExampleObject(name = "explicit-emotion", summary = "Happy and lively, 512 tokens",
                    value = Examples.GENERATE_REQUEST)))
    @APIResponse(responseCode = "200", description = "The MIDI file, streamed (chunked).",
            content = @Content(mediaType = AUDIO_MIDI, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING, format = "binary")),
            headers = {
                    @Header(name = "ARIA-Valence", description = "Valence the music was conditioned on.", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.NUMBER)),
                    @Header(name = "ARIA-Arousal", description = "Arousal the music was conditioned on.", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.NUMBER)),
                    @Header(name = "ARIA-Emotion-Source", description = "`image` or `request`.", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)),
                    @Header(name = "ARIA-Seed", description = "Seed used; send it back to get the same file.", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER)),
                    @Header(name = "ARIA-Model", description = "Decoder id and version.", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)) })
    @APIResponse(responseCode = "400", description = "A field is missing, out of range, not a number, or the image is unusable.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = {
                            @ExampleObject(name = "out-of-range", value = Examples.PROBLEM_TOP_P_RANGE),
                            @ExampleObject(name = "emotion-source", value = Examples.PROBLEM_EMOTION_SOURCE) }))
    @APIResponse(responseCode = "413", description = "The image or the request body is larger than allowed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "The file is not an image in a supported format, or the request is not multipart/form-data.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Every generation slot is busy, or the image does not fit in memory beside other large images being decoded; retry after the Retry-After seconds.",
            headers = @Header(name = "Retry-After", description = "Seconds to wait.", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "overloaded", value = Examples.PROBLEM_OVERLOADED)))
    @APIResponse(responseCode = "500", description = "Unexpected failure.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response generate(@Valid @BeanParam GenerateForm form, @Context RoutingContext routing) {
        GenerationRequest request = requests.from(form);
        GenerationSettings settings = request.settings();
        long deadline = System.nanoTime() + config.generation().deadline().toNanos();
        StreamingOutput body = whileConnected(routing, music.reserve(), (slot, clientGone, out) -> {
            out.write(music.midiWriter().header());
            out.flush();
            GeneratedPiece piece = music.generate(slot, settings,
                    () -> clientGone.getAsBoolean() || System.nanoTime() > deadline, n -> { });
            if (clientGone.getAsBoolean()) {
                LOG.debugf("client left; generation stopped after %d tokens", piece.length());
                return;
            }
            if (piece.truncated()) {
                LOG.warnf("generation stopped at its deadline after %d tokens", piece.length());
            }
            out.write(music.midiWriter().tracks(
                    music.tokenDecoder().notes(piece.tokens(), piece.length()), request.summary(piece)));
            out.flush();
        });
        Response.ResponseBuilder ok = Response.ok(body, AUDIO_MIDI)
                .header("Content-Disposition", "attachment; filename=\"" + request.fileName() + "\"");
        request.headers().forEach(ok::header);
        return ok.build();
    }

    @POST
    @Path("events")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking // the image is decoded and the music generated on this worker thread, which writes the events
    @Operation(summary = "Compose music as POST /generate does, reporting progress as server-sent events",
            description = "Takes exactly the fields of POST /generate and refuses exactly the same requests, with the "
                    + "same problem bodies and statuses, before any event is sent. Once accepted, the answer is a "
                    + "`text/event-stream`: `progress` events (data: GenerationProgress, JSON) while the tokens are "
                    + "generated, at most about 64 per attempt, then one `result` event (data: GenerationResult, "
                    + "JSON: the MIDI file in base64, the values POST /generate sends as ARIA-* headers, attempts, "
                    + "instruments and every note), and the stream ends. Should the generation fail after the stream "
                    + "has begun, an `error` event carries a Problem instead of the result. Closing the connection "
                    + "stops the generation. Browsers read it with fetch() and a stream reader (EventSource cannot "
                    + "POST).")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
            schema = @Schema(implementation = GenerateForm.class)))
    @APIResponse(responseCode = "200", description = "The event stream.",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS,
                    schema = @Schema(description = "Data of the events, by event name: progress, result, error.",
                            oneOf = {GenerationProgress.class, GenerationResult.class, Problem.class}),
                    examples = @ExampleObject(name = "events", value = Examples.GENERATION_EVENTS)))
    @APIResponse(responseCode = "400", description = "A field is missing, out of range, not a number, or the image is unusable.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = {
                            @ExampleObject(name = "out-of-range", value = Examples.PROBLEM_TOP_P_RANGE),
                            @ExampleObject(name = "emotion-source", value = Examples.PROBLEM_EMOTION_SOURCE) }))
    @APIResponse(responseCode = "413", description = "The image or the request body is larger than allowed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "The file is not an image in a supported format, or the request is not multipart/form-data.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Every generation slot is busy; retry after the Retry-After seconds.",
            headers = @Header(name = "Retry-After", description = "Seconds to wait.", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "overloaded", value = Examples.PROBLEM_OVERLOADED)))
    @APIResponse(responseCode = "500", description = "Unexpected failure.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response events(@Valid @BeanParam GenerateForm form, @Context RoutingContext routing) {
        // A refused request (bad field, unusable image, no free slot) throws here, before any event is written, and
        // gets its problem body and status like POST /generate. Once the first event is out, the stream is open.
        GenerationRequest request = requests.from(form);
        StreamingOutput body = whileConnected(routing, music.reserve(),
                (slot, clientGone, out) -> events.write(request, slot, clientGone, out));
        return Response.ok(body, MediaType.SERVER_SENT_EVENTS).build();
    }

    /** What a streamed answer writes, given its slot, whether the client has left, and the response body. */
    @FunctionalInterface
    interface Composition {
        void write(MusicService.Slot slot, BooleanSupplier clientGone, OutputStream out)
                throws java.io.IOException, ai.onnxruntime.OrtException;
    }

    /**
     * A streamed body that owns {@code slot} and frees it however the response ends, and tells {@code composition}
     * when the client has gone.
     *
     * <p>The client may leave at any moment (closed tab, timeout, Ctrl-C); its generation must not run on for
     * nobody. The composition polls {@code clientGone} at every token, so it stops within a token of the connection
     * closing, and the thread running the body then frees the slot. The connection's state is polled rather than only
     * waited for with a close handler: a response has a single close handler, and Vert.x Web's routing contexts
     * install their own there while the response is being written, so one set here was silently replaced and never
     * called (see GenerateResourceTest, the disconnect test).
     */
    private static StreamingOutput whileConnected(RoutingContext routing, MusicService.Slot slot,
            Composition composition) {
        try {
            HttpServerResponse response = routing.response();
            AtomicBoolean gone = new AtomicBoolean();
            BooleanSupplier clientGone = () -> gone.get() || response.closed();
            AtomicBoolean started = new AtomicBoolean();
            // If the response ends (or fails) without the body ever running, nothing else frees the slot.
            routing.addEndHandler(ended -> {
                if (ended.failed()) {
                    gone.set(true);
                }
                if (started.compareAndSet(false, true)) {
                    slot.close();
                }
            });
            return out -> {
                if (!started.compareAndSet(false, true)) {
                    return; // the response already ended and freed the slot
                }
                try (slot) {
                    if (clientGone.getAsBoolean()) {
                        return; // the client left before composing started
                    }
                    composition.write(slot, clientGone, out);
                } catch (ai.onnxruntime.OrtException e) {
                    throw new java.io.IOException("decoder failed", e);
                }
            };
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }
}
