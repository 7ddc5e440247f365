"""The music-emotion reader's cross-language vectors (training/tests/vectors/analysis.json, written by
training/make_analysis_vectors.py) against the Python code; dev.aria.analysis.AnalysisVectorsTest checks the Java
port against the same file."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training import emotion_features as ef  # noqa: E402
from training.build_dataset import scale  # noqa: E402

VECTORS = Path(__file__).resolve().parent / "vectors"
DOC = json.loads((VECTORS / "analysis.json").read_text())
CASES = {c["name"]: c for c in DOC["cases"]}


def notes_of(case):
    return [tuple(n) for n in case["notes"]]


def test_header_matches_the_code():
    assert DOC["feature_names"] == ef.FEATURE_NAMES
    assert (DOC["curve_window_s"], DOC["curve_hop_s"]) == (ef.CURVE_WIN, ef.CURVE_HOP)
    assert DOC["labeller"] == json.loads((ROOT / "models" / "valence_regressor.json").read_text())["id"]
    files = {c["file"] for c in DOC["cases"] if c["file"]}
    assert files == {f"midi/{p.name}" for p in (VECTORS / "midi").glob("*.mid")}


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c["file"]])
def test_files_read_to_the_recorded_notes(name):
    case = CASES[name]
    assert ef.notes_from_midi(VECTORS / case["file"]) == notes_of(case)


@pytest.mark.parametrize("name", list(CASES))
def test_features_arousal_valence_and_curve_reproduce(name):
    case = CASES[name]
    notes = notes_of(case)
    f = ef.features(notes)
    np.testing.assert_allclose(f, np.array(case["features"], dtype=np.float32), rtol=1e-6, atol=1e-7)
    assert ef.arousal_raw(notes) == pytest.approx(case["arousal_raw"], rel=1e-12)
    if case["valence_raw"] is None:
        assert not any(inst != "DRUMS" for inst, *_ in notes)
    else:
        assert ef.predict_valence(notes) == pytest.approx(case["valence_raw"], abs=1e-6)
        assert float(scale(case["valence_raw"], DOC["valence_raw_scale"])) == pytest.approx(case["valence"], abs=1e-12)
    assert float(scale(case["arousal_raw"], DOC["arousal_raw_scale"])) == pytest.approx(case["arousal"], abs=1e-12)
    windows = ef.curve_windows(notes)
    assert len(windows) == len(case["curve"])
    for (start, end, window), want in zip(windows, case["curve"]):
        assert (start, end, len(window)) == (want["start_s"], want["end_s"], want["notes"])
        if want["valence_raw"] is not None:
            assert ef.predict_valence(window) == pytest.approx(want["valence_raw"], abs=1e-6)
        if want["arousal_raw"] is not None:
            assert ef.arousal_raw(window) == pytest.approx(want["arousal_raw"], rel=1e-12)


def test_the_files_exercise_what_they_claim():
    quirks = notes_of(CASES["type1-quirks"])
    # two D4 note-ons closed by one note-off, both under the program current at the off (25: guitar)
    assert quirks.count(("GUITAR", 62, 1.0, 1.3)) == 2
    # the on/off pair at one tick (F4) and the note never closed (F#5) are dropped
    assert not any(p in (65, 78) for _, p, _, _ in quirks)
    # the tempo event of track 1 is ignored: 100 bpm from tick 960 holds, so tick 20000 after 4080 is 29.9 s
    assert ("GUITAR", 72, pytest.approx(29.9), pytest.approx(30.5)) in quirks
    type0 = notes_of(CASES["type0-tempo-map"])
    assert {inst for inst, *_ in type0} == set(ef.INSTRUMENTS)
    assert max(e for *_, e in type0) == pytest.approx(4.8 + 3.2 + 6.4 + 1.36, abs=0.05)


def test_content_major_reads_more_pleasant_and_dense_more_excited():
    assert CASES["cheerful-major"]["valence"] > CASES["sad-minor"]["valence"] + 0.5
    assert CASES["dense-fast"]["arousal"] > CASES["sparse-slow"]["arousal"] + 1.0


def test_curve_covers_each_piece_without_gaps():
    for case in DOC["cases"]:
        curve = case["curve"]
        if not case["notes"]:
            assert curve == []
            continue
        end = max(max(n[2], n[3]) for n in case["notes"])
        assert curve[0]["start_s"] == 0.0 and curve[-1]["end_s"] == pytest.approx(end)
        for a, b in zip(curve, curve[1:]):
            assert b["start_s"] - a["start_s"] == pytest.approx(DOC["curve_hop_s"])
            assert b["start_s"] < a["end_s"]
