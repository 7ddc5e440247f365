"""The primer tokeniser's cross-language vectors (training/tests/vectors/primer_tokens.json, written by
training/make_primer_vectors.py) against the Python code; dev.aria.music.PrimerVectorsTest checks the Java port
against the same file."""
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training import emotion_features as ef  # noqa: E402
from training import keys  # noqa: E402
from training import midi_tokens as mt  # noqa: E402
from training import vocab as V  # noqa: E402

VECTORS = Path(__file__).resolve().parent / "vectors"
DOC = json.loads((VECTORS / "primer_tokens.json").read_text())
CASES = {c["name"]: c for c in DOC["cases"]}


def test_every_vector_midi_file_is_covered():
    assert DOC["instruments"] == V.INSTRUMENTS
    files = {c["file"] for c in DOC["cases"] if c["file"]}
    assert files == {f"midi/{p.name}" for p in (VECTORS / "midi").glob("*.mid")}


@pytest.mark.parametrize("name", list(CASES))
def test_notes_tokenise_to_the_recorded_tokens(name):
    case = CASES[name]
    notes = ef.notes_from_midi(VECTORS / case["file"]) if case["file"] else [tuple(n) for n in case["notes"]]
    assert mt.midi_tokens(notes) == case["tokens"]
    tonic = keys.estimated_tonic(mt.to_ms(notes))
    assert (tonic, keys.shift_to_c(tonic)) == (case["tonic"], case["shift_to_c"])
    assert mt.midi_tokens(keys.transposed(notes, case["shift_to_c"])) == case["tokens_in_c"]


def test_the_key_normalisation_finds_the_tunes_keys():
    assert [(CASES[n]["tonic"], CASES[n]["shift_to_c"]) for n in ("e-major", "f-sharp-major", "a-minor",
                                                                    "cheerful-major", "sad-minor")] == [
        (4, -4), (6, -6), (9, 3), (0, 0), (0, 0)]
    moved = mt.tokens_to_notes(CASES["e-major"]["tokens_in_c"])
    assert sorted({p % 12 for i, p, _, _ in moved}) == [0, 2, 4, 5, 7, 9, 11]  # C major's pitch classes
    drums = [(i, p) for i, p, _, _ in mt.tokens_to_notes(CASES["f-sharp-major"]["tokens_in_c"]) if i == "DRUMS"]
    assert drums == [("DRUMS", 36), ("DRUMS", 38)]  # drums are not moved


def test_the_rules_the_note_lists_are_there_for():
    kept = mt.tokens_to_notes(CASES["pitch-range"]["tokens"])
    assert [(i, p) for i, p, _, _ in kept if i == "DRUMS"] == [("DRUMS", 36)]  # 15 and 110 dropped
    assert {p for i, p, _, _ in kept if i != "DRUMS"} == {22, 108, 24, 103}  # folded by octaves
    gaps = CASES["long-gaps"]["tokens"]
    assert gaps.count(V.timeshift_token(1000)) >= 4
