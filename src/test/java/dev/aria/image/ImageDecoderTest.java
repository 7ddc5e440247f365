package dev.aria.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.aria.problem.ApiException;
import dev.aria.testing.TestImages;

class ImageDecoderTest {

    private static final long MAX_BYTES = 20L * 1024 * 1024;
    private static final long MAX_PIXELS = 40_000_000L;

    private final ImageDecoder decoder = new ImageDecoder(MAX_BYTES, MAX_PIXELS);

    private static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xFFFFFF;
    }

    private static void assertNear(int expectedRgb, int actualRgb, int tolerance) {
        for (int shift : new int[] { 16, 8, 0 }) {
            int e = expectedRgb >> shift & 0xFF;
            int a = actualRgb >> shift & 0xFF;
            assertTrue(Math.abs(e - a) <= tolerance,
                    String.format("expected #%06x, got #%06x (±%d)", expectedRgb, actualRgb, tolerance));
        }
    }

    @Test
    void decodesEveryExamplePaintingToRgbOfItsDeclaredSize() {
        int[][] sizes = { { 1024, 640 }, { 1200, 1528 }, { 960, 662 }, { 928, 514 }, { 1071, 712 }, { 1259, 1260 } };
        for (int i = 0; i < TestImages.EXAMPLES.size(); i++) {
            BufferedImage image = decoder.decode(TestImages.example(TestImages.EXAMPLES.get(i)));
            assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
            assertEquals(sizes[i][0], image.getWidth(), TestImages.EXAMPLES.get(i));
            assertEquals(sizes[i][1], image.getHeight(), TestImages.EXAMPLES.get(i));
        }
    }

    @Test
    void decodesOnePixelPng() {
        BufferedImage image = decoder.decode(TestImages.onePixelPng(new Color(10, 200, 30)));
        assertEquals(1, image.getWidth());
        assertEquals(1, image.getHeight());
        assertEquals(0x0AC81E, rgb(image, 0, 0));
    }

    @Test
    void expandsGreyWithoutChangingItsValue() {
        BufferedImage image = decoder.decode(TestImages.greyPng(4, 3, 100));
        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
        assertEquals(0x646464, rgb(image, 2, 1));
    }

    @Test
    void reducesSixteenBitGreyToEightBits() {
        BufferedImage image = decoder.decode(TestImages.grey16Png(3, 3, 0x8080));
        assertEquals(0x808080, rgb(image, 1, 1));
    }

    @Test
    void compositesTransparencyOnWhite() {
        BufferedImage transparent = decoder.decode(TestImages.alphaPng(2, 2, new Color(0, 0, 0, 0)));
        assertEquals(0xFFFFFF, rgb(transparent, 0, 0));
        BufferedImage halfRed = decoder.decode(TestImages.alphaPng(2, 2, new Color(255, 0, 0, 128)));
        assertNear(0xFF7F7F, rgb(halfRed, 1, 1), 1);
    }

    @Test
    void expandsPaletteImages() {
        BufferedImage image = decoder.decode(TestImages.palettePng(4, 2, Color.RED, Color.BLUE));
        assertEquals(0xFF0000, rgb(image, 0, 0));
        assertEquals(0x0000FF, rgb(image, 3, 1));
    }

    @Test
    void takesTheFirstFrameOfAnAnimatedGif() {
        BufferedImage image = decoder.decode(TestImages.animatedGif(5, 5, Color.RED, Color.BLUE, Color.GREEN));
        assertNear(0xFF0000, rgb(image, 2, 2), 2);
    }

    @Test
    void readsBmp() {
        BufferedImage bmp = TestImages.filled(6, 4, BufferedImage.TYPE_INT_RGB, new Color(1, 2, 3));
        BufferedImage image = decoder.decode(TestImages.encode(bmp, "bmp"));
        assertEquals(6, image.getWidth());
        assertEquals(0x010203, rgb(image, 5, 3));
    }

    @Test
    void convertsAdobeCmykJpegToRgb() {
        // pure cyan ink
        byte[] cmyk = TestImages.cmykJpeg(16, 8, 255, 0, 0, 0);
        BufferedImage image = decoder.decode(cmyk);
        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
        assertEquals(16, image.getWidth());
        assertEquals(8, image.getHeight());
        int pixel = rgb(image, 8, 4);
        int red = pixel >> 16 & 0xFF;
        int green = pixel >> 8 & 0xFF;
        int blue = pixel & 0xFF;
        assertTrue(red < 100 && green > 100 && blue > 150, String.format("cyan ink should look cyan: #%06x", pixel));
    }

    @ParameterizedTest(name = "EXIF orientation {0}")
    @CsvSource({
            // orientation, width, height after decoding, colour at top-left, colour at bottom-right
            "1, 40, 20, FF0000, 0000FF",
            "3, 40, 20, 0000FF, FF0000",
            "6, 20, 40, FF0000, 0000FF",
            "8, 20, 40, 0000FF, FF0000" })
    void appliesExifOrientation(int orientation, int width, int height, String topLeft, String bottomRight) {
        byte[] jpeg = TestImages.jpegWithOrientation(40, 20, Color.RED, Color.BLUE, orientation);
        BufferedImage image = decoder.decode(jpeg);
        assertEquals(width, image.getWidth(), "width");
        assertEquals(height, image.getHeight(), "height");
        assertNear(Integer.parseInt(topLeft, 16), rgb(image, 0, 0), 40);
        assertNear(Integer.parseInt(bottomRight, 16), rgb(image, width - 1, height - 1), 40);
    }

    @Test
    void rotatingSwapsWidthAndHeightOfARealPhotograph() {
        byte[] jpeg = TestImages.jpegWithOrientation(64, 16, Color.WHITE, Color.BLACK, 6);
        BufferedImage image = decoder.decode(jpeg);
        assertEquals(16, image.getWidth());
        assertEquals(64, image.getHeight());
    }

    @Test
    void refusesEmptyInput() {
        ApiException e = assertThrows(ApiException.class, () -> decoder.decode(new byte[0]));
        assertEquals(400, e.status());
        assertEquals("empty-image", e.type());
        assertEquals("image", e.field());
    }

    @Test
    void refusesFilesOverTheByteLimitBeforeReadingThem() {
        ImageDecoder small = new ImageDecoder(100, MAX_PIXELS);
        ApiException e = assertThrows(ApiException.class, () -> small.decode(new byte[101]));
        assertEquals(413, e.status());
        assertEquals("file-too-large", e.type());
        assertTrue(e.detail().contains("at most 100"), e.detail());
    }

    @Test
    void refusesTextAndListsSupportedFormats() {
        ApiException e = assertThrows(ApiException.class,
                () -> decoder.decode("this is not an image, just text".getBytes()));
        assertEquals(415, e.status());
        assertEquals("not-an-image", e.type());
        assertEquals("image", e.field());
        for (String format : new String[] { "JPEG", "PNG", "GIF", "BMP", "WEBP" }) {
            assertTrue(decoder.supportedFormats().contains(format), decoder.supportedFormats().toString());
            assertTrue(e.detail().contains(format), e.detail());
        }
    }

    @Test
    void refusesImagesWithTooManyPixelsFromTheHeaderAlone() {
        byte[] bomb = TestImages.pngHeaderOnly(50_000, 50_000);
        assertTrue(bomb.length < 100, "the crafted file is tiny");
        ApiException e = assertThrows(ApiException.class, () -> decoder.decode(bomb));
        assertEquals(400, e.status());
        assertEquals("image-too-large", e.type());
        assertTrue(e.detail().contains("50000×50000"), e.detail());
    }

    @Test
    void refusesTruncatedJpeg() {
        byte[] half = TestImages.truncated(TestImages.example("starry-night.jpg"), 0.5);
        ApiException e = assertThrows(ApiException.class, () -> decoder.decode(half));
        assertEquals(400, e.status());
        assertEquals("corrupt-image", e.type());
    }

    @Test
    void refusesTruncatedPng() {
        byte[] png = TestImages.encode(TestImages.filled(64, 64, BufferedImage.TYPE_INT_RGB, Color.ORANGE), "png");
        ApiException e = assertThrows(ApiException.class, () -> decoder.decode(TestImages.truncated(png, 0.6)));
        assertEquals("corrupt-image", e.type());
    }

    @Test
    void namesTheFieldTheCallerGives() {
        ApiException e = assertThrows(ApiException.class, () -> decoder.decode(new byte[0], "style_image"));
        assertEquals("style_image", e.field());
        assertTrue(e.detail().contains("'style_image'"), e.detail());
    }

    /**
     * Images in memory at once are bounded by a pixel budget across requests: an image that does not fit beside the
     * ones being processed waits, then is refused with 503 and Retry-After, instead of every request running the
     * heap out (eight concurrent 36-megapixel PNGs of 128 KiB each did, with a 1 GiB heap).
     */
    @Test
    void holdsImagesWithinThePixelBudgetAndRefusesWhatDoesNotFitWith503(@TempDir Path dir) throws Exception {
        ImageDecoder budgeted = new ImageDecoder(MAX_BYTES, MAX_PIXELS, 150, Duration.ofMillis(200));
        Path tenByTen = dir.resolve("ten.png");
        Files.write(tenByTen, TestImages.encode(TestImages.filled(10, 10, BufferedImage.TYPE_INT_RGB, Color.RED), "png"));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> first = other.submit(() -> budgeted.decode(tenByTen, "image", image -> {
                holding.countDown(); // 100 of the 150 pixels are taken while this runs
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return image.getWidth();
            }));
            assertTrue(holding.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            ApiException busy = assertThrows(ApiException.class, () -> budgeted.decode(tenByTen, "image"));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(150).toNanos(), "it waited before refusing");
            assertEquals(503, busy.status());
            assertEquals("overloaded", busy.type());
            assertEquals("1", busy.headers().get("Retry-After"));
            release.countDown();
            assertEquals(10, first.get(10, TimeUnit.SECONDS));
            assertEquals(10, budgeted.decode(tenByTen, "image").getWidth(), "the budget is free again");
            ApiException corrupt = assertThrows(ApiException.class,
                    () -> budgeted.decode(TestImages.truncated(TestImages.example("starry-night.jpg"), 0.5)));
            assertEquals("corrupt-image", corrupt.type());
            assertEquals(10, budgeted.decode(tenByTen, "image").getWidth(), "a failed decode gives its share back");
        } finally {
            release.countDown();
            other.shutdownNow();
        }
    }
}
