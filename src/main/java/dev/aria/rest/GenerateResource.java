package dev.aria.rest;

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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.aria.music.MusicService;
import dev.aria.problem.Problem;
import io.smallrye.common.annotation.Blocking;
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

    private final MusicService music;
    private final GenerationAdmission admission;
    private final GenerationEvents events;

    GenerateResource(MusicService music, GenerationAdmission admission, GenerationEvents events) {
        this.music = music;
        this.admission = admission;
        this.events = events;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces({AUDIO_MIDI, Problem.MEDIA_TYPE})
    @Blocking // image decoding and the generation itself run on worker threads, never the event loop
    @Operation(summary = "Compose music with the emotion of an image or of explicit valence/arousal",
            description = "Send either the file part `image`, or the fields `valence` and `arousal` (each in [-1, 1]), "
                    + "plus any settings. For an emotion arc, add where it ends: `valence_end` and `arousal_end`, or a "
                    + "second image `image_end`. To continue music, add a MIDI file as `primer`. The answer is a type-1 "
                    + "Standard MIDI File (drums, guitar, bass, piano, strings; General MIDI programs, drums on channel "
                    + "10), streamed: its header is sent as soon as generation starts, its tracks when the piece is "
                    + "complete. The emotion and settings used come back in ARIA-* headers; what is known only at the "
                    + "end is written into the file as a text event of the first track: how many attempts were needed, "
                    + "how many instruments play, the emotion measured in the generated music (as POST /analyze "
                    + "measures it) and which of the candidates was kept. A primer's continuation begins at a marker "
                    + "event 'continuation' (and at ARIA-Continuation-Start-Ms).")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
            schema = @Schema(implementation = GenerateForm.class),
            examples = {
                    @ExampleObject(name = "explicit-emotion", summary = "Happy and lively, 512 tokens",
                            value = Examples.GENERATE_REQUEST),
                    @ExampleObject(name = "arc", summary = "From calm to excited, the nearer of two candidates",
                            value = Examples.GENERATE_ARC_REQUEST) }))
    @APIResponse(responseCode = "200", description = "The MIDI file, streamed (chunked).",
            content = @Content(mediaType = AUDIO_MIDI, schema = @Schema(type = SchemaType.STRING, format = "binary")),
            headers = {
                    @Header(name = "ARIA-Valence", description = "Valence the music was conditioned on.", schema = @Schema(type = SchemaType.NUMBER)),
                    @Header(name = "ARIA-Arousal", description = "Arousal the music was conditioned on.", schema = @Schema(type = SchemaType.NUMBER)),
                    @Header(name = "ARIA-Emotion-Source", description = "`image` or `request`.", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "ARIA-Valence-End", description = "Valence at the end of an arc; only with one.", schema = @Schema(type = SchemaType.NUMBER)),
                    @Header(name = "ARIA-Arousal-End", description = "Arousal at the end of an arc; only with one.", schema = @Schema(type = SchemaType.NUMBER)),
                    @Header(name = "ARIA-Candidates", description = "Candidates composed; the nearest the request by measured emotion is returned.", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "ARIA-Continuation-Start-Ms", description = "Where the continuation of a primer begins, in milliseconds; only with a primer.", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "ARIA-Seed", description = "Seed used; send it back to get the same file.", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "ARIA-Model", description = "Decoder id and version.", schema = @Schema(type = SchemaType.STRING)) })
    @APIResponse(responseCode = "400", description = "A field is missing, out of range, not a number; half an arc (valence_end without arousal_end, or either beside image_end); the image is unusable, or the primer is not a usable MIDI file (damaged, no notes, over the limits of POST /analyze).",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = {
                            @ExampleObject(name = "out-of-range", value = Examples.PROBLEM_TOP_P_RANGE),
                            @ExampleObject(name = "emotion-source", value = Examples.PROBLEM_EMOTION_SOURCE),
                            @ExampleObject(name = "arc-half", value = Examples.PROBLEM_ARC_HALF) }))
    @APIResponse(responseCode = "413", description = "The image, the primer or the request body is larger than allowed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "The file is not an image (image, image_end) or not a MIDI file (primer) in a supported format, or the request is not multipart/form-data.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "primer-not-midi", value = Examples.PROBLEM_PRIMER_NOT_MIDI)))
    @APIResponse(responseCode = "503", description = "Every generation slot is busy, or the image does not fit in memory beside other large images being decoded; retry after the Retry-After seconds.",
            headers = @Header(name = "Retry-After", description = "Seconds to wait.", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "overloaded", value = Examples.PROBLEM_OVERLOADED)))
    @APIResponse(responseCode = "500", description = "Unexpected failure.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response generate(@Valid @BeanParam GenerateForm form, @Context RoutingContext routing) {
        GenerationRequest request = admission.request(form);
        MusicService.Slot slot = admission.slot(request);
        StreamingOutput body = SlotStreams.holding(routing, slot::close, (clientGone, out) -> {
            byte[] header = music.midiHeader();
            out.write(header);
            out.flush();
            byte[] midi = slot.compose(request.settings(), clientGone, (attempt, tokens, ms) -> { }).midi();
            if (!clientGone.getAsBoolean()) {
                out.write(midi, header.length, midi.length - header.length); // the file, after its header
                out.flush();
            }
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
            schema = @Schema(implementation = GenerateForm.class),
            examples = @ExampleObject(name = "arc", summary = "From calm to excited, the nearer of two candidates",
                    value = Examples.GENERATE_ARC_REQUEST)))
    @APIResponse(responseCode = "200", description = "The event stream.",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS,
                    schema = @Schema(description = "Data of the events, by event name: progress, result, error.",
                            oneOf = {GenerationProgress.class, GenerationResult.class, Problem.class}),
                    examples = @ExampleObject(name = "events", value = Examples.GENERATION_EVENTS)))
    @APIResponse(responseCode = "400", description = "A field is missing, out of range, not a number; half an arc (valence_end without arousal_end, or either beside image_end); the image is unusable, or the primer is not a usable MIDI file (damaged, no notes, over the limits of POST /analyze).",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = {
                            @ExampleObject(name = "out-of-range", value = Examples.PROBLEM_TOP_P_RANGE),
                            @ExampleObject(name = "emotion-source", value = Examples.PROBLEM_EMOTION_SOURCE),
                            @ExampleObject(name = "arc-half", value = Examples.PROBLEM_ARC_HALF) }))
    @APIResponse(responseCode = "413", description = "The image, the primer or the request body is larger than allowed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "The file is not an image (image, image_end) or not a MIDI file (primer) in a supported format, or the request is not multipart/form-data.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "primer-not-midi", value = Examples.PROBLEM_PRIMER_NOT_MIDI)))
    @APIResponse(responseCode = "503", description = "Every generation slot is busy; retry after the Retry-After seconds.",
            headers = @Header(name = "Retry-After", description = "Seconds to wait.", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "overloaded", value = Examples.PROBLEM_OVERLOADED)))
    @APIResponse(responseCode = "500", description = "Unexpected failure.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response events(@Valid @BeanParam GenerateForm form, @Context RoutingContext routing) {
        // A refused request (bad field, unusable image, no free slot) throws here, before any event is written, and
        // gets its problem body and status like POST /generate. Once the first event is out, the stream is open.
        GenerationRequest request = admission.request(form);
        MusicService.Slot slot = admission.slot(request);
        StreamingOutput body = SlotStreams.holding(routing, slot::close,
                (clientGone, out) -> events.write(request, slot, clientGone, out));
        return Response.ok(body, MediaType.SERVER_SENT_EVENTS).build();
    }
}
