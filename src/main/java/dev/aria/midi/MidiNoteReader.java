package dev.aria.midi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The notes of a Standard MIDI File, read as the data pipeline reads its MIDI files
 * ({@code training/emotion_features.py notes_from_midi}: pretty_midi 0.2.11 on mido 1.3.3), so that a piece measures
 * the same in Java as in Python (the cross-language vectors in {@code training/tests/vectors/analysis.json} pin it):
 *
 * <ul>
 * <li>type 0, 1 and 2; running status, also across meta events as mido reads it (the SMF specification lets meta
 * events cancel it, and {@code javax.sound.midi} refuses such files); note-on with velocity 0 is a note-off; events
 * after the end-of-track event but inside the chunk are read (mido reads them, {@code javax.sound.midi} drops
 * them);</li>
 * <li>a note-off closes every open note of its channel and pitch that started at an earlier tick; notes started at
 * the same tick stay open when earlier ones were closed, and are dropped when they are the only ones (a note-on and a
 * note-off at one tick make no note); a note-off without an open note is ignored, a note never closed is dropped;</li>
 * <li>a note takes the program current on its channel when it <em>ends</em>, per track (program 0 until a program
 * change); channel 10 is drums; programs map to the five instruments by {@link TimedNote#instrumentOf};</li>
 * <li>seconds follow the tempo map of the <em>first</em> track only (default 120 bpm; tempo events of other tracks
 * are ignored, as pretty_midi ignores them), computed with pretty_midi's arithmetic;</li>
 * <li>notes are ordered by start, then pitch (ties: by the instrument first closed, then by closing order).</li>
 * </ul>
 *
 * <p>Where mido would read past a chunk's end, accept unbounded numbers or fail on a well-formed file, this reader is
 * strict and bounded instead: every length must fit in the file and in its chunk, delta times and lengths have at most
 * four bytes, data bytes are at most 127, a tempo has three bytes and is not 0. Unknown chunk types are skipped (the
 * SMF specification asks readers to; mido stops at them), and SMPTE time division is read as frames per second times
 * ticks per frame (pretty_midi would produce negative times); a RIFF MIDI file ({@code .rmi}) is read through the
 * Standard MIDI File it wraps. Cost is linear in the file size; tracks, notes and
 * duration are bounded by {@link Limits} before they can cost more.
 */
public final class MidiNoteReader {

    /**
     * What a file may hold.
     *
     * @param maxTracks  track chunks the header may announce
     * @param maxNotes   notes the file may make
     * @param maxSeconds latest note end, in seconds
     */
    public record Limits(int maxTracks, int maxNotes, double maxSeconds) {
    }

    /** Why a file gives no notes. The message completes "The file ...", e.g. "is truncated: ...". */
    public static final class Unreadable extends Exception {

        /** The kinds of refusal, each answered with its own problem type. */
        public enum Reason {
            EMPTY, NOT_MIDI, CORRUPT, TOO_MANY_TRACKS, TOO_MANY_NOTES, TOO_LONG
        }

        private final Reason reason;

        Unreadable(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private static final int DRUM_CHANNEL = 9;
    private static final int DEFAULT_TEMPO_US = 500_000;

    private final Limits limits;

    public MidiNoteReader(Limits limits) {
        this.limits = limits;
    }

    /** The notes of {@code file}, sorted by start then pitch; empty when the file has none. */
    public List<TimedNote> read(byte[] file) throws Unreadable {
        return new Parse(rmidContent(file)).run();
    }

    /**
     * The Standard MIDI File inside a RIFF MIDI file ({@code .rmi}: {@code RIFF}, size, {@code RMID}, then a
     * {@code data} chunk holding the SMF), or {@code file} itself when it is not one.
     */
    static byte[] rmidContent(byte[] file) throws Unreadable {
        if (file.length < 12 || !"RIFF".equals(new String(file, 0, 4, StandardCharsets.ISO_8859_1))
                || !"RMID".equals(new String(file, 8, 4, StandardCharsets.ISO_8859_1))) {
            return file;
        }
        int pos = 12;
        while (file.length - pos >= 8) {
            long size = Integer.toUnsignedLong((file[pos + 4] & 0xFF) | (file[pos + 5] & 0xFF) << 8
                    | (file[pos + 6] & 0xFF) << 16 | (file[pos + 7] & 0xFF) << 24);
            if (size > file.length - pos - 8) {
                break;
            }
            if ("data".equals(new String(file, pos, 4, StandardCharsets.ISO_8859_1))) {
                return Arrays.copyOfRange(file, pos + 8, pos + 8 + (int) size);
            }
            pos += 8 + (int) size + (int) (size & 1);
        }
        throw new Unreadable(Unreadable.Reason.CORRUPT, "is a RIFF MIDI file (.rmi) without a complete 'data' "
                + "chunk");
    }

    /** Reading one file: the bytes, the tempo map of track 0 and the notes found so far. */
    private final class Parse {
        private final byte[] b;
        private int ppq;
        private double smpteSecondsPerTick;
        // tempo map (PPQ files): segment i starts at segTick[i] with segScale[i] seconds per tick
        private long[] segTick = { 0 };
        private double[] segScale;
        private double[] segTime;
        private int segments = 1;
        // notes in ticks, in the order pretty_midi appends them to its instruments
        private long[] startTick = new long[256];
        private long[] endTick = new long[256];
        private int[] pitch = new int[256];
        private int[] instrument = new int[256];
        private int[] ordinal = new int[256];
        private int notes;
        private final Map<Long, Integer> instruments = new HashMap<>();
        private final OpenNotes open = new OpenNotes();

        Parse(byte[] file) {
            this.b = file;
        }

        List<TimedNote> run() throws Unreadable {
            header();
            return timed();
        }

        private void header() throws Unreadable {
            if (b.length == 0) {
                throw new Unreadable(Unreadable.Reason.EMPTY, "is empty (0 bytes)");
            }
            if (b.length < 4 || !"MThd".equals(ascii(0))) {
                throw new Unreadable(Unreadable.Reason.NOT_MIDI, "does not start with a Standard MIDI File header "
                        + "(MThd)" + looksLike(b));
            }
            if (b.length < 14) {
                throw corrupt("is truncated: it ends inside its header (" + b.length + " bytes)");
            }
            long headerLength = u32(4);
            if (headerLength < 6) {
                throw corrupt("has a header chunk of " + headerLength + " bytes; it needs 6");
            }
            if (headerLength > b.length - 8) {
                throw corrupt("is truncated: its header chunk declares " + headerLength + " bytes, but only "
                        + (b.length - 8) + " follow");
            }
            int format = u16(8);
            int tracks = u16(10);
            int division = u16(12);
            if (format > 2) {
                throw corrupt("declares format " + format + "; Standard MIDI Files have format 0, 1 or 2");
            }
            if (tracks == 0) {
                throw corrupt("declares no track");
            }
            if (tracks > limits.maxTracks()) {
                throw new Unreadable(Unreadable.Reason.TOO_MANY_TRACKS, "declares " + tracks + " tracks; at most "
                        + limits.maxTracks() + " are read");
            }
            if ((division & 0x8000) != 0) {
                int fps = -(byte) (division >> 8);
                int ticksPerFrame = division & 0xFF;
                if ((fps != 24 && fps != 25 && fps != 29 && fps != 30) || ticksPerFrame == 0) {
                    throw corrupt("has an SMPTE time division of " + fps + " frames per second and " + ticksPerFrame
                            + " ticks per frame (24, 25, 29 or 30 frames and at least one tick are needed)");
                }
                smpteSecondsPerTick = 1.0 / ((fps == 29 ? 29.97 : fps) * ticksPerFrame);
            } else if (division == 0) {
                throw corrupt("declares 0 ticks per quarter note");
            } else {
                ppq = division;
                segScale = new double[] { 60.0 / (120.0 * ppq) };
            }
            int pos = 8 + (int) headerLength;
            int read = 0;
            while (read < tracks) {
                if (b.length - pos < 8) {
                    throw corrupt("is truncated: its header announces " + tracks + " tracks, but the file ends after "
                            + read);
                }
                long length = u32(pos + 4);
                if (length > b.length - pos - 8) {
                    throw corrupt("is truncated or lies about a length: the chunk at byte " + pos + " declares "
                            + length + " bytes, but only " + (b.length - pos - 8) + " follow");
                }
                if ("MTrk".equals(ascii(pos))) {
                    track(read, pos + 8, pos + 8 + (int) length);
                    read++;
                }
                pos += 8 + (int) length;
            }
        }

        /** One track chunk, bytes [start, end). */
        private void track(int index, int start, int end) throws Unreadable {
            int[] program = new int[16];
            open.clear();
            long tick = 0;
            int running = -1;
            int p = start;
            while (p < end) {
                long delta = 0;
                for (int n = 1;; n++) {
                    int c = next(p++, end, index);
                    delta = delta << 7 | (c & 0x7F);
                    if (c < 0x80) {
                        break;
                    }
                    if (n == 4) {
                        throw corrupt("has a delta time longer than four bytes in track " + (index + 1));
                    }
                }
                tick += delta;
                int status = next(p, end, index);
                if (status < 0x80) {
                    if (running < 0) {
                        throw corrupt("has a data byte where an event's status belongs in track " + (index + 1)
                                + " (running status without a channel message before it)");
                    }
                    status = running;
                } else {
                    p++;
                }
                if (status == 0xFF) {
                    int type = next(p++, end, index);
                    int length = length(p, end, index);
                    p = skipLength(p);
                    if (type == 0x51 && index == 0 && ppq > 0) {
                        tempo(tick, p, length);
                    }
                    p += length;
                } else if (status == 0xF0 || status == 0xF7) {
                    int length = length(p, end, index);
                    p = skipLength(p) + length;
                    running = -1;
                } else if (status >= 0xF0) {
                    int size = switch (status) {
                        case 0xF1, 0xF3 -> 1;
                        case 0xF2 -> 2;
                        case 0xF6, 0xF8, 0xFA, 0xFB, 0xFC, 0xFE -> 0;
                        default -> throw corrupt(String.format(Locale.ROOT, "has the undefined status byte 0x%02X "
                                + "in track %d", status, index + 1));
                    };
                    for (int i = 0; i < size; i++) {
                        data(p++, end, index);
                    }
                    running = -1;
                } else {
                    int command = status & 0xF0;
                    int channel = status & 0x0F;
                    int d1 = data(p++, end, index);
                    int d2 = command == 0xC0 || command == 0xD0 ? 0 : data(p++, end, index);
                    running = status;
                    if (command == 0xC0) {
                        program[channel] = d1;
                    } else if (command == 0x90 && d2 > 0) {
                        open.add(channel << 7 | d1, tick);
                    } else if (command == 0x80 || command == 0x90) {
                        close(index, channel, d1, tick, program[channel]);
                    }
                }
            }
        }

        /** A set-tempo event of track 0, as pretty_midi's {@code _load_tempo_changes} reads it. */
        private void tempo(long tick, int at, int length) throws Unreadable {
            if (length < 3) {
                throw corrupt("has a tempo event with " + length + " data bytes; it needs 3");
            }
            int micros = (b[at] & 0xFF) << 16 | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF);
            if (micros == 0) {
                throw corrupt("sets a tempo of 0 microseconds per quarter note (at tick " + tick + "): a beat cannot "
                        + "last no time");
            }
            double scale = 60.0 / ((6e7 / micros) * ppq);
            if (tick == 0) {
                segments = 1;
                segScale[0] = scale;
            } else if (scale != segScale[segments - 1]) {
                if (segments == segTick.length) {
                    segTick = Arrays.copyOf(segTick, segments * 2);
                    segScale = Arrays.copyOf(segScale, segments * 2);
                }
                segTick[segments] = tick;
                segScale[segments] = scale;
                segments++;
            }
        }

        /** A note-off (or note-on with velocity 0): closes the open notes of that channel and pitch. */
        private void close(int track, int channel, int key, long tick, int program) throws Unreadable {
            int slot = channel << 7 | key;
            int count = open.count(slot);
            if (count == 0) {
                return;
            }
            long[] starts = open.starts(slot);
            int kept = 0;
            int closed = 0;
            for (int i = 0; i < count; i++) {
                if (starts[i] == tick) {
                    starts[kept++] = starts[i];
                } else {
                    note(track, channel, program, key, starts[i], tick);
                    closed++;
                }
            }
            open.truncate(slot, closed > 0 && kept > 0 ? kept : 0);
        }

        private void note(int track, int channel, int program, int key, long start, long end) throws Unreadable {
            if (notes == limits.maxNotes()) {
                throw new Unreadable(Unreadable.Reason.TOO_MANY_NOTES, "has more than " + limits.maxNotes()
                        + " notes");
            }
            if (notes == startTick.length) {
                int size = notes * 2;
                startTick = Arrays.copyOf(startTick, size);
                endTick = Arrays.copyOf(endTick, size);
                pitch = Arrays.copyOf(pitch, size);
                instrument = Arrays.copyOf(instrument, size);
                ordinal = Arrays.copyOf(ordinal, size);
            }
            long id = (long) track << 16 | channel << 8 | program;
            startTick[notes] = start;
            endTick[notes] = end;
            pitch[notes] = key;
            instrument[notes] = TimedNote.instrumentOf(program, channel == DRUM_CHANNEL);
            ordinal[notes] = instruments.computeIfAbsent(id, k -> instruments.size());
            notes++;
        }

        /** The notes in seconds, sorted by start, pitch, then pretty_midi's instrument and note order. */
        private List<TimedNote> timed() throws Unreadable {
            segmentTimes();
            double[] start = new double[notes];
            double[] end = new double[notes];
            double last = 0;
            for (int i = 0; i < notes; i++) {
                start[i] = seconds(startTick[i]);
                end[i] = Math.max(seconds(endTick[i]), start[i]);
                last = Math.max(last, end[i]);
            }
            if (last > limits.maxSeconds()) {
                throw new Unreadable(Unreadable.Reason.TOO_LONG, "lasts " + minutes(last) + " (its last note ends "
                        + "then); at most " + minutes(limits.maxSeconds()) + " are read");
            }
            Integer[] order = new Integer[notes];
            for (int i = 0; i < notes; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> start[i]).thenComparingInt(i -> pitch[i])
                    .thenComparingInt(i -> ordinal[i]).thenComparingInt(i -> i));
            List<TimedNote> out = new ArrayList<>(notes);
            for (int i : order) {
                out.add(new TimedNote(instrument[i], pitch[i], start[i], end[i]));
            }
            return out;
        }

        /**
         * pretty_midi's tick-to-time map: the time its segment starts plus the segment's scale times the ticks into it
         * (the last segment starting at or before the tick, so that of two tempo events at one tick the second counts).
         */
        private double seconds(long tick) {
            if (ppq == 0) {
                return tick * smpteSecondsPerTick;
            }
            int lo = 0;
            int hi = segments - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (segTick[mid] <= tick) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return segTime[lo] + segScale[lo] * (tick - segTick[lo]);
        }

        /** Start time of each tempo segment, accumulated as pretty_midi's {@code _update_tick_to_time} does. */
        private void segmentTimes() {
            segTime = new double[Math.max(segments, 1)];
            for (int i = 1; i < segments; i++) {
                segTime[i] = segTime[i - 1] + segScale[i - 1] * (segTick[i] - segTick[i - 1]);
            }
        }

        // --- bytes ----------------------------------------------------------------------------------------------

        private int next(int p, int end, int track) throws Unreadable {
            if (p >= end) {
                throw corrupt("is truncated or lies about a length: an event runs past the end of track " + (track + 1));
            }
            return b[p] & 0xFF;
        }

        private int data(int p, int end, int track) throws Unreadable {
            int d = next(p, end, track);
            if (d > 0x7F) {
                throw corrupt(String.format(Locale.ROOT, "has the byte 0x%02X where a data byte (0-127) belongs in "
                        + "track %d", d, track + 1));
            }
            return d;
        }

        /** A variable-length quantity at {@code p} (at most four bytes) that must fit before {@code end}. */
        private int length(int p, int end, int track) throws Unreadable {
            long value = 0;
            for (int n = 1;; n++) {
                int c = next(p++, end, track);
                value = value << 7 | (c & 0x7F);
                if (c < 0x80) {
                    break;
                }
                if (n == 4) {
                    throw corrupt("has a length longer than four bytes in track " + (track + 1));
                }
            }
            if (value > end - p) {
                throw corrupt("is truncated or lies about a length: an event of track " + (track + 1) + " declares "
                        + value + " bytes, but its chunk has " + (end - p) + " left");
            }
            return (int) value;
        }

        private int skipLength(int p) {
            while ((b[p] & 0x80) != 0) {
                p++;
            }
            return p + 1;
        }

        private String ascii(int at) {
            return new String(b, at, 4, StandardCharsets.ISO_8859_1);
        }

        private int u16(int at) {
            return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
        }

        private long u32(int at) {
            return Integer.toUnsignedLong((b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8
                    | (b[at + 3] & 0xFF));
        }
    }

    /**
     * The open notes of one track: for each channel and pitch, the ticks of its note-ons not yet closed. The arrays
     * are kept from track to track, so that thousands of tracks cost no allocation each.
     */
    private static final class OpenNotes {
        private final long[][] starts = new long[16 * 128][];
        private final int[] counts = new int[16 * 128];
        private final boolean[] listed = new boolean[16 * 128];
        private final int[] used = new int[16 * 128];
        private int usedCount;

        void clear() {
            for (int i = 0; i < usedCount; i++) {
                counts[used[i]] = 0;
                listed[used[i]] = false;
            }
            usedCount = 0;
        }

        void add(int slot, long tick) {
            if (!listed[slot]) {
                listed[slot] = true;
                used[usedCount++] = slot;
            }
            long[] list = starts[slot];
            if (list == null) {
                list = starts[slot] = new long[4];
            } else if (counts[slot] == list.length) {
                list = starts[slot] = Arrays.copyOf(list, list.length * 2);
            }
            list[counts[slot]++] = tick;
        }

        int count(int slot) {
            return counts[slot];
        }

        long[] starts(int slot) {
            return starts[slot];
        }

        void truncate(int slot, int count) {
            counts[slot] = count;
        }
    }

    private static Unreadable corrupt(String message) {
        return new Unreadable(Unreadable.Reason.CORRUPT, message);
    }

    /** ", it looks like a PNG image" and the like, for the formats people send by mistake; else "". */
    static String looksLike(byte[] b) {
        String head = new String(b, 0, Math.min(b.length, 16), StandardCharsets.ISO_8859_1);
        String what;
        if (head.startsWith("\u0089PNG")) {
            what = "a PNG image";
        } else if (head.startsWith("\u00FF\u00D8\u00FF")) {
            what = "a JPEG image";
        } else if (head.startsWith("GIF8")) {
            what = "a GIF image";
        } else if (head.startsWith("RIFF") && head.startsWith("WEBP", 8)) {
            what = "a WebP image";
        } else if (head.startsWith("RIFF") && head.startsWith("WAVE", 8)) {
            what = "WAV audio: ARIA reads notes, not sound";
        } else if (head.startsWith("ID3") || head.startsWith("OggS") || head.startsWith("fLaC")) {
            what = "compressed audio: ARIA reads notes, not sound";
        } else if (head.startsWith("%PDF")) {
            what = "a PDF document";
        } else if (head.startsWith("PK\u0003\u0004")) {
            what = "a ZIP archive (MusicXML .mxl and MuseScore files are ZIP archives: export a .mid instead)";
        } else if (head.startsWith("<")) {
            what = "XML or HTML (for MusicXML, export a .mid instead)";
        } else if (head.chars().allMatch(c -> c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7F))) {
            what = "text";
        } else {
            return "";
        }
        return "; it looks like " + what;
    }

    private static String minutes(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : s < 3600 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d h %02d min", s / 3600, s / 60 % 60);
    }
}
