package dev.aria.music;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aria.midi.Part;
import dev.aria.midi.TimedNote;

/**
 * The event vocabulary shared with the Python pipeline ({@code training/vocab.py} writes {@code models/vocab.json}).
 *
 * <p>Ids: 0 {@code <PAD>}, 1 {@code <START>}; then for each instrument (drums, guitar, bass, piano, strings), OFF then
 * ON, pitches 21..108; then TIMESHIFT 8..1000 ms in 8 ms steps; the discrete_token variant appends five valence and
 * five arousal bins. Token texts starting with {@code <} are special and never sampled.
 */
public final class Vocabulary {

    public static final int PAD = 0;
    public static final int START = 1;

    private final List<String> tokens;
    private final List<String> instruments;
    private final int baseSize;
    private final int pitchMin;
    private final int pitchCount;
    private final int timeStepMs;
    private final int firstTimeshift;
    private final double[] binEdges;
    private final Map<String, Integer> velocity;
    private final Map<String, Integer> program;
    private final int drumChannel;

    private Vocabulary(JsonNode json) {
        ObjectMapper mapper = new ObjectMapper();
        this.tokens = mapper.convertValue(json.get("tokens"), mapper.getTypeFactory().constructCollectionType(List.class, String.class));
        this.instruments = mapper.convertValue(json.get("instruments"), mapper.getTypeFactory().constructCollectionType(List.class, String.class));
        this.baseSize = json.get("base_size").asInt();
        this.pitchMin = json.get("pitch_min").asInt();
        this.pitchCount = json.get("pitch_max").asInt() - pitchMin + 1;
        this.timeStepMs = json.get("time_step_ms").asInt();
        this.firstTimeshift = 2 + instruments.size() * 2 * pitchCount;
        this.binEdges = mapper.convertValue(json.get("emotion_bin_edges"), double[].class);
        this.velocity = mapper.convertValue(json.get("velocity"), mapper.getTypeFactory().constructMapType(Map.class, String.class, Integer.class));
        this.program = mapper.convertValue(json.get("program"), mapper.getTypeFactory().constructMapType(Map.class, String.class, Integer.class));
        this.drumChannel = json.get("drum_channel").asInt();
        if (!tokens.get(firstTimeshift).equals("TIMESHIFT_" + timeStepMs)) {
            throw new IllegalStateException("vocab.json is inconsistent: token " + firstTimeshift + " is " + tokens.get(firstTimeshift));
        }
    }

    public static Vocabulary load(Path file) throws IOException {
        return new Vocabulary(new ObjectMapper().readTree(file.toFile()));
    }

    /** Number of tokens without the emotion bins (1,007). */
    public int baseSize() {
        return baseSize;
    }

    /** Number of tokens with the emotion bins (1,017). */
    public int fullSize() {
        return tokens.size();
    }

    public String token(int id) {
        return tokens.get(id);
    }

    public List<String> instruments() {
        return instruments;
    }

    public boolean isSpecial(int id) {
        return tokens.get(id).startsWith("<");
    }

    public boolean isTimeshift(int id) {
        return id >= firstTimeshift && id < baseSize;
    }

    /** Milliseconds of a TIMESHIFT token. */
    public int timeshiftMs(int id) {
        return (id - firstTimeshift + 1) * timeStepMs;
    }

    /** Length of one time step (8 ms): the grid of every time in the representation. */
    public int timeStepMs() {
        return timeStepMs;
    }

    public boolean isNote(int id) {
        return id >= 2 && id < firstTimeshift;
    }

    /** Instrument index (into {@link #instruments()}) of a note token. */
    public int noteInstrument(int id) {
        return (id - 2) / (2 * pitchCount);
    }

    public boolean noteOn(int id) {
        return ((id - 2) / pitchCount) % 2 == 1;
    }

    public int notePitch(int id) {
        return pitchMin + (id - 2) % pitchCount;
    }

    /** Lowest and highest pitch a note token carries (21 and 108). */
    public int pitchMin() {
        return pitchMin;
    }

    public int pitchMax() {
        return pitchMin + pitchCount - 1;
    }

    /** A pitch brought into {@link #pitchMin()}..{@link #pitchMax()} by octaves ({@code midi_tokens.fold_pitch}). */
    public int foldByOctaves(int pitch) {
        while (pitch < pitchMin()) {
            pitch += 12;
        }
        while (pitch > pitchMax()) {
            pitch -= 12;
        }
        return pitch;
    }

    /**
     * The tokens with every pitched (not drum) note moved by {@code semitones} and folded into range by octaves; drum
     * notes, time shifts and special tokens unchanged. A piece a key-normalised decoder wrote in C goes back to its
     * primer's key this way.
     */
    public int[] transpose(int[] tokens, int semitones) {
        int[] out = tokens.clone();
        if (semitones == 0) {
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            int t = out[i];
            if (isNote(t) && noteInstrument(t) != TimedNote.DRUMS) {
                out[i] = noteToken(noteInstrument(t), noteOn(t), foldByOctaves(notePitch(t) + semitones));
            }
        }
        return out;
    }

    /** Longest TIMESHIFT token, in milliseconds (1,000). */
    public int maxShiftMs() {
        return (baseSize - firstTimeshift) * timeStepMs;
    }

    /** The TIMESHIFT token of {@code ms}, a multiple of the time step from one step to {@link #maxShiftMs()}. */
    public int timeshiftToken(int ms) {
        return firstTimeshift + ms / timeStepMs - 1;
    }

    public int noteToken(int instrument, boolean on, int pitch) {
        return 2 + instrument * 2 * pitchCount + (on ? pitchCount : 0) + (pitch - pitchMin);
    }

    /** Five-bin quantisation of a value in [-1, 1] to -2..2; a value on an edge falls in the lower bin. */
    public int emotionBin(double x) {
        int b = 0;
        for (double e : binEdges) {
            if (x > e) {
                b++;
            }
        }
        return b - 2;
    }

    public int valenceToken(double v) {
        return tokens.indexOf("<V" + emotionBin(v) + ">");
    }

    public int arousalToken(double a) {
        return tokens.indexOf("<A" + emotionBin(a) + ">");
    }

    /**
     * The MIDI track of each instrument, in vocabulary order, as {@code training/midi_tokens.py} writes them: drums on
     * the drum channel without a program, the others on channels 0, 1, 2, ... with their General MIDI programs, each
     * with its fixed velocity.
     */
    public List<Part> parts() {
        List<Part> parts = new ArrayList<>();
        int channel = 0;
        for (String instrument : instruments) {
            String name = instrument.toLowerCase(Locale.ROOT);
            if ("DRUMS".equals(instrument)) {
                parts.add(new Part(name, drumChannel, OptionalInt.empty(), velocity.get(instrument)));
            } else {
                channel += channel == drumChannel ? 1 : 0;
                parts.add(new Part(name, channel++, OptionalInt.of(program.get(instrument)), velocity.get(instrument)));
            }
        }
        return parts;
    }
}
