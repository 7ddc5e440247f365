package dev.aria.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.midi.MidiNoteReader;
import dev.aria.midi.TimedNote;

/**
 * The Java music-emotion reader against the cross-language vectors ({@code training/tests/vectors/analysis.json},
 * written by {@code training/make_analysis_vectors.py} and checked by pytest too): the notes pretty_midi reads from
 * each committed MIDI file, the 37 features, midi-emotion's raw arousal, the labeller's valence and the curve, with
 * the real model.
 */
class AnalysisVectorsTest {

    private static final Path VECTORS = Path.of("training/tests/vectors");
    private static final List<String> INSTRUMENTS = List.of("DRUMS", "GUITAR", "BASS", "PIANO", "STRINGS");
    private static final MidiNoteReader MIDI = new MidiNoteReader(new MidiNoteReader.Limits(512, 100_000, 1800));

    private static JsonNode doc;
    private static EmotionReader reader;

    @BeforeAll
    static void load() throws IOException {
        doc = new ObjectMapper().readTree(VECTORS.resolve("analysis.json").toFile());
        reader = new EmotionReader(Path.of("models"));
        assertTrue(reader.ready(), "the labeller and the decoder card must load");
    }

    @AfterAll
    static void close() {
        reader.close();
    }

    @Test
    void theVectorsDescribeThisCode() {
        List<String> names = new ArrayList<>();
        doc.get("feature_names").forEach(n -> names.add(n.asText()));
        assertEquals(EmotionFeatures.NAMES, names);
        assertEquals(EmotionReader.WINDOW_S, doc.get("curve_window_s").asDouble());
        assertEquals(EmotionReader.HOP_S, doc.get("curve_hop_s").asDouble());
        assertEquals(reader.modelId(), doc.get("labeller").asText());
        assertTrue(doc.get("cases").size() >= 12);
    }

    @Test
    void everyFileReadsToTheNotesPrettyMidiReads() throws Exception {
        int files = 0;
        for (JsonNode c : doc.get("cases")) {
            if (c.get("file").isNull()) {
                continue;
            }
            files++;
            List<TimedNote> got = MIDI.read(Files.readAllBytes(VECTORS.resolve(c.get("file").asText())));
            List<TimedNote> want = notes(c);
            assertEquals(want.size(), got.size(), c.get("name").asText());
            for (int i = 0; i < want.size(); i++) {
                TimedNote w = want.get(i);
                TimedNote g = got.get(i);
                String where = c.get("name").asText() + " note " + i + ": " + g + " vs " + w;
                assertEquals(w.instrument(), g.instrument(), where);
                assertEquals(w.pitch(), g.pitch(), where);
                assertEquals(w.start(), g.start(), 1e-12, where);
                assertEquals(w.end(), g.end(), 1e-12, where);
            }
        }
        assertEquals(6, files);
    }

    @Test
    void featuresArousalAndValenceMatchPython() {
        double[] valenceScale = pair("valence_raw_scale");
        double[] arousalScale = pair("arousal_raw_scale");
        for (JsonNode c : doc.get("cases")) {
            String name = c.get("name").asText();
            List<TimedNote> notes = notes(c);
            float[] f = EmotionFeatures.features(notes);
            for (int i = 0; i < EmotionFeatures.COUNT; i++) {
                double want = c.get("features").get(i).asDouble();
                assertEquals(want, f[i], 1e-6 + 1e-4 * Math.abs(want), name + " " + EmotionFeatures.NAMES.get(i));
            }
            double arousal = EmotionFeatures.arousalRaw(notes);
            assertEquals(c.get("arousal_raw").asDouble(), arousal, 1e-12 * Math.max(1, arousal), name);
            assertEquals(c.get("arousal").asDouble(), EmotionReader.scale(arousal, arousalScale), 1e-12, name);
            if (c.get("valence_raw").isNull()) {
                assertTrue(notes.stream().allMatch(TimedNote::drum), name);
                continue;
            }
            double valence = reader.regress(List.of(f))[0];
            assertEquals(c.get("valence_raw").asDouble(), valence, 1e-4, name);
            assertEquals(c.get("valence").asDouble(), EmotionReader.scale(c.get("valence_raw").asDouble(),
                    valenceScale), 1e-12, name);
        }
    }

