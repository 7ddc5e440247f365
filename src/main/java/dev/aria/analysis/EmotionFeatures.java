package dev.aria.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

import dev.aria.midi.TimedNote;

/**
 * The 37 music-theory features of {@code training/emotion_features.py features(notes)}, the valence labeller's input,
 * and midi-emotion's raw arousal ({@code arousal_raw}), ported line by line; the cross-language vectors
 * ({@code training/tests/vectors/analysis.json}) hold both to the Python values. Drum notes are left out of every
 * feature; with no pitched note the features are all 0.
 *
 * <p>Where the Python code is quadratic in the number of notes (it leans on numpy), the port computes the same sums in
 * linear or n log n time, so that the largest accepted file costs milliseconds: the pitch-class weights of a window
 * that a note covers completely are counted once per window rather than once per note and window; the vertical
 * intervals are integrated over time from the number of notes sounding per pitch (the sum of pairwise overlaps is the
 * integral of the number of sounding pairs); the skyline keeps the earlier notes still sounding in a heap. Sums are
 * accumulated in another order than numpy's there, which moves results by about 1e-15 relative.
 */
public final class EmotionFeatures {

    /** Feature names, in the regressor's input order ({@code FEATURE_NAMES}). */
    public static final List<String> NAMES = List.of("kk_major_r", "kk_minor_r", "kk_major_minus_minor",
            "key_clarity", "third_quality", "local_kk_major_minus_minor", "pc_entropy", "triad_major_minus_minor",
            "triad_fit", "dim_aug_share", "harm_ic1", "harm_ic2", "harm_ic3", "harm_ic4", "harm_ic5", "harm_ic6",
            "dyadic_consonance", "mel_repeat", "mel_semitone", "mel_whole_tone", "mel_minor_third",
            "mel_major_third", "mel_tritone", "mel_leap", "mel_mean_abs_interval", "mel_up_share", "pitch_mean",
            "pitch_std", "pitch_range", "top_mean", "bass_mean", "log_note_density", "log_mean_duration",
            "articulation", "log_ioi_median", "polyphony", "silence_share");
    public static final int COUNT = NAMES.size();

    /** Krumhansl &amp; Kessler (1982) key profiles, tonic first. */
    private static final double[] KK_MAJOR = { 6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88 };
    private static final double[] KK_MINOR = { 6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17 };
    /** Huron (1994) aggregate dyadic consonance per interval class 1..6. */
    private static final double[] HURON_IC = { -1.428, -0.582, 0.594, 0.386, 1.240, -0.453 };
    private static final double ONSET_TOL = 0.03;
    private static final double CHORD_WIN = 1.0;
    private static final double CHORD_HOP = 0.5;
    private static final double KEY_WIN = 8.0;
    private static final double KEY_HOP = 4.0;
    private static final double MIN_SPAN = 0.25;
    /** Interval class (0-6) of two pitch classes {@code d} semitones apart, 0 <= d < 12. */
    private static final int[] INTERVAL_CLASS = { 0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1 };
    /** Windows a note may cover before its fully covered ones are counted in bulk. */
    private static final int BULK_AFTER = 8;

    private static final int KK_MAJOR_R = 0, KK_MINOR_R = 1, KK_MAJOR_MINUS_MINOR = 2, KEY_CLARITY = 3,
            THIRD_QUALITY = 4, LOCAL_KK = 5, PC_ENTROPY = 6, TRIAD_MM = 7, TRIAD_FIT = 8, DIM_AUG = 9, HARM_IC1 = 10,
            DYADIC = 16, MEL_REPEAT = 17, MEL_SEMITONE = 18, MEL_WHOLE = 19, MEL_MINOR3 = 20, MEL_MAJOR3 = 21,
            MEL_TRITONE = 22, MEL_LEAP = 23, MEL_MEAN_ABS = 24, MEL_UP = 25, PITCH_MEAN = 26, PITCH_STD = 27,
            PITCH_RANGE = 28, TOP_MEAN = 29, BASS_MEAN = 30, LOG_DENSITY = 31, LOG_MEAN_DUR = 32, ARTICULATION = 33,
            LOG_IOI = 34, POLYPHONY = 35, SILENCE = 36;

