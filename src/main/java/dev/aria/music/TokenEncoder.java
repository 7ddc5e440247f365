package dev.aria.music;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.aria.midi.TimedNote;

/**
 * Notes to event tokens exactly as the data pipeline tokenises a MIDI file: times in seconds rounded to whole
 * milliseconds ({@code training/build_dataset.py load_multi}), then {@code training/midi_tokens.py notes_to_tokens}:
 * start and end quantised to the 8 ms grid (half to even, as Python's {@code round}), a note of no length made one
 * step long, pitches outside 21..108 folded by octaves (drum notes outside dropped), at each instant every OFF before
 * every ON, each by instrument then pitch, gaps as TIMESHIFT tokens of at most 1,000 ms. The instruments are the
 * reader's already ({@link TimedNote#instrumentOf}, the pipeline's {@code program_to_instrument}: every General MIDI
 * program maps to one of the five). The cross-language vector {@code training/tests/vectors/primer_tokens.json} pins
 * it against the Python code.
 */
public final class TokenEncoder {

    private final Vocabulary vocab;

    public TokenEncoder(Vocabulary vocab) {
        this.vocab = vocab;
    }

    /** One event: its time, OFF (0) before ON (1), instrument, pitch. */
    private record Event(int time, int order, int instrument, int pitch) {
    }

    private static final Comparator<Event> ORDER = Comparator.comparingInt(Event::time)
            .thenComparingInt(Event::order).thenComparingInt(Event::instrument).thenComparingInt(Event::pitch);

    /** The tokens of {@code notes} (no {@code <START>}); empty when every note was dropped. */
    public int[] tokens(List<TimedNote> notes) {
        return tokens(notes, 0);
    }

    /**
     * The tokens of {@code notes} with every pitched note moved by {@code semitones} first ({@code keys.transposed}
     * then the tokeniser): a primer moved to C for a key-normalised decoder.
     */
    public int[] tokens(List<TimedNote> notes, int semitones) {
        int step = vocab.timeStepMs();
        List<Event> events = new ArrayList<>(2 * notes.size());
        for (TimedNote n : notes) {
            int pitch = fold(n.instrument(), n.drum() ? n.pitch() : n.pitch() + semitones);
            if (pitch < 0) {
                continue;
            }
            int s = quantise(Math.rint(n.start() * 1000), step);
            int e = quantise(Math.rint(n.end() * 1000), step);
            if (e <= s) {
                e = s + step;
            }
            events.add(new Event(s, 1, n.instrument(), pitch));
            events.add(new Event(e, 0, n.instrument(), pitch));
        }
        events.sort(ORDER);
        List<Integer> tokens = new ArrayList<>(events.size() * 3 / 2);
        int now = 0;
        for (Event ev : events) {
            if (ev.time() > now) {
                int delta = ev.time() - now;
                while (delta > vocab.maxShiftMs()) {
                    tokens.add(vocab.timeshiftToken(vocab.maxShiftMs()));
                    delta -= vocab.maxShiftMs();
                }
                tokens.add(vocab.timeshiftToken(delta));
                now = ev.time();
            }
            tokens.add(vocab.noteToken(ev.instrument(), ev.order() == 1, ev.pitch()));
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code int(round(ms / 8)) * 8}: half to even. */
    private static int quantise(double ms, int step) {
        return (int) Math.rint(ms / step) * step;
    }

    /** {@code fold_pitch}: into 21..108 by octaves; -1 for a drum note outside (dropped). */
    private int fold(int instrument, int pitch) {
        if (pitch >= vocab.pitchMin() && pitch <= vocab.pitchMax()) {
            return pitch;
        }
        if (instrument == TimedNote.DRUMS) {
            return -1;
        }
        return vocab.foldByOctaves(pitch);
    }
}
