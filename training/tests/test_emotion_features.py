"""Fast checks of training/emotion_features.py and models/valence_regressor.onnx (no torch)."""
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training import emotion_features as ef  # noqa: E402

VECTORS = Path(__file__).resolve().parent / "vectors" / "valence_regressor.json"


def scale(steps, inst="PIANO", step=0.5):
    return [(inst, 60 + s, i * step, i * step + step) for i, s in enumerate(steps)]


C_MAJOR = scale([0, 2, 4, 5, 7, 9, 11, 12])
C_MINOR = scale([0, 2, 3, 5, 7, 8, 10, 12])


@pytest.mark.parametrize("notes", [
    [],
    [("PIANO", 60, 0.0, 1.0)],
    [("STRINGS", 64, 2.0, 2.0)],                       # zero-length note
    [("DRUMS", 36, 0.0, 0.1), ("DRUMS", 38, 0.5, 0.6)],
    C_MAJOR + [("DRUMS", 42, 0.25 * i, 0.25 * i + 0.1) for i in range(16)],
])
def test_fixed_length_no_nan(notes):
    f = ef.features(notes)
    assert f.dtype == np.float32
    assert f.shape == (len(ef.FEATURE_NAMES),) == (ef.N_FEATURES,)
    assert np.isfinite(f).all()


def test_feature_names_documented_and_unique():
    assert len(set(ef.FEATURE_NAMES)) == len(ef.FEATURE_NAMES)
    assert all(doc for _, doc in ef.FEATURE_DOC)


def test_drums_ignored():
    drums = [("DRUMS", 36 + i % 10, 0.1 * i, 0.1 * i + 0.05) for i in range(40)]
    np.testing.assert_array_equal(ef.features(C_MAJOR + drums), ef.features(C_MAJOR))
    assert not ef.features(drums).any()


def test_major_scale_more_major_than_minor():
    fa, fb = ef.features(C_MAJOR), ef.features(C_MINOR)
    i = ef.FEATURE_NAMES.index
    assert fa[i("kk_major_minus_minor")] > 0 > fb[i("kk_major_minus_minor")]
    assert fa[i("kk_major_r")] > fb[i("kk_major_r")]
    assert fb[i("kk_minor_r")] > fa[i("kk_minor_r")]
    assert fa[i("third_quality")] > fb[i("third_quality")]


def test_triads():
    i = ef.FEATURE_NAMES.index
    maj = ef.features([("PIANO", p, 0.0, 2.0) for p in (60, 64, 67)])
    mnr = ef.features([("PIANO", p, 0.0, 2.0) for p in (60, 63, 67)])
    assert maj[i("triad_major_minus_minor")] > 0 > mnr[i("triad_major_minus_minor")]
    assert maj[i("harm_ic4")] > 0 and maj[i("harm_ic5")] > 0


def test_program_mapping():
    m = ef.program_to_instrument
    assert m(0) == m(10) == m(19) == m(110) == "PIANO"
    assert m(25) == m(81) == "GUITAR"
    assert m(33) == "BASS"
    assert m(48) == m(60) == m(73) == m(90) == "STRINGS"
    assert m(0, is_drum=True) == "DRUMS"


def test_arousal_raw():
    assert ef.arousal_raw([]) == 0.0
    # 4 notes over 2 s, 2 instruments -> 4 / 2 / 2 = 1.0
    notes = [("PIANO", 60, 0.0, 0.5), ("PIANO", 62, 0.5, 1.0), ("BASS", 36, 0.0, 1.0), ("BASS", 38, 1.0, 2.0)]
    assert math.isclose(ef.arousal_raw(notes), 1.0)


def test_onnx_predict_valence_in_range():
    for notes in ([], C_MAJOR, C_MINOR, [("DRUMS", 36, 0.0, 0.1)]):
        v = ef.predict_valence(notes)
        assert isinstance(v, float) and -1.0 <= v <= 1.0


def test_onnx_vectors_reproduce():
    vec = json.loads(VECTORS.read_text())
    assert vec["feature_names"] == ef.FEATURE_NAMES
    X = np.array(vec["features"], dtype=np.float32)
    got = ef.predict_valence_features(X)
    np.testing.assert_allclose(got, np.array(vec["expected_valence"]), atol=1e-5, rtol=0)


def test_feature_extractor_vectors_reproduce():
    vec = json.loads(VECTORS.read_text())
    for case in vec["note_cases"].values():
        f = ef.features([tuple(n) for n in case["notes"]])
        np.testing.assert_allclose(f, np.array(case["features"], dtype=np.float32), atol=1e-5, rtol=0)
