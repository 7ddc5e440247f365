"""Evaluate a trained decoder on generated pieces.

For each (valence, arousal) of a 3 x 3 grid and each guidance weight, generate pieces with the reference sampler
(training/sample.py), then measure:
  - instruments per piece: share with >= 2 / >= 3 / >= 4 instruments (single attempt), and how often
    min_instruments = 3 is met within 3 attempts;
  - emotion as the training pieces were labelled (the valence labeller, midi-emotion's arousal, both on the labels'
    scale from the data set's JSON) against the requested values: Pearson r with a 95 % interval, and MAE;
  - the independent valence judge (models/valence_judge.onnx, trained on EMOPIA part B only): the share of pieces
    it judges positive, per requested valence;
  - listening cues that music psychology ties to valence and arousal, per requested valence (`cues`): major-key
    share and key clarity (Krumhansl-Kessler), major-minus-minor triads, register (mean pitch, melody), articulation,
    consonance, note density.

    python -m training.evaluate --ckpt training/runs/concat/best.pt --guidance 1,2,3 --out training/runs/concat/eval.json

With --service URL the pieces come from a running ARIA service instead (POST /generate with the same seeds and
settings): the figures of exactly what it serves (its decoder file, int8 or float32, its Java sampler and engine),
measured by the same code. --conditioning picks the decoder there.
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from . import emotion_features as ef
from . import midi_tokens as mt
from .build_dataset import scaled_emotion, seconds
from .sample import Generator, count_instruments, load
from .valence_judge import Judge

GRID = (-0.8, 0.0, 0.8)
CUES = {"major_key": lambda f: float(f[ef.FEATURE_NAMES.index("kk_major_minus_minor")] > 0),
        "key_clarity": lambda f: float(f[ef.FEATURE_NAMES.index("key_clarity")]),
        "triads_major_minus_minor": lambda f: float(f[ef.FEATURE_NAMES.index("triad_major_minus_minor")]),
        "mean_pitch": lambda f: float(f[ef.FEATURE_NAMES.index("pitch_mean")]),
        "melody_pitch": lambda f: float(f[ef.FEATURE_NAMES.index("top_mean")]),
        "articulation": lambda f: float(f[ef.FEATURE_NAMES.index("articulation")]),
        "consonance": lambda f: float(f[ef.FEATURE_NAMES.index("dyadic_consonance")]),
        "log_note_density": lambda f: float(f[ef.FEATURE_NAMES.index("log_note_density")])}


def correlation(req, got):
    """Pearson r with its 95 % interval (Fisher's z, normal approximation) and the MAE."""
    req, got = np.array(req, dtype=float), np.array(got, dtype=float)
    r = float(np.corrcoef(req, got)[0, 1]) if got.std() > 0 and req.std() > 0 else float("nan")
    half = 1.96 / np.sqrt(max(1, len(req) - 3))
    ci = [float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))] if abs(r) < 1 else [r, r]
    return {"pearson_r": r, "pearson_r_ci95": ci, "mae": float(np.abs(req - got).mean())}


def measure(notes, stats, judge):
    """Everything evaluate.py reports about one piece (notes in seconds)."""
    if not notes:
        return {"valence": 0.0, "arousal": -1.0, "judge_positive": 0.5, **{k: 0.0 for k in CUES}}
    v, a = scaled_emotion(notes, stats)
    f = ef.features(notes)
    return {"valence": v, "arousal": a, "judge_positive": judge.positive(notes), **{k: c(f) for k, c in CUES.items()}}


def by_valence(req_v, rows, key):
    return {f"{v:+.1f}": float(np.mean([r[key] for rv, r in zip(req_v, rows) if rv == v])) for v in GRID}


