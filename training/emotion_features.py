"""Symbolic-music emotion features for ARIA: a valence regressor's input and midi-emotion's arousal.

Input contract (shared with the music pipeline): a piece is a list of notes
``(instrument, pitch, start_s, end_s)`` with instrument one of
``"DRUMS", "GUITAR", "BASS", "PIANO", "STRINGS"`` and pitch a MIDI number 0..127; times in
seconds from the start of the piece.

Public API
----------
``features(notes) -> np.ndarray``       float32, shape ``(len(FEATURE_NAMES),)``; DRUMS ignored.
``predict_valence(notes) -> float``     valence in [-1, 1] from ``models/valence_regressor.onnx``.
``predict_valence_features(X) -> np.ndarray``  same model on a feature matrix [N, F].
``arousal_raw(notes) -> float``         midi-emotion's arousal before corpus scaling.
``notes_from_midi(path) -> list``       read a MIDI with pretty_midi, map GM programs.
``curve_windows(notes) -> list``        the windows of ``POST /analyze``'s emotion curve, each with its notes.
``program_to_instrument(program, is_drum) -> str``

GM program -> instrument mapping used by ``notes_from_midi`` (programs 0-based):
    is_drum (channel 10)            -> DRUMS
    0-7   pianos                    -> PIANO
    8-15  chromatic percussion      -> PIANO
    16-23 organs                    -> PIANO
    24-31 guitars                   -> GUITAR
    32-39 basses                    -> BASS
    40-55 strings / ensemble / choir-> STRINGS
    56-79 brass / reed / pipe       -> STRINGS
    80-87 synth lead                -> GUITAR
    88-103 synth pad / synth FX     -> STRINGS
    104-127 ethnic, percussive, SFX -> PIANO

All features are computed on the pitched (non-DRUMS) notes only; with no pitched note the
vector is all zeros. See ``FEATURE_NAMES`` / ``FEATURE_DOC`` for the definitions.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

INSTRUMENTS = ("DRUMS", "GUITAR", "BASS", "PIANO", "STRINGS")
MODEL_PATH = Path(__file__).resolve().parents[1] / "models" / "valence_regressor.onnx"

# Krumhansl & Kessler (1982) key profiles, tonic first.
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
# Huron (1994) aggregate dyadic consonance per interval class 1..6.
HURON_IC = np.array([-1.428, -0.582, 0.594, 0.386, 1.240, -0.453])

ONSET_TOL = 0.03      # s: onsets closer than this form one onset group (chord)
CHORD_WIN, CHORD_HOP = 1.0, 0.5     # s: windows for triad matching
KEY_WIN, KEY_HOP = 8.0, 4.0         # s: windows for local key (mode) estimates
MIN_SPAN = 0.25       # s: floor on the piece span used for rates

FEATURE_DOC = [
    # --- tonality (duration-weighted pitch-class histogram) ---
    ("kk_major_r", "best Pearson r of the duration-weighted pitch-class histogram with the 12 rotations of the Krumhansl-Kessler major profile"),
    ("kk_minor_r", "same with the KK minor profile"),
    ("kk_major_minus_minor", "kk_major_r - kk_minor_r (major-vs-minor key clarity)"),
    ("key_clarity", "max(kk_major_r, kk_minor_r)"),
    ("third_quality", "h[t+4] - h[t+3] for the tonic t of the best-fitting key (either mode), h the normalised histogram: major minus minor third above the tonic"),
    ("local_kk_major_minus_minor", "mean over 8 s windows (hop 4 s) of the window's kk_major_r - kk_minor_r (global value if no window has notes)"),
    ("pc_entropy", "entropy of the pitch-class histogram / log(12), in [0, 1]"),
    # --- chords (1 s windows, hop 0.5 s, duration-weighted pitch classes) ---
    ("triad_major_minus_minor", "mean over windows with >= 2 pitch classes of (best major-triad coverage - best minor-triad coverage); coverage = share of the window's pitch-class weight on the triad's 3 tones"),
    ("triad_fit", "mean over those windows of the best major-or-minor triad coverage (tonal-consonance proxy)"),
    ("dim_aug_share", "share of those windows where a diminished or augmented triad covers strictly more than any major/minor triad"),
    # --- vertical (harmonic) intervals between simultaneously sounding notes, overlap-weighted ---
    ("harm_ic1", "share of interval class 1 (minor 2nd / major 7th) among sounding pairs (unisons/octaves excluded)"),
    ("harm_ic2", "share of interval class 2 (major 2nd / minor 7th)"),
    ("harm_ic3", "share of interval class 3 (minor 3rd / major 6th)"),
    ("harm_ic4", "share of interval class 4 (major 3rd / minor 6th)"),
    ("harm_ic5", "share of interval class 5 (perfect 4th / 5th)"),
    ("harm_ic6", "share of interval class 6 (tritone)"),
    ("dyadic_consonance", "sum of harm_ic1..6 weighted by Huron's (1994) aggregate dyadic consonance"),
    # --- melody: skyline top line (highest onset not under a sounding higher note) ---
    ("mel_repeat", "share of repeated pitches between successive top-line notes"),
    ("mel_semitone", "share of semitone steps (|interval| = 1) between successive top-line notes"),
    ("mel_whole_tone", "share of |interval| = 2"),
    ("mel_minor_third", "share of |interval| = 3"),
    ("mel_major_third", "share of |interval| = 4"),
    ("mel_tritone", "share of |interval| = 6"),
    ("mel_leap", "share of |interval| >= 7"),
    ("mel_mean_abs_interval", "mean |interval| in semitones"),
    ("mel_up_share", "share of ascending intervals among non-repeated ones"),
    # --- pitch / register ---
    ("pitch_mean", "mean MIDI pitch of the pitched notes"),
    ("pitch_std", "standard deviation of MIDI pitch"),
    ("pitch_range", "95th minus 5th percentile of MIDI pitch"),
    ("top_mean", "mean pitch of the top line (melody register)"),
    ("bass_mean", "mean of the lowest pitch of each onset group (bass register)"),
    # --- rhythm / texture ---
    ("log_note_density", "log(1 + pitched note onsets per second), span = last end - first start"),
    ("log_mean_duration", "log(mean note duration in s, floored at 0.01)"),
    ("articulation", "mean over top-line notes of duration / time to the next top-line onset, clipped to [0, 2] (legato ~1, staccato < 1)"),
    ("log_ioi_median", "log(median interval between successive onset groups in s, floored at 0.01)"),
    ("polyphony", "total note duration / time with at least one note sounding"),
    ("silence_share", "share of the span with no pitched note sounding"),
]
FEATURE_NAMES = [n for n, _ in FEATURE_DOC]
N_FEATURES = len(FEATURE_NAMES)
_IDX = {n: i for i, n in enumerate(FEATURE_NAMES)}


# ----------------------------------------------------------------------------- MIDI input
def program_to_instrument(program: int, is_drum: bool = False) -> str:
    """General MIDI program (0-based) -> one of the five ARIA instruments (see module doc)."""
    if is_drum:
        return "DRUMS"
    p = int(program)
    if 0 <= p <= 23:
        return "PIANO"
    if 24 <= p <= 31:
        return "GUITAR"
    if 32 <= p <= 39:
        return "BASS"
    if 40 <= p <= 79:
        return "STRINGS"
    if 80 <= p <= 87:
        return "GUITAR"
    if 88 <= p <= 103:
        return "STRINGS"
    return "PIANO"


def notes_from_midi(path) -> list:
    """Read a MIDI file with pretty_midi -> sorted list of (instrument, pitch, start_s, end_s)."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(str(path))
    notes = []
    for inst in pm.instruments:
        name = program_to_instrument(inst.program, inst.is_drum)
        for n in inst.notes:
            notes.append((name, int(n.pitch), float(n.start), float(max(n.end, n.start))))
    notes.sort(key=lambda x: (x[2], x[1]))
    return notes


