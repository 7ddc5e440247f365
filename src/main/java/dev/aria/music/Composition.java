package dev.aria.music;

import java.util.List;

import dev.aria.midi.Note;

/**
 * A finished piece, as {@link MusicService.Slot#compose} makes it.
 *
 * @param piece       what the generator did: its tokens, attempts and instruments
 * @param notes       every note, ordered by start time; a note's instrument indexes {@code instruments}
 * @param instruments the instruments' names, the names of the MIDI file's tracks after the tempo track
 * @param midi        the Standard MIDI File, type 1, with a text event that says how the generation went
 */
public record Composition(GeneratedPiece piece, List<Note> notes, List<String> instruments, byte[] midi) {

    /** Length of the music: the end of its last note, in milliseconds. */
    public int durationMs() {
        return notes.stream().mapToInt(Note::endMs).max().orElse(0);
    }
}
