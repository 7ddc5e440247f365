package dev.aria.music;

import java.util.List;

import dev.aria.midi.Note;

/**
 * A finished piece, as {@link MusicService.Slot#compose} makes it.
 *
 * @param piece               what the generator did for the chosen candidate: its tokens, attempts and instruments
 * @param notes               every note of the file (a primer's, then the generated ones), ordered by start time; a
 *                            note's instrument indexes {@code instruments}
 * @param instruments         the instruments' names, the names of the MIDI file's tracks after the tempo track
 * @param midi                the Standard MIDI File, type 1, with a text event that says how the generation went
 * @param continuationStartMs where the generated music begins in the file: the primer's end, 0 without one
 * @param candidates          every candidate decoded, in order, each with its measured emotion (null where the reader
 *                            is not loaded)
 * @param chosen              index of the candidate kept
 */
public record Composition(GeneratedPiece piece, List<Note> notes, List<String> instruments, byte[] midi,
        int continuationStartMs, List<Candidate> candidates, int chosen) {

    /** One decoded candidate and its measured emotion ({@code null} when the music-emotion reader is not loaded). */
    public record Candidate(GeneratedPiece piece, Measurement measured) {
    }

    /** Length of the music: the end of its last note, in milliseconds. */
    public int durationMs() {
        return notes.stream().mapToInt(Note::endMs).max().orElse(0);
    }

    /** The measured emotion of the generated music kept, or {@code null} when it was not measured. */
    public Measurement measured() {
        return candidates.get(chosen).measured();
    }
}
