"""The four conditionings side by side: held-out likelihood and emotion control, same training budget.

Reads, for each conditioning, the run directory of train.py (best.pt's held-out evaluation) and the
evaluate.py result beside it (eval.json), then prints one Markdown table and writes the figures as JSON.

    python -m training.compare --runs training/runs --suffix _eq --out training/results/conditioning_comparison.json
"""
import argparse
import json
from pathlib import Path

import torch

from .model import CONDITIONINGS


def row(run: Path):
    ck = torch.load(run / "best.pt", map_location="cpu", weights_only=False)
    ev = json.loads((run / "eval.json").read_text()) if (run / "eval.json").exists() else None
    log = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines() if line.strip()]
    return {"run": str(run), "best_iter": ck["iter"], "last_iter": log[-1]["iter"] if log else None,
            "minutes": log[-1]["minutes"] if log else None, "held_out": ck["eval"], "generated": ev}


def fmt_r(m):
    lo, hi = m.get("pearson_r_ci95", [float("nan")] * 2)
    return f"{m['pearson_r']:+.2f} [{lo:+.2f}, {hi:+.2f}]"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", default="training/runs")
    ap.add_argument("--suffix", default="_eq")
    ap.add_argument("--out", default="training/results/conditioning_comparison.json")
    a = ap.parse_args()
    rows = {c: row(Path(a.runs) / f"{c}{a.suffix}") for c in CONDITIONINGS
            if (Path(a.runs) / f"{c}{a.suffix}" / "best.pt").exists()}
    print("| conditioning | iterations | POP909 held-out NLL (ppl) | accuracy | real band files NLL |"
          " valence r [95 % CI] | valence MAE | arousal r [95 % CI] | arousal MAE | >= 3 instr. |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for c, r in rows.items():
        h, m, g = r["held_out"]["pop909_heldout"], r["held_out"].get("multi_real", {}), r["generated"]
        gen = (f"{fmt_r(g['valence'])} | {g['valence']['mae']:.2f} | {fmt_r(g['arousal'])} | "
               f"{g['arousal']['mae']:.2f} | {g['share_ge3']:.0%}") if g else "- | - | - | - | -"
        print(f"| `{c}` | {r['best_iter']} | {h['nll']:.3f} ({h['ppl']:.1f}) | {h['acc']:.1%} | "
              f"{m.get('nll', float('nan')):.2f} | {gen} |")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(rows, indent=1) + "\n")
    print(f"-> {a.out}")


if __name__ == "__main__":
    main()