    private EmotionFeatures() {
    }

    /** midi-emotion's arousal before scaling: notes (drums too) per second of the piece (from 0 to the last note
     * end), divided by the number of instruments playing; 0 for no notes. */
    public static double arousalRaw(List<TimedNote> notes) {
        if (notes.isEmpty()) {
            return 0.0;
        }
        double end = Double.NEGATIVE_INFINITY;
        BitSet instruments = new BitSet();
        for (TimedNote n : notes) {
            end = Math.max(end, Math.max(n.end(), n.start()));
            instruments.set(n.instrument());
        }
        if (end <= 0) {
            return 0.0;
        }
        return notes.size() / end / instruments.cardinality();
    }

    /** The feature vector of a piece, float32 as the regressor reads it. */
    public static float[] features(List<TimedNote> notes) {
        double[] f = new double[COUNT];
        List<TimedNote> pitched = new ArrayList<>();
        for (TimedNote note : notes) {
            if (!note.drum()) {
                pitched.add(note);
            }
        }
        if (!pitched.isEmpty()) {
            new Piece(pitched).fill(f);
        }
        float[] out = new float[COUNT];
        for (int i = 0; i < COUNT; i++) {
            out[i] = Double.isFinite(f[i]) ? (float) f[i] : 0f;
        }
        return out;
    }

    /** The pitched notes of a piece as arrays sorted by (start, pitch), stable, as {@code _pitched_arrays}. */
    private static final class Piece {
        final int n;
        final int[] pitch;
        final double[] start;
        final double[] end;
        final double[] dur;
        /** Start of each onset group, set by {@link #melodyAndBass}. */
        double[] groupTimes;

        Piece(List<TimedNote> notes) {
            List<TimedNote> sorted = new ArrayList<>(notes);
            sorted.sort(Comparator.comparingDouble(TimedNote::start).thenComparingInt(TimedNote::pitch));
            n = sorted.size();
            pitch = new int[n];
            start = new double[n];
            end = new double[n];
            dur = new double[n];
            for (int i = 0; i < n; i++) {
                TimedNote t = sorted.get(i);
                pitch[i] = t.pitch();
                start[i] = t.start();
                end[i] = Math.max(t.end(), t.start());
                dur[i] = end[i] - start[i];
            }
        }

        void fill(double[] f) {
            double span = Math.max(max(end) - start[0], MIN_SPAN);
            tonality(f);
            chords(f);
            harmonicIntervals(f);
            int[] sky = melodyAndBass(f);
            register(f, sky);
            rhythm(f, span);
        }

        private void tonality(double[] f) {
            double[] hist = new double[12];
            for (int i = 0; i < n; i++) {
                hist[pitch[i] % 12] += Math.max(dur[i], 1e-3);
            }
            double total = sum(hist);
            for (int pc = 0; pc < 12; pc++) {
                hist[pc] /= total;
            }
            double[][] r = keyCorrelations(hist);
            double maj = max(r[0]);
            double min = max(r[1]);
            f[KK_MAJOR_R] = maj;
            f[KK_MINOR_R] = min;
            f[KK_MAJOR_MINUS_MINOR] = maj - min;
            f[KEY_CLARITY] = Math.max(maj, min);
            int tonic = 0;
            for (int t = 1; t < 12; t++) {
                if (Math.max(r[0][t], r[1][t]) > Math.max(r[0][tonic], r[1][tonic])) {
                    tonic = t;
                }
            }
            f[THIRD_QUALITY] = hist[(tonic + 4) % 12] - hist[(tonic + 3) % 12];
            double[][] kw = windowPcWeights(KEY_WIN, KEY_HOP);
            double diffs = 0;
            int windows = 0;
            for (double[] row : kw) {
                double rowSum = sum(row);
                int nonzero = 0;
                for (double v : row) {
                    nonzero += v != 0 ? 1 : 0;
                }
                if (rowSum > 0 && nonzero >= 2) {
                    double[] normalised = new double[12];
                    for (int pc = 0; pc < 12; pc++) {
                        normalised[pc] = row[pc] / rowSum;
                    }
                    double[][] w = keyCorrelations(normalised);
                    diffs += max(w[0]) - max(w[1]);
                    windows++;
                }
            }
            f[LOCAL_KK] = windows > 0 ? diffs / windows : maj - min;
            double entropy = 0;
            for (double h : hist) {
                if (h > 0) {
                    entropy += h * Math.log(h);
                }
            }
            f[PC_ENTROPY] = -entropy / Math.log(12);
        }

