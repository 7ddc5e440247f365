#!/usr/bin/env python3
"""How much closer the measured emotion gets with more candidates, and what it costs: runs a grid of requests
(valence x arousal in {-0.8, 0, 0.8}, several seeds) against a running ARIA service (the packaged jar) with 1, 2, 4
and 8 candidates, and prints, per number of candidates, the mean distance of the returned piece's measured emotion
(the result event's measured_valence / measured_arousal, i.e. POST /analyze of the generated music) to the requested
one, the mean |valence| and |arousal| errors, and the mean wall time of a request.

    java -jar target/quarkus-app/quarkus-run.jar &          # port 8080, or -Dquarkus.http.port=...
    python3 bench/candidates.py --service http://127.0.0.1:8080 [--seeds 3] [--gen-len 1024]

Requests run one at a time. Standard library only.
"""
import argparse
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aria_client import generate_result  # noqa: E402

GRID = (-0.8, 0.0, 0.8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--service", default="http://127.0.0.1:8080")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--gen-len", type=int, default=1024)
    ap.add_argument("--candidates", default="1,2,4,8")
    ap.add_argument("--conditioning", default="continuous_concat")
    args = ap.parse_args()
    ks = [int(k) for k in args.candidates.split(",")]
    rows = []
    for k in ks:
        dist, dv, da, secs, met = [], [], [], [], 0
        for v in GRID:
            for a in GRID:
                for seed in range(1, args.seeds + 1):
                    r, s = generate_result(args.service, {
                        "valence": v, "arousal": a, "gen_len": args.gen_len, "seed": seed, "candidates": k,
                        "conditioning": args.conditioning})
                    mv = r.get("measured_valence")
                    ma = r.get("measured_arousal")
                    # a piece without pitched notes has no valence: it counts as the farthest it could be
                    ev = abs(mv - v) if mv is not None else 1 + abs(v)
                    ea = abs(ma - a) if ma is not None else 1 + abs(a)
                    dist.append(math.hypot(ev, ea))
                    dv.append(ev)
                    da.append(ea)
                    secs.append(s)
                    met += r["met_minimum"]
        rows.append((k, statistics.mean(dist), statistics.stdev(dist) / math.sqrt(len(dist)), statistics.mean(dv),
                     statistics.mean(da), statistics.mean(secs), statistics.median(secs), met, len(dist)))
        print(f"  k={k}: {len(dist)} requests, mean distance {rows[-1][1]:.3f}", file=sys.stderr, flush=True)
    base = rows[0][5]
    print(f"{args.conditioning}, gen_len {args.gen_len}, {len(GRID) ** 2} emotions x {args.seeds} seeds")
    print("candidates  mean distance (± s.e.)  mean |dvalence|  mean |darousal|  met min.  s/request (mean, median)"
          "  time vs 1")
    for k, d, se, ev, ea, s, med, met, n in rows:
        print(f"{k:>10}  {d:>8.3f} (± {se:.3f})      {ev:>11.3f}  {ea:>15.3f}  {met:>4}/{n:<3}  {s:>9.2f}, {med:.2f}"
              f"  {s / base:>9.2f}x")


if __name__ == "__main__":
    main()
