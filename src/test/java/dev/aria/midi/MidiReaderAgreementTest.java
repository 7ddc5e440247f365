package dev.aria.midi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@link MidiNoteReader} against pretty_midi on a directory of real MIDI files (the shared data sets cannot be
 * committed): {@code training/midi_reader_reference.py} writes pretty_midi's notes of each file as a digest, this
 * test reads the same files and requires the same notes, bit for bit, or a refusal where pretty_midi failed. It runs
 * only when asked: {@code -Daria.midi-reference=target/midi-reference.jsonl}.
 */
@EnabledIfSystemProperty(named = "aria.midi-reference", matches = ".+")
class MidiReaderAgreementTest {

    @Test
    void readsEveryFileAsPrettyMidiDoes() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("aria.midi-reference")));
        ObjectMapper json = new ObjectMapper();
        Path root = Path.of(json.readTree(lines.get(0)).get("root").asText());
        MidiNoteReader reader = new MidiNoteReader(new MidiNoteReader.Limits(65_535, Integer.MAX_VALUE - 8, 1e9));
        int same = 0;
        int bothRefused = 0;
        List<String> different = new ArrayList<>();
        long began = System.nanoTime();
        for (String line : lines.subList(1, lines.size())) {
            JsonNode row = json.readTree(line);
            String file = row.get("file").asText();
            List<TimedNote> notes;
            try {
                notes = reader.read(Files.readAllBytes(root.resolve(file)));
            } catch (MidiNoteReader.Unreadable e) {
                if (row.has("error")) {
                    bothRefused++;
                } else {
                    different.add(file + ": refused (" + e.getMessage() + "), pretty_midi read " + row.get("notes")
                            + " notes");
                }
                continue;
            }
            if (row.has("error")) {
                different.add(file + ": read " + notes.size() + " notes, pretty_midi refused it (" + row.get("error")
                        .asText() + ")");
            } else if (notes.size() != row.get("notes").asInt() || !digest(notes).equals(row.get("sha256").asText())) {
                different.add(file + ": " + notes.size() + " notes, pretty_midi " + row.get("notes") + " (or other "
                        + "times)");
            } else {
                same++;
            }
        }
        System.out.printf("%d files: %d read to the same notes as pretty_midi, %d refused by both, %d different, "
                + "in %.1f s%n", lines.size() - 1, same, bothRefused, different.size(), (System.nanoTime() - began) / 1e9);
        different.forEach(d -> System.out.println("  " + d));
        assertTrue(different.isEmpty(), different.size() + " files differ: " + different);
    }

    private static String digest(List<TimedNote> notes) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer note = ByteBuffer.allocate(18);
        for (TimedNote n : notes) {
            note.clear();
            note.put((byte) n.instrument()).put((byte) n.pitch()).putDouble(n.start()).putDouble(n.end());
            sha.update(note.array());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
