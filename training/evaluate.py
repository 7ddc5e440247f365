"""Evaluate a trained decoder on generated pieces.

For each (valence, arousal) of a grid, generate pieces with the reference sampler, then measure:
  - instruments per piece: share with >= 2 / >= 3 / >= 4 instruments (single attempt);
  - how often min_instruments = 3 is met within 3 attempts;
  - emotion: the VGMIDI valence regressor and midi-emotion's arousal (both scaled as the training labels,
    constants from the data set's JSON) against the requested values: Pearson r and MAE, separately.

    python -m training.evaluate --ckpt training/runs/concat_cpu/best.pt --out training/runs/concat_cpu/eval.json
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from . import midi_tokens as mt
from .build_dataset import scaled_emotion, seconds
from .sample import Generator, count_instruments, load

GRID = (-0.8, 0.0, 0.8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--dataset_json", default="training/work/dataset.json")
    ap.add_argument("--gen_len", type=int, default=768)
    ap.add_argument("--per_cell", type=int, default=2)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    stats = json.loads(Path(a.dataset_json).read_text())
    gen = Generator(load(a.ckpt))
    t0 = time.time()
    req_v, req_a, got_v, got_a, n_inst, met3 = [], [], [], [], [], []
    seed = 0
    for v in GRID:
        for ar in GRID:
            for _ in range(a.per_cell):
                seed += 1
                first = gen.generate(v, ar, a.gen_len, min_instruments=1, seed=seed, max_attempts=1)
                toks = first["tokens"]
                notes = seconds(mt.tokens_to_notes(toks))
                n_inst.append(count_instruments(toks))
                req_v.append(v)
                req_a.append(ar)
                v_got, a_got = scaled_emotion(notes, stats) if notes else (0.0, -1.0)
                got_v.append(v_got)
                got_a.append(a_got)
                if n_inst[-1] >= 3:
                    met3.append(True)
                else:
                    retry = gen.generate(v, ar, a.gen_len, min_instruments=3, seed=seed + 10_000, max_attempts=2)
                    met3.append(retry["met"])
    n_inst = np.array(n_inst)

    def rm(req, got):
        req, got = np.array(req), np.array(got)
        r = float(np.corrcoef(req, got)[0, 1]) if got.std() > 0 else float("nan")
        # 95 % interval of r from Fisher's z (normal approximation): with a few dozen pieces it is wide.
        half = 1.96 / np.sqrt(max(1, len(req) - 3))
        ci = [float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))] if abs(r) < 1 else [r, r]
        return {"pearson_r": r, "pearson_r_ci95": ci, "mae": float(np.abs(req - got).mean())}

    res = {
        "ckpt": a.ckpt, "gen_len": a.gen_len, "pieces": len(n_inst), "grid": GRID,
        "share_ge2": float((n_inst >= 2).mean()), "share_ge3": float((n_inst >= 3).mean()),
        "share_ge4": float((n_inst >= 4).mean()), "min3_within_3_tries": float(np.mean(met3)),
        "valence": rm(req_v, got_v), "arousal": rm(req_a, got_a), "minutes": round((time.time() - t0) / 60, 2),
    }
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
