package dev.aria.rest;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.aria.music.GenerationSettings;

/**
 * A validated generation request: the settings, where the emotion came from, and the decoder that will play.
 *
 * @param settings      everything the generator needs
 * @param emotionSource {@code image} or {@code request}
 * @param emotionModel  the estimator's id when an emotion (at the start or the end) came from an image, else
 *                      {@code null}
 * @param endSource     where the end of an arc came from, {@code image} or {@code request}; {@code null} without an
 *                      arc
 * @param modelId       the decoder's id and version
 */
record GenerationRequest(GenerationSettings settings, String emotionSource, String emotionModel, String endSource,
        String modelId) {

    /** Name under which the MIDI file is offered for download. */
    String fileName() {
        return "aria-" + settings.seed() + ".mid";
    }

    /** The {@code ARIA-*} headers of {@code POST /generate}, in order; absent values are left out. */
    Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("ARIA-Valence", fmt(settings.valence()));
        h.put("ARIA-Arousal", fmt(settings.arousal()));
        if (settings.arc()) {
            h.put("ARIA-Valence-End", fmt(settings.valenceEnd()));
            h.put("ARIA-Arousal-End", fmt(settings.arousalEnd()));
        }
        h.put("ARIA-Emotion-Source", emotionSource);
        if (endSource != null) {
            h.put("ARIA-Emotion-End-Source", endSource);
        }
        if (emotionModel != null) {
            h.put("ARIA-Emotion-Model", emotionModel);
        }
        h.put("ARIA-Conditioning", settings.conditioning().wireName());
        h.put("ARIA-Gen-Len", String.valueOf(settings.genLen()));
        if (settings.durationMs() > 0) {
            h.put("ARIA-Duration", fmt(settings.durationMs() / 1000.0));
        }
        h.put("ARIA-Note-Temperature", fmt(settings.noteTemperature()));
        h.put("ARIA-Rest-Temperature", fmt(settings.restTemperature()));
        h.put("ARIA-Top-P", fmt(settings.topP()));
        h.put("ARIA-Min-Instruments", String.valueOf(settings.minInstruments()));
        h.put("ARIA-Guidance", fmt(settings.guidance()));
        if (settings.guided()) {
            h.put("ARIA-Guidance-Contrast", settings.contrast().name().toLowerCase(Locale.ROOT));
        }
        h.put("ARIA-Candidates", String.valueOf(settings.candidates()));
        if (settings.primer() != null) {
            h.put("ARIA-Continuation-Start-Ms", String.valueOf(settings.primer().endMs()));
        }
        h.put("ARIA-Seed", String.valueOf(settings.seed()));
        h.put("ARIA-Model", modelId);
        return h;
    }

    private static String fmt(double x) {
        return String.format(Locale.ROOT, "%.4f", x);
    }
}