        private void chords(double[] f) {
            double[][] cw = windowPcWeights(CHORD_WIN, CHORD_HOP);
            double mm = 0;
            double fit = 0;
            int dimAug = 0;
            int kept = 0;
            for (double[] row : cw) {
                int positive = 0;
                for (double v : row) {
                    positive += v > 0 ? 1 : 0;
                }
                if (positive < 2) {
                    continue;
                }
                double rowSum = sum(row);
                double[] w = new double[12];
                for (int pc = 0; pc < 12; pc++) {
                    w[pc] = row[pc] / rowSum;
                }
                double bestMaj = bestTriad(w, 4, 7);
                double bestMin = bestTriad(w, 3, 7);
                double bestDa = Math.max(bestTriad(w, 3, 6), bestTriad(w, 4, 8));
                double bestMm = Math.max(bestMaj, bestMin);
                mm += bestMaj - bestMin;
                fit += bestMm;
                dimAug += bestDa > bestMm + 1e-9 ? 1 : 0;
                kept++;
            }
            if (kept > 0) {
                f[TRIAD_MM] = mm / kept;
                f[TRIAD_FIT] = fit / kept;
                f[DIM_AUG] = (double) dimAug / kept;
            }
        }

        /** Largest coverage of a triad {root, root + a, root + b} over the 12 roots. */
        private static double bestTriad(double[] w, int a, int b) {
            double best = Double.NEGATIVE_INFINITY;
            for (int root = 0; root < 12; root++) {
                // pitch classes in ascending order, as the template matrix product adds them
                int[] tones = { root, (root + a) % 12, (root + b) % 12 };
                Arrays.sort(tones);
                best = Math.max(best, w[tones[0]] + w[tones[1]] + w[tones[2]]);
            }
            return best;
        }

        /**
         * Overlap-weighted interval classes between simultaneously sounding notes: the sum over note pairs of their
         * overlap, per interval class, is the integral over time of the number of sounding pairs in that class. A
         * sweep over the note starts (already sorted) and ends keeps the number of sounding notes per pitch class
         * (the class of a pair depends on its pitch classes only; unisons and octaves, class 0, are not counted) and,
         * per interval class, the number of sounding pairs.
         */
        private void harmonicIntervals(double[] f) {
            Integer[] byEnd = new Integer[n];
            for (int i = 0; i < n; i++) {
                byEnd[i] = i;
            }
            Arrays.sort(byEnd, Comparator.comparingDouble(i -> end[i]));
            int[] sounding = new int[12];
            long[] pairs = new long[7];
            double[] icWeight = new double[7];
            double previous = start[0];
            int s = 0;
            int e = 0;
            while (e < n) {
                boolean isStart = s < n && start[s] <= end[byEnd[e]];
                int note = isStart ? s++ : byEnd[e++];
                double t = isStart ? start[note] : end[note];
                if (t > previous) {
                    for (int c = 1; c <= 6; c++) {
                        icWeight[c] += (t - previous) * pairs[c];
                    }
                    previous = t;
                }
                int pc = pitch[note] % 12;
                if (!isStart) {
                    sounding[pc]--;
                }
                int sign = isStart ? 1 : -1;
                for (int other = 0; other < 12; other++) {
                    if (other != pc && sounding[other] > 0) {
                        pairs[INTERVAL_CLASS[Math.abs(other - pc)]] += sign * sounding[other];
                    }
                }
                if (isStart) {
                    sounding[pc]++;
                }
            }
            double total = 0;
            for (int c = 1; c <= 6; c++) {
                total += icWeight[c];
            }
            if (total > 0) {
                double dyadic = 0;
                for (int c = 1; c <= 6; c++) {
                    double share = icWeight[c] / total;
                    f[HARM_IC1 + c - 1] = share;
                    dyadic += share * HURON_IC[c - 1];
                }
                f[DYADIC] = dyadic;
            }
        }

