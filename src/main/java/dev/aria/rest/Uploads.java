package dev.aria.rest;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.jboss.resteasy.reactive.multipart.FileUpload;

import dev.aria.image.ImageDecoder;
import dev.aria.problem.ApiException;

/** Finds an uploaded file (the image; on {@code POST /render}, the MIDI file) among the parts of a multipart request. */
final class Uploads {

    private Uploads() {
    }

    /** The image the client sent in the part {@code image}, or a 400 that says what to send instead. */
    static Path image(FileUpload upload, List<FileUpload> all) {
        return require(upload, all, ImageDecoder.FIELD, "the image", "picture.jpg");
    }

    /**
     * The file the client sent in {@code field}, or a 400 that says what to send instead.
     *
     * @param upload  the part bound with {@code @RestForm(field)}, {@code null} when absent
     * @param all     every file part of the request ({@code @RestForm(FileUpload.ALL)}), used to recognise a
     *                misnamed part
     * @param field   the part name the endpoint expects, e.g. {@code image}
     * @param what    what the file is, for the message, e.g. {@code the image}
     * @param example an example file name, e.g. {@code picture.jpg}
     * @throws ApiException 400 {@code wrong-field-name} when files came under other names, 400
     *                      {@code missing-field} when no file came at all
     */
    static Path require(FileUpload upload, List<FileUpload> all, String field, String what, String example) {
        if (upload != null && upload.uploadedFile() != null) {
            return upload.uploadedFile();
        }
        List<String> others = all == null ? List.of()
                : all.stream().map(FileUpload::name).filter(name -> !field.equals(name)).distinct().toList();
        if (!others.isEmpty()) {
            throw new ApiException(400, "wrong-field-name", field, "The request has a file in part "
                    + others.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "))
                    + " but none in '" + field + "'. The part must be called '" + field + "': send it as "
                    + "Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + example + "\".");
        }
        throw new ApiException(400, "missing-field", field, "The request has no file part named '" + field
                + "'. Send multipart/form-data with " + what + " as a file part called '" + field + "', e.g. "
                + "curl -F " + field + "=@" + example + ".");
    }
}
