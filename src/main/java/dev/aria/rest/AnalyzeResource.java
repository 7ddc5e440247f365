package dev.aria.rest;

import java.io.IOException;
import java.util.List;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import dev.aria.analysis.MidiAnalysis;
import dev.aria.problem.Problem;
import io.smallrye.common.annotation.Blocking;

/** {@code POST /analyze}: the emotion of a MIDI file, as a whole and over time. */
@Path("/analyze")
@Tag(name = "music", description = "Read the emotion (valence, arousal) a piece of music conveys.")
public class AnalyzeResource {

    /** The form part that carries the MIDI file. */
    public static final String FIELD = "midi";

    private final MidiAnalysis analysis;

    AnalyzeResource(MidiAnalysis analysis) {
        this.analysis = analysis;
    }

    /** The multipart body: one file part, {@code midi}. */
    public static final class AnalyzeForm {

        @RestForm(FIELD)
        @Schema(type = SchemaType.STRING, format = "binary", required = true,
                description = "A Standard MIDI File (type 0 or 1, any tempo map, General MIDI programs; drums on "
                        + "channel 10); by default at most 1 MiB, 512 tracks, 100,000 notes and 30 minutes.")
        public FileUpload midi;

        /** Every file part, to recognise a file sent under another name. Not part of the API. */
        @RestForm(FileUpload.ALL)
        @Schema(hidden = true)
        @Parameter(hidden = true)
        public List<FileUpload> allFiles;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking // parsing and measuring take CPU time: keep them off the event loop
    @Operation(summary = "Read the emotion of a MIDI file",
            description = "Upload a Standard MIDI File as the file part `midi`. Returns its valence and arousal, "
                    + "measured as the music decoders' training pieces were labelled and on the same scale (so they "
                    + "can be sent back to POST /generate), a curve of the same over 10-second windows every 5 "
                    + "seconds, and the labeller's id. Notes are read as the training pipeline reads MIDI "
                    + "(pretty_midi): General MIDI programs map to drums, guitar, bass, piano and strings, seconds "
                    + "follow the tempo map of the first track.")
    @APIResponse(responseCode = "200", description = "The emotion of the piece and its curve.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AnalysisResponse.class),
                    examples = @ExampleObject(name = "cheerful-major", summary = "A cheerful tune in C major, "
                            + "27 s", value = Examples.ANALYSIS_RESPONSE)))
    @APIResponse(responseCode = "400", description = "No usable MIDI file: the part is missing or misnamed, the file "
            + "is empty, damaged (truncated, lying chunk lengths, a tempo of 0), has no notes, or more tracks, notes "
            + "or minutes than allowed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = {
                            @ExampleObject(name = "missing-field", value = Examples.PROBLEM_MISSING_MIDI),
                            @ExampleObject(name = "corrupt-midi", value = Examples.PROBLEM_CORRUPT_MIDI),
                            @ExampleObject(name = "no-notes", value = Examples.PROBLEM_NO_NOTES),
                            @ExampleObject(name = "too-many-tracks", value = Examples.PROBLEM_TOO_MANY_TRACKS),
                            @ExampleObject(name = "midi-too-long", value = Examples.PROBLEM_ANALYSIS_TOO_LONG) }))
    @APIResponse(responseCode = "413", description = "The MIDI file or the request body is larger than allowed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "file-too-large", value = Examples.PROBLEM_ANALYSIS_TOO_LARGE)))
    @APIResponse(responseCode = "415", description = "The file is not a Standard MIDI File (e.g. an image renamed "
            + ".mid), or the request is not multipart/form-data.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "not-midi", value = Examples.PROBLEM_RENAMED_IMAGE)))
    @APIResponse(responseCode = "503", description = "The music-emotion model is not loaded, or every analysis slot "
            + "stayed busy; retry after the Retry-After seconds.",
            headers = @Header(name = "Retry-After", description = "Seconds to wait.",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "overloaded", value = Examples.PROBLEM_ANALYSIS_OVERLOADED)))
    @APIResponse(responseCode = "500", description = "Unexpected failure; the body carries an id to report.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public AnalysisResponse analyze(@BeanParam AnalyzeForm form) throws IOException {
        java.nio.file.Path upload = Uploads.require(form.midi, form.allFiles, FIELD, "the MIDI file", "music.mid");
        return AnalysisResponse.of(analysis.analyze(upload, FIELD));
    }
}
