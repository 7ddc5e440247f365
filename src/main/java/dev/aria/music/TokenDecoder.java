package dev.aria.music;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.aria.midi.Note;

/**
 * Event tokens to notes, with the same rules as {@code training/midi_tokens.py tokens_to_notes}: an ON for a sounding
 * pitch ends the old note first, an OFF for a silent pitch is ignored, notes still sounding at the end stop at the
 * final time (at least one time step long), special tokens are skipped.
 */
public final class TokenDecoder {

    private static final Comparator<Note> ORDER = Comparator.comparingInt(Note::startMs)
            .thenComparingInt(Note::instrument).thenComparingInt(Note::pitch).thenComparingInt(Note::endMs);

    private final Vocabulary vocab;

    public TokenDecoder(Vocabulary vocab) {
        this.vocab = vocab;
    }

    public List<Note> notes(int[] tokens) {
        int now = 0;
        Map<Integer, Integer> open = new HashMap<>(); // key instrument * 128 + pitch -> start
        List<Integer> openOrder = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        for (int tok : tokens) {
            if (vocab.isTimeshift(tok)) {
                now += vocab.timeshiftMs(tok);
            } else if (vocab.isNote(tok)) {
                int inst = vocab.noteInstrument(tok);
                int pitch = vocab.notePitch(tok);
                int key = inst * 128 + pitch;
                Integer start = open.remove(key);
                if (start != null) {
                    openOrder.remove((Integer) key);
                    if (now > start) {
                        notes.add(new Note(inst, pitch, start, now));
                    }
                }
                if (vocab.noteOn(tok)) {
                    open.put(key, now);
                    openOrder.add(key);
                }
            }
        }
        for (int key : openOrder) {
            int start = open.get(key);
            notes.add(new Note(key / 128, key % 128, start, Math.max(now, start + vocab.timeStepMs())));
        }
        notes.sort(ORDER);
        return notes;
    }

    /** Number of distinct instruments with at least one note-on among the tokens. */
    public int instrumentsPlaying(int[] tokens) {
        boolean[] seen = new boolean[vocab.instruments().size()];
        int n = 0;
        for (int tok : tokens) {
            if (vocab.isNote(tok) && vocab.noteOn(tok) && !seen[vocab.noteInstrument(tok)]) {
                seen[vocab.noteInstrument(tok)] = true;
                n++;
            }
        }
        return n;
    }
}
