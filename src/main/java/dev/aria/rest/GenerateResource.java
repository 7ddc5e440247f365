package dev.aria.rest;

import java.io.OutputStream;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
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
import dev.aria.emotion.Emotion;
import dev.aria.emotion.EmotionEstimator;
import dev.aria.image.ImageDecoder;
import dev.aria.image.ImageUploads;
import dev.aria.music.Conditioning;
import dev.aria.music.GeneratedPiece;
import dev.aria.music.GenerationSettings;
import dev.aria.music.MusicService;
import dev.aria.problem.ApiException;
import dev.aria.problem.Problem;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /generate}: music with the emotion of an image, or of an explicit (valence, arousal), as a Standard
 * MIDI File streamed while it is composed: the header leaves when generation starts, the tracks when it ends.
 */
@Path("/generate")
@Tag(name = "music", description = "Compose multi-instrument MIDI music with a given emotion.")
public class GenerateResource {

    public static final String AUDIO_MIDI = "audio/midi";
    private static final Logger LOG = Logger.getLogger(GenerateResource.class);

    private final MusicService music;
    private final ImageDecoder images;
    private final EmotionEstimator estimator;
    private final AriaConfig config;

    GenerateResource(MusicService music, ImageDecoder images, EmotionEstimator estimator, AriaConfig config) {
        this.music = music;
        this.images = images;
        this.estimator = estimator;
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
        boolean hasImage = form.image != null || (form.allFiles != null && !form.allFiles.isEmpty());
        boolean hasEmotion = form.valence != null || form.arousal != null;
        if (hasImage && hasEmotion) {
            throw new ApiException(400, "ambiguous-emotion", form.valence != null ? "valence" : "arousal",
                    "Send either an image or valence and arousal, not both. Remove the 'image' part, or the "
                            + "'valence' and 'arousal' fields.");
        }
        if (!hasImage && !hasEmotion) {
            throw new ApiException(400, "missing-emotion", "image", "Send an image as the file part 'image', or the "
                    + "fields 'valence' and 'arousal' (each in [-1, 1]), e.g. curl -F valence=0.8 -F arousal=0.6.");
        }
        Emotion emotion;
        String source;
        if (hasImage) {
            emotion = images.decode(ImageUploads.require(form.image, form.allFiles, ImageDecoder.FIELD),
                    ImageDecoder.FIELD, estimator::estimate);
            source = "image";
        } else {
            emotion = new Emotion(finite("valence", form.valence, true), finite("arousal", form.arousal, true));
            source = "request";
        }
        GenerationSettings settings = settings(form, emotion);
        if (music.card(settings.conditioning()).isEmpty()) {
            throw music.unavailable(settings.conditioning());
        }
        MusicService.Slot slot = music.reserve();
        // The client may leave at any moment (closed tab, timeout, Ctrl-C); its generation must not run on for
        // nobody. The generation polls 'clientGone' at every token, so it stops within a token of the connection
        // closing, and the thread running the body then frees the slot. The connection's state is polled rather
        // than only waited for with a close handler: a response has a single close handler, and Vert.x Web's
        // routing contexts install their own there while the response is being written, so one set here was
        // silently replaced and never called (see GenerateResourceTest, the disconnect test).
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
        long deadline = System.nanoTime() + config.generation().deadline().toNanos();
        StreamingOutput body = (OutputStream out) -> {
            if (!started.compareAndSet(false, true)) {
                return; // the response already ended and freed the slot
            }
            try (slot) {
                if (clientGone.getAsBoolean()) {
                    return; // the client left before composing started
                }
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
                        music.tokenDecoder().notes(piece.tokens(), piece.length()), summary(piece, settings)));
                out.flush();
            } catch (ai.onnxruntime.OrtException e) {
                throw new java.io.IOException("decoder failed", e);
            }
        };
        try {
            return response(body, settings, source, hasImage);
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    private Response response(StreamingOutput body, GenerationSettings settings, String source, boolean hasImage) {
        return Response.ok(body, AUDIO_MIDI)
                .header("Content-Disposition", "attachment; filename=\"aria-" + settings.seed() + ".mid\"")
                .header("ARIA-Valence", fmt(settings.valence()))
                .header("ARIA-Arousal", fmt(settings.arousal()))
                .header("ARIA-Emotion-Source", source)
                .header("ARIA-Emotion-Model", hasImage ? estimator.modelId() : null)
                .header("ARIA-Conditioning", settings.conditioning().wireName())
                .header("ARIA-Gen-Len", settings.genLen())
                .header("ARIA-Note-Temperature", fmt(settings.noteTemperature()))
                .header("ARIA-Rest-Temperature", fmt(settings.restTemperature()))
                .header("ARIA-Top-P", fmt(settings.topP()))
                .header("ARIA-Min-Instruments", settings.minInstruments())
                .header("ARIA-Seed", settings.seed())
                .header("ARIA-Model", music.card(settings.conditioning()).orElseThrow().id())
                .build();
    }

    private GenerationSettings settings(GenerateForm f, Emotion emotion) {
        Conditioning conditioning = Conditioning.fromWire(f.conditioning == null ? "continuous_concat" : f.conditioning)
                .orElseThrow(); // the @Pattern constraint already refused other names
        int genLen = f.genLen == null ? 1024 : f.genLen;
        if (genLen > config.generation().maxGenLen()) {
            throw new ApiException(400, "out-of-range", "gen_len", "gen_len must be at most "
                    + config.generation().maxGenLen() + " on this deployment; send a smaller value.");
        }
        long seed = f.seed != null ? f.seed : ThreadLocalRandom.current().nextLong(GenerateForm.MAX_SEED + 1);
        return new GenerationSettings(emotion.valence(), emotion.arousal(), conditioning, genLen,
                finite("note_temperature", f.noteTemperature == null ? 1.2 : f.noteTemperature, false),
                finite("rest_temperature", f.restTemperature == null ? 1.2 : f.restTemperature, false),
                finite("top_p", f.topP == null ? 0.7 : f.topP, false),
                f.minInstruments == null ? 2 : f.minInstruments, seed);
    }

    /** NaN and infinities pass the decimal range checks of Bean Validation; refuse them here, naming the field. */
    private static double finite(String field, Double value, boolean required) {
        if (value == null && required) {
            throw new ApiException(400, "missing-field", field, "Send both 'valence' and 'arousal' (each in [-1, 1]); '"
                    + field + "' is missing.");
        }
        if (!Double.isFinite(value)) {
            throw new ApiException(400, "not-a-number", field, "'" + field + "' must be a finite number, not " + value + ".");
        }
        return value;
    }

    private static String summary(GeneratedPiece p, GenerationSettings s) {
        return "ARIA " + p.modelId() + ": " + p.instruments() + " instruments, " + p.attempts() + " attempt(s)"
                + (p.metMinimum() ? "" : ", fewer than the " + s.minInstruments() + " asked for (best attempt kept)")
                + (p.truncated() ? ", stopped early at the deadline" : "");
    }

    private static String fmt(double x) {
        return String.format(Locale.ROOT, "%.4f", x);
    }
}
