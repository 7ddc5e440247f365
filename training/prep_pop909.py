"""Arrange POP909's piano songs for a five-instrument band, from the songs' own annotations.

POP909 is piano only: MELODY (lead), BRIDGE (secondary melody) and PIANO (accompaniment) tracks,
plus beat, chord and key annotations taken from the original recordings. A model trained on it as
it is plays one instrument. We arrange every song deterministically (seeded by song number):

  MELODY  -> STRINGS or GUITAR (lead)
  BRIDGE  -> the other lead instrument, or PIANO
  PIANO   -> PIANO
  BASS    -> written from chord_midi.txt: the chord's bass note (the slash bass if any, else the
             root) in octave 1-2 on every beat of beat_midi.txt inside the chord, alternating
             root and fifth on off-beats in some songs; nothing under "N" (no chord)
  DRUMS   -> a Groove MIDI performance (4/4 "beat" takes, e-kit pitches mapped to GM) played
             bar by bar and time-warped onto the song's own beats, from the first chord on

To vary the number of instruments (and so give arousal and min_instruments something to learn),
a song keeps drums with probability 0.7 and bass with probability 0.85; a lead may be dropped
with probability 0.15. What was done is stored with each piece.

Paired contrast (--parallel, the default): every song is also written in its parallel mode, from the
key annotations (key_audio.txt, one or more (start, end, tonic:mode) segments). Each pitched note is
moved by its scale degree relative to the tonic of the segment it starts in: in a major segment the
3rd, 6th and 7th degrees go down a semitone (major -> natural minor), in a minor segment the minor
3rd, 6th and 7th go up (natural minor -> major; a raised leading tone already is the major 7th).
Melody, accompaniment and the bass line (written from the chord roots, so the chords move with them)
are changed alike; drums are not. The model then sees the same song at two valences, and nothing but
the mode to explain the difference. Songs without a usable key annotation get no parallel version.

Output: training/work/pop909_notes.pkl — a list of {"name", "song", "version": "original"|"parallel",
"notes": [(inst, pitch, start_ms, end_ms)], "mode": "maj"|"min"|None, "arrangement": {...}}.

    python -m training.prep_pop909 [--data ../shared/data] [--limit N] [--no-parallel]
"""
import argparse
import csv
import pickle
import random
from pathlib import Path

import numpy as np
import pretty_midi

