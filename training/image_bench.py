"""Speed of the image-emotion model: ONNX Runtime per picture, and POST /emotion end to end over loopback.

    .venv/bin/python -m training.image_bench                                   # models/image_emotion.onnx
    .venv/bin/python -m training.image_bench --models old.onnx models/image_emotion.onnx
    .venv/bin/python -m training.image_bench --service http://127.0.0.1:8080 --requests 60

The model figure is one 224 x 224 picture, batch 1, one thread (as the service runs it), median and p90 of --runs,
the models taking turns.
The service figure is a 1024 x 1024 JPEG (The Starry Night stretched to a square, quality 90) sent --requests
times one after the other to POST /emotion on a running service (loopback only), after 5 warm-up requests:
median and p90 of the wall time of each request. Prints the figures; the machine's load average is printed too,
since the development machine's two cores are shared.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "main" / "resources" / "META-INF" / "resources" / "examples" / "starry-night.jpg"


def quantiles(ms):
    ms = sorted(ms)
    return statistics.median(ms), ms[min(len(ms) - 1, int(0.9 * len(ms)))]


def bench_models(paths, runs: int):
    """{path: (wall p50, wall p90, CPU-time p50)} of one batch-1 inference per model, the models taking turns run by
    run so that a changing load on the machine weighs on all of them alike. On one thread the CPU time is the
    work the inference costs, which a busy machine stretches less than the wall time."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sessions = {p: ort.InferenceSession(str(p), so, providers=["CPUExecutionProvider"]) for p in paths}
    x = np.random.default_rng(0).random((1, 3, 224, 224), dtype=np.float32)
    for sess in sessions.values():
        for _ in range(3):
            sess.run(None, {"image": x})
    ms = {p: [] for p in paths}
    cpu = {p: [] for p in paths}
    for _ in range(runs):
        for p, sess in sessions.items():
            t, c = time.perf_counter(), time.process_time()
            sess.run(None, {"image": x})
            ms[p].append(1000 * (time.perf_counter() - t))
            cpu[p].append(1000 * (time.process_time() - c))
    return {p: quantiles(ms[p]) + (statistics.median(cpu[p]),) for p in paths}


def jpeg_1024() -> bytes:
    buf = io.BytesIO()
    Image.open(EXAMPLE).convert("RGB").resize((1024, 1024), Image.BILINEAR).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def post_emotion(url: str, jpeg: bytes) -> bytes:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"square.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + jpeg + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(url.rstrip("/") + "/emotion", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200, resp.status
        return resp.read()


def bench_service(url: str, requests: int):
    host = urllib.parse.urlparse(url).hostname
    assert host in ("127.0.0.1", "localhost", "::1"), "loopback only"
    jpeg = jpeg_1024()
    for _ in range(5):
        answer = post_emotion(url, jpeg)
    ms = []
    for _ in range(requests):
        t = time.perf_counter()
        post_emotion(url, jpeg)
        ms.append(1000 * (time.perf_counter() - t))
    return quantiles(ms), len(jpeg), answer.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="*", default=[str(ROOT / "models" / "image_emotion.onnx")])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--service", help="base URL of a running service on loopback, e.g. http://127.0.0.1:8080")
    ap.add_argument("--requests", type=int, default=60)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for m, (p50, p90, cpu) in bench_models([Path(m) for m in args.models], args.runs).items():
        print(f"model {m}: {m.stat().st_size / 2 ** 20:.1f} MiB, one picture p50 {p50:.1f} ms, p90 {p90:.1f} ms "
              f"(wall), CPU time p50 {cpu:.1f} ms")
    if args.service:
        (p50, p90), size, answer = bench_service(args.service, args.requests)
        print(f"POST /emotion, 1024 x 1024 JPEG ({size / 1024:.0f} KiB), {args.requests} requests: p50 {p50:.1f} ms, "
              f"p90 {p90:.1f} ms; answer {answer}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