# ----------------------------------------------------------------------------- helpers
def _pitched_arrays(notes):
    """-> (pitch int array, start, end) of the non-drum notes, sorted by (start, pitch)."""
    rows = [(int(p), float(s), float(e)) for inst, p, s, e in notes if inst != "DRUMS"]
    if not rows:
        return None
    a = np.array(rows, dtype=np.float64)
    a = a[np.lexsort((a[:, 0], a[:, 1]))]
    pitch = a[:, 0].astype(np.int64)
    start = a[:, 1]
    end = np.maximum(a[:, 2], start)
    return pitch, start, end


def _key_correlations(hist):
    """Pearson r of a 12-bin histogram with the 12 rotations of each KK profile -> (maj[12], min[12])."""
    h = np.asarray(hist, dtype=np.float64)
    hc = h - h.mean()
    hn = np.sqrt((hc ** 2).sum())
    out = []
    for prof in (KK_MAJOR, KK_MINOR):
        rot = np.stack([np.roll(prof, t) for t in range(12)])   # rot[t][pc]: profile with tonic t
        rc = rot - rot.mean(axis=1, keepdims=True)
        rn = np.sqrt((rc ** 2).sum(axis=1))
        if hn <= 1e-12:
            out.append(np.zeros(12))
        else:
            out.append(rc @ hc / (rn * hn))
    return out[0], out[1]


