package dev.aria.emotion;

import java.awt.image.BufferedImage;

import jakarta.enterprise.context.ApplicationScoped;

import dev.aria.image.ImageDecoder;
import io.quarkus.arc.DefaultBean;

/**
 * Interim emotion estimator from colour and texture statistics; any non-default {@link EmotionEstimator} bean
 * (the ONNX image model) replaces it.
 *
 * <p>Method. The image is shrunk to at most {@value #ANALYSIS_SIZE} pixels a side (Pillow-style bilinear,
 * {@link ImageDecoder#resize}). Per pixel: brightness {@code B = max(r, g, b)} (HSV value), saturation
 * {@code S = (max − min) / max} (HSV), luma {@code Y = 0.2126 r + 0.7152 g + 0.0722 b} (Rec. 709), all in [0, 1].
 * From their means and the mean Sobel gradient magnitude of luma {@code E} (edge density, 1 for a black/white step):
 *
 * <pre>
 *   pleasure P = 0.69 B + 0.22 S                      Valdez &amp; Mehrabian (1994), J. Exp. Psychol.: General 123(4)
 *   arousal  A = −0.31 B + 0.60 S + (E − 0.12)        V&amp;M plus a texture term: busy, high-contrast images excite
 *   valence  = tanh((P − 0.422) / 0.08)
 *   arousal  = tanh((A − 0.055) / 0.08)
 * </pre>
 *
 * The centres 0.422 and 0.055 are the formulas evaluated at typical image statistics (B = 0.5, S = 0.35,
 * E = 0.12); the scale 0.08 is about one standard deviation of P and A across paintings, so typical images fall
 * within ±0.8 and tanh keeps every result inside (−1, 1) without piling up at the bounds. On the six example
 * paintings this places the bright Great Wave pleasant and calm, Udnie unpleasant and calm, the dark Shipwreck
 * unpleasant and agitated, The Scream neutral and agitated, and Starry Night and Composition VII pleasant and
 * agitated.
 */
@ApplicationScoped
@DefaultBean
public class ColourEmotionEstimator implements EmotionEstimator {

    /** Identifier reported as {@code model} in responses. */
    public static final String MODEL_ID = "colour-heuristic-v1";

    static final int ANALYSIS_SIZE = 128;

    private static final double PLEASURE_CENTRE = 0.422;
    private static final double AROUSAL_CENTRE = 0.055;
    private static final double TYPICAL_EDGE_DENSITY = 0.12;
    private static final double SPREAD = 0.08;

    /** Mean colour and texture statistics of an image, each in [0, 1] (edge density may slightly exceed 1). */
    record Features(double brightness, double saturation, double edgeDensity) {
    }

    @Override
    public Emotion estimate(BufferedImage rgb) {
        Features f = features(rgb);
        double pleasure = 0.69 * f.brightness() + 0.22 * f.saturation();
        double arousal = -0.31 * f.brightness() + 0.60 * f.saturation() + (f.edgeDensity() - TYPICAL_EDGE_DENSITY);
        return Emotion.clamped(Math.tanh((pleasure - PLEASURE_CENTRE) / SPREAD),
                Math.tanh((arousal - AROUSAL_CENTRE) / SPREAD));
    }

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    static Features features(BufferedImage image) {
        BufferedImage small = shrink(image);
        int w = small.getWidth();
        int h = small.getHeight();
        int[] pixels = small.getRGB(0, 0, w, h, null, 0, w);
        double[] luma = new double[pixels.length];
        double brightness = 0;
        double saturation = 0;
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            double r = (p >> 16 & 0xFF) / 255.0;
            double g = (p >> 8 & 0xFF) / 255.0;
            double b = (p & 0xFF) / 255.0;
            double max = Math.max(r, Math.max(g, b));
            double min = Math.min(r, Math.min(g, b));
            brightness += max;
            saturation += max == 0 ? 0 : (max - min) / max;
            luma[i] = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }
        return new Features(brightness / pixels.length, saturation / pixels.length, edgeDensity(luma, w, h));
    }

    /** Mean Sobel gradient magnitude of luma over interior pixels, divided by 4 (a unit step scores 1). */
    private static double edgeDensity(double[] luma, int w, int h) {
        if (w < 3 || h < 3) {
            return 0;
        }
        double sum = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                double topLeft = luma[(y - 1) * w + x - 1];
                double top = luma[(y - 1) * w + x];
                double topRight = luma[(y - 1) * w + x + 1];
                double left = luma[y * w + x - 1];
                double right = luma[y * w + x + 1];
                double bottomLeft = luma[(y + 1) * w + x - 1];
                double bottom = luma[(y + 1) * w + x];
                double bottomRight = luma[(y + 1) * w + x + 1];
                double gx = topRight + 2 * right + bottomRight - topLeft - 2 * left - bottomLeft;
                double gy = bottomLeft + 2 * bottom + bottomRight - topLeft - 2 * top - topRight;
                sum += Math.hypot(gx, gy) / 4;
            }
        }
        return sum / ((double) (w - 2) * (h - 2));
    }

    private static BufferedImage shrink(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int longest = Math.max(w, h);
        if (longest <= ANALYSIS_SIZE) {
            return image;
        }
        double scale = (double) ANALYSIS_SIZE / longest;
        return ImageDecoder.resize(image, Math.max(1, (int) Math.round(w * scale)),
                Math.max(1, (int) Math.round(h * scale)));
    }
}
