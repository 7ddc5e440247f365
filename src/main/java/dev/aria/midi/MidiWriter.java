package dev.aria.midi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a Standard MIDI File, type 1, byte for byte as {@code training/midi_tokens.py notes_to_midi} does with mido:
 * 250 ticks per quarter at 120 bpm (2 ms a tick, so the 8 ms grid is exact), a tempo track, then one track per
 * {@link Part}, always all of them (so the header is known before the music is), each named, with its GM program if it
 * has one, its fixed velocity, note-offs before note-ons at one tick, and running status as mido writes it.
 *
 * <p>A file starts with its {@link #header()}, known before the music is; the tracks follow once every note is known,
 * since a track chunk carries its length first.
 */
public final class MidiWriter {

    public static final int TICKS_PER_QUARTER = 250;
    public static final int TEMPO_US = 500_000;
    private static final double MS_PER_TICK = TEMPO_US / 1000.0 / TICKS_PER_QUARTER;

    private final List<Part> parts;

    /** @param parts the tracks after the tempo track; a {@link Note}'s instrument is an index into them */
    public MidiWriter(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** The 14-byte MThd chunk: format 1, tempo track + one track per part, 250 ticks per quarter. */
    public byte[] header() {
        int tracks = 1 + parts.size();
        return new byte[] {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, (byte) (tracks >> 8), (byte) tracks,
                (byte) (TICKS_PER_QUARTER >> 8), (byte) TICKS_PER_QUARTER};
    }

    /**
     * All MTrk chunks for the notes; {@code text}, if not null, becomes a text event of the tempo track, and
     * {@code marker}, if not null, a marker event of the tempo track at {@code markerMs}.
     */
    private byte[] tracks(List<Note> notes, String text, int markerMs, String marker) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Track meta = new Track();
        meta.meta(0x51, new byte[] {(byte) (TEMPO_US >> 16), (byte) (TEMPO_US >> 8), (byte) TEMPO_US});
        meta.meta(0x58, new byte[] {4, 2, 24, 8});
        if (text != null && !text.isEmpty()) {
            meta.meta(0x01, text.getBytes(StandardCharsets.ISO_8859_1));
        }
        if (marker != null) {
            meta.meta(Math.round(markerMs / MS_PER_TICK), 0x06, marker.getBytes(StandardCharsets.ISO_8859_1));
        }
        meta.writeTo(out);
        for (int inst = 0; inst < parts.size(); inst++) {
            Part part = parts.get(inst);
            Track t = new Track();
            int ch = part.channel();
            t.meta(0x03, part.name().getBytes(StandardCharsets.ISO_8859_1));
            part.program().ifPresent(program -> t.channel(0, 0xC0 | ch, program));
            List<long[]> events = new ArrayList<>(); // tick, on, pitch
            for (Note n : notes) {
                if (n.instrument() == inst) {
                    events.add(new long[] {Math.round(n.endMs() / MS_PER_TICK), 0, n.pitch()});
                    events.add(new long[] {Math.round(n.startMs() / MS_PER_TICK), 1, n.pitch()});
                }
            }
            events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                    : a[1] != b[1] ? Long.compare(a[1], b[1]) : Long.compare(a[2], b[2]));
            long last = 0;
            int vel = part.velocity();
            for (long[] e : events) {
                boolean on = e[1] == 1;
                t.channel(e[0] - last, (on ? 0x90 : 0x80) | ch, (int) e[2], on ? vel : 0);
                last = e[0];
            }
            t.writeTo(out);
        }
        return out.toByteArray();
    }

    /** The whole file: the header, then the tracks of the notes; {@code text}, if not null, in the tempo track. */
    public byte[] file(List<Note> notes, String text) {
        return file(notes, text, 0, null);
    }

    /**
     * The whole file, with a marker event (meta type 6) named {@code marker} at {@code markerMs} in the tempo track,
     * after the text event: e.g. where a continuation begins.
     */
    public byte[] file(List<Note> notes, String text, int markerMs, String marker) {
        byte[] h = header();
        byte[] t = tracks(notes, text, markerMs, marker);
        byte[] all = new byte[h.length + t.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(t, 0, all, h.length, t.length);
        return all;
    }

    /** One MTrk body under construction, with mido's running-status rule. */
    private static final class Track {
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private int runningStatus = -1;

        void meta(int type, byte[] payload) {
            meta(0, type, payload);
        }

        void meta(long delta, int type, byte[] payload) {
            varLen(delta);
            data.write(0xFF);
            data.write(type);
            varLen(payload.length);
            data.writeBytes(payload);
            runningStatus = -1;
        }

        void channel(long delta, int status, int... bytes) {
            varLen(delta);
            if (status != runningStatus) {
                data.write(status);
            }
            runningStatus = status;
            for (int b : bytes) {
                data.write(b);
            }
        }

        void writeTo(ByteArrayOutputStream out) {
            meta(0x2F, new byte[0]);
            byte[] body = data.toByteArray();
            out.writeBytes(new byte[] {'M', 'T', 'r', 'k', (byte) (body.length >> 24), (byte) (body.length >> 16),
                    (byte) (body.length >> 8), (byte) body.length});
            out.writeBytes(body);
        }

        private void varLen(long value) {
            int shift = 63 - Long.numberOfLeadingZeros(Math.max(1, value)) ;
            int groups = shift / 7;
            for (int g = groups; g > 0; g--) {
                data.write((int) (0x80 | ((value >> (7 * g)) & 0x7F)));
            }
            data.write((int) (value & 0x7F));
        }
    }
}
