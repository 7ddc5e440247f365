"""EMOPIA's piano clips with their human emotion quadrants: the song split and the band arrangement.

EMOPIA (Hung et al., ISMIR 2021; CC BY 4.0) has 1,078 clips of piano covers of pop songs, each labelled by
people with one of Russell's quadrants: Q1 (+valence, +arousal), Q2 (-, +), Q3 (-, -), Q4 (+, -). File names
are `Q<k>_<song id>_<clip n>.mid`; clips of one song can sit in several quadrants.

The split is by song, never by clip, and fixed by the song id alone (the first byte of its SHA-1):
  part A (two thirds of the songs) may feed the music decoder and the valence labeller;
  part B (one third) feeds only the independent valence judge (training/valence_judge.py): never the
  decoder, never the labeller.

`arrange(notes, rng)` gives a clip to the band the way POP909 is arranged, from the notes alone (EMOPIA has
no beat, chord or key annotations): the skyline top line goes to a lead (strings or guitar), the lowest
note of each onset group below middle C's octave to the bass (moved into the bass register), the rest
stays with the piano. No drums: a performance's free timing gives no beat grid to lay a groove on.

    python -m training.emopia          # prints the split's figures
"""
import hashlib
import re
from collections import Counter
from pathlib import Path

QUADRANT_SIGNS = {1: (1, 1), 2: (-1, 1), 3: (-1, -1), 4: (1, -1)}
NAME = re.compile(r"Q([1-4])_(.+)_(\d+)\.mid$")
ONSET_TOL = 0.03  # s: onsets closer than this form one group
BASS_BELOW = 55   # a group's lowest note below G3 is a bass note
MELODY_FROM = 60  # a group's highest note from C4 up is a melody note


def song_part(song_id):
    """'A' or 'B' for a song id: a third of the songs (by the first byte of the id's SHA-1) are part B."""
    return "B" if hashlib.sha1(song_id.encode()).digest()[0] % 3 == 0 else "A"


def clips(data, part=None):
    """[{name, song, part, quadrant, valence_sign, arousal_sign, path}] sorted by name, optionally one part."""
    out = []
    for f in sorted((Path(data) / "emopia" / "midi").glob("*.mid")):
        m = NAME.match(f.name)
        if not m:
            continue
        q, song = int(m.group(1)), m.group(2)
        v, a = QUADRANT_SIGNS[q]
        rec = {"name": f"emopia/{f.stem}", "song": song, "part": song_part(song), "quadrant": q,
               "valence_sign": v, "arousal_sign": a, "path": str(f)}
        if part is None or rec["part"] == part:
            out.append(rec)
    return out


def piano_notes(path):
    """All notes of a clip as PIANO, (inst, pitch, start_s, end_s) sorted by start then pitch."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(str(path))
    notes = [("PIANO", int(n.pitch), float(n.start), float(max(n.end, n.start + 0.01)))
             for inst in pm.instruments if not inst.is_drum for n in inst.notes]
    notes.sort(key=lambda n: (n[2], n[1]))
    return notes


def arrange(notes, rng):
    """Piano notes -> lead (top line), bass (lowest line), piano (the rest). rng: random.Random."""
    lead = "STRINGS" if rng.random() < 0.5 else "GUITAR"
    groups, cur = [], []
    for n in notes:
        if cur and n[2] - cur[0][2] > ONSET_TOL:
            groups.append(cur)
            cur = []
        cur.append(n)
    if cur:
        groups.append(cur)
    out = []
    for g in groups:
        top = max(g, key=lambda n: n[1])
        low = min(g, key=lambda n: n[1])
        for n in g:
            if n is top and n[1] >= MELODY_FROM:
                out.append((lead,) + n[1:])
            elif n is low and n[1] < BASS_BELOW and len(g) > 1:
                pitch = n[1]
                while pitch > 52:
                    pitch -= 12
                while pitch < 28:
                    pitch += 12
                out.append(("BASS", pitch) + n[2:])
            else:
                out.append(n)
    out.sort(key=lambda n: (n[2], n[1]))
    return out


def main():
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    a = ap.parse_args()
    allc = clips(a.data)
    for part in ("A", "B"):
        c = [x for x in allc if x["part"] == part]
        print(f"part {part}: {len({x['song'] for x in c})} songs, {len(c)} clips, quadrants "
              f"{dict(sorted(Counter(x['quadrant'] for x in c).items()))}")


if __name__ == "__main__":
    main()
