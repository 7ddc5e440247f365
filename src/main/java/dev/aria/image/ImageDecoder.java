package dev.aria.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.w3c.dom.Node;

import dev.aria.config.AriaConfig;
import dev.aria.problem.ApiException;

/**
 * Turns uploaded bytes into an upright, opaque {@link BufferedImage#TYPE_INT_RGB} image, refusing anything that is
 * not a readable image of a sensible size with a {@link ApiException} that says what to change.
 *
 * <p>Order of checks, cheapest first: empty (400 {@code empty-image}); more than {@code aria.image.max-bytes}
 * (413 {@code file-too-large}); no ImageIO reader recognises the bytes (415 {@code not-an-image}); the header
 * declares more than {@code aria.image.max-pixels} (400 {@code image-too-large}, checked <em>before</em> any pixel is
 * decoded); decoding fails or the data ends early (400 {@code corrupt-image}).
 *
 * <p>Memory: a decoded image takes about 12 bytes a pixel at its peak (the decoder's raster, the RGB copy, the
 * rotated or resized copy), so a 40-megapixel image needs about half a gigabyte. Decoding and what the caller does
 * with the pixels are bounded together by a budget of pixels across requests ({@code aria.image.pixel-budget}): a
 * request whose image does not fit waits for others to finish, then is refused with 503 {@code overloaded} and
 * {@code Retry-After}, rather than every request running out of heap at once.
 *
 * <p>Normalisation: the first frame of multi-frame files (animated GIF, multi-page TIFF); JPEG EXIF orientation
 * applied; alpha composited onto white; grey (8/16-bit, with or without alpha), palette, 16-bit and CMYK/YCCK
 * (TwelveMonkeys reader) converted to 8-bit sRGB.
 */
@ApplicationScoped
public class ImageDecoder {

    /** The form field images are uploaded in, named in problems unless a caller names another. */
    public static final String FIELD = "image";

    private static final Logger LOG = Logger.getLogger(ImageDecoder.class);

    private static final int EXIF_ORIENTATION_TAG = 0x0112;
    private static final int JPEG_APP1 = 0xE1;

    private final long maxBytes;
    private final long maxPixels;
    private final List<String> supportedFormats;
    /** Pixels that may be in memory at once across requests, one permit per pixel ({@code aria.image.pixel-budget}). */
    private final Semaphore pixelBudget;
    private final int budget;
    private final Duration budgetWait;

    @Inject
    ImageDecoder(AriaConfig config) {
        this(config.image().maxBytes(), config.image().maxPixels(), config.image().pixelBudget(),
                config.image().pixelBudgetWait());
    }

    /**
     * A decoder whose pixel budget is one image of the largest accepted size.
     *
     * @param maxBytes  largest accepted file, in bytes
     * @param maxPixels largest accepted width × height
     */
    public ImageDecoder(long maxBytes, long maxPixels) {
        this(maxBytes, maxPixels, maxPixels, Duration.ofSeconds(10));
    }

    /**
     * @param maxBytes    largest accepted file, in bytes
     * @param maxPixels   largest accepted width × height
     * @param pixelBudget pixels that may be decoded (and in use) at once across requests
     * @param budgetWait  how long a request waits for its share of the budget before it is refused with 503
     */
    public ImageDecoder(long maxBytes, long maxPixels, long pixelBudget, Duration budgetWait) {
        // ImageIO's registry only sees plug-ins of the class loader that first touched it; register ours
        // (TwelveMonkeys JPEG/WebP/BMP) explicitly, whatever loaded ImageIO.
        ImageIO.scanForPlugins();
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
        this.supportedFormats = readableFormats();
        this.budget = (int) Math.min(Integer.MAX_VALUE, Math.max(1, pixelBudget));
        this.pixelBudget = new Semaphore(budget, true);
        this.budgetWait = budgetWait;
    }

    /** Decodes an image uploaded in the {@value #FIELD} field. */
    public BufferedImage decode(byte[] bytes) {
        return decode(bytes, FIELD);
    }