def _window_pc_weights(pitch, start, end, win, hop):
    """Duration-of-overlap weighted pitch-class vectors for windows [k*hop, k*hop+win) -> [W, 12]."""
    t0, t1 = start.min(), end.max()
    n_win = max(1, int(math.ceil(max(t1 - t0 - win, 0.0) / hop)) + 1)
    w0 = t0 + hop * np.arange(n_win)
    w1 = w0 + win
    pcs = pitch % 12
    out = np.zeros((n_win, 12))
    # chunk over notes to bound memory
    for c in range(0, len(pitch), 2048):
        s, e, pc = start[c:c + 2048], end[c:c + 2048], pcs[c:c + 2048]
        ov = np.minimum(e[None, :], w1[:, None]) - np.maximum(s[None, :], w0[:, None])
        ov = np.clip(ov, 0.0, None)
        # zero-length notes still count a little where they start inside the window
        inside = (s[None, :] >= w0[:, None]) & (s[None, :] < w1[:, None])
        ov = np.maximum(ov, inside * 1e-3)
        np.add.at(out.T, pc, ov.T)
    return out


def _triad_templates():
    maj, mnr, dim, aug = [], [], [], []
    for r in range(12):
        maj.append([r, (r + 4) % 12, (r + 7) % 12])
        mnr.append([r, (r + 3) % 12, (r + 7) % 12])
        dim.append([r, (r + 3) % 12, (r + 6) % 12])
        aug.append([r, (r + 4) % 12, (r + 8) % 12])

    def mat(lst):
        m = np.zeros((len(lst), 12))
        for i, tones in enumerate(lst):
            m[i, tones] = 1.0
        return m
    return mat(maj), mat(mnr), mat(dim), mat(aug)


_TRIADS = _triad_templates()


def _union_length(start, end):
    """Total length of the union of the intervals [start, end)."""
    order = np.argsort(start, kind="stable")
    s, e = start[order], end[order]
    run_e = np.maximum.accumulate(e)
    # a new block starts where the next start is after the running max end
    breaks = np.nonzero(s[1:] > run_e[:-1])[0]
    starts = np.concatenate([[s[0]], s[breaks + 1]])
    ends = np.concatenate([run_e[breaks], [run_e[-1]]])
    return float((ends - starts).sum())


