"""Write the cross-language vectors of the primer tokeniser: training/tests/vectors/primer_tokens.json.

A primer (POST /generate's MIDI part `primer`) is tokenised as the data pipeline tokenised its MIDI files: the notes
as emotion_features.notes_from_midi reads them (pretty_midi; GM programs mapped by program_to_instrument), rounded to
whole milliseconds (build_dataset.load_multi), then midi_tokens.notes_to_tokens. Recorded here: the token ids of every
MIDI file of training/tests/vectors/midi/ (type 0 and 1, tempo maps, running status, drums, seven GM programs), and
of note lists that exercise the rules no file there does (drum notes outside 21..108 dropped, pitched ones folded by
octaves, notes of no length, times on the half of a millisecond and of a grid step, gaps over a second, OFF before
ON at one instant, a dense random piece, tunes in E major, F sharp major and A minor). Each case also records the
tonic the key normalisation finds (keys.estimated_tonic on the millisecond notes), the shift that moves it to C, and
the tokens of the notes so moved: what a key-normalised decoder is given. training/tests/test_primer_vectors.py
checks them against the Python code, dev.aria.music.PrimerVectorsTest the Java port (MidiNoteReader + TokenEncoder,
EmotionFeatures.tonic).

    python -m training.make_primer_vectors
"""
import json
import random
from pathlib import Path

from . import emotion_features as ef
from . import keys
from . import midi_tokens as mt

OUT = Path("training/tests/vectors")


def note_lists():
    rnd = random.Random(20260801)
    dense = []
    for _ in range(300):
        inst = rnd.choice(["DRUMS", "GUITAR", "BASS", "PIANO", "STRINGS"])
        start = rnd.randrange(0, 40000) / 1000 + rnd.random() / 1000
        dense.append((inst, rnd.randrange(0, 128), start, start + rnd.choice([0, 0.001, 0.05, 0.3, 1.7])))
    dense.sort(key=lambda n: (n[2], n[1]))
    return {
        "pitch-range": [("DRUMS", 15, 0.0, 0.1), ("DRUMS", 110, 0.0, 0.1), ("DRUMS", 36, 0.0, 0.1),
                        ("PIANO", 10, 0.0, 0.5), ("STRINGS", 120, 0.25, 0.5), ("BASS", 0, 0.5, 1.0),
                        ("GUITAR", 127, 0.5, 1.0)],
        "rounding": [("PIANO", 60, 0.0005, 0.0015), ("PIANO", 62, 0.0125, 0.0165), ("PIANO", 64, 0.012, 0.012),
                     ("PIANO", 65, 0.0205, 0.0285), ("GUITAR", 60, 1.2345, 1.2355), ("BASS", 40, 2.0035, 2.0045)],
        "long-gaps": [("PIANO", 60, 0.0, 0.5), ("STRINGS", 67, 2.5, 5.0), ("BASS", 36, 7.125, 7.2),
                      ("PIANO", 72, 9.999, 10.0)],
        "same-instant": [("PIANO", 64, 0.0, 0.5), ("PIANO", 60, 0.5, 1.0), ("GUITAR", 64, 0.5, 1.0),
                         ("DRUMS", 42, 0.5, 0.6), ("PIANO", 64, 0.5, 0.75), ("STRINGS", 55, 0.0, 1.0)],
        "dense-random": dense,
        "e-major": tune(4, MAJOR, "PIANO", 0.25) + tune(4 - 12, [0, 7, 5, 7, 0], "BASS", 0.5),
        "f-sharp-major": tune(6, MAJOR, "STRINGS", 0.3) + [("DRUMS", 36, 0.0, 0.1), ("DRUMS", 38, 0.5, 0.6)],
        "a-minor": tune(9, [0, 2, 3, 5, 7, 8, 11, 12, 7, 3, 0], "GUITAR", 0.2),
    }


MAJOR = [0, 2, 4, 5, 7, 9, 11, 12, 7, 4, 0]


def tune(tonic, degrees, inst, step):
    """A line on the degrees above middle C's octave's `tonic` (pitch class), one note every `step` seconds."""
    return [(inst, 60 + tonic + d, i * step, (i + 1) * step) for i, d in enumerate(degrees)]


def tokenised(notes):
    """The tokens of notes in seconds, their tonic, the shift to C and the tokens moved by it."""
    tonic = keys.estimated_tonic(mt.to_ms(notes))
    shift = keys.shift_to_c(tonic)
    return {"tokens": mt.midi_tokens(notes), "tonic": int(tonic), "shift_to_c": shift,
            "tokens_in_c": mt.midi_tokens(keys.transposed(notes, shift))}


def main():
    cases = []
    for f in sorted((OUT / "midi").glob("*.mid")):
        notes = ef.notes_from_midi(f)
        cases.append({"name": f.stem, "file": f"midi/{f.name}", "notes": None, **tokenised(notes)})
    for name, notes in note_lists().items():
        cases.append({"name": name, "file": None, "notes": [list(n) for n in notes], **tokenised(notes)})
    doc = {"about": __doc__.strip().split("\n\n")[0], "instruments": ["DRUMS", "GUITAR", "BASS", "PIANO", "STRINGS"],
           "cases": cases}
    (OUT / "primer_tokens.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{len(cases)} cases, {sum(len(c['tokens']) for c in cases)} tokens")


if __name__ == "__main__":
    main()