    /** The whole reading, on the scale of the card the service reads (the vectors' raw values scaled with it). */
    @Test
    void readingsAndCurvesMatchPython() {
        double[][] scales = reader.scales();
        for (JsonNode c : doc.get("cases")) {
            String name = c.get("name").asText();
            List<TimedNote> notes = notes(c);
            if (notes.isEmpty()) {
                continue;
            }
            EmotionReader.Reading reading = reader.read(notes);
            assertEquals(reader.modelId(), reading.model());
            if (c.get("valence_raw").isNull()) {
                assertNull(reading.valence(), name);
            } else {
                assertEquals(EmotionReader.scale(c.get("valence_raw").asDouble(), scales[0]), reading.valence(), 1e-4,
                        name);
            }
            assertEquals(EmotionReader.scale(c.get("arousal_raw").asDouble(), scales[1]), reading.arousal(), 1e-9, name);
            JsonNode curve = c.get("curve");
            assertEquals(curve.size(), reading.curve().size(), name);
            for (int k = 0; k < curve.size(); k++) {
                JsonNode want = curve.get(k);
                EmotionReader.Window got = reading.curve().get(k);
                String where = name + " window " + k;
                assertEquals(want.get("start_s").asDouble(), got.start(), 1e-12, where);
                assertEquals(want.get("end_s").asDouble(), got.end(), 1e-12, where);
                if (want.get("valence_raw").isNull()) {
                    assertNull(got.valence(), where);
                } else {
                    assertEquals(EmotionReader.scale(want.get("valence_raw").asDouble(), scales[0]), got.valence(), 1e-4,
                            where);
                }
                if (want.get("arousal_raw").isNull()) {
                    assertNull(got.arousal(), where);
                } else {
                    assertEquals(EmotionReader.scale(want.get("arousal_raw").asDouble(), scales[1]), got.arousal(),
                            1e-9, where);
                }
            }
        }
    }

    @Test
    void aCheerfulMajorTuneReadsMorePleasantThanItsMinorVersion() throws Exception {
        EmotionReader.Reading major = reader.read(file("cheerful-major.mid"));
        EmotionReader.Reading minor = reader.read(file("sad-minor.mid"));
        assertTrue(major.valence() > 0.3 && minor.valence() < -0.3, major.valence() + " vs " + minor.valence());
        // same notes per second and instruments: the same arousal
        assertEquals(major.arousal(), minor.arousal(), 1e-12);
        for (int k = 0; k < major.curve().size(); k++) {
            assertTrue(major.curve().get(k).valence() > minor.curve().get(k).valence(), "window " + k);
        }
    }

    @Test
    void aDenseFastPieceReadsMoreExcitedThanASparseSlowOne() throws Exception {
        EmotionReader.Reading dense = reader.read(file("dense-fast.mid"));
        EmotionReader.Reading sparse = reader.read(file("sparse-slow.mid"));
        assertTrue(dense.arousal() > 0.5 && sparse.arousal() < -0.5, dense.arousal() + " vs " + sparse.arousal());
    }

    @Test
    void theCurveCoversThePieceInOverlappingWindows() throws Exception {
        List<TimedNote> notes = file("cheerful-major.mid");
        double end = notes.stream().mapToDouble(TimedNote::end).max().orElseThrow();
        List<EmotionReader.Window> curve = reader.read(notes).curve();
        assertEquals(0.0, curve.get(0).start());
        assertEquals(end, curve.get(curve.size() - 1).end(), 1e-12);
        assertTrue(end > 27 && end < 28, "16 bars at 140 bpm: " + end);
        assertEquals(5, curve.size());
        for (int k = 0; k < curve.size(); k++) {
            assertEquals(k * EmotionReader.HOP_S, curve.get(k).start());
            assertTrue(curve.get(k).end() - curve.get(k).start() <= EmotionReader.WINDOW_S);
            assertTrue(Math.abs(curve.get(k).valence()) <= 1 && Math.abs(curve.get(k).arousal()) <= 1);
        }
    }

    @Test
    void generatedNotesInMillisecondsMeasureAsTheirSecondsDo() {
        List<dev.aria.midi.Note> ms = List.of(new dev.aria.midi.Note(3, 60, 0, 500), new dev.aria.midi.Note(3, 64, 500,
                1000), new dev.aria.midi.Note(2, 36, 0, 1000), new dev.aria.midi.Note(0, 36, 0, 120));
        List<TimedNote> seconds = TimedNote.fromMillis(ms);
        assertEquals(new TimedNote(3, 64, 0.5, 1.0), seconds.get(1));
        EmotionReader.Reading reading = reader.read(seconds);
        // 4 notes over 1 s, 3 instruments
        assertEquals(EmotionReader.scale(4 / 1.0 / 3, reader.scales()[1]), reading.arousal(), 1e-12);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static List<TimedNote> file(String name) throws Exception {
        return MIDI.read(Files.readAllBytes(VECTORS.resolve("midi").resolve(name)));
    }

    private static List<TimedNote> notes(JsonNode c) {
        List<TimedNote> notes = new ArrayList<>();
        for (JsonNode n : c.get("notes")) {
            notes.add(new TimedNote(INSTRUMENTS.indexOf(n.get(0).asText()), n.get(1).asInt(), n.get(2).asDouble(),
                    n.get(3).asDouble()));
        }
        return notes;
    }

    private static double[] pair(String field) {
        return new double[] { doc.get(field).get(0).asDouble(), doc.get(field).get(1).asDouble() };
    }
}