# ----------------------------------------------------------------------------- features
def features(notes) -> np.ndarray:
    """Fixed-length float32 feature vector (``FEATURE_NAMES``) of a note list; DRUMS ignored."""
    f = np.zeros(N_FEATURES, dtype=np.float64)
    arr = _pitched_arrays(notes)
    if arr is None:
        return f.astype(np.float32)
    pitch, start, end = arr
    n = len(pitch)
    dur = end - start
    wdur = np.maximum(dur, 1e-3)
    span = max(float(end.max() - start.min()), MIN_SPAN)

    # --- tonality
    hist = np.bincount(pitch % 12, weights=wdur, minlength=12)
    hist = hist / hist.sum()
    rmaj, rmin = _key_correlations(hist)
    f[_IDX["kk_major_r"]] = rmaj.max()
    f[_IDX["kk_minor_r"]] = rmin.max()
    f[_IDX["kk_major_minus_minor"]] = rmaj.max() - rmin.max()
    f[_IDX["key_clarity"]] = max(rmaj.max(), rmin.max())
    tonic = int(np.argmax(np.maximum(rmaj, rmin)))
    f[_IDX["third_quality"]] = hist[(tonic + 4) % 12] - hist[(tonic + 3) % 12]
    kw = _window_pc_weights(pitch, start, end, KEY_WIN, KEY_HOP)
    diffs = []
    for row in kw:
        if row.sum() > 0 and np.count_nonzero(row) >= 2:
            a, b = _key_correlations(row / row.sum())
            diffs.append(a.max() - b.max())
    f[_IDX["local_kk_major_minus_minor"]] = np.mean(diffs) if diffs else rmaj.max() - rmin.max()
    nz = hist[hist > 0]
    f[_IDX["pc_entropy"]] = float(-(nz * np.log(nz)).sum() / math.log(12))

    # --- chords
    cw = _window_pc_weights(pitch, start, end, CHORD_WIN, CHORD_HOP)
    keep = (cw > 0).sum(axis=1) >= 2
    if keep.any():
        cwn = cw[keep] / cw[keep].sum(axis=1, keepdims=True)
        cov = [cwn @ t.T for t in _TRIADS]            # [W, 12] coverage per template
        best_maj, best_min = cov[0].max(1), cov[1].max(1)
        best_da = np.maximum(cov[2].max(1), cov[3].max(1))
        best_mm = np.maximum(best_maj, best_min)
        f[_IDX["triad_major_minus_minor"]] = float((best_maj - best_min).mean())
        f[_IDX["triad_fit"]] = float(best_mm.mean())
        f[_IDX["dim_aug_share"]] = float((best_da > best_mm + 1e-9).mean())

    # --- harmonic intervals (sweep over start-sorted notes)
    ic_w = np.zeros(7)
    for i in range(n - 1):
        j1 = int(np.searchsorted(start, end[i], side="left"))
        if j1 <= i + 1:
            continue
        js = slice(i + 1, j1)
        ov = np.minimum(end[i], end[js]) - start[js]
        d = np.abs(pitch[js] - pitch[i]) % 12
        ic = np.minimum(d, 12 - d)
        np.add.at(ic_w, ic, np.clip(ov, 0.0, None))
    tot = ic_w[1:].sum()
    if tot > 0:
        shares = ic_w[1:] / tot
        for k in range(6):
            f[_IDX[f"harm_ic{k + 1}"]] = shares[k]
        f[_IDX["dyadic_consonance"]] = float(shares @ HURON_IC)

    # --- onset groups, skyline melody, bass
    gid = np.concatenate([[0], np.cumsum(np.diff(start) > ONSET_TOL)])
    firsts = np.concatenate([[0], np.nonzero(np.diff(gid))[0] + 1])
    g_time = start[firsts]
    g_top_idx = np.array([firsts[k] + int(np.argmax(pitch[firsts[k]:(firsts[k + 1] if k + 1 < len(firsts) else n)]))
                          for k in range(len(firsts))])
    g_bass = np.minimum.reduceat(pitch, firsts)
    sky = []
    for k, idx in enumerate(g_top_idx):
        t, p = start[idx], pitch[idx]
        lo = int(np.searchsorted(start, t - ONSET_TOL, side="left"))   # notes started earlier
        if lo > 0:
            earlier = slice(0, lo)
            covering = (end[earlier] > t + ONSET_TOL) & (pitch[earlier] > p)
            if covering.any():
                continue
        sky.append(idx)
    sky = np.array(sky, dtype=np.int64)
    if len(sky) >= 2:
        iv = np.diff(pitch[sky])
        a = np.abs(iv)
        f[_IDX["mel_repeat"]] = (a == 0).mean()
        f[_IDX["mel_semitone"]] = (a == 1).mean()
        f[_IDX["mel_whole_tone"]] = (a == 2).mean()
        f[_IDX["mel_minor_third"]] = (a == 3).mean()
        f[_IDX["mel_major_third"]] = (a == 4).mean()
        f[_IDX["mel_tritone"]] = (a == 6).mean()
        f[_IDX["mel_leap"]] = (a >= 7).mean()
        f[_IDX["mel_mean_abs_interval"]] = a.mean()
        moving = iv[iv != 0]
        f[_IDX["mel_up_share"]] = (moving > 0).mean() if len(moving) else 0.5
        ioi = np.diff(start[sky])
        ratio = np.clip(dur[sky[:-1]] / np.maximum(ioi, 1e-3), 0.0, 2.0)
        f[_IDX["articulation"]] = ratio.mean()
    else:
        f[_IDX["mel_up_share"]] = 0.5
        f[_IDX["articulation"]] = 1.0

    # --- pitch / register
    f[_IDX["pitch_mean"]] = pitch.mean()
    f[_IDX["pitch_std"]] = pitch.std()
    p5, p95 = np.percentile(pitch, [5, 95])
    f[_IDX["pitch_range"]] = p95 - p5
    f[_IDX["top_mean"]] = pitch[sky].mean() if len(sky) else pitch.max()
    f[_IDX["bass_mean"]] = g_bass.mean()

    # --- rhythm / texture
    f[_IDX["log_note_density"]] = math.log1p(n / span)
    f[_IDX["log_mean_duration"]] = math.log(max(dur.mean(), 0.01))
    g_ioi = np.diff(g_time)
    f[_IDX["log_ioi_median"]] = math.log(max(float(np.median(g_ioi)) if len(g_ioi) else span, 0.01))
    sounding = _union_length(start, end)
    f[_IDX["polyphony"]] = dur.sum() / sounding if sounding > 0 else 1.0
    f[_IDX["silence_share"]] = float(np.clip(1.0 - sounding / span, 0.0, 1.0))

    f = np.nan_to_num(f, nan=0.0, posinf=0.0, neginf=0.0)
    return f.astype(np.float32)


