"""Tokeniser and MIDI writer: the committed vectors (shared with the Java tests) and round trips."""
import io
import json
import sys
from pathlib import Path

import mido
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training import midi_tokens as mt  # noqa: E402
from training import vocab as V  # noqa: E402

CASES = json.loads((Path(__file__).parent / "vectors" / "tokens_midi.json").read_text())


def test_vocabulary_sizes_and_committed_json_agree():
    assert V.N_BASE == 1007 and V.N_DISCRETE == 1017
    committed = json.loads((ROOT / "models" / "vocab.json").read_text())
    assert committed == V.describe()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vectors_decode_to_the_committed_notes_tokens_and_bytes(case):
    notes = mt.tokens_to_notes(case["tokens"])
    assert [[mt.INST_INDEX[i], p, s, e] for i, p, s, e in notes] == case["notes"]
    assert mt.notes_to_tokens(notes) == case["reencoded"]
    buf = io.BytesIO()
    mt.notes_to_midi(notes, text=case["midi_text"]).save(file=buf)
    assert buf.getvalue().hex() == case["midi_hex"]


def test_reencoded_tokens_decode_to_the_same_notes():
    for case in CASES:
        assert mt.tokens_to_notes(case["reencoded"]) == mt.tokens_to_notes(case["tokens"])


def test_notes_round_trip_through_tokens_and_midi_file():
    notes = [("PIANO", 60, 0, 480), ("BASS", 36, 0, 960), ("DRUMS", 42, 240, 248), ("STRINGS", 72, 2504, 5000),
             ("GUITAR", 64, 480, 488)]
    toks = mt.notes_to_tokens(notes)
    assert sorted(mt.tokens_to_notes(toks)) == sorted(notes)
    buf = io.BytesIO()
    mt.notes_to_midi(notes).save(file=buf)
    mid = mido.MidiFile(file=io.BytesIO(buf.getvalue()))
    assert mid.type == 1 and len(mid.tracks) == 6
    drums = [m for m in mid.tracks[1] if m.type == "note_on"]
    assert drums and all(m.channel == 9 for m in drums)
    programs = {m.channel: m.program for t in mid.tracks for m in t if m.type == "program_change"}
    assert programs == {0: 24, 1: 32, 2: 0, 3: 48}


def test_long_gaps_split_into_whole_seconds_and_never_a_zero_shift():
    toks = mt.notes_to_tokens([("PIANO", 60, 0, 8), ("PIANO", 62, 2504, 2512)])
    shifts = [mt.decode_token(t)[1] for t in toks if mt.decode_token(t)[0] == "shift"]
    assert shifts == [8, 1000, 1000, 496, 8]
    assert all(8 <= s <= 1000 and s % 8 == 0 for s in shifts)


def test_out_of_range_pitches_fold_by_octaves_and_odd_drums_are_dropped():
    toks = mt.notes_to_tokens([("PIANO", 12, 0, 100), ("PIANO", 120, 0, 100), ("DRUMS", 10, 0, 100)])
    pitches = sorted(mt.decode_token(t)[3] for t in toks if mt.decode_token(t)[0] == "note" and mt.decode_token(t)[2])
    assert pitches == [24, 108]


def test_emotion_bins_follow_the_reference_edges():
    assert [V.emotion_bin(x) for x in (-1, -0.6, -0.59, -0.2, 0, 0.2, 0.21, 0.6, 1)] == [-2, -2, -1, -1, 0, 0, 1, 1, 2]
