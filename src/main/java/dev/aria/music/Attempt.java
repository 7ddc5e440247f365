package dev.aria.music;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One attempt at a piece, as midi-emotion's generator makes it (see {@code training/sample.py}, whose semantics this
 * mirrors): its own random stream, the music sampled so far and the sampler's repetition count. It decodes one stream,
 * or two when guided: the conditional stream and the one it is contrasted with (the null condition, or the opposite
 * valence), fed the same tokens; their log-probabilities are combined as {@code other + w (cond - other)} before the
 * pick. The engine thread alone touches it.
 */
final class Attempt {

    private static final double PENALTY_COEFF = 0.5;

    enum State { RUNNING, DONE, STOPPED, CANCELLED, PREEMPTED }

    final Job job;
    /** 0-based candidate this attempt is for. */
    final int candidate;
    /** 0-based attempt number within its candidate. */
    final int index;
    /** Cache rows of its streams (role 0 conditional, role 1 contrast). */
    final int[] rows;
    /** Whether its streams are spare ones, taken beside the job's reserved attempt. */
    final boolean extra;
    private final SplittableRandom random;
    private final int[] music;
    private final double[] row0;
    private final double[] row1;
    private int length;
    private int smallNuclei;
    private int instrumentMask;
    private int instruments;
    private long musicMs;
    private State state = State.RUNNING;
    boolean needsPrefix = true;

    Attempt(Job job, int candidate, int index, SplittableRandom random, int streams, boolean extra) {
        this.job = job;
        this.candidate = candidate;
        this.index = index;
        this.random = random;
        this.rows = new int[streams];
        this.extra = extra;
        this.music = new int[job.settings.genLen()];
        int v = job.card.vocabSize();
        this.row0 = new double[v];
        this.row1 = streams > 1 ? new double[v] : null;
    }

    State state() {
        return state;
    }

    boolean running() {
        return state == State.RUNNING;
    }

    void end(State s) {
        if (state == State.RUNNING) {
            state = s;
        }
    }

    int length() {
        return length;
    }

    int instruments() {
        return instruments;
    }

    long musicMs() {
        return musicMs;
    }

    int[] music() {
        return Arrays.copyOf(music, length);
    }

    /** The token before the next one: the last sampled, else the primer's last, else {@code <START>}. */
    int lastToken() {
        if (length > 0) {
            return music[length - 1];
        }
        int[] primer = job.primerTail;
        return primer.length > 0 ? primer[primer.length - 1] : Vocabulary.START;
    }

    /**
     * The prefix of stream {@code role}: the emotion slots (the contrast's for role 1), then {@code <START>} and the
     * primer's last tokens, if any.
     */
    int[] prefix(int role) {
        return job.prefix(role);
    }

    /**
     * The window slide of stream {@code role}: its emotion slots as they are now (a moving emotion has moved), then the
     * most recent half of the trained window of the music so far (the primer's, then the generated tokens), to be
     * encoded from an empty cache ({@code <START>} has scrolled out of the window by then, as in the reference).
     */
    int[] window(int role) {
        int[] slots = job.slots(role, length);
        int n = slots.length;
        int keep = job.slideKeeps();
        int[] primer = job.primerTail;
        int[] w = new int[n + keep];
        System.arraycopy(slots, 0, w, 0, n);
        for (int j = 0; j < keep; j++) {
            int at = primer.length + length - keep + j; // position in primer tail ++ music
            w[n + j] = at < primer.length ? primer[at] : music[at - primer.length];
        }
        return w;
    }

    /** Writes stream {@code role}'s condition and condition mask at batch entry {@code b}. */
    void condition(int role, float[] conditions, float[] masks, int b) {
        conditions[2 * b] = (float) job.valence(role, length);
        conditions[2 * b + 1] = (float) job.arousal(length);
        masks[b] = role == 1 && job.contrast == Guidance.Contrast.NULL ? 0f : 1f;
    }

    /** Samples the next token from logits of its streams at {@code offsets[role]} of {@code logits}. */
    void sample(FloatBuffer logits, int offset0, int offset1, NucleusSampler sampler) {
        int v = row0.length;
        for (int i = 0; i < v; i++) {
            row0[i] = logits.get(offset0 + i);
        }
        if (row1 != null) {
            for (int i = 0; i < v; i++) {
                row1[i] = logits.get(offset1 + i);
            }
            Guidance.combine(row0, row1, job.settings.guidance());
        }
        GenerationSettings s = job.settings;
        Vocabulary vocab = job.vocab;
        double base = vocab.isTimeshift(lastToken()) ? s.noteTemperature() : s.restTemperature();
        double temperature = base * (1 + Math.max(0.0, Math.log((smallNuclei + 1) / 4.0) * PENALTY_COEFF));
        NucleusSampler.Pick pick = sampler.pick(row0, temperature, s.topP(), random.nextDouble());
        smallNuclei = pick.kept() <= 2 ? smallNuclei + 1 : smallNuclei / 2;
        int tok = pick.token();
        music[length++] = tok;
        if (vocab.isTimeshift(tok)) {
            musicMs += vocab.timeshiftMs(tok);
        } else if (vocab.isNote(tok) && vocab.noteOn(tok)) {
            int bit = 1 << vocab.noteInstrument(tok);
            if ((instrumentMask & bit) == 0) {
                instrumentMask |= bit;
                instruments++;
                if (instruments == s.minInstruments()) {
                    job.metMinimum(this);
                }
            }
        }
        if (length == music.length || (s.durationMs() > 0 && musicMs >= s.durationMs())) {
            end(State.DONE);
        }
    }
}
