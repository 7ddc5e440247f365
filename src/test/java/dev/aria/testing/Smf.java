package dev.aria.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Standard MIDI Files byte by byte, for tests of what a reader must accept or refuse (javax.sound.midi writes only
 * well-formed files). */
public final class Smf {

    private Smf() {
    }

    /** A header chunk and the given chunks, the header announcing {@code tracks} tracks. */
    public static byte[] file(int format, int tracks, int division, byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(chunk("MThd", new byte[] { 0, (byte) format, (byte) (tracks >> 8), (byte) tracks,
                (byte) (division >> 8), (byte) division }));
        for (byte[] c : chunks) {
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    /** A file whose header announces exactly the track chunks given. */
    public static byte[] file(int format, int division, byte[]... tracks) {
        return file(format, tracks.length, division, tracks);
    }

    /** An {@code MTrk} chunk of the events, then an end-of-track event. */
    public static byte[] track(byte[]... events) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (byte[] e : events) {
            data.writeBytes(e);
        }
        data.writeBytes(event(0, 0xFF, 0x2F, 0));
        return chunk("MTrk", data.toByteArray());
    }

    /** A chunk: four-letter type, 32-bit length, data. */
    public static byte[] chunk(String type, byte[] data) {
        return chunk(type, data.length, data);
    }

    /** A chunk that declares {@code length} bytes whatever it holds. */
    public static byte[] chunk(String type, long length, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(type.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] { (byte) (length >> 24), (byte) (length >> 16), (byte) (length >> 8), (byte) length });
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** An event: its delta time, then its bytes (status included unless running status is meant). */
    public static byte[] event(long delta, int... bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(vlq(delta));
        for (int b : bytes) {
            out.write(b);
        }
        return out.toByteArray();
    }

    /** A set-tempo meta event. */
    public static byte[] tempo(long delta, int microsPerQuarter) {
        return event(delta, 0xFF, 0x51, 3, microsPerQuarter >> 16 & 0xFF, microsPerQuarter >> 8 & 0xFF,
                microsPerQuarter & 0xFF);
    }

    /** A variable-length quantity. */
    public static byte[] vlq(long value) {
        int n = 1;
        while (value >> (7 * n) != 0) {
            n++;
        }
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) ((value >> (7 * (n - 1 - i)) & 0x7F) | (i < n - 1 ? 0x80 : 0));
        }
        return out;
    }
}
