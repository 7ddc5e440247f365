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


def test_the_rules_the_note_lists_are_there_for():
    kept = mt.tokens_to_notes(CASES["pitch-range"]["tokens"])
    assert [(i, p) for i, p, _, _ in kept if i == "DRUMS"] == [("DRUMS", 36)]  # 15 and 110 dropped
    assert {p for i, p, _, _ in kept if i != "DRUMS"} == {22, 108, 24, 103}  # folded by octaves
    gaps = CASES["long-gaps"]["tokens"]
    assert gaps.count(V.timeshift_token(1000)) >= 4
