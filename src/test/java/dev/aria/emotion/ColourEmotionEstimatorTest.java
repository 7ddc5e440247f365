package dev.aria.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.aria.image.ImageDecoder;
import dev.aria.testing.TestImages;

class ColourEmotionEstimatorTest {

    private final ColourEmotionEstimator estimator = new ColourEmotionEstimator();
    private final ImageDecoder decoder = new ImageDecoder(20L << 20, 40_000_000L);

    private Map<String, Emotion> examples() {
        Map<String, Emotion> emotions = new LinkedHashMap<>();
        for (String name : TestImages.EXAMPLES) {
            emotions.put(name, estimator.estimate(decoder.decode(TestImages.example(name))));
        }
        return emotions;
    }

    @Test
    void spreadsTheExamplePaintingsOverAllFourQuadrants() {
        Map<String, Emotion> emotions = examples();
        emotions.forEach((name, e) -> System.out.printf("%-22s valence %+.3f arousal %+.3f%n", name, e.valence(),
                e.arousal()));
        boolean[] quadrants = new boolean[4];
        for (Emotion e : emotions.values()) {
            assertTrue(Math.abs(e.valence()) < 1 && Math.abs(e.arousal()) < 1, e.toString());
            quadrants[(e.valence() >= 0 ? 0 : 1) + (e.arousal() >= 0 ? 0 : 2)] = true;
        }
        for (int q = 0; q < 4; q++) {
            assertTrue(quadrants[q], "quadrant " + q + " is empty: " + emotions);
        }
        double minValence = emotions.values().stream().mapToDouble(Emotion::valence).min().orElseThrow();
        double maxValence = emotions.values().stream().mapToDouble(Emotion::valence).max().orElseThrow();
        double minArousal = emotions.values().stream().mapToDouble(Emotion::arousal).min().orElseThrow();
        double maxArousal = emotions.values().stream().mapToDouble(Emotion::arousal).max().orElseThrow();
        assertTrue(maxValence - minValence > 0.8, "valence range " + minValence + ".." + maxValence);
        assertTrue(maxArousal - minArousal > 0.8, "arousal range " + minArousal + ".." + maxArousal);
    }

    @Test
    void placesTheBrightGreatWaveMorePleasantThanTheDarkShipwreck() {
        Map<String, Emotion> emotions = examples();
        assertTrue(emotions.get("the-great-wave.jpg").valence() > emotions.get("the-shipwreck.jpg").valence());
    }

    @Test
    void findsSaturatedBusyImagesMoreArousingThanFlatGrey() {
        BufferedImage grey = TestImages.filled(64, 64, BufferedImage.TYPE_INT_RGB, new Color(128, 128, 128));
        BufferedImage checker = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                checker.setRGB(x, y, ((x / 4 + y / 4) % 2 == 0) ? 0xFF0000 : 0x00FF00);
            }
        }
        assertTrue(estimator.estimate(checker).arousal() > estimator.estimate(grey).arousal());
    }

    @Test
    void findsWhiteMorePleasantThanBlack() {
        Emotion white = estimator.estimate(TestImages.filled(8, 8, BufferedImage.TYPE_INT_RGB, Color.WHITE));
        Emotion black = estimator.estimate(TestImages.filled(8, 8, BufferedImage.TYPE_INT_RGB, Color.BLACK));
        assertTrue(white.valence() > 0.9, white.toString());
        assertTrue(black.valence() < -0.9, black.toString());
    }

    @Test
    void handlesASinglePixel() {
        Emotion e = estimator.estimate(TestImages.filled(1, 1, BufferedImage.TYPE_INT_RGB, Color.ORANGE));
        assertTrue(Math.abs(e.valence()) <= 1 && Math.abs(e.arousal()) <= 1);
    }

    @Test
    void reportsItsModelId() {
        assertEquals("colour-heuristic-v1", estimator.modelId());
    }
}
