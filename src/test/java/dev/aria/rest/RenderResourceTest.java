package dev.aria.rest;

import static dev.aria.testing.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import org.junit.jupiter.api.Test;

import dev.aria.testing.LogCapture;
import dev.aria.testing.Midis;
import dev.aria.testing.Multipart;
import dev.aria.testing.RawHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class RenderResourceTest {

    private static final Path FLUID = Path.of("/usr/share/sounds/sf2/FluidR3_GM.sf2");

    @TestHTTPResource("/")
    URL root;

    private static Response render(byte[] midi) {
        return given().multiPart("midi", "chord.mid", midi, "audio/midi").when().post("/render");
    }

    @Test
    void rendersAMidiFileAsWavNamingTheSoundFont() throws Exception {
        Response r = render(Midis.chord(500_000, 4)); // four quarters at 120 bpm: 2 s
        assertEquals(200, r.statusCode(), r.asString());
        assertThat(r.contentType(), startsWith("audio/wav"));
        assertEquals(Files.isReadable(FLUID) ? "FluidR3_GM.sf2" : "jdk-builtin", r.header("ARIA-SoundFont"),
                "the configured SoundFont when installed, else the JDK's own sounds");
        assertEquals("2000", r.header("ARIA-Duration-Ms"));
        assertEquals("inline; filename=\"chord.wav\"", r.header("Content-Disposition"));

        byte[] wav = r.asByteArray();
        assertEquals("RIFF", new String(wav, 0, 4, StandardCharsets.US_ASCII));
        assertEquals("WAVE", new String(wav, 8, 4, StandardCharsets.US_ASCII));
        AudioInputStream audio = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav));
        AudioFormat format = audio.getFormat();
        assertEquals(44_100, format.getSampleRate());
        assertEquals(2, format.getChannels());
        assertEquals(16, format.getSampleSizeInBits());
        assertEquals(4 * 44_100, audio.getFrameLength(), 2, "the music plus a two-second tail");

        short[] samples = samples(audio.readAllBytes());
        int peakWhilePlaying = peak(samples, 0, 2 * 44_100 * 2);
        assertTrue(peakWhilePlaying > 1000, "audible while the chord plays: peak " + peakWhilePlaying);
        int peakAtTheEnd = peak(samples, samples.length - 4410, samples.length);
        assertTrue(peakAtTheEnd < peakWhilePlaying / 4, "quiet at the end of the tail: " + peakAtTheEnd);
    }

    @Test
    void aClientThatPrefersFlacGetsLosslessFlacAtAboutHalfTheSize() {
        byte[] midi = given().multiPart("valence", "0.5").multiPart("arousal", "0.2").multiPart("gen_len", "160")
                .multiPart("seed", "8").multiPart("min_instruments", "1")
                .when().post("/generate").then().statusCode(200).extract().asByteArray();
        Response wav = given().multiPart("midi", "aria-8.mid", midi, "audio/midi").when().post("/render");
        Response flac = given().accept("audio/flac, audio/wav;q=0.5").multiPart("midi", "aria-8.mid", midi,
                "audio/midi").when().post("/render");
        assertEquals(200, flac.statusCode(), flac.asString());
        assertThat(flac.contentType(), startsWith("audio/flac"));
        assertEquals("inline; filename=\"aria-8.flac\"", flac.header("Content-Disposition"));
        assertEquals("Accept", flac.header("Vary"));
        byte[] f = flac.asByteArray();
        assertEquals("fLaC", new String(f, 0, 4, StandardCharsets.US_ASCII));
        // STREAMINFO (the first metadata block, 34 bytes from offset 8): 20 bits of sample rate, 3 of channels - 1,
        // 5 of bits per sample - 1
        long packed = ((f[18] & 0xFFL) << 16) | ((f[19] & 0xFFL) << 8) | (f[20] & 0xFFL);
        assertEquals(44_100, packed >> 4, "sample rate");
        assertEquals(2, ((packed >> 1) & 0x7) + 1, "channels");
        assertEquals(16, (((f[20] & 1) << 4) | ((f[21] & 0xF0) >> 4)) + 1, "bits per sample");
        long samples = ((f[21] & 0x0FL) << 32) | ((f[22] & 0xFFL) << 24) | ((f[23] & 0xFFL) << 16)
                | ((f[24] & 0xFFL) << 8) | (f[25] & 0xFFL);
        assertEquals((wav.asByteArray().length - 44) / 4, samples, 1, "total samples: the WAV's frames");
        int wavBytes = wav.asByteArray().length;
        assertTrue(f.length < 0.7 * wavBytes, f.length + " bytes of FLAC against " + wavBytes + " of WAV");
        assertTrue(f.length > wavBytes / 50, "the FLAC holds the music, not silence: " + f.length + " bytes");
    }

    @Test
    void followsTheTempoMap() {
        Response r = render(Midis.chord(1_000_000, 4)); // 60 bpm: four quarters last 4 s
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("4000", r.header("ARIA-Duration-Ms"));
        assertEquals(44 + 6L * 44_100 * 4, r.asByteArray().length, 8, "4 s of music + 2 s tail, 4 bytes a frame");
    }

    @Test
    void rendersWhatGenerateComposed() throws Exception {
        byte[] midi = given().multiPart("valence", "-0.5").multiPart("arousal", "0.7").multiPart("gen_len", "96")
                .multiPart("seed", "3").multiPart("min_instruments", "1")
                .when().post("/generate").then().statusCode(200).extract().asByteArray();
        Response r = given().multiPart("midi", "aria-3.mid", midi, "audio/midi").when().post("/render");
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("inline; filename=\"aria-3.wav\"", r.header("Content-Disposition"));
        AudioInputStream audio = AudioSystem.getAudioInputStream(new ByteArrayInputStream(r.asByteArray()));
        short[] samples = samples(audio.readAllBytes());
        assertTrue(peak(samples, 0, samples.length) > 500, "the generated music is audible");
    }

    @Test
    void refusesAFileThatIsNotMidiNamingTheField() {
        Response r = given().multiPart("midi", "song.mid", "not music at all".getBytes(StandardCharsets.UTF_8),
                "audio/midi").when().post("/render");
        assertProblem(r, 415, "not-midi", "midi");
        Response png = given().multiPart("midi", "starry-night.jpg",
                dev.aria.testing.TestImages.example("starry-night.jpg"), "image/jpeg").when().post("/render");
        assertProblem(png, 415, "not-midi", "midi");
    }

    @Test
    void refusesADamagedMidiFile() {
        byte[] midi = Midis.chord(500_000, 4);
        assertThat(assertProblem(render(Arrays.copyOf(midi, midi.length - 20)), 400, "corrupt-midi", "midi")
                .getString("detail"), containsString("truncated"));
    }

    @Test
    void refusesMusicLongerThanTenMinutesBeforeSynthesisingIt() {
        Response r = render(Midis.noteAt(11 * 60));
        assertThat(assertProblem(r, 400, "midi-too-long", "midi").getString("detail"), containsString("11 min"));
    }

    @Test
    void refusesAFileLargerThanOneMebibyte() {
        byte[] big = new byte[1024 * 1024 + 1];
        System.arraycopy(Midis.chord(500_000, 1), 0, big, 0, 14);
        assertProblem(render(big), 413, "file-too-large", "midi");
    }

    @Test
    void namesTheMidiPartWhenItIsMissingOrMisnamed() {
        Response misnamed = given().multiPart("file", "chord.mid", Midis.chord(500_000, 1), "audio/midi")
                .when().post("/render");
        assertProblem(misnamed, 400, "wrong-field-name", "midi");
        Response missing = given().multiPart("note", "hello").when().post("/render");
        assertThat(assertProblem(missing, 400, "missing-field", "midi").getString("detail"),
                containsString("curl -F midi=@music.mid"));
    }

    /** One way for a client to walk away from a render, given the open connection once its request has been sent. */
    @FunctionalInterface
    private interface Abandon {
        void leave(Socket socket, InputStream in) throws Exception;
    }

    /**
     * A render holds the only render slot (aria.audio.max-concurrent=1) from the moment its file is checked until its
     * response has ended, however it ends. Each way of walking away from a two-minute render (21 MB of WAV) is tried in
     * turn, and after each a new render must be served within 20 s: a slot that leaked would answer 503 for ever. (The
     * renderer stops once it sees its client has gone, within a fraction of a second here; the bound leaves room for a
     * loaded machine, on which even a render played to its end fits.)
     */
    @Test
    void rendersAbandonedAtAnyPointFreeTheirSlot() throws Exception {
        Multipart form = new Multipart().file("midi", "long.mid", "audio/midi", Midis.chord(500_000, 240));
        byte[] body = form.bytes();
        Map<String, Abandon> ways = new LinkedHashMap<>();
        ways.put("as soon as its request is sent", (socket, in) -> { });
        ways.put("once the answer has begun, while the slot is held", (socket, in) -> {
            assertThat(RawHttp.line(in), startsWith("HTTP/1.1 200"));
            RawHttp.headers(in);
            assertProblem(render(Midis.chord(500_000, 1)), 503, "overloaded", null);
        });
        ways.put("half-way through the WAV", (socket, in) -> {
            RawHttp.headers(in);
            assertEquals(64 * 1024, in.readNBytes(64 * 1024).length);
        });
        ways.put("half-way through the WAV, with a reset", (socket, in) -> {
            RawHttp.headers(in);
            in.readNBytes(64 * 1024);
            socket.setSoLinger(true, 0);
        });
        try (LogCapture errors = LogCapture.atLeast(Level.SEVERE)) {
            for (Map.Entry<String, Abandon> way : ways.entrySet()) {
                try (Socket socket = RawHttp.send(root.getHost(), root.getPort(), form.head("/render"), body)) {
                    way.getValue().leave(socket, socket.getInputStream());
                }
                long left = System.nanoTime();
                assertEquals(200, statusOnceFree(Duration.ofSeconds(20)), "a render left " + way.getKey()
                        + " still holds the render slot");
                System.out.printf("render left %s: slot free again after %d ms%n", way.getKey(),
                        (System.nanoTime() - left) / 1_000_000);
            }
            // a client that leaves half-way through its upload never reaches the renderer
            RawHttp.send(root.getHost(), root.getPort(), form.head("/render"), Arrays.copyOf(body, body.length / 2))
                    .close();
            assertEquals(200, statusOnceFree(Duration.ofSeconds(20)), "an upload left half-way holds the slot");
            assertEquals(List.of(), errors.lines(), "a client that walks away is no server error");
        }
    }

    /** Renders a short file until it is not refused as busy (503) or {@code within} has passed; its status. */
    private static int statusOnceFree(Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        int status = render(Midis.chord(500_000, 1)).statusCode();
        while (status == 503 && System.nanoTime() < until) {
            Thread.sleep(100);
            status = render(Midis.chord(500_000, 1)).statusCode();
        }
        return status;
    }

    private static short[] samples(byte[] pcm) {
        short[] s = new short[pcm.length / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) ((pcm[2 * i] & 0xFF) | (pcm[2 * i + 1] << 8));
        }
        return s;
    }

    private static int peak(short[] s, int from, int to) {
        int peak = 0;
        for (int i = Math.max(0, from); i < Math.min(s.length, to); i++) {
            peak = Math.max(peak, Math.abs(s[i]));
        }
        return peak;
    }
}
