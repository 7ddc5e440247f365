"""The sampling core against the committed vectors (shared with Java), and its semantics."""
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training.sampling import nucleus_pick, penalised_temperature, special_mask  # noqa: E402

VEC = json.loads((Path(__file__).parent / "vectors" / "sampler.json").read_text())


def test_vectors_pick_the_committed_tokens():
    mask = np.array(VEC["mask"])
    for c in VEC["cases"]:
        tok, kept = nucleus_pick(np.array(c["logits"], dtype=np.float32), c["temperature"], c["top_p"], c["u"], mask)
        assert (tok, kept) == (c["token"], c["kept"])


def test_masked_tokens_are_never_picked_even_when_most_likely():
    logits = np.zeros(10)
    logits[0] = 50
    mask = np.zeros(10, dtype=bool)
    mask[0] = True
    for u in np.linspace(0, 0.999, 25):
        assert nucleus_pick(logits, 1.0, 1.0, u, mask)[0] != 0


def test_nucleus_keeps_only_the_top_token_when_it_dominates():
    logits = np.array([10.0, 0.0, 0.0, 0.0])
    assert nucleus_pick(logits, 1.0, 0.7, 0.99) == (0, 1)


def test_repetition_penalty_matches_the_reference_formula():
    assert penalised_temperature(1.2, 0) == 1.2
    assert penalised_temperature(1.2, 3) == 1.2
    assert math.isclose(penalised_temperature(1.2, 7), 1.2 * (1 + 0.5 * math.log(2)))


def test_special_tokens_are_masked():
    m = special_mask(1017)
    assert m[0] and m[1] and m[1007:].all() and not m[2:1007].any()


def test_guided_picks_match_the_committed_vectors():
    import json
    from pathlib import Path
    from training.sampling import guide, nucleus_pick
    vec = json.loads((Path(__file__).resolve().parent / "vectors" / "sampler.json").read_text())
    mask = np.array(vec["mask"])
    assert len(vec["guided"]) >= 10
    for c in vec["guided"]:
        combined = guide(np.float32(c["cond"]), np.float32(c["other"]), c["guidance"])
        np.testing.assert_allclose(combined, c["combined"], rtol=0, atol=1e-9)
        assert nucleus_pick(combined, c["temperature"], c["top_p"], c["u"], mask) == (c["token"], c["kept"])


def test_guidance_one_is_the_conditional_stream_alone():
    from training.sampling import guide
    rng = np.random.default_rng(3)
    cond, other = rng.normal(size=30), rng.normal(size=30)
    lp = cond - np.log(np.exp(cond - cond.max()).sum()) - cond.max()
    np.testing.assert_allclose(guide(cond, other, 1.0), lp, atol=1e-12)
