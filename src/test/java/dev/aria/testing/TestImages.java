package dev.aria.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Real and hand-crafted image files for tests. */
public final class TestImages {

    /** The six paintings under {@code META-INF/resources/examples/}. */
    public static final List<String> EXAMPLES = List.of("starry-night.jpg", "the-scream.jpg", "the-shipwreck.jpg",
            "the-great-wave.jpg", "composition-vii.jpg", "udnie.jpg");

    private TestImages() {
    }

    /** Bytes of an example painting. */
    public static byte[] example(String name) {
        try (InputStream in = TestImages.class.getResourceAsStream("/META-INF/resources/examples/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No example " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image of the given type filled with one colour (ARGB for alpha types). */
    public static BufferedImage filled(int width, int height, int type, Color colour) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setComposite(java.awt.AlphaComposite.Src);
        g.setColor(colour);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    /** Encodes with a JDK ImageIO writer ({@code png}, {@code gif}, {@code bmp}, {@code jpeg}). */
    public static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("No writer for " + format + " / type " + image.getType());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 1×1 opaque PNG of the given colour. */
    public static byte[] onePixelPng(Color colour) {
        return encode(filled(1, 1, BufferedImage.TYPE_INT_RGB, colour), "png");
    }

    /** An 8-bit grey PNG whose every sample is {@code grey}. */
    public static byte[] greyPng(int width, int height, int grey) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setSample(x, y, 0, grey);
            }
        }
        return encode(image, "png");
    }

    /** A 16-bit grey PNG whose every sample is {@code grey16}. */
    public static byte[] grey16Png(int width, int height, int grey16) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setSample(x, y, 0, grey16);
            }
        }
        return encode(image, "png");
    }

    /** An RGBA PNG filled with one (possibly translucent) colour. */
    public static byte[] alphaPng(int width, int height, Color colour) {
        return encode(filled(width, height, BufferedImage.TYPE_INT_ARGB, colour), "png");
    }

    /** A two-entry palette PNG: left half the first colour, right half the second. */
    public static byte[] palettePng(int width, int height, Color left, Color right) {
        IndexColorModel palette = new IndexColorModel(1, 2,
                new byte[] { (byte) left.getRed(), (byte) right.getRed() },
                new byte[] { (byte) left.getGreen(), (byte) right.getGreen() },
                new byte[] { (byte) left.getBlue(), (byte) right.getBlue() });
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY, palette);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setSample(x, y, 0, x < width / 2 ? 0 : 1);
            }
        }
        return encode(image, "png");
    }

    /** An animated GIF whose frames are filled with the given colours, in order. */
    public static byte[] animatedGif(int width, int height, Color... frames) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.prepareWriteSequence(null);
                for (Color colour : frames) {
                    BufferedImage frame = filled(width, height, BufferedImage.TYPE_INT_RGB, colour);
                    writer.writeToSequence(new IIOImage(frame, null, null), null);
                }
                writer.endWriteSequence();
            }
            writer.dispose();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A PNG whose header declares {@code width × height} pixels (RGB, 8 bit) followed by an empty IDAT and IEND:
     * tiny on the wire, enormous once decoded.
     */
    public static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer png = ByteBuffer.allocate(8 + 25 + 12 + 12);
        png.put(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' });
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IDAT", new byte[0]);
        chunk(png, "IEND", new byte[0]);
        return png.array();
    }

    private static void chunk(ByteBuffer png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.putInt(data.length).put(name).put(data).putInt((int) crc.getValue());
    }

    /**
     * A baseline JPEG of {@code width × height} whose left half is {@code left} and right half {@code right}, with an
     * EXIF APP1 segment declaring the given orientation (1–8) inserted after the JFIF APP0 segment.
     */
    public static byte[] jpegWithOrientation(int width, int height, Color left, Color right, int orientation) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(right);
        g.fillRect(width / 2, 0, width - width / 2, height);
        g.dispose();
        byte[] jpeg = encode(image, "jpeg");
        // SOI (2 bytes) then APP0: FFE0 + 2-byte length
        int app0Length = (jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF);
        int insertAt = 4 + app0Length;
        byte[] exif = exifSegment(orientation);
        byte[] result = new byte[jpeg.length + exif.length];
        System.arraycopy(jpeg, 0, result, 0, insertAt);
        System.arraycopy(exif, 0, result, insertAt, exif.length);
        System.arraycopy(jpeg, insertAt, result, insertAt + exif.length, jpeg.length - insertAt);
        return result;
    }

    /** APP1 marker, length, "Exif\0\0", big-endian TIFF header, IFD0 with one SHORT entry: Orientation. */
    private static byte[] exifSegment(int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] body = tiff.array();
        byte[] header = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + header.length + body.length;
        ByteBuffer segment = ByteBuffer.allocate(2 + length);
        segment.put((byte) 0xFF).put((byte) 0xE1).putShort((short) length).put(header).put(body);
        return segment.array();
    }

    /**
     * A four-channel (CMYK) JPEG, written by the JDK encoder from a raster, with an Adobe APP14 segment
     * (transform 0) inserted after SOI. Samples are
     * stored inverted, as Adobe applications write CMYK JPEGs.
     *
     * Ink coverage c, m, y, k runs from 0 (none) to 255 (full).
     */
    public static byte[] cmykJpeg(int width, int height, int c, int m, int y, int k) {
        try {
            WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, width, height,
                    4, null);
            int[] pixel = { 255 - c, 255 - m, 255 - y, 255 - k };
            for (int row = 0; row < height; row++) {
                for (int col = 0; col < width; col++) {
                    raster.setPixel(col, row, pixel);
                }
            }
            ImageWriter writer = jdkJpegWriter();
            ImageWriteParam param = writer.getDefaultWriteParam();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(raster, null, null), param);
            }
            writer.dispose();
            byte[] jpeg = bytes.toByteArray();
            // Adobe APP14 after SOI: version 100, no flags, transform 0 (components are CMYK, not YCCK)
            byte[] adobe = { (byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0 };
            byte[] result = new byte[jpeg.length + adobe.length];
            System.arraycopy(jpeg, 0, result, 0, 2);
            System.arraycopy(adobe, 0, result, 2, adobe.length);
            System.arraycopy(jpeg, 2, result, 2 + adobe.length, jpeg.length - 2);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ImageWriter jdkJpegWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (writer.getClass().getName().startsWith("com.sun.")) {
                return writer;
            }
        }
        throw new IllegalStateException("No JDK JPEG writer");
    }

    /** The first {@code fraction} of {@code bytes}. */
    public static byte[] truncated(byte[] bytes, double fraction) {
        return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
    }
}
