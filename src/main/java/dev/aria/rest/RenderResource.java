package dev.aria.rest;

import java.io.IOException;
import java.util.List;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Variant;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import dev.aria.audio.MidiRenderer;
import dev.aria.problem.Problem;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /render}: a MIDI file as audio, synthesised by the service. */
@Path("/render")
@Tag(name = "audio", description = "Listen to MIDI music: render it as audio.")
public class RenderResource {

    public static final String AUDIO_WAV = "audio/wav";
    public static final String AUDIO_FLAC = "audio/flac";
    private static final List<Variant> FORMATS = Variant.mediaTypes(MediaType.valueOf(AUDIO_WAV),
            MediaType.valueOf(AUDIO_FLAC)).build();

    private final MidiRenderer renderer;

    RenderResource(MidiRenderer renderer) {
        this.renderer = renderer;
    }

    /** The multipart body: one file part, {@code midi}. */
    public static final class MidiForm {

        @RestForm(MidiRenderer.FIELD)
        @Schema(type = SchemaType.STRING, format = "binary", required = true,
                description = "A Standard MIDI File (type 0 or 1), e.g. one POST /generate returned; at most 1 MiB "
                        + "and 10 minutes of music by default.")
        public FileUpload midi;

        /** Every file part, to recognise a file sent under another name. Not part of the API. */
        @RestForm(FileUpload.ALL)
        @Schema(hidden = true)
        @Parameter(hidden = true)
        public List<FileUpload> allFiles;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces({AUDIO_WAV, AUDIO_FLAC, Problem.MEDIA_TYPE})
    @Blocking // parsing and synthesis take CPU time: keep them off the event loop
    @Operation(summary = "Render a MIDI file as audio: WAV, or FLAC",
            description = "Upload a Standard MIDI File as the file part `midi`. The answer is 16-bit stereo PCM "
                    + "(44.1 kHz by default), as WAV, or as FLAC (lossless, about half the size) for a client whose "
                    + "Accept header prefers audio/flac; it is synthesised by the JDK's software synthesiser with a General MIDI "
                    + "SoundFont (FluidR3_GM when installed, else the JDK's built-in sound set; the ARIA-SoundFont "
                    + "header says which), with two seconds of silence after the last event for the notes to ring "
                    + "out. The file is checked before any sound is made: its size, its structure and the length of "
                    + "its music are bounded.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
            schema = @Schema(implementation = MidiForm.class)))
    @APIResponse(responseCode = "200", description = "The audio file, streamed while it is synthesised.",
            content = {
                    @Content(mediaType = AUDIO_WAV, schema = @Schema(type = SchemaType.STRING, format = "binary")),
                    @Content(mediaType = AUDIO_FLAC, schema = @Schema(type = SchemaType.STRING, format = "binary")) },
            headers = {
                    @Header(name = "ARIA-SoundFont", description = "File name of the SoundFont that played, or "
                            + "`jdk-builtin` for the JDK's own sound set.", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "ARIA-Duration-Ms", description = "Length of the music, without the silent tail.",
                            schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "ARIA-Sample-Rate", description = "Samples per second.",
                            schema = @Schema(type = SchemaType.INTEGER)) })
    @APIResponse(responseCode = "400", description = "No MIDI file part, a misnamed part, a damaged MIDI file, or "
            + "music longer than allowed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "midi-too-long", value = Examples.PROBLEM_MIDI_TOO_LONG)))
    @APIResponse(responseCode = "413", description = "The MIDI file or the request body is larger than allowed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "file-too-large", value = Examples.PROBLEM_MIDI_TOO_LARGE)))
    @APIResponse(responseCode = "415", description = "The file is not a Standard MIDI File, or the request is not "
            + "multipart/form-data.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "not-midi", value = Examples.PROBLEM_NOT_MIDI)))
    @APIResponse(responseCode = "503", description = "Every render slot is busy (retry after the Retry-After "
            + "seconds), or this deployment cannot synthesise audio.",
            headers = @Header(name = "Retry-After", description = "Seconds to wait.",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "overloaded", value = Examples.PROBLEM_RENDER_OVERLOADED)))
    @APIResponse(responseCode = "500", description = "Unexpected failure; the body carries an id to report.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response render(@BeanParam MidiForm form, @Context RoutingContext routing, @Context Request request)
            throws IOException {
        Variant chosen = request.selectVariant(FORMATS);
        boolean flac = chosen != null && AUDIO_FLAC.equals(chosen.getMediaType().toString());
        MidiRenderer.Rendering rendering = renderer.prepare(Uploads.require(form.midi, form.allFiles,
                MidiRenderer.FIELD, "the MIDI file", "music.mid"));
        StreamingOutput body = SlotStreams.holding(routing, rendering::close,
                flac ? rendering::writeFlac : rendering::writeWav);
        String name = wavName(form.midi);
        return Response.ok(body, flac ? AUDIO_FLAC : AUDIO_WAV)
                .header("Vary", "Accept")
                .header("Content-Disposition", "inline; filename=\"" + (flac ? name.replaceFirst("\\.wav$", ".flac")
                        : name) + "\"")
                .header("ARIA-SoundFont", rendering.soundFont())
                .header("ARIA-Duration-Ms", rendering.durationMicros() / 1000)
                .header("ARIA-Sample-Rate", (int) renderer.format().getSampleRate())
                .build();
    }

    /** {@code aria-7.mid} becomes {@code aria-7.wav}; odd names become {@code aria.wav}. */
    static String wavName(FileUpload midi) {
        String name = midi == null || midi.fileName() == null ? "" : midi.fileName();
        String base = name.replaceFirst("(?i)\\.(mid|midi|smf)$", "");
        return base.matches("[A-Za-z0-9._-]{1,100}") ? base + ".wav" : "aria.wav";
    }
}
