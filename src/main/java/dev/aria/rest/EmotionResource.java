package dev.aria.rest;

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

import dev.aria.emotion.EmotionEstimator;
import dev.aria.image.ImageDecoder;
import dev.aria.problem.Problem;
import io.smallrye.common.annotation.Blocking;

/** {@code POST /emotion}: how pleasant and how exciting an image feels. */
@Path("/emotion")
@Tag(name = "emotion", description = "Estimate the emotion (valence, arousal) an image conveys.")
public class EmotionResource {

    private final ImageDecoder decoder;
    private final EmotionEstimator estimator;

    EmotionResource(ImageDecoder decoder, EmotionEstimator estimator) {
        this.decoder = decoder;
        this.estimator = estimator;
    }

    /** The multipart body: one file part, {@code image}. */
    public static final class ImageForm {

        @RestForm(ImageDecoder.FIELD)
        @Schema(type = SchemaType.STRING, format = "binary", required = true,
                description = "The image: JPEG (also CMYK), PNG, GIF (first frame), BMP, WebP or TIFF; at most "
                        + "20 MiB and 40 megapixels by default.")
        public FileUpload image;

        /** Every file part, to recognise an image sent under another name. Not part of the API. */
        @RestForm(FileUpload.ALL)
        @Schema(hidden = true)
        @Parameter(hidden = true)
        public List<FileUpload> allFiles;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking // decoding and estimation take CPU time: keep them off the event loop
    @Operation(summary = "Estimate the emotion of an image",
            description = "Upload an image as the file part `image` of a multipart/form-data request. Returns its "
                    + "valence (unpleasant -1 to pleasant +1) and arousal (calm -1 to excited +1), and the model "
                    + "that estimated them. EXIF orientation is applied and transparency is composited on white.")
    @APIResponse(responseCode = "200", description = "The estimated emotion.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = EmotionResponse.class),
                    examples = @ExampleObject(name = "starry-night", summary = "The Starry Night",
                            value = Examples.EMOTION_RESPONSE)))
    @APIResponse(responseCode = "400", description = "No usable image: the part is missing, misnamed, empty, "
            + "damaged, or has too many pixels.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = {
                            @ExampleObject(name = "missing-field", value = Examples.PROBLEM_MISSING_IMAGE),
                            @ExampleObject(name = "wrong-field-name", value = Examples.PROBLEM_WRONG_PART_NAME),
                            @ExampleObject(name = "empty-image", value = Examples.PROBLEM_EMPTY_IMAGE),
                            @ExampleObject(name = "corrupt-image", value = Examples.PROBLEM_CORRUPT_IMAGE),
                            @ExampleObject(name = "image-too-large", value = Examples.PROBLEM_TOO_MANY_PIXELS) }))
    @APIResponse(responseCode = "413", description = "The file or the request body is larger than allowed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "file-too-large", value = Examples.PROBLEM_FILE_TOO_LARGE)))
    @APIResponse(responseCode = "415", description = "The file is not an image in a supported format, or the "
            + "request is not multipart/form-data.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = {
                            @ExampleObject(name = "not-an-image", value = Examples.PROBLEM_NOT_AN_IMAGE),
                            @ExampleObject(name = "unsupported-media-type",
                                    value = Examples.PROBLEM_UNSUPPORTED_MEDIA_TYPE) }))
    @APIResponse(responseCode = "503", description = "The emotion model is not ready yet, or other large images "
            + "are being decoded and this one does not fit in memory beside them; retry later (after Retry-After "
            + "seconds when it is sent).",
            headers = @Header(name = "Retry-After", description = "Seconds to wait.",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "model-unavailable",
                            value = Examples.PROBLEM_MODEL_UNAVAILABLE)))
    @APIResponse(responseCode = "500", description = "Unexpected failure; the body carries an id to report.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "internal-error", value = Examples.PROBLEM_INTERNAL_ERROR)))
    public EmotionResponse estimate(@BeanParam ImageForm form) {
        return decoder.decode(Uploads.image(form.image, form.allFiles), ImageDecoder.FIELD,
                rgb -> EmotionResponse.of(estimator.estimate(rgb), estimator.modelId()));
    }
}
