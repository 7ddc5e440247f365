package dev.aria.image;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.jboss.resteasy.reactive.multipart.FileUpload;

import dev.aria.problem.ApiException;

/** Finds the uploaded image among the parts of a {@code multipart/form-data} request. */
public final class ImageUploads {

    private ImageUploads() {
    }

    /**
     * The file the client sent in {@code field}, or a 400 that says what to send instead.
     *
     * @param upload the part bound with {@code @RestForm(field)}, {@code null} when absent
     * @param all    every file part of the request ({@code @RestForm(FileUpload.ALL)}), used to recognise a
     *               misnamed part
     * @param field  the part name the endpoint expects, e.g. {@code image}
     * @throws ApiException 400 {@code wrong-field-name} when files came under other names, 400
     *                      {@code missing-field} when no file came at all
     */
    public static Path require(FileUpload upload, List<FileUpload> all, String field) {
        if (upload != null && upload.uploadedFile() != null) {
            return upload.uploadedFile();
        }
        List<String> others = all == null ? List.of()
                : all.stream().map(FileUpload::name).filter(name -> !field.equals(name)).distinct().toList();
        if (!others.isEmpty()) {
            throw new ApiException(400, "wrong-field-name", field, "The request has a file in part "
                    + others.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "))
                    + " but none in '" + field + "'. The part must be called '" + field + "': send it as "
                    + "Content-Disposition: form-data; name=\"" + field + "\"; filename=\"picture.jpg\".");
        }
        throw new ApiException(400, "missing-field", field, "The request has no file part named '" + field
                + "'. Send multipart/form-data with the image as a file part called '" + field + "', e.g. "
                + "curl -F " + field + "=@picture.jpg.");
    }
}
