package dev.aria.audio;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.SysexMessage;
import javax.sound.midi.Track;

/**
 * A Standard MIDI File as the synthesiser needs it: every channel and system-exclusive message of every track, merged
 * in time order, with its time in microseconds (tempo changes applied), plus the programs it asks for.
 *
 * @param messages       the messages in the order to send them; times strictly increase
 * @param durationMicros time of the last event (including end-of-track), in microseconds
 * @param melodic        General MIDI programs used on channels other than 10 (always includes 0)
 * @param drumKits       programs (kits) used on channel 10 (always includes 0)
 */
record TimedMidi(List<Timed> messages, long durationMicros, Set<Integer> melodic, Set<Integer> drumKits) {

    /** A message and when to play it. */
    record Timed(long micros, MidiMessage message) {
    }

    /** Why a file could not be read. */
    static final class Unreadable extends Exception {
        private final boolean notMidi;

        Unreadable(String message, boolean notMidi) {
            super(message);
            this.notMidi = notMidi;
        }

        /** True when the bytes are no MIDI file at all, false when a MIDI file is damaged. */
        boolean notMidi() {
            return notMidi;
        }
    }

    private static final int DRUM_CHANNEL = 9;
    private static final int DEFAULT_TEMPO_US = 500_000;

    /**
     * Reads a Standard MIDI File. The chunk structure is checked first, so a declared chunk length cannot make the
     * JDK's reader allocate more than the file holds.
     */
    static TimedMidi read(byte[] bytes) throws Unreadable {
        checkChunks(bytes);
        Sequence sequence;
        try {
            sequence = MidiSystem.getSequence(new ByteArrayInputStream(bytes));
        } catch (InvalidMidiDataException | IOException | RuntimeException e) {
            throw new Unreadable("it is damaged: " + e.getMessage(), false);
        }
        record Event(long tick, int track, int index, MidiMessage message) {
        }
        List<Event> events = new ArrayList<>();
        Track[] tracks = sequence.getTracks();
        for (int t = 0; t < tracks.length; t++) {
            for (int i = 0; i < tracks[t].size(); i++) {
                MidiEvent e = tracks[t].get(i);
                events.add(new Event(e.getTick(), t, i, e.getMessage()));
            }
        }
        events.sort(Comparator.comparingLong(Event::tick).thenComparingInt(Event::track).thenComparingInt(Event::index));

        boolean ppq = sequence.getDivisionType() == Sequence.PPQ;
        double ticksPerSecond = ppq ? 0 : sequence.getDivisionType() * sequence.getResolution();
        double tempo = DEFAULT_TEMPO_US;
        long lastTick = 0;
        double lastMicros = 0;
        long previous = -1;
        double end = 0;
        List<Timed> messages = new ArrayList<>();
        Set<Integer> melodic = new TreeSet<>(Set.of(0));
        Set<Integer> drums = new TreeSet<>(Set.of(0));
        for (Event e : events) {
            double micros = ppq ? lastMicros + (e.tick() - lastTick) * tempo / sequence.getResolution()
                    : e.tick() * 1e6 / ticksPerSecond;
            lastTick = e.tick();
            lastMicros = micros;
            end = Math.max(end, micros);
            MidiMessage m = e.message();
            if (m instanceof MetaMessage meta) {
                byte[] d = meta.getData();
                if (ppq && meta.getType() == 0x51 && d.length == 3) {
                    int us = (d[0] & 0xFF) << 16 | (d[1] & 0xFF) << 8 | (d[2] & 0xFF);
                    tempo = us > 0 ? us : tempo;
                }
                continue;
            }
            if (!(m instanceof ShortMessage) && !(m instanceof SysexMessage)) {
                continue;
            }
            if (m instanceof ShortMessage s && s.getCommand() == ShortMessage.PROGRAM_CHANGE) {
                (s.getChannel() == DRUM_CHANNEL ? drums : melodic).add(s.getData1());
            }
            // Gervill keys queued messages by time and walks forward past equal times: keep times distinct, so that
            // thousands of simultaneous events cost no more than thousands of separate ones (at most 1 µs apart).
            long at = Math.max((long) micros, previous + 1);
            messages.add(new Timed(at, m));
            previous = at;
        }
        long duration = Math.max((long) Math.min(end, Long.MAX_VALUE / 2), previous);
        return new TimedMidi(messages, duration, melodic, drums);
    }

    /** "MThd" with a 6-byte-or-longer header, then chunks whose lengths fit in the file. */
    private static void checkChunks(byte[] b) throws Unreadable {
        if (b.length < 14 || !"MThd".equals(new String(b, 0, 4, StandardCharsets.ISO_8859_1))) {
            throw new Unreadable("it does not start with a Standard MIDI File header (MThd)", true);
        }
        int pos = 0;
        int tracks = 0;
        while (b.length - pos >= 8) {
            long length = Integer.toUnsignedLong((b[pos + 4] & 0xFF) << 24 | (b[pos + 5] & 0xFF) << 16
                    | (b[pos + 6] & 0xFF) << 8 | (b[pos + 7] & 0xFF));
            if (pos == 0 && length < 6) {
                throw new Unreadable("its header chunk is " + length + " bytes long, shorter than the 6 required", false);
            }
            if (length > b.length - pos - 8) {
                throw new Unreadable("a chunk at byte " + pos + " declares " + length + " bytes but only "
                        + (b.length - pos - 8) + " follow (the file is truncated)", false);
            }
            if ("MTrk".equals(new String(b, pos, 4, StandardCharsets.ISO_8859_1))) {
                tracks++;
            }
            pos += 8 + (int) length;
        }
        if (tracks == 0) {
            throw new Unreadable("it has no track (MTrk chunk)", false);
        }
    }
}