# ----------------------------------------------------------------------------- arousal
def arousal_raw(notes) -> float:
    """midi-emotion's arousal before scaling: note density / number of instruments playing.

    note density = number of notes (note-ons, all instruments incl. DRUMS) / piece duration, with the
    duration measured from t = 0 to the last note end (pretty_midi's get_end_time, as in
    midi-emotion's create_dataset); instruments playing = how many of the five instruments have at
    least one note. Returns 0.0 for an empty list. The pipeline scales it to [-1, 1] over the corpus.
    """
    if not notes:
        return 0.0
    end = max(max(float(e), float(s)) for _, _, s, e in notes)
    if end <= 0:
        return 0.0
    n_inst = len({inst for inst, _, _, _ in notes})
    return float(len(notes) / end / n_inst)


# ----------------------------------------------------------------------------- emotion curve
CURVE_WIN, CURVE_HOP = 10.0, 5.0    # s: windows of the emotion curve (training/analysis_windows.py measured them)


def window_notes(notes, t0, t1):
    """The excerpt [t0, t1) of a piece as it would sound on its own: the notes whose onset lies in [t0, t1), shifted
    to start at 0, each cut at t1. Notes sounding from before t0 are left out (a token excerpt of a piece has no ON
    for them either)."""
    return [(inst, p, s - t0, min(e, t1) - t0) for inst, p, s, e in notes if t0 <= s < t1]


def curve_windows(notes, win=CURVE_WIN, hop=CURVE_HOP):
    """The windows of the emotion curve that POST /analyze returns (dev.aria.analysis.EmotionReader mirrors it):
    [k hop, k hop + win) for k = 0 .. K - 1 from the start of the file, K the fewest windows whose last one reaches
    the end of the last note T (at least one); the last window's end is reported as T. -> [(start_s, end_s, notes)]
    with each window's notes from ``window_notes``."""
    if not notes:
        return []
    end = max(max(float(e), float(s)) for _, _, s, e in notes)
    count = max(1, int(math.ceil(max(end - win, 0.0) / hop)) + 1)
    out = []
    for k in range(count):
        t0 = k * hop
        out.append((t0, min(t0 + win, end), window_notes(notes, t0, t0 + win)))
    return out


# ----------------------------------------------------------------------------- valence model
_SESSION = None


def _session(model_path=None):
    global _SESSION
    if model_path is not None:
        import onnxruntime as ort
        return ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    if _SESSION is None:
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        _SESSION = ort.InferenceSession(str(MODEL_PATH), so, providers=["CPUExecutionProvider"])
    return _SESSION


def predict_valence_features(X, model_path=None) -> np.ndarray:
    """Valence in [-1, 1] for a feature matrix [N, F] (rows from ``features``) -> float32 [N]."""
    X = np.asarray(X, dtype=np.float32).reshape(-1, N_FEATURES)
    sess = _session(model_path)
    return sess.run(["valence"], {"features": X})[0].reshape(-1)


def predict_valence(notes, model_path=None) -> float:
    """Valence in [-1, 1] of a note list, from the ONNX regressor (loaded lazily, CPU, 1 thread)."""
    return float(predict_valence_features(features(notes)[None, :], model_path)[0])
