"""The valence pipeline's pieces that need no data set and no torch: the parallel-mode transform, the EMOPIA split and
arrangement, and the independent judge (its committed vectors)."""
import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training import emopia  # noqa: E402
from training.prep_pop909 import parallel_mode  # noqa: E402
from training.valence_judge import FEATURE_NAMES, Judge, judge_features  # noqa: E402

JUDGE_VECTORS = Path(__file__).resolve().parent / "vectors" / "valence_judge.json"


def line(inst, pitches, t0=0.0):
    return [(inst, p, t0 + i * 0.5, t0 + i * 0.5 + 0.5) for i, p in enumerate(pitches)]


def pitches(notes):
    return [n[1] for n in notes]


def test_major_segment_becomes_natural_minor():
    c_major = line("PIANO", [60, 62, 64, 65, 67, 69, 71, 72])
    assert pitches(parallel_mode(c_major, [(0.0, 10.0, 0, "maj")])) == [60, 62, 63, 65, 67, 68, 70, 72]


def test_minor_segment_becomes_major_and_keeps_its_leading_tone():
    # A harmonic minor: A B C D E F G# A -> A major: A B C# D E F# G# A
    a_minor = line("STRINGS", [57, 59, 60, 62, 64, 65, 68, 69])
    assert pitches(parallel_mode(a_minor, [(0.0, 10.0, 9, "min")])) == [57, 59, 61, 62, 64, 66, 68, 69]


def test_each_note_follows_the_key_segment_it_starts_in_and_drums_stay():
    notes = line("BASS", [40, 40]) + line("GUITAR", [52, 52], t0=5.0) + [("DRUMS", 40, 0.0, 0.1)]
    keys = [(0.0, 5.0, 0, "maj"), (5.0, 10.0, 4, "maj")]  # E is the 3rd of C major, the tonic of E major
    out = parallel_mode(notes, keys)
    assert pitches(out) == [39, 39, 52, 52, 40]


def test_notes_outside_every_segment_take_the_nearest():
    out = parallel_mode([("PIANO", 64, 12.0, 12.5)], [(0.0, 2.0, 0, "min"), (3.0, 11.0, 0, "maj")])
    assert pitches(out) == [63]


def test_emopia_split_is_by_song_and_stable():
    assert emopia.song_part("0vLPYiPN7qY") == emopia.song_part("0vLPYiPN7qY")
    parts = [emopia.song_part(f"song{i:04d}") for i in range(3000)]
    assert 0.30 < parts.count("B") / len(parts) < 0.37  # one third of the songs


def test_emopia_arrangement_gives_melody_to_a_lead_and_the_low_line_to_the_bass():
    chord = lambda t, ps: [("PIANO", p, t, t + 0.4) for p in ps]  # noqa: E731
    notes = chord(0.0, [43, 55, 59, 74]) + chord(0.5, [45, 57, 60, 76]) + chord(1.0, [50])
    out = emopia.arrange(notes, random.Random(1))
    lead = {n[0] for n in out if n[1] in (74, 76)}
    assert len(lead) == 1 and lead <= {"STRINGS", "GUITAR"}
    bass = sorted(n[1] for n in out if n[0] == "BASS")
    assert bass == [43, 45] and all(28 <= p <= 52 for p in bass)
    assert sorted(n[1] for n in out if n[0] == "PIANO") == [50, 55, 57, 59, 60]  # a lone low note stays on the piano
    assert len(out) == len(notes)


def test_judge_features_fixed_length_and_finite():
    for notes in ([], [("PIANO", 60, 0.0, 1.0)], [("DRUMS", 36, 0.0, 0.1)] * 3, line("PIANO", range(40, 90))):
        f = judge_features(notes)
        assert f.shape == (len(FEATURE_NAMES),) and np.isfinite(f).all()


@pytest.fixture(scope="module")
def judge_vectors():
    return json.loads(JUDGE_VECTORS.read_text())


def test_judge_vectors_features(judge_vectors):
    for case in judge_vectors["cases"]:
        f = judge_features([tuple(n) for n in case["notes"]])
        np.testing.assert_allclose(f, case["features"], atol=1e-9, err_msg=case["name"])


def test_judge_onnx_matches_its_training_model(judge_vectors):
    judge = Judge(ROOT / judge_vectors["model"])
    for case in judge_vectors["cases"]:
        got = judge.positive([tuple(n) for n in case["notes"]])
        assert abs(got - case["positive"]) <= judge_vectors["tolerance"], case["name"]


def test_judge_hears_a_major_cadence_as_positive_and_its_parallel_minor_as_negative(judge_vectors):
    by_name = {c["name"]: c["positive"] for c in judge_vectors["cases"]}
    assert by_name["cadence_major"] > 0.5 > by_name["cadence_minor"]
