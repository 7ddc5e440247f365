#!/usr/bin/env python3
"""Does the measured emotion travel along an emotion arc? Generates arcs (POST /generate with valence_end and
arousal_end) against a running ARIA service, reads each returned MIDI file back with POST /analyze, and prints the
first and the last 10-second window of /analyze's curve, per seed and averaged, beside a constant request at the arc's
start emotion (same seeds) for comparison.

    java -jar target/quarkus-app/quarkus-run.jar &
    python3 bench/arc.py --service http://127.0.0.1:8080 [--seeds 4] [--gen-len 2048] [--conditioning continuous_concat]
        [--candidates 1]

Requests run one at a time. Standard library only.
"""
import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aria_client import analyze, post  # noqa: E402

ARCS = {
    "calm -> excited": ((0.3, -0.9), (0.3, 0.9)),
    "excited -> calm": ((0.3, 0.9), (0.3, -0.9)),
    "sad -> happy": ((-0.9, 0.0), (0.9, 0.0)),
    "happy -> sad": ((0.9, 0.0), (-0.9, 0.0)),
}


def ends(base, fields):
    status, headers, midi, _ = post(base, "/generate", fields)
    if status != 200:
        raise RuntimeError(f"POST /generate answered {status}: {midi[:300]!r}")
    curve = analyze(base, midi)["curve"]
    return curve[0], curve[-1], len(curve)


def fmt(x):
    return "  n/a" if x is None else f"{x:+.2f}"


def mean(xs):
    xs = [x for x in xs if x is not None]
    return statistics.mean(xs) if xs else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--service", default="http://127.0.0.1:8080")
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--gen-len", type=int, default=2048)
    ap.add_argument("--conditioning", default="continuous_concat")
    ap.add_argument("--candidates", type=int, default=1)
    ap.add_argument("--arcs", default=",".join(ARCS))
    args = ap.parse_args()
    print(f"{args.conditioning}, gen_len {args.gen_len}, candidates {args.candidates}, seeds 1-{args.seeds}; "
          "first and last window of POST /analyze's curve (10 s windows every 5 s)")
    print(f"{'arc':<16} {'asked start':>13} {'asked end':>13}   {'request':<9} {'first V':>7} {'first A':>7} "
          f"{'last V':>7} {'last A':>7}  windows")
    for name in args.arcs.split(","):
        (v0, a0), (v1, a1) = ARCS[name]
        for label, extra in (("arc", {"valence_end": v1, "arousal_end": a1}), ("constant", {})):
            rows = []
            for seed in range(1, args.seeds + 1):
                fields = {"valence": v0, "arousal": a0, "gen_len": args.gen_len, "seed": seed,
                          "conditioning": args.conditioning, "candidates": args.candidates, **extra}
                rows.append(ends(args.service, fields))
            for (first, last, n), seed in zip(rows, range(1, args.seeds + 1)):
                print(f"{'':<16} {'':>13} {'':>13}   {label + ' s' + str(seed):<9} {fmt(first['valence']):>7} "
                      f"{fmt(first['arousal']):>7} {fmt(last['valence']):>7} {fmt(last['arousal']):>7}  {n}",
                      file=sys.stderr, flush=True)
            fv = mean([r[0]["valence"] for r in rows])
            fa = mean([r[0]["arousal"] for r in rows])
            lv = mean([r[1]["valence"] for r in rows])
            la = mean([r[1]["arousal"] for r in rows])
            windows = statistics.mean(r[2] for r in rows)
            print(f"{name if label == 'arc' else '':<16} {f'({v0:+.1f}, {a0:+.1f})':>13} "
                  f"{f'({v1:+.1f}, {a1:+.1f})' if label == 'arc' else '':>13}   {label + ' mean':<9} {fmt(fv):>7} "
                  f"{fmt(fa):>7} {fmt(lv):>7} {fmt(la):>7}  {windows:.1f}", flush=True)


if __name__ == "__main__":
    main()