        /** Onset groups, the skyline melody and the bass line; returns the skyline's note indices. */
        private int[] melodyAndBass(double[] f) {
            // groups: a note starting more than ONSET_TOL after the previous one starts a new group
            int[] firsts = new int[n];
            int groups = 0;
            for (int i = 0; i < n; i++) {
                if (i == 0 || start[i] - start[i - 1] > ONSET_TOL) {
                    firsts[groups++] = i;
                }
            }
            double bassSum = 0;
            int[] sky = new int[groups];
            int skyCount = 0;
            // earlier notes (start < t - ONSET_TOL) still sounding after t + ONSET_TOL, by pitch; a heap by end
            // drops those that end before: the times t only grow
            int[] alive = new int[128];
            PriorityQueue<Integer> byEnd = new PriorityQueue<>(Comparator.comparingDouble(i -> end[i]));
            int added = 0;
            for (int g = 0; g < groups; g++) {
                int from = firsts[g];
                int to = g + 1 < groups ? firsts[g + 1] : n;
                int top = from;
                int bass = pitch[from];
                for (int i = from; i < to; i++) {
                    if (pitch[i] > pitch[top]) {
                        top = i;
                    }
                    bass = Math.min(bass, pitch[i]);
                }
                bassSum += bass;
                double t = start[top];
                int p = pitch[top];
                double earlierThan = t - ONSET_TOL;
                double after = t + ONSET_TOL;
                while (added < n && start[added] < earlierThan) {
                    byEnd.add(added);
                    alive[pitch[added]]++;
                    added++;
                }
                while (!byEnd.isEmpty() && !(end[byEnd.peek()] > after)) {
                    alive[pitch[byEnd.poll()]]--;
                }
                boolean covered = false;
                for (int q = p + 1; q < 128 && !covered; q++) {
                    covered = alive[q] > 0;
                }
                if (!covered) {
                    sky[skyCount++] = top;
                }
            }
            f[BASS_MEAN] = bassSum / groups;
            if (skyCount >= 2) {
                int intervals = skyCount - 1;
                int[] counts = new int[8];
                int absSum = 0;
                int up = 0;
                int moving = 0;
                double articulation = 0;
                for (int k = 0; k < intervals; k++) {
                    int iv = pitch[sky[k + 1]] - pitch[sky[k]];
                    int a = Math.abs(iv);
                    absSum += a;
                    if (a == 0) {
                        counts[0]++;
                    } else if (a <= 4 || a == 6) {
                        counts[a]++;
                    }
                    if (a >= 7) {
                        counts[7]++;
                    }
                    if (iv != 0) {
                        moving++;
                        up += iv > 0 ? 1 : 0;
                    }
                    double ioi = start[sky[k + 1]] - start[sky[k]];
                    articulation += Math.min(Math.max(dur[sky[k]] / Math.max(ioi, 1e-3), 0.0), 2.0);
                }
                f[MEL_REPEAT] = (double) counts[0] / intervals;
                f[MEL_SEMITONE] = (double) counts[1] / intervals;
                f[MEL_WHOLE] = (double) counts[2] / intervals;
                f[MEL_MINOR3] = (double) counts[3] / intervals;
                f[MEL_MAJOR3] = (double) counts[4] / intervals;
                f[MEL_TRITONE] = (double) counts[6] / intervals;
                f[MEL_LEAP] = (double) counts[7] / intervals;
                f[MEL_MEAN_ABS] = (double) absSum / intervals;
                f[MEL_UP] = moving > 0 ? (double) up / moving : 0.5;
                f[ARTICULATION] = articulation / intervals;
            } else {
                f[MEL_UP] = 0.5;
                f[ARTICULATION] = 1.0;
            }
            groupTimes = new double[groups];
            for (int g = 0; g < groups; g++) {
                groupTimes[g] = start[firsts[g]];
            }
            return Arrays.copyOf(sky, skyCount);
        }

