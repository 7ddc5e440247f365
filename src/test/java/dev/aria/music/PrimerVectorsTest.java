package dev.aria.music;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.analysis.EmotionFeatures;
import dev.aria.midi.MidiNoteReader;
import dev.aria.midi.TimedNote;

/**
 * The primer tokeniser against the committed cross-language vectors ({@code training/tests/vectors/primer_tokens.json},
 * written by {@code training/make_primer_vectors.py} with pretty_midi and {@code midi_tokens.notes_to_tokens}; pytest
 * checks the Python side): every MIDI file read by {@link MidiNoteReader} and every note list tokenises to exactly the
 * tokens the data pipeline gives.
 */
class PrimerVectorsTest {

    private static final Path VECTORS = Path.of("training/tests/vectors");
    private static final MidiNoteReader MIDI = new MidiNoteReader(new MidiNoteReader.Limits(512, 100_000, 1800));

    private static JsonNode doc() throws Exception {
        return new ObjectMapper().readTree(VECTORS.resolve("primer_tokens.json").toFile());
    }

    private static TokenEncoder encoder() throws Exception {
        return new TokenEncoder(Vocabulary.load(Path.of("models/vocab.json")));
    }

    @TestFactory
    Stream<DynamicTest> everyFileAndNoteListTokenisesAsThePipelineDoes() throws Exception {
        JsonNode doc = doc();
        TokenEncoder encoder = encoder();
        List<String> instruments = new ArrayList<>();
        doc.get("instruments").forEach(i -> instruments.add(i.asText()));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : doc.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                List<TimedNote> notes = new ArrayList<>();
                if (c.get("file").isNull()) {
                    for (JsonNode n : c.get("notes")) {
                        notes.add(new TimedNote(instruments.indexOf(n.get(0).asText()), n.get(1).asInt(),
                                n.get(2).asDouble(), n.get(3).asDouble()));
                    }
                } else {
                    notes = MIDI.read(Files.readAllBytes(VECTORS.resolve(c.get("file").asText())));
                }
                assertArrayEquals(ints(c.get("tokens")), encoder.tokens(notes));
                // the key normalisation: the tonic found, the shift to C and the tokens so moved
                int tonic = EmotionFeatures.tonic(notes);
                assertEquals(c.get("tonic").asInt(), tonic, "tonic");
                int shift = c.get("shift_to_c").asInt();
                assertEquals(shift, Primer.shiftToC(tonic), "shift to C");
                assertArrayEquals(ints(c.get("tokens_in_c")), encoder.tokens(notes, shift));
            }));
        }
        return tests.stream();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void musicWrittenInCGoesBackToThePrimersKey() throws Exception {
        Vocabulary vocab = Vocabulary.load(Path.of("models/vocab.json"));
        for (JsonNode c : doc().get("cases")) {
            String name = c.get("name").asText();
            if (List.of("e-major", "f-sharp-major", "a-minor", "type0-tempo-map").contains(name)) {
                int shift = c.get("shift_to_c").asInt();
                assertTrue(shift != 0, name);
                assertArrayEquals(ints(c.get("tokens")), vocab.transpose(ints(c.get("tokens_in_c")), -shift), name);
            }
        }
        // drums stay, pitched notes fold by octaves at the range's ends
        int drum = vocab.noteToken(TimedNote.DRUMS, true, 36);
        int top = vocab.noteToken(TimedNote.PIANO, true, 106);
        int[] moved = vocab.transpose(new int[] { drum, top, vocab.timeshiftToken(8) }, 5);
        assertArrayEquals(new int[] { drum, vocab.noteToken(TimedNote.PIANO, true, 99), vocab.timeshiftToken(8) },
                moved);
    }

    @Test
    void coversEveryMidiFileOfTheVectors() throws Exception {
        List<String> files = new ArrayList<>();
        doc().get("cases").forEach(c -> {
            if (!c.get("file").isNull()) {
                files.add(c.get("file").asText());
            }
        });
        try (Stream<Path> midi = Files.list(VECTORS.resolve("midi"))) {
            List<String> present = midi.map(p -> "midi/" + p.getFileName()).sorted().toList();
            assertEquals(present, files.stream().sorted().toList());
        }
        assertTrue(files.size() >= 6);
    }
}
