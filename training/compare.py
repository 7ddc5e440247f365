"""Decoders side by side: held-out likelihood, emotion control, the independent judge and listening cues.

Reads the run directories of train.py whose names match --prefix/--suffix (best.pt's held-out evaluation) and the
evaluate.py result beside each (eval.json, one entry per guidance weight), prints one Markdown table and writes the
figures as JSON.

    python -m training.compare --runs training/runs --prefix abl_ --out training/results/valence_ablation.json
    python -m training.compare --runs training/runs --suffix _v3 --out training/results/conditioning_comparison.json
"""
import argparse
import json
from pathlib import Path

import torch


def row(run: Path):
    ck = torch.load(run / "best.pt", map_location="cpu", weights_only=False)
    ev = json.loads((run / "eval.json").read_text()) if (run / "eval.json").exists() else None
    log = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines() if line.strip()]
    return {"run": str(run), "config": ck["config"], "best_iter": ck["iter"],
            "last_iter": log[-1]["iter"] if log else None, "minutes": log[-1]["minutes"] if log else None,
            "held_out": ck["eval"], "generated": ev["runs"] if ev else []}


def fmt_r(m):
    lo, hi = m.get("pearson_r_ci95", [float("nan")] * 2)
    return f"{m['pearson_r']:+.2f} [{lo:+.2f}, {hi:+.2f}]"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", default="training/runs")
    ap.add_argument("--prefix", default="")
    ap.add_argument("--suffix", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    dirs = sorted(d for d in Path(a.runs).iterdir() if d.is_dir() and d.name.startswith(a.prefix)
                  and d.name.endswith(a.suffix) and (d / "best.pt").exists())
    rows = {d.name: row(d) for d in dirs}
    print("| run | guidance | held-out NLL (ppl) | parallel-mode NLL | valence r [95 % CI] | judge positive at -0.8 / 0 / +0.8 |"
          " arousal r [95 % CI] | >= 3 instr. | major key at -0.8 / +0.8 | mean pitch at -0.8 / +0.8 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        h = r["held_out"]
        nll = f"{h['pop909_heldout']['nll']:.3f} ({h['pop909_heldout']['ppl']:.1f})"
        par = f"{h['pop909_heldout_parallel']['nll']:.3f}" if "pop909_heldout_parallel" in h else "-"
        for g in r["generated"] or [None]:
            if g is None:
                print(f"| `{name}` | - | {nll} | {par} | - | - | - | - | - | - |")
                continue
            j = g["judge_positive_share"]
            cue = g["cues_by_requested_valence"]
            print(f"| `{name}` | {g['guidance']:g} | {nll} | {par} | {fmt_r(g['valence'])} | "
                  f"{j['-0.8']:.0%} / {j['+0.0']:.0%} / {j['+0.8']:.0%} | {fmt_r(g['arousal'])} | {g['share_ge3']:.0%} | "
                  f"{cue['major_key']['-0.8']:.0%} / {cue['major_key']['+0.8']:.0%} | "
                  f"{cue['mean_pitch']['-0.8']:.1f} / {cue['mean_pitch']['+0.8']:.1f} |")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(rows, indent=1) + "\n")
    print(f"-> {a.out}")


if __name__ == "__main__":
    main()
