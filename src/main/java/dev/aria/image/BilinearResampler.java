package dev.aria.image;

import java.awt.image.BufferedImage;

/**
 * Pillow's {@code BILINEAR} resampling ({@code libImaging/Resample.c}), reproduced for 8-bit RGB so that Java and
 * Python preprocessing give the same bytes.
 *
 * <p>For each output pixel the kernel is a triangle {@code max(0, 1 - |d|)} over input-pixel distance {@code d}
 * scaled by {@code 1 / max(1, scale)}, i.e. a tent as wide as {@code scale} input pixels when shrinking. Weights of
 * one output pixel are normalised to sum 1 and quantised to 22-bit fixed point; each pass adds half a unit and
 * clips to 0–255. The horizontal pass runs first, over only the input rows the vertical pass uses.
 */
final class BilinearResampler {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private BilinearResampler() {
    }

    /** Weights of one axis: for output pixel i, {@code count[i]} weights starting at input pixel {@code first[i]}. */
    private record Coefficients(int[] first, int[] count, int[][] weights) {
    }

    static BufferedImage resize(BufferedImage rgb, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("Target size must be positive, not " + width + "×" + height);
        }
        int inW = rgb.getWidth();
        int inH = rgb.getHeight();
        int[] pixels = rgb.getRGB(0, 0, inW, inH, null, 0, inW);
        boolean horizontal = width != inW;
        boolean vertical = height != inH;

        Coefficients across = coefficients(inW, width);
        Coefficients down = coefficients(inH, height);

        int rowsFrom = 0;
        int rows = inH;
        int[] current = pixels;
        int currentW = inW;
        if (horizontal) {
            rowsFrom = down.first()[0];
            rows = down.first()[height - 1] + down.count()[height - 1] - rowsFrom;
            current = horizontalPass(pixels, inW, rowsFrom, rows, across, width);
            currentW = width;
        }
        if (vertical) {
            current = verticalPass(current, currentW, rowsFrom, down, height);
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, current, 0, width);
        return out;
    }

    private static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // the triangle's support is 1, widened by filterScale
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[][] weights = new int[outSize][];
        double[] w = new double[(int) Math.ceil(support) * 2 + 1];
        for (int i = 0; i < outSize; i++) {
            double center = (i + 0.5) * scale;
            double inverse = 1.0 / filterScale;
            int min = Math.max((int) (center - support + 0.5), 0);
            int max = Math.min((int) (center + support + 0.5), inSize) - min;
            double sum = 0;
            for (int x = 0; x < max; x++) {
                double d = Math.abs((x + min - center + 0.5) * inverse);
                w[x] = d < 1.0 ? 1.0 - d : 0.0;
                sum += w[x];
            }
            int[] fixed = new int[max];
            for (int x = 0; x < max; x++) {
                double normalised = sum != 0.0 ? w[x] / sum : w[x];
                fixed[x] = normalised < 0 ? (int) (-0.5 + normalised * (1 << PRECISION_BITS))
                        : (int) (0.5 + normalised * (1 << PRECISION_BITS));
            }
            first[i] = min;
            count[i] = max;
            weights[i] = fixed;
        }
        return new Coefficients(first, count, weights);
    }

    private static int[] horizontalPass(int[] in, int inW, int rowsFrom, int rows, Coefficients c, int outW) {
        int[] out = new int[outW * rows];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int rowStart = (y + rowsFrom) * inW;
            for (int x = 0; x < outW; x++) {
                int r = half;
                int g = half;
                int b = half;
                int[] k = c.weights()[x];
                int from = rowStart + c.first()[x];
                for (int i = 0; i < k.length; i++) {
                    int p = in[from + i];
                    r += (p >> 16 & 0xFF) * k[i];
                    g += (p >> 8 & 0xFF) * k[i];
                    b += (p & 0xFF) * k[i];
                }
                out[y * outW + x] = clip8(r) << 16 | clip8(g) << 8 | clip8(b);
            }
        }
        return out;
    }

    private static int[] verticalPass(int[] in, int w, int rowsFrom, Coefficients c, int outH) {
        int[] out = new int[w * outH];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < outH; y++) {
            int[] k = c.weights()[y];
            int from = c.first()[y] - rowsFrom;
            for (int x = 0; x < w; x++) {
                int r = half;
                int g = half;
                int b = half;
                for (int i = 0; i < k.length; i++) {
                    int p = in[(from + i) * w + x];
                    r += (p >> 16 & 0xFF) * k[i];
                    g += (p >> 8 & 0xFF) * k[i];
                    b += (p & 0xFF) * k[i];
                }
                out[y * w + x] = clip8(r) << 16 | clip8(g) << 8 | clip8(b);
            }
        }
        return out;
    }

    private static int clip8(int value) {
        if (value >= 255 << PRECISION_BITS) {
            return 255;
        }
        if (value <= 0) {
            return 0;
        }
        return value >> PRECISION_BITS;
    }
}