class ServiceSource:
    """Pieces from a running service: POST /generate, the MIDI file read back as the data pipeline reads MIDI."""

    def __init__(self, base, conditioning):
        self.base, self.conditioning = base.rstrip("/"), conditioning

    def generate(self, valence, arousal, gen_len, min_instruments, seed, max_attempts, guidance, contrast):
        import tempfile
        import urllib.request
        fields = {"valence": valence, "arousal": arousal, "conditioning": self.conditioning, "gen_len": gen_len,
                  "min_instruments": min_instruments, "seed": seed, "guidance": guidance,
                  "guidance_contrast": contrast, "candidates": 1}  # the decoder alone: no ranking by the labeller
        boundary = "ariaevaluate"
        body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                        for k, v in fields.items()) + f"--{boundary}--\r\n".encode()
        req = urllib.request.Request(f"{self.base}/generate", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(req, timeout=600) as r:
            midi = r.read()
        with tempfile.NamedTemporaryFile(suffix=".mid") as f:
            f.write(midi)
            f.flush()
            notes = ef.notes_from_midi(f.name)
        n = len({inst for inst, *_ in notes})
        return {"notes": notes, "instruments": n, "met": n >= min_instruments}


class TorchSource:
    """Pieces from a checkpoint, with the reference sampler (training/sample.py)."""

    def __init__(self, gen):
        self.gen = gen

    def generate(self, valence, arousal, gen_len, min_instruments, seed, max_attempts, guidance, contrast):
        r = self.gen.generate(valence, arousal, gen_len, min_instruments=min_instruments, seed=seed,
                              max_attempts=max_attempts, guidance=guidance, contrast=contrast)
        return {"notes": seconds(mt.tokens_to_notes(r["tokens"])), "instruments": count_instruments(r["tokens"]),
                "met": r["met"]}


def evaluate(gen, stats, judge, gen_len, per_cell, guidance, contrast="null"):
    req_v, req_a, rows, n_inst, met3 = [], [], [], [], []
    seed = 0
    t0 = time.time()
    for v in GRID:
        for ar in GRID:
            for _ in range(per_cell):
                seed += 1
                first = gen.generate(v, ar, gen_len, 1, seed, 1, guidance, contrast)
                n_inst.append(first["instruments"])
                req_v.append(v)
                req_a.append(ar)
                rows.append(measure(first["notes"], stats, judge))
                if n_inst[-1] >= 3:
                    met3.append(True)
                else:
                    met3.append(gen.generate(v, ar, gen_len, 3, seed + 10_000, 2, guidance, contrast)["met"])
    n_inst = np.array(n_inst)
    judge_pos = [r["judge_positive"] > 0.5 for r in rows]
    return {
        "guidance": guidance, "contrast": contrast, "pieces": len(rows), "gen_len": gen_len,
        "share_ge2": float((n_inst >= 2).mean()), "share_ge3": float((n_inst >= 3).mean()),
        "share_ge4": float((n_inst >= 4).mean()), "min3_within_3_tries": float(np.mean(met3)),
        "valence": correlation(req_v, [r["valence"] for r in rows]),
        "arousal": correlation(req_a, [r["arousal"] for r in rows]),
        "judge_positive_share": {f"{v:+.1f}": float(np.mean([p for rv, p in zip(req_v, judge_pos) if rv == v]))
                                 for v in GRID},
        "judge_r": correlation(req_v, [r["judge_positive"] for r in rows])["pearson_r"],
        "cues_by_requested_valence": {k: by_valence(req_v, rows, k) for k in CUES},
        "cue_r_with_requested_valence": {k: correlation(req_v, [r[k] for r in rows])["pearson_r"] for k in CUES},
        "cue_r_with_requested_arousal": {k: correlation(req_a, [r[k] for r in rows])["pearson_r"] for k in CUES},
        "minutes": round((time.time() - t0) / 60, 2),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", help="a checkpoint (train.py's best.pt)")
    ap.add_argument("--service", help="or the base URL of a running service, e.g. http://127.0.0.1:8080")
    ap.add_argument("--conditioning", default="continuous_concat", help="with --service: the decoder to use")
    ap.add_argument("--dataset_json", default="training/work/dataset.json")
    ap.add_argument("--gen_len", type=int, default=1024)
    ap.add_argument("--per_cell", type=int, default=4)
    ap.add_argument("--guidance", default="1", help="comma-separated guidance weights (1 = off)")
    ap.add_argument("--contrast", default="null", choices=("null", "valence"),
                    help="what guidance contrasts with: the null condition, or the opposite valence")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1, help="torch threads")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    stats = json.loads(Path(a.dataset_json).read_text())
    judge = Judge()
    if a.service:
        gen = ServiceSource(a.service, a.conditioning)
        res = {"service": a.service, "conditioning": a.conditioning}
    else:
        gen = TorchSource(Generator(load(a.ckpt)))
        res = {"ckpt": a.ckpt}
    res.update({"dataset_json": a.dataset_json, "grid": GRID, "per_cell": a.per_cell, "runs": []})
    for w in [float(x) for x in a.guidance.split(",")]:
        if w != 1.0 and a.contrast == "null" and a.ckpt and not gen.gen.cfg.null_condition:
            continue
        r = evaluate(gen, stats, judge, a.gen_len, a.per_cell, w, a.contrast)
        res["runs"].append(r)
        print(json.dumps({k: r[k] for k in ("guidance", "valence", "arousal", "judge_positive_share", "share_ge3",
                                            "minutes")}), flush=True)
        Path(a.out).write_text(json.dumps(res, indent=1) + "\n")
    Path(a.out).write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