    /** Decodes an image uploaded in the form field {@code field} (the name used in problems). */
    public BufferedImage decode(byte[] bytes, String field) {
        long size = bytes == null ? 0 : bytes.length;
        checkSize(size, field);
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            return decode(input, field, Function.identity());
        } catch (IOException e) {
            throw corrupt(field, e);
        }
    }

    /** Decodes an image file, e.g. a multipart upload the HTTP layer stored on disk, uploaded in {@value #FIELD}. */
    public BufferedImage decode(Path file) {
        return decode(file, FIELD);
    }

    /** Decodes an image file uploaded in the form field {@code field}. */
    public BufferedImage decode(Path file, String field) {
        return decode(file, field, Function.identity());
    }

    /**
     * Decodes an image file uploaded in {@code field} and hands it to {@code use}, holding the image's share of the
     * pixel budget until {@code use} returns: decoding and whatever {@code use} does with the pixels (resizing
     * copies them again) stay within the memory the budget allows, however many requests arrive at once.
     *
     * @throws ApiException 503 {@code overloaded} with {@code Retry-After} when the budget stays taken by other
     *                      images for longer than {@code aria.image.pixel-budget-wait}
     */
    public <T> T decode(Path file, String field, Function<BufferedImage, T> use) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new ApiException(400, "missing-field", field, "The upload in '" + field + "' could not be read. "
                    + "Send the image again as a file part named '" + field + "'.", e);
        }
        checkSize(size, field);
        try (ImageInputStream input = new FileImageInputStream(file.toFile())) {
            return decode(input, field, use);
        } catch (IOException e) {
            throw corrupt(field, e);
        }
    }

    /** Image formats this decoder reads, upper-case, e.g. {@code [BMP, GIF, JPEG, PNG, TIFF, WBMP, WEBP]}. */
    public List<String> supportedFormats() {
        return supportedFormats;
    }

    /** The largest accepted file, in bytes ({@code aria.image.max-bytes}). */
    public long maxBytes() {
        return maxBytes;
    }

    /** The largest accepted width × height ({@code aria.image.max-pixels}). */
    public long maxPixels() {
        return maxPixels;
    }

    /**
     * Resizes an image to exactly {@code width} × {@code height} with Pillow's {@code BILINEAR} filter, the
     * filter {@code PIL.Image.resize(size, Image.BILINEAR)} and torchvision's {@code Resize} (on PIL images) apply.
     *
     * <p>Filter: a triangle (tent) kernel of radius 1 output pixel, widened to {@code scale} input pixels when
     * shrinking, so every input pixel under an output pixel contributes (it anti-aliases like area averaging,
     * unlike Graphics2D bilinear, which samples only the four nearest pixels). Separable: a horizontal pass, then a
     * vertical pass, each rounding to 8 bits, with Pillow's 22-bit fixed-point weights, so the result matches
     * Pillow's byte for byte; a model trained on Pillow-resized images sees the same pixels here.
     *
     * @param source any image; it is first converted to {@link BufferedImage#TYPE_INT_RGB} if it is not
     * @return a new {@link BufferedImage#TYPE_INT_RGB} image
     */
    public static BufferedImage resize(BufferedImage source, int width, int height) {
        return BilinearResampler.resize(toRgb(source), width, height);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void checkSize(long size, String field) {
        if (size == 0) {
            throw new ApiException(400, "empty-image", field, "The file in '" + field + "' is empty (0 bytes). "
                    + "Attach an image file (" + String.join(", ", supportedFormats) + ").");
        }
        if (size > maxBytes) {
            throw new ApiException(413, "file-too-large", field, "The file in '" + field + "' has " + size
                    + " bytes; at most " + maxBytes + " (" + mebibytes(maxBytes) + ") are accepted. Send a smaller "
                    + "or more compressed image, e.g. a JPEG of at most 4000 pixels a side.");
        }
    }

    private <T> T decode(ImageInputStream input, String field, Function<BufferedImage, T> use) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
        if (!readers.hasNext()) {
            throw new ApiException(415, "not-an-image", field, "The file in '" + field + "' is not an image this "
                    + "service can read. Send one of: " + String.join(", ", supportedFormats) + ".");
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try {
            reader.setInput(input, true, false);
            int width;
            int height;
            try {
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw corrupt(field, e);
            }
            if (width <= 0 || height <= 0) {
                throw corrupt(field, new IIOException("Image declares " + width + "×" + height + " pixels"));
            }
            long pixels = (long) width * height;
            if (pixels > maxPixels) {
                throw new ApiException(400, "image-too-large", field, "The image in '" + field + "' is " + width
                        + "×" + height + " = " + pixels + " pixels; at most " + maxPixels + " are accepted. "
                        + "Scale it down (e.g. to at most 4000 pixels a side) and send it again.");
            }
            int orientation = isJpeg(reader) ? exifOrientation(reader) : 1;
            int permits = (int) Math.min(pixels, budget);
            acquire(permits);
            try {
                BufferedImage decoded;
                try {
                    decoded = reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw corrupt(field, e);
                }
                for (String warning : warnings) {
                    if (meansTruncated(warning)) {
                        throw corrupt(field, new IIOException(warning));
                    }
                }
                return use.apply(orient(toRgb(decoded), orientation));
            } finally {
                pixelBudget.release(permits);
            }
        } finally {
            reader.dispose();
        }
    }

    /** Waits for {@code permits} pixels of the budget, or refuses the request with 503 and Retry-After. */
    private void acquire(int permits) {
        boolean acquired;
        try {
            acquired = pixelBudget.tryAcquire(permits, budgetWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            long seconds = Math.max(1, budgetWait.toSeconds());
            throw new ApiException(503, "overloaded", null, "Other large images are being decoded right now and "
                    + "this one does not fit in memory beside them. Retry in " + seconds + " seconds, or send a "
                    + "smaller image (a few megapixels are plenty: the estimate is made on a reduced copy).")
                    .withHeader("Retry-After", String.valueOf(seconds));
        }
    }

    private static boolean meansTruncated(String warning) {
        String text = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
        return text.contains("premature end") || text.contains("truncat") || text.contains("unexpected end");
    }

    private ApiException corrupt(String field, Throwable cause) {
        LOG.debugf("Undecodable image in '%s': %s", field, cause.toString());
        return new ApiException(400, "corrupt-image", field, "The image in '" + field + "' is damaged or "
                + "incomplete and cannot be decoded. Send the complete file again, or re-save it as JPEG or PNG.",
                cause);
    }

    private static boolean isJpeg(ImageReader reader) {
        try {
            return reader.getFormatName().toLowerCase(Locale.ROOT).contains("jpeg");
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // EXIF orientation

    /**
     * The EXIF Orientation (1–8) of the first frame, from the APP1 "Exif" segment that the JPEG reader keeps in its
     * native metadata tree ({@code markerSequence/unknown[@MarkerTag=225]}); 1 when absent or unreadable.
     */
    static int exifOrientation(ImageReader reader) {
        try {
            IIOMetadata metadata = reader.getImageMetadata(0);
            if (metadata == null || metadata.getNativeMetadataFormatName() == null) {
                return 1;
            }
            Node root = metadata.getAsTree(metadata.getNativeMetadataFormatName());
            return exifOrientation(root);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("No readable EXIF metadata: %s", e.toString());
            return 1;
        }
    }

    private static int exifOrientation(Node node) {
        if (node instanceof IIOMetadataNode element && "unknown".equals(element.getNodeName())
                && String.valueOf(JPEG_APP1).equals(element.getAttribute("MarkerTag"))
                && element.getUserObject() instanceof byte[] segment) {
            int orientation = orientationOfExifSegment(segment);
            if (orientation != 0) {
                return orientation;
            }
        }
        for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
            int orientation = exifOrientation(child);
            if (orientation != 1) {
                return orientation;
            }
        }
        return 1;
    }

    /**
     * Reads tag 0x0112 from IFD0 of an APP1 segment body ({@code "Exif\0\0"} then a TIFF structure).
     *
     * @return 1–8, or 0 when the segment is not EXIF or has no valid orientation
     */
    static int orientationOfExifSegment(byte[] segment) {
        byte[] magic = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        if (segment.length < magic.length + 8) {
            return 0;
        }
        for (int i = 0; i < magic.length; i++) {
            if (segment[i] != magic[i]) {
                return 0;
            }
        }
        int tiff = magic.length;
        boolean little;
        if (segment[tiff] == 'I' && segment[tiff + 1] == 'I') {
            little = true;
        } else if (segment[tiff] == 'M' && segment[tiff + 1] == 'M') {
            little = false;
        } else {
            return 0;
        }
        long ifd = tiff + unsigned32(segment, tiff + 4, little);
        if (ifd + 2 > segment.length) {
            return 0;
        }
        int entries = unsigned16(segment, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > segment.length) {
                return 0;
            }
            if (unsigned16(segment, entry, little) == EXIF_ORIENTATION_TAG) {
                int type = unsigned16(segment, entry + 2, little);
                int value = type == 3 ? unsigned16(segment, entry + 8, little)
                        : type == 4 ? (int) unsigned32(segment, entry + 8, little) : 0;
                return value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    private static int unsigned16(byte[] b, int at, boolean little) {
        int b0 = b[at] & 0xFF;
        int b1 = b[at + 1] & 0xFF;
        return little ? b0 | b1 << 8 : b0 << 8 | b1;
    }

    private static long unsigned32(byte[] b, int at, boolean little) {
        long high = unsigned16(b, little ? at + 2 : at, little);
        long low = unsigned16(b, little ? at : at + 2, little);
        return high << 16 | low;
    }

    /**
     * Applies an EXIF orientation so the image is upright: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose,
     * 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise. 5–8 swap width and height.
     */
    static BufferedImage orient(BufferedImage rgb, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return rgb;
        }
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        boolean swap = orientation >= 5;
        int outW = swap ? h : w;
        BufferedImage result = new BufferedImage(outW, swap ? w : h, BufferedImage.TYPE_INT_RGB);
        int[] in = packedPixels(rgb);
        int[] out = ((DataBufferInt) result.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int dx;
                int dy;
                switch (orientation) {
                    case 2 -> { dx = w - 1 - x; dy = y; }
                    case 3 -> { dx = w - 1 - x; dy = h - 1 - y; }
                    case 4 -> { dx = x; dy = h - 1 - y; }
                    case 5 -> { dx = y; dy = x; }
                    case 6 -> { dx = h - 1 - y; dy = x; }
                    case 7 -> { dx = h - 1 - y; dy = w - 1 - x; }
                    default -> { dx = y; dy = w - 1 - x; }
                }
                out[dy * outW + dx] = in[y * w + x] & 0xFFFFFF;
            }
        }
        return result;
    }

    /** The pixels of a TYPE_INT_RGB image, row after row: its own array when it is laid out so, else a copy. */
    private static int[] packedPixels(BufferedImage rgb) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        if (rgb.getType() == BufferedImage.TYPE_INT_RGB && rgb.getRaster().getDataBuffer() instanceof DataBufferInt data
                && rgb.getRaster().getSampleModel() instanceof SinglePixelPackedSampleModel model
                && model.getScanlineStride() == w && data.getOffset() == 0 && rgb.getRaster().getParent() == null
                && data.getData().length == w * h) {
            return data.getData();
        }
        return rgb.getRGB(0, 0, w, h, null, 0, w);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Colour normalisation

    /**
     * Converts any decoded image to opaque 8-bit sRGB ({@link BufferedImage#TYPE_INT_RGB}), compositing
     * transparency onto white. Grey images are expanded sample by sample (their values are taken as already
     * gamma-encoded, as PNG and JPEG store them) rather than through Java 2D's linear-grey colour space, which
     * would brighten them.
     */
    static BufferedImage toRgb(BufferedImage source) {
        if (source.getType() == BufferedImage.TYPE_INT_RGB) {
            return source;
        }
        ColorModel model = source.getColorModel();
        if (model.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(model instanceof IndexColorModel)) {
            return greyToRgb(source, model);
        }
        BufferedImage rgb = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            if (model.hasAlpha()) {
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
            }
            g.drawImage(source, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }

    private static BufferedImage greyToRgb(BufferedImage source, ColorModel model) {
        Raster raster = source.getRaster();
        int w = source.getWidth();
        int h = source.getHeight();
        int bands = raster.getNumBands();
        double greyMax = (1L << model.getComponentSize(0)) - 1;
        boolean alpha = model.hasAlpha() && bands > 1;
        double alphaMax = alpha ? (1L << model.getComponentSize(bands - 1)) - 1 : 1;
        boolean premultiplied = model.isAlphaPremultiplied();
        int[] grey = new int[w];
        int[] opacity = new int[w];
        int[] row = new int[w];
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, grey);
            if (alpha) {
                raster.getSamples(0, y, w, 1, bands - 1, opacity);
            }
            for (int x = 0; x < w; x++) {
                double v = grey[x] * 255.0 / greyMax;
                if (alpha) {
                    double a = opacity[x] / alphaMax;
                    v = premultiplied ? v + 255.0 * (1 - a) : v * a + 255.0 * (1 - a);
                }
                int g = (int) Math.min(255, Math.max(0, Math.round(v)));
                row[x] = g << 16 | g << 8 | g;
            }
            rgb.setRGB(0, y, w, 1, row, 0, w);
        }
        return rgb;
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static List<String> readableFormats() {
        TreeSet<String> names = new TreeSet<>();
        Iterator<ImageReaderSpi> providers = IIORegistry.getDefaultInstance()
                .getServiceProviders(ImageReaderSpi.class, true);
        while (providers.hasNext()) {
            String[] formats = providers.next().getFormatNames();
            if (formats != null && formats.length > 0) {
                names.add(formats[0].toUpperCase(Locale.ROOT));
            }
        }
        return List.copyOf(names);
    }

    private static String mebibytes(long bytes) {
        double mib = bytes / (1024.0 * 1024.0);
        return String.format(Locale.ROOT, mib == Math.rint(mib) ? "%.0f MiB" : "%.1f MiB", mib);
    }
}
