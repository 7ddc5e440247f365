"""The guidance a decoder serves by default, chosen on its evaluation (evaluate.py's JSON, one run per weight).

Rule (the targets of the valence issue): among the weights whose pieces keep arousal control (arousal r >= 0.80)
and their instruments (min_instruments = 3 met within 3 attempts in at least 95 % of the pieces), the one whose
valence r has the highest lower 95 % bound; if none keeps both, the weight with the highest arousal r. Writes {"guidance", "guidance_contrast", "chosen_on", "rule"}
for export.py --serving_json.

    python -m training.choose_serving training/runs/serve_eval/final_continuous_concat.json \
        --out training/runs/continuous_concat_v3/serving.json
"""
import argparse
import json
from pathlib import Path

MIN_AROUSAL_R = 0.80
MIN_MET3 = 0.95
RULE = (f"highest lower 95 % bound of valence r among the weights with arousal r >= {MIN_AROUSAL_R} and "
        f"min_instruments 3 met within 3 attempts in >= {MIN_MET3:.0%} of pieces (else the highest arousal r)")


def choose(runs):
    ok = [r for r in runs if r["arousal"]["pearson_r"] >= MIN_AROUSAL_R and r["min3_within_3_tries"] >= MIN_MET3]
    if ok:
        return max(ok, key=lambda r: r["valence"]["pearson_r_ci95"][0])
    return max(runs, key=lambda r: r["arousal"]["pearson_r"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_json")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ev = json.loads(Path(a.eval_json).read_text())
    best = choose(ev["runs"])
    out = {"guidance": best["guidance"], "guidance_contrast": best["contrast"], "chosen_on": a.eval_json,
           "rule": RULE, "figures": {"valence_r": best["valence"],
                                     "arousal_r": best["arousal"], "share_ge3": best["share_ge3"],
                                     "min3_within_3_tries": best["min3_within_3_tries"],
                                     "judge_positive_share": best["judge_positive_share"]}}
    Path(a.out).write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: out[k] for k in ("guidance", "guidance_contrast")}))


if __name__ == "__main__":
    main()
