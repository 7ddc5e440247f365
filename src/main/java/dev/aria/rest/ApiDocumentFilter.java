package dev.aria.rest;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;

import dev.aria.image.ImageDecoder;
import dev.aria.music.Conditioning;
import dev.aria.music.DecoderCard;
import dev.aria.music.GenerationSettings;
import dev.aria.music.Guidance;
import dev.aria.music.MusicService;
import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Completes the API document with what annotations cannot say, so that a client (or a property-based tester such as
 * schemathesis) that sends what the document allows gets a 2xx:
 *
 * <ul>
 * <li>{@code POST /emotion}: the part {@code image} is required; {@code POST /analyze}: the part {@code midi};</li>
 * <li>{@code POST /generate}: exactly one emotion source, either {@code image} or both {@code valence} and
 * {@code arousal} ({@code oneOf}); and for an arc both {@code valence_end} and {@code arousal_end} without
 * {@code image_end}, or neither ({@code allOf} of a {@code oneOf});</li>
 * <li>{@code conditioning} lists only the conditionings whose decoder this deployment ships, and {@code gen_len}'s
 * maximum is {@code aria.generation.max-gen-len}: both are known only at run time;</li>
 * <li>the image part's encoding names the image media types the decoder reads (it sniffs the bytes, whatever
 * {@code Content-Type} the part declares).</li>
 * </ul>
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class ApiDocumentFilter implements OASFilter {

    /** Media types of the image formats the decoder reads, for the image part's encoding. */
    static final String IMAGE_MEDIA_TYPES = "image/jpeg, image/png, image/gif, image/webp, image/bmp, image/tiff";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Config config = ConfigProvider.getConfig();
        Path models = config.getOptionalValue("aria.models.dir", Path.class).orElse(Path.of("models"));
        int maxGenLen = config.getOptionalValue("aria.generation.max-gen-len", Integer.class).orElse(16384);
        List<Conditioning> installed = MusicService.installed(models);

        Schema emotionForm = multipartSchema(openAPI, "/emotion");
        if (emotionForm != null && emotionForm.getRequired() == null) {
            emotionForm.addRequired(ImageDecoder.FIELD);
        }
        Schema generateForm = openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null ? null
                : openAPI.getComponents().getSchemas().get("GenerateForm");
        if (generateForm != null) {
            // "required" and "not required" rather than listing the excluded properties with a false schema: tools
            // that build examples per branch (schemathesis) take a branch's "properties" as the fields it uses. The
            // start (an image, or explicit values) is the oneOf; the end of an arc (explicit valence_end and
            // arousal_end without image_end, or neither) is a oneOf inside allOf. Schemathesis' example phase
            // applies only the first (bench/schemathesis_hooks.py makes its requests honour the second).
            generateForm.setOneOf(List.of(
                    OASFactory.createSchema().description("From an image: no valence or arousal.")
                            .addRequired(ImageDecoder.FIELD)
                            .not(OASFactory.createSchema().anyOf(List.of(present("valence"), present("arousal")))),
                    OASFactory.createSchema().description("From explicit valence and arousal: no image.")
                            .addRequired("valence").addRequired("arousal")
                            .not(present(ImageDecoder.FIELD))));
            generateForm.setAllOf(List.of(OASFactory.createSchema().oneOf(List.of(
                    OASFactory.createSchema().description("An arc to explicit values: both, and no end image.")
                            .addRequired("valence_end").addRequired("arousal_end")
                            .not(present(GenerateForm.IMAGE_END)),
                    OASFactory.createSchema().description("No explicit end: a constant emotion, or an end image.")
                            .not(OASFactory.createSchema().anyOf(List.of(present("valence_end"),
                                    present("arousal_end"))))))));
            Map<String, Schema> properties = generateForm.getProperties();
            Schema conditioning = properties == null ? null : properties.get("conditioning");
            if (conditioning != null && !installed.isEmpty()) {
                // keep the one-line descriptions (x-enum-descriptions, read by the page) aligned with the enum
                if (conditioning.getExtensions() != null
                        && conditioning.getExtensions().get("x-enum-descriptions") instanceof List<?> descriptions
                        && conditioning.getEnumeration() != null
                        && descriptions.size() == conditioning.getEnumeration().size()) {
                    List<Object> kept = new ArrayList<>();
                    for (int i = 0; i < descriptions.size(); i++) {
                        if (Conditioning.fromWire(String.valueOf(conditioning.getEnumeration().get(i)))
                                .filter(installed::contains).isPresent()) {
                            kept.add(descriptions.get(i));
                        }
                    }
                    conditioning.addExtension("x-enum-descriptions", kept);
                }
                conditioning.setEnumeration(new ArrayList<>(installed.stream().map(Conditioning::wireName).toList()));
                conditioning.setPattern(installed.stream().map(Conditioning::wireName)
                        .collect(Collectors.joining("|", "^(", ")$")));
                if (!installed.contains(Conditioning.fromWire(GenerationSettings.DEFAULT_CONDITIONING).orElseThrow())) {
                    conditioning.setDefaultValue(null);
                }
            }
            if (properties != null) {
                describeGuidance(properties, models, installed);
            }
            // the request bodies repeat the form's properties beside their $ref: they must say the same, constraints
            // included (with the properties beside the $ref and the constraints only behind it, schemathesis' negative
            // generation fails on the form: "result is not supported in canonical form")
            for (String path : List.of("/generate", "/generate/events")) {
                Schema inline = multipartSchema(openAPI, path);
                if (inline != null && inline.getProperties() != null) {
                    describeGuidance(inline.getProperties(), models, installed);
                    inline.setOneOf(generateForm.getOneOf());
                    inline.setAllOf(generateForm.getAllOf());
                }
            }
            Schema genLen = properties == null ? null : properties.get("gen_len");
            if (genLen != null) {
                genLen.setMaximum(BigDecimal.valueOf(maxGenLen));
                if (genLen.getDefaultValue() instanceof Number n && n.intValue() > maxGenLen) {
                    genLen.setDefaultValue(maxGenLen);
                }
            }
        }
        for (String path : List.of("/emotion", "/generate", "/generate/events")) {
            MediaType multipart = multipart(openAPI, path);
            if (multipart != null) {
                multipart.addEncoding(ImageDecoder.FIELD, OASFactory.createEncoding().contentType(IMAGE_MEDIA_TYPES));
                if (!path.equals("/emotion")) {
                    multipart.addEncoding(GenerateForm.IMAGE_END,
                            OASFactory.createEncoding().contentType(IMAGE_MEDIA_TYPES));
                    multipart.addEncoding(GenerateForm.PRIMER, OASFactory.createEncoding().contentType("audio/midi"));
                }
            }
        }
        for (String path : List.of("/render", "/analyze")) {
            MediaType midi = multipart(openAPI, path);
            if (midi != null) {
                midi.addEncoding("midi", OASFactory.createEncoding().contentType("audio/midi"));
            }
        }
        Schema analyzeForm = multipartSchema(openAPI, "/analyze");
        if (analyzeForm != null && analyzeForm.getRequired() == null) {
            analyzeForm.addRequired(AnalyzeResource.FIELD);
        }
    }

    /**
     * {@code guidance} and {@code guidance_contrast} default to the default decoder's (each decoder's card names its
     * own), and the contrast {@code null} is offered only where every installed decoder learned a null condition.
     */
    private static void describeGuidance(Map<String, Schema> properties, Path models, List<Conditioning> installed) {
        Conditioning fallback = Conditioning.fromWire(GenerationSettings.DEFAULT_CONDITIONING).orElseThrow();
        boolean everyNull = true;
        for (Conditioning c : installed) {
            try {
                DecoderCard card = DecoderCard.read(models.resolve("music_" + c.wireName() + ".json"));
                everyNull &= card.nullCondition();
                if (c == fallback) {
                    if (properties.get("guidance") != null) {
                        properties.get("guidance").setDefaultValue(BigDecimal.valueOf(card.guidance()));
                    }
                    if (properties.get("guidance_contrast") != null) {
                        properties.get("guidance_contrast").setDefaultValue(card.guidanceContrast().wireName());
                    }
                }
            } catch (java.io.IOException e) {
                return; // the service itself refuses to start on an unreadable card
            }
        }
        Schema contrast = properties.get("guidance_contrast");
        if (contrast != null && !everyNull) {
            contrast.setEnumeration(new ArrayList<>(List.of(Guidance.Contrast.VALENCE.wireName())));
            contrast.setPattern("^" + Guidance.Contrast.VALENCE.wireName() + "$");
            if (contrast.getExtensions() != null && contrast.getExtensions().get("x-enum-descriptions") instanceof List<?> d
                    && d.size() == Guidance.Contrast.values().length) {
                contrast.addExtension("x-enum-descriptions", List.of(d.get(Guidance.Contrast.VALENCE.ordinal())));
            }
            if (contrast.getDefaultValue() != null
                    && !Guidance.Contrast.VALENCE.wireName().equals(contrast.getDefaultValue())) {
                contrast.setDefaultValue(null);
            }
        }
    }

    /** The schema of objects that have the property {@code name}. */
    private static Schema present(String name) {
        return OASFactory.createSchema().addRequired(name);
    }

    private static MediaType multipart(OpenAPI openAPI, String path) {
        PathItem item = openAPI.getPaths() == null ? null : openAPI.getPaths().getPathItem(path);
        Operation post = item == null ? null : item.getPOST();
        if (post == null || post.getRequestBody() == null || post.getRequestBody().getContent() == null) {
            return null;
        }
        return post.getRequestBody().getContent().getMediaType(jakarta.ws.rs.core.MediaType.MULTIPART_FORM_DATA);
    }

    private static Schema multipartSchema(OpenAPI openAPI, String path) {
        MediaType multipart = multipart(openAPI, path);
        return multipart == null ? null : multipart.getSchema();
    }
}
