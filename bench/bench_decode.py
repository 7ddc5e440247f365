"""Decoding speed, side by side, in one run: the reference way (recompute the whole window every step,
PyTorch), PyTorch with the KV cache, ONNX Runtime (Python) with the KV cache, and the Java service
(ONNX Runtime Java, KV cache, end to end over HTTP) if --service is given.

    python bench/bench_decode.py --ckpt training/runs/continuous_concat_eq/best.pt --onnx models/music_continuous_concat.onnx \
        [--service http://localhost:8080] [--gen_len 512] [--threads 1]

Each figure is the median of --repeats runs of gen_len tokens (same seed), single request, CPU.
"""
import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training import vocab as V  # noqa: E402
from training.sample import Generator, is_timeshift, load, nucleus_pick, penalised_temperature, special_mask  # noqa: E402


def onnx_generate(sess, cfg, gen_len, seed):
    """The same sampler on ONNX Runtime with the cache (no re-encode needed below the window)."""
    rng = np.random.default_rng(seed)
    mask = special_mask(cfg.vocab_size)
    hd = cfg.n_embd // cfg.n_head
    past = {f"past_key_values.{i}.{kv}": np.zeros((1, cfg.n_head, 0, hd), np.float32)
            for i in range(cfg.n_layer) for kv in ("key", "value")}
    names = [o.name for o in sess.get_outputs()]
    cond = np.array([[0.5, 0.5]], np.float32)
    seq, feed, repeat = [V.START], [V.START], 0
    for _ in range(gen_len):
        if past["past_key_values.0.key"].shape[2] + len(feed) > cfg.block_size:
            keep = seq[-(cfg.block_size // 2):]
            feed = keep
            past = {k: v[:, :, :0] for k, v in past.items()}
        out = dict(zip(names, sess.run(None, {"input_ids": np.array([feed], np.int64), "condition": cond, **past})))
        past = {k.replace("present", "past_key_values"): v for k, v in out.items() if k.startswith("present")}
        base = 1.2
        tok, kept = nucleus_pick(out["logits"][0, -1], penalised_temperature(base, repeat), 0.7, rng.random(), mask)
        repeat = repeat + 1 if kept <= 2 else repeat // 2
        seq.append(tok)
        feed = [tok]
    return seq


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--service", default="")
    ap.add_argument("--gen_len", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model = load(a.ckpt)
    cfg = model.cfg
    g = Generator(model)
    rows = []
    rng = lambda: np.random.default_rng(1)  # noqa: E731
    t = timed(lambda: g.generate_once(0.5, 0.5, a.gen_len, 1.2, 1.2, 0.7, rng(), cached=False), a.repeats)
    rows.append(("reference: PyTorch, recompute window", t))
    t = timed(lambda: g.generate_once(0.5, 0.5, a.gen_len, 1.2, 1.2, 0.7, rng(), cached=True), a.repeats)
    rows.append(("PyTorch, KV cache", t))
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(a.onnx, so, providers=["CPUExecutionProvider"])
    t = timed(lambda: onnx_generate(sess, cfg, a.gen_len, 1), a.repeats)
    rows.append(("ONNX Runtime (Python), KV cache", t))
    if a.service:
        def call():
            subprocess.run(["curl", "-sf", "-o", "/dev/null", "-F", "valence=0.5", "-F", "arousal=0.5", "-F",
                            f"gen_len={a.gen_len}", "-F", "seed=1", "-F", "min_instruments=1",
                            f"{a.service}/generate"], check=True)
        call()  # warm the JIT
        rows.append(("Java service over HTTP (ONNX Runtime Java, KV cache)", timed(call, a.repeats)))
    print(f"gen_len {a.gen_len}, window {cfg.block_size}, {sum(p.numel() for p in model.parameters()) / 1e6:.1f} M "
          f"parameters, {a.threads} thread(s), median of {a.repeats}")
    print(f"{'decoder':58s} {'seconds':>8s} {'tokens/s':>9s} {'speed-up':>9s}")
    base = rows[0][1]
    for name, t in rows:
        print(f"{name:58s} {t:8.2f} {a.gen_len / t:9.0f} {base / t:8.1f}x")


if __name__ == "__main__":
    main()
