package dev.aria.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.aria.testing.TestImages;

/**
 * {@link ImageDecoder#resize} against Pillow 13.0.0: the expected CRC-32 of the RGB bytes and the corner pixels come
 * from {@code Image.resize((w, h), Image.BILINEAR)} applied to the same synthetic 37×23 pattern in Python:
 *
 * <pre>
 * im.putdata([((x*7+y*13) % 256, (x*x+y*5) % 256, (x*y*3+11) % 256) for y in range(23) for x in range(37)])
 * out = im.resize((w, h), Image.BILINEAR); zlib.crc32(out.tobytes())
 * </pre>
 */
class ResizeTest {

    private static BufferedImage pattern(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 7 + y * 13) % 256;
                int g = (x * x + y * 5) % 256;
                int b = (x * y * 3 + 11) % 256;
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    private static long crc(BufferedImage image) {
        CRC32 crc = new CRC32();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                crc.update(p >> 16 & 0xFF);
                crc.update(p >> 8 & 0xFF);
                crc.update(p & 0xFF);
            }
        }
        return crc.getValue();
    }

    private static int[] rgb(BufferedImage image, int x, int y) {
        int p = image.getRGB(x, y);
        return new int[] { p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF };
    }

    @ParameterizedTest(name = "{0}×{1}")
    @CsvSource({
            "10, 7, 2946229238, 31, 11, 18, 146, 135, 118",
            "50, 31, 2502157683, 0, 0, 11, 26, 126, 83",
            "37, 9, 4074045345, 13, 5, 11, 27, 121, 148",
            "5, 23, 1659369426, 27, 22, 11, 133, 141, 103",
            "224, 224, 2542892414, 0, 0, 11, 26, 126, 83",
            "1, 1, 3883393225, 127, 121, 118, 127, 121, 118" })
    void matchesPillowBilinearByteForByte(int w, int h, long crc, int r0, int g0, int b0, int r1, int g1, int b1) {
        BufferedImage out = ImageDecoder.resize(pattern(37, 23), w, h);
        assertEquals(BufferedImage.TYPE_INT_RGB, out.getType());
        assertEquals(w, out.getWidth());
        assertEquals(h, out.getHeight());
        assertArrayEquals(new int[] { r0, g0, b0 }, rgb(out, 0, 0));
        assertArrayEquals(new int[] { r1, g1, b1 }, rgb(out, w - 1, h - 1));
        assertEquals(crc, crc(out));
    }

    @Test
    void keepsAFlatColourFlat() {
        BufferedImage flat = TestImages.filled(300, 200, BufferedImage.TYPE_INT_RGB, new Color(12, 34, 56));
        BufferedImage out = ImageDecoder.resize(flat, 17, 224);
        assertArrayEquals(new int[] { 12, 34, 56 }, rgb(out, 9, 100));
    }

    @Test
    void refusesAnEmptyTargetSize() {
        BufferedImage image = pattern(4, 4);
        assertThrows(IllegalArgumentException.class, () -> ImageDecoder.resize(image, 0, 3));
    }
}