PC = {"C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6, "G": 7,
      "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11, "E#": 5, "Fb": 4, "B#": 0}
# Intervals (semitones above the root) named by the chord-quality's bass-degree notation.
DEGREE = {"1": 0, "b2": 1, "2": 2, "b3": 3, "3": 4, "4": 5, "#4": 6, "b5": 6, "5": 7, "#5": 8,
          "b6": 8, "6": 9, "bb7": 9, "b7": 10, "7": 11}
# Groove MIDI (Roland TD-11) pitches -> General MIDI drum map.
GROOVE_TO_GM = {22: 42, 26: 46, 58: 43, 50: 48, 47: 45, 40: 38, 52: 57, 55: 49, 59: 51,
                36: 36, 38: 38, 37: 37, 48: 48, 45: 45, 43: 43, 46: 46, 42: 42, 44: 44,
                49: 49, 57: 57, 51: 51, 53: 53}


def read_beats(path):
    rows = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    times = np.array([float(r[0]) for r in rows])
    downbeat = np.array([float(r[2]) > 0.5 for r in rows])
    return times, downbeat


def read_chords(path):
    out = []
    for line in Path(path).read_text().splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        s, e, label = float(parts[0]), float(parts[1]), parts[2].strip()
        out.append((s, e, chord_bass(label)))
    return out


def chord_bass(label):
    """'F#:maj7/5' -> pitch class of the bass note (root + degree); 'N' -> None."""
    if label == "N" or ":" not in label:
        return None
    root, quality = label.split(":", 1)
    if root not in PC:
        return None
    pc = PC[root]
    if "/" in quality:
        deg = quality.split("/", 1)[1]
        pc = (pc + DEGREE.get(deg, 0)) % 12
    return pc


def read_keys(path):
    """key_audio.txt -> [(start_s, end_s, tonic_pc, "maj"|"min")]; [] when missing or unreadable."""
    keys = []
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        parts = line.split()
        if len(parts) != 3 or ":" not in parts[2]:
            continue
        tonic, mode = parts[2].split(":", 1)
        if tonic in PC and mode in ("maj", "min"):
            keys.append((float(parts[0]), float(parts[1]), PC[tonic], mode))
    return keys


# Scale degree (semitones above the tonic) -> its place in the parallel mode.
TO_MINOR = {4: 3, 9: 8, 11: 10}
TO_MAJOR = {3: 4, 8: 9, 10: 11}


def parallel_mode(notes_s, keys):
    """Notes (inst, pitch, start_s, end_s) in the parallel mode of the key segment each note starts in
    (the nearest segment for a note outside all of them); drums unchanged."""
    def segment(t):
        inside = [k for k in keys if k[0] <= t < k[1]]
        return inside[0] if inside else min(keys, key=lambda k: min(abs(t - k[0]), abs(t - k[1])))
    out = []
    for inst, pitch, s, e in notes_s:
        if inst != "DRUMS":
            _, _, tonic, mode = segment(s)
            degree = (pitch - tonic) % 12
            new = (TO_MINOR if mode == "maj" else TO_MAJOR).get(degree, degree)
            pitch += new - degree
        out.append((inst, pitch, s, e))
    return out


def load_grooves(data):
    """Groove 'beat' takes in 4/4 as lists of (gm_pitch, beat_pos, dur_beats), cut to whole bars."""
    grooves = []
    with open(data / "groove" / "info.csv") as f:
        for row in csv.DictReader(f):
            if row["beat_type"] != "beat" or row["time_signature"] != "4-4":
                continue
            pm = pretty_midi.PrettyMIDI(str(data / "groove" / row["midi_filename"]))
            bpm = float(row["bpm"])
            hits = []
            for n in pm.instruments[0].notes:
                if n.velocity < 20 or n.pitch not in GROOVE_TO_GM:
                    continue
                b = n.start * bpm / 60.0
                hits.append((GROOVE_TO_GM[n.pitch], b, max(0.05, (n.end - n.start) * bpm / 60.0)))
            bars = int(max((h[1] for h in hits), default=0) // 4)
            if bars >= 2:
                grooves.append({"style": row["style"], "bars": bars,
                                "hits": [h for h in hits if h[1] < bars * 4]})
    return grooves


def warp(beat_times, pos):
    """Song time (s) of a fractional beat index, extrapolating past the last beat."""
    n = len(beat_times)
    i = min(int(pos), n - 2)
    frac = pos - i
    return beat_times[i] + frac * (beat_times[i + 1] - beat_times[i])


def bass_line(beats, chords, rng):
    fifth = rng.random() < 0.5
    octave_base = 28 if rng.random() < 0.5 else 33  # low E or low A as the bottom of the range
    notes = []
    for bi in range(len(beats) - 1):
        t, t_next = beats[bi], beats[bi + 1]
        chord = next((c for c in chords if c[0] <= t + 0.02 < c[1]), None)
        if chord is None or chord[2] is None:
            continue
        pc = chord[2]
        pitch = octave_base + (pc - octave_base) % 12
        if fifth and bi % 2 == 1:
            pitch = pitch + 7 if pitch + 7 <= 52 else pitch - 5
        notes.append(("BASS", pitch, t, t + 0.9 * (t_next - t)))
    return notes


def drum_part(beats, downbeat, chords, groove):
    first_chord = next((c[0] for c in chords if c[2] is not None), None)
    if first_chord is None:
        return []
    starts = [i for i in range(len(beats)) if downbeat[i] and beats[i] >= first_chord - 0.05]
    if not starts:
        return []
    b0 = starts[0]
    last_chord_end = max(c[1] for c in chords if c[2] is not None)
    notes = []
    bars = groove["bars"]
    bar = 0
    while True:
        base = b0 + 4 * bar
        if base + 4 >= len(beats) or beats[base] >= last_chord_end:
            break
        src_bar = bar % bars
        for pitch, b, dur in groove["hits"]:
            if src_bar * 4 <= b < (src_bar + 1) * 4:
                pos = base + (b - src_bar * 4)
                s = warp(beats, pos)
                e = warp(beats, pos + dur)
                notes.append(("DRUMS", pitch, s, e))
        bar += 1
    return notes


def arrange(song_dir, grooves, rng, parallel=True):
    sid = song_dir.name
    pm = pretty_midi.PrettyMIDI(str(song_dir / f"{sid}.mid"))
    tracks = {i.name.upper(): i for i in pm.instruments}
    beats, downbeat = read_beats(song_dir / "beat_midi.txt")
    chords = read_chords(song_dir / "chord_midi.txt")
    lead, second = ("STRINGS", "GUITAR") if rng.random() < 0.5 else ("GUITAR", "STRINGS")
    if rng.random() < 0.3:
        second = "PIANO"
    plan = {"MELODY": lead, "BRIDGE": second, "PIANO": "PIANO"}
    if rng.random() < 0.15:
        plan["BRIDGE"] = None
    notes = []
    for track, inst in plan.items():
        if inst is None or track not in tracks:
            continue
        notes += [(inst, n.pitch, n.start, n.end) for n in tracks[track].notes]
    arrangement = dict(plan)
    arrangement["bass"] = rng.random() < 0.85
    if arrangement["bass"]:
        notes += bass_line(beats, chords, rng)
    arrangement["drums"] = None
    if rng.random() < 0.7 and len(beats) > 8:
        g = grooves[rng.randrange(len(grooves))]
        notes += drum_part(beats, downbeat, chords, g)
        arrangement["drums"] = g["style"]
    keys = read_keys(song_dir / "key_audio.txt")
    mode = keys[0][3] if keys else None
    piece = {"name": f"pop909/{sid}", "song": sid, "version": "original", "notes": to_ms(notes), "mode": mode,
             "arrangement": arrangement}
    if not parallel or not keys:
        return [piece]
    flipped = {**piece, "name": f"pop909/{sid}-parallel", "version": "parallel",
               "notes": to_ms(parallel_mode(notes, keys)), "mode": {"maj": "min", "min": "maj"}[mode]}
    return [piece, flipped]


def to_ms(notes_s):
    out = [(i, int(p), round(s * 1000), round(e * 1000)) for i, p, s, e in notes_s]
    out.sort(key=lambda n: (n[2], n[0], n[1]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="training/work/pop909_notes.pkl")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--no-parallel", dest="parallel", action="store_false",
                    help="no parallel-mode versions (the paired-contrast ablation's baseline)")
    args = ap.parse_args()
    data = Path(args.data)
    grooves = load_grooves(data)
    print(f"{len(grooves)} groove takes")
    songs = sorted(p for p in (data / "pop909" / "POP909").iterdir() if p.is_dir())
    if args.limit:
        songs = songs[: args.limit]
    pieces = []
    for d in songs:
        rng = random.Random(int(d.name))
        try:
            pieces += arrange(d, grooves, rng, args.parallel)
        except Exception as ex:  # a broken song is skipped, not fatal
            print(f"skip {d.name}: {ex}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as f:
        pickle.dump(pieces, f)
    n_inst = [len({n[0] for n in p["notes"]}) for p in pieces]
    print(f"wrote {len(pieces)} pieces ({sum(p['version'] == 'parallel' for p in pieces)} in the parallel mode) "
          f"to {args.out}; instruments per piece:",
          {k: n_inst.count(k) for k in sorted(set(n_inst))})


if __name__ == "__main__":
    main()