        private void register(double[] f, int[] sky) {
            long pitchSum = 0;
            int maxPitch = 0;
            for (int p : pitch) {
                pitchSum += p;
                maxPitch = Math.max(maxPitch, p);
            }
            double mean = (double) pitchSum / n;
            double squares = 0;
            for (int p : pitch) {
                squares += (p - mean) * (p - mean);
            }
            f[PITCH_MEAN] = mean;
            f[PITCH_STD] = Math.sqrt(squares / n);
            int[] sorted = pitch.clone();
            Arrays.sort(sorted);
            f[PITCH_RANGE] = percentile(sorted, 0.95) - percentile(sorted, 0.05);
            if (sky.length > 0) {
                long top = 0;
                for (int i : sky) {
                    top += pitch[i];
                }
                f[TOP_MEAN] = (double) top / sky.length;
            } else {
                f[TOP_MEAN] = maxPitch;
            }
        }

        private void rhythm(double[] f, double span) {
            f[LOG_DENSITY] = Math.log1p(n / span);
            f[LOG_MEAN_DUR] = Math.log(Math.max(sum(dur) / n, 0.01));
            int groups = groupTimes.length;
            double median;
            if (groups > 1) {
                double[] ioi = new double[groups - 1];
                for (int g = 0; g + 1 < groups; g++) {
                    ioi[g] = groupTimes[g + 1] - groupTimes[g];
                }
                Arrays.sort(ioi);
                int m = ioi.length;
                median = m % 2 == 1 ? ioi[m / 2] : (ioi[m / 2 - 1] + ioi[m / 2]) / 2;
            } else {
                median = span;
            }
            f[LOG_IOI] = Math.log(Math.max(median, 0.01));
            double sounding = unionLength();
            f[POLYPHONY] = sounding > 0 ? sum(dur) / sounding : 1.0;
            f[SILENCE] = Math.min(Math.max(1.0 - sounding / span, 0.0), 1.0);
        }

        /** Total length of the union of the intervals [start, end) (start is sorted). */
        private double unionLength() {
            double total = 0;
            double blockStart = start[0];
            double runEnd = end[0];
            for (int i = 1; i < n; i++) {
                if (start[i] > runEnd) {
                    total += runEnd - blockStart;
                    blockStart = start[i];
                }
                runEnd = Math.max(runEnd, end[i]);
            }
            return total + (runEnd - blockStart);
        }

        /**
         * Duration-of-overlap weighted pitch classes of the windows [t0 + k hop, t0 + k hop + win), t0 the first
         * start, as {@code _window_pc_weights}: a note adds its overlap with each window, and at least 0.001 to the
         * window it starts in. A note adds to the windows it touches only; the interior windows of a long note (all
         * covered, each getting exactly its own length) are counted per window and added at the end.
         */
        private double[][] windowPcWeights(double win, double hop) {
            double t0 = start[0];
            double t1 = max(end);
            int windows = Math.max(1, (int) Math.ceil(Math.max(t1 - t0 - win, 0.0) / hop) + 1);
            double[] w0 = new double[windows];
            double[] w1 = new double[windows];
            for (int k = 0; k < windows; k++) {
                w0[k] = t0 + hop * k;
                w1[k] = w0[k] + win;
            }
            double[][] out = new double[windows][12];
            int[][] covered = null;
            for (int i = 0; i < n; i++) {
                double s = start[i];
                double e = end[i];
                int pc = pitch[i] % 12;
                int first = Math.max(0, (int) Math.floor((s - t0 - win) / hop) - 1);
                int last = Math.min(windows - 1, (int) Math.floor((Math.max(e, s) - t0) / hop) + 1);
                int bulkFrom = Integer.MAX_VALUE;
                int bulkTo = Integer.MIN_VALUE;
                if (last - first > BULK_AFTER) {
                    // windows entirely inside [s, e]: w0 >= s and w1 <= e
                    bulkFrom = Math.max(first, (int) Math.ceil((s - t0) / hop) + 1);
                    bulkTo = Math.min(last, (int) Math.floor((e - win - t0) / hop) - 1);
                    while (bulkFrom <= bulkTo && !(w0[bulkFrom] >= s && w1[bulkFrom] <= e)) {
                        bulkFrom++;
                    }
                    while (bulkTo >= bulkFrom && !(w0[bulkTo] >= s && w1[bulkTo] <= e)) {
                        bulkTo--;
                    }
                    if (bulkFrom <= bulkTo) {
                        if (covered == null) {
                            covered = new int[12][windows + 1];
                        }
                        covered[pc][bulkFrom]++;
                        covered[pc][bulkTo + 1]--;
                    }
                }
                for (int k = first; k <= last; k++) {
                    if (k >= bulkFrom && k <= bulkTo) {
                        k = bulkTo;
                        continue;
                    }
                    double ov = Math.max(Math.min(e, w1[k]) - Math.max(s, w0[k]), 0.0);
                    if (s >= w0[k] && s < w1[k]) {
                        ov = Math.max(ov, 1e-3);
                    }
                    out[k][pc] += ov;
                }
            }
            if (covered != null) {
                for (int pc = 0; pc < 12; pc++) {
                    int running = 0;
                    for (int k = 0; k < windows; k++) {
                        running += covered[pc][k];
                        if (running > 0) {
                            out[k][pc] += running * (w1[k] - w0[k]);
                        }
                    }
                }
            }
            return out;
        }
    }

