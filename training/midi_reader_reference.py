"""Reference digests of how the data pipeline reads real MIDI files, for checking the Java reader against them.

For every .mid/.midi file under --data, emotion_features.notes_from_midi (pretty_midi) reads the notes; the output
(JSON lines: first the data directory, then one line per file) holds per file the note count and a SHA-256 over the notes in order, each as instrument index (one
byte), pitch (one byte), start and end (IEEE 754 doubles, big-endian), or the error pretty_midi raised. The Java side,
dev.aria.midi.MidiReaderAgreementTest, reads the same files with MidiNoteReader and compares:

    python -m training.midi_reader_reference --data ../shared/data --out target/midi-reference.jsonl
    ./mvnw test -Dtest=MidiReaderAgreementTest -Daria.midi-reference=target/midi-reference.jsonl
"""
import argparse
import hashlib
import json
import struct
import time
import warnings
from pathlib import Path

from . import emotion_features as ef


def digest(notes):
    h = hashlib.sha256()
    for inst, pitch, start, end in notes:
        h.update(struct.pack(">BBdd", ef.INSTRUMENTS.index(inst), pitch, start, end))
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="target/midi-reference.jsonl")
    a = ap.parse_args()
    root = Path(a.data)
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".mid", ".midi") and p.is_file())
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    began, errors = time.time(), 0
    with open(a.out, "w") as out:
        out.write(json.dumps({"root": str(root.resolve())}) + "\n")
        for f in files:
            row = {"file": str(f.relative_to(root))}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    notes = ef.notes_from_midi(f)
                row.update(notes=len(notes), sha256=digest(notes))
            except Exception as e:  # what pretty_midi or mido refuse: the Java reader must refuse it too, or say why not
                errors += 1
                row["error"] = f"{type(e).__name__}: {e}"[:200]
            out.write(json.dumps(row) + "\n")
    print(f"{len(files)} files under {root}, {errors} refused by pretty_midi, {time.time() - began:.0f} s -> {a.out}")


if __name__ == "__main__":
    main()