    /**
     * Pitch class of the tonic of the best-fitting Krumhansl-Kessler key, major or minor, of the pitched notes, as the
     * data pipeline's key normalisation finds it ({@code training/keys.py estimated_tonic}): a pitch-class histogram
     * in which each note weighs its length in whole milliseconds (at least 1); on a tie the higher pitch class; 0
     * without pitched notes or with a flat histogram. The primer vectors pin it against the Python code.
     */
    public static int tonic(List<TimedNote> notes) {
        double[] hist = new double[12];
        for (TimedNote n : notes) {
            if (!n.drum()) {
                hist[n.pitch() % 12] += Math.max(Math.rint(n.end() * 1000) - Math.rint(n.start() * 1000), 1);
            }
        }
        double mean = sum(hist) / 12;
        double spread = 0;
        for (double h : hist) {
            spread += (h - mean) * (h - mean);
        }
        if (spread <= 1e-12) {
            return 0;
        }
        double[][] r = keyCorrelations(hist);
        int best = 0;
        double bestR = Double.NEGATIVE_INFINITY;
        for (double[] mode : r) {
            for (int t = 0; t < 12; t++) {
                if (mode[t] > bestR || (mode[t] == bestR && t > best)) {
                    bestR = mode[t];
                    best = t;
                }
            }
        }
        return best;
    }

    /** Pearson r of a 12-bin histogram with the 12 rotations of each KK profile: {major[12], minor[12]}. */
    static double[][] keyCorrelations(double[] hist) {
        double mean = sum(hist) / 12;
        double[] hc = new double[12];
        double hn = 0;
        for (int pc = 0; pc < 12; pc++) {
            hc[pc] = hist[pc] - mean;
            hn += hc[pc] * hc[pc];
        }
        hn = Math.sqrt(hn);
        double[][] out = new double[2][12];
        if (hn <= 1e-12) {
            return out;
        }
        double[][] profiles = { KK_MAJOR, KK_MINOR };
        for (int m = 0; m < 2; m++) {
            double[] prof = profiles[m];
            for (int t = 0; t < 12; t++) {
                // rotation t: the profile with its tonic on pitch class t
                double rotMean = 0;
                for (int pc = 0; pc < 12; pc++) {
                    rotMean += prof[Math.floorMod(pc - t, 12)];
                }
                rotMean /= 12;
                double dot = 0;
                double rn = 0;
                for (int pc = 0; pc < 12; pc++) {
                    double rc = prof[Math.floorMod(pc - t, 12)] - rotMean;
                    dot += rc * hc[pc];
                    rn += rc * rc;
                }
                out[m][t] = dot / (Math.sqrt(rn) * hn);
            }
        }
        return out;
    }

    /** numpy's default ({@code linear}) percentile of sorted values, {@code q} in [0, 1], with its arithmetic. */
    static double percentile(int[] sorted, double q) {
        int n = sorted.length;
        double virtual = (n - 1) * q;
        if (virtual >= n - 1) {
            return sorted[n - 1];
        }
        int lo = (int) Math.floor(virtual);
        double gamma = virtual - lo;
        double a = sorted[lo];
        double b = sorted[lo + 1];
        double diff = b - a;
        return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    private static double max(double[] values) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }
}
