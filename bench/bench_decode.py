"""Decoding speed side by side, in one run, from the files the repository ships.

Rows (same decoder weights, same machine, one thread each):
  (a) the reference algorithm: PyTorch recomputing the whole window for every token, as midi-emotion does
  (b) PyTorch with the key/value cache (training/sample.py)
  (c) the Java decoder loop alone: the service's batched engine (dev.aria.music.DecodeBenchmark), no HTTP
  (d) the service end to end over HTTP (the packaged jar, started here on a free loopback port)
The PyTorch module is rebuilt from the ONNX file's initialisers (training/onnx_to_torch.py), so no checkpoint is
needed. Where torch is not installed (the test environment), (a) and (b) run the same algorithms on ONNX Runtime
from Python instead, and say so.

    python bench/bench_decode.py                 # the whole table (about 10 minutes on 2 cores)
    python bench/bench_decode.py --short         # (a) vs (c) at 256 tokens; exit status 1 unless (c) is faster
    python bench/bench_decode.py --table bench/decode_figures.json   # print a saved run's table again

Needs `./mvnw package` (target/quarkus-app, target/test-classes) and, for the classpath of (c), Maven's
dependency plugin (run once, offline afterwards).
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from training import vocab as V  # noqa: E402
from training.onnx_decoder import OnnxDecoder  # noqa: E402
from training.sampling import is_timeshift, nucleus_pick, penalised_temperature, special_mask  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import packaged  # noqa: E402


def gemm_rate(n=512, repeats=5):
    """Single-core float32 GEMM rate of this machine (numpy, one thread), FLOP/s."""
    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    b = a.T.copy()
    a @ b
    t = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n ** 3 / t


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def peak_rss_mb(pid="self"):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(re.sub(r"\D", "", line)) / 1024
    return float("nan")


# ---------------------------------------------------------------------------------------------- (a), (b) in Python
class TorchRows:
    name_a = "(a) reference: PyTorch, recompute the window every token"
    name_b = "(b) PyTorch, KV cache"

    def __init__(self, onnx):
        import torch
        from training.onnx_to_torch import load
        from training.sample import Generator
        torch.set_num_threads(1)
        self.gen = Generator(load(onnx))
        self.params = sum(p.numel() for p in self.gen.model.parameters())

    def run(self, length, cached):
        self.gen.generate_once(0.5, 0.3, length, 1.2, 1.2, 0.7, np.random.default_rng(1), cached=cached)


class OrtRows:
    """The same two algorithms on ONNX Runtime from Python, where torch is not installed."""
    name_a = "(a) reference algorithm on ONNX Runtime (Python): recompute the window every token"
    name_b = "(b) ONNX Runtime (Python), KV cache"

    def __init__(self, onnx):
        import onnx as onnx_lib
        self.dec = OnnxDecoder(onnx)
        self.card = json.loads(Path(onnx).with_suffix(".json").read_text())
        self.params = sum(int(np.prod(t.dims)) for t in onnx_lib.load(str(onnx)).graph.initializer)
        self.mask = special_mask(self.card["architecture"]["vocab_size"])

    def run(self, length, cached):
        rng, window = np.random.default_rng(1), self.dec.capacity
        cond, cmask = [[0.5, 0.3]], [1.0]
        seq, repeat = [V.START], 0
        cache, lengths = self.dec.cache(1), [0]
        for _ in range(length):
            if cached:
                if lengths[0] == 0:
                    ids = [seq[-window:]] if len(seq) > 1 else [[V.START]]
                elif lengths[0] >= window:
                    ids, lengths[0] = [seq[-(window // 2):]], 0
                else:
                    ids = [[seq[-1]]]
            else:
                ids, lengths[0] = [seq[-window:]], 0
            logits = self.dec.run(ids, lengths, cache, cond, cmask)[0, -1]
            base = 1.2
            tok, kept = nucleus_pick(logits, penalised_temperature(base, repeat), 0.7, rng.random(), self.mask)
            repeat = repeat + 1 if kept <= 2 else repeat // 2
            seq.append(tok)


# --------------------------------------------------------------------------------------------------------- (c) Java
# The decoder loop needs ONNX Runtime, Jackson (the model card) and JBoss Logging. It runs with those alone: with the
# service's whole runtime classpath flat on the command line (295 jars), ONNX Runtime 1.29 crashed with SIGSEGV while
# creating a session here, in a five-line program too (the packaged service, whose jars Quarkus' class loader loads,
# does not).
NEEDED = ("onnxruntime", "jackson-databind", "jackson-core", "jackson-annotations", "jboss-logging-")


def java_classpath():
    cp_file = ROOT / "target" / "bench-classpath.txt"
    if not cp_file.exists():
        subprocess.run([str(ROOT / "mvnw"), "-q", "-B", "dependency:build-classpath", "-Dmdep.includeScope=runtime",
                        f"-Dmdep.outputFile={cp_file}"], cwd=ROOT, check=True)
    jars = [j for j in cp_file.read_text().strip().split(":") if any(Path(j).name.startswith(n) for n in NEEDED)]
    return ":".join([str(ROOT / "target" / "test-classes"), str(ROOT / "target" / "classes"), *jars])


def java_rows(onnx, specs, repeats, threads=1, lanes=1):
    """DecodeBenchmark for each LENGTH:BATCH[:GUIDANCE] spec -> list of its JSON lines."""
    out = subprocess.run([packaged.java(), "-Xmx512m", "--enable-native-access=ALL-UNNAMED", f"-Dthreads={threads}",
                          f"-Dlanes={lanes}", "-cp", java_classpath(), "dev.aria.music.DecodeBenchmark", str(onnx),
                          str(repeats), *specs], cwd=ROOT, check=True, capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


# ------------------------------------------------------------------------------------------------------ (d) service
def multipart(fields):
    boundary = "ariabench"
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items()) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def generate(base, fields):
    body, ctype = multipart(fields)
    req = urllib.request.Request(f"{base}/generate", data=body, headers={"Content-Type": ctype}, method="POST")
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            r.read()
            return r.status, time.perf_counter() - t
    except urllib.error.HTTPError as e:
        return e.code, time.perf_counter() - t


JAR = "target/quarkus-app/quarkus-run.jar"


class Service:
    def __init__(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.base = f"http://127.0.0.1:{self.port}"
        # as README.md runs it: from the repository root, with the class archive the package step made (the JVM
        # checks the jar's path as written) and the JVM image's collector
        command = packaged.java_command(ROOT, JAR)
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen([command[0], "-Xmx1g", "-XX:+UseParallelGC", *command[1:],
                                      f"-Dquarkus.http.port={self.port}", "-Dquarkus.http.host=127.0.0.1",
                                      "-jar", JAR], cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/q/health/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except Exception:
                pass
            if self.proc.poll() is not None or time.perf_counter() - self.t0 > 180:
                raise RuntimeError("the service did not become ready")
            time.sleep(0.01)
        self.ready_s = time.perf_counter() - self.t0

    def close(self):
        self.proc.terminate()
        self.proc.wait(30)


def concurrent(base, n, length, guidance):
    results = [None] * n

    def one(i):
        results[i] = generate(base, {"valence": "0.5", "arousal": "0.3", "gen_len": length, "seed": 100 + i,
                                     "min_instruments": 1, "guidance": guidance, "candidates": 1})
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results, time.perf_counter() - t


# ------------------------------------------------------------------------------------------------------------- main

def engine_row(label, guided=False):
    """The name of a row (c): the Java engine on one decoder file (label "int4", "int4, 2 lanes", ...)."""
    return f"(c) Java engine, {label}" + (" guided (2 streams)" if guided else "")


def service_row(requests):
    """The name of a row (d): the service over HTTP with this many requests at once."""
    return "(d) service over HTTP, " + ("one request" if requests == 1 else f"{requests} requests at once")


def _ratio(x):
    return f"{x:6.1f}x" if x == x else f"{'-':>7s}"


def print_table(figures):
    """The table, then the decoding issue's ratios, all from one run's figures (a fresh run or a saved --json)."""
    rows = figures["rows"]
    rate = figures["machine"]["gemm_gflops_1_core"] * 1e9
    flop_per_token = 2 * figures["params"]
    ref = {r["length"]: r for r in rows if r["row"].startswith("(a)")}
    kv = {r["length"]: r for r in rows if r["row"].startswith("(b)")}
    print(f"decoder: {figures.get('decoder', 'models/music_continuous_concat.onnx')} "
          f"({figures['params'] / 1e6:.2f} M parameters, {flop_per_token / 1e6:.1f} MFLOP a token); "
          f"single-core GEMM {rate / 1e9:.0f} GFLOP/s; {figures['machine']['cores']} cores")
    if "service_ready_s" in figures:
        print(f"service ready {figures['service_ready_s']:.2f} s after the JVM started")
    w = max(len(r["row"]) for r in rows)
    print(f"{'row':{w}s} {'tokens':>6s} {'B':>2s} {'seconds':>8s} {'tok/s':>8s} {'ms/tok':>7s} {'vs (a)':>7s} "
          f"{'vs (b)':>7s} {'GEMM %':>7s} {'RSS MB':>7s}")
    for r in rows:
        n = r["length"]
        vs_a = r["tokens_per_s"] / ref[n]["tokens_per_s"] if n in ref else float("nan")
        vs_b = r["tokens_per_s"] / kv[n]["tokens_per_s"] if n in kv else float("nan")
        gemm = 100 * r["tokens_per_s"] * flop_per_token / rate
        extra = ""
        if "status" in r:
            extra = f"  statuses {r['status']}, latency p50 {r['p50_s']:.2f} s p99 {r['p99_s']:.2f} s"
        print(f"{r['row']:{w}s} {n:6d} {r['batch']:2d} {r['seconds']:8.2f} {r['tokens_per_s']:8.0f} "
              f"{r['ms_per_token']:7.3f} {_ratio(vs_a)} {_ratio(vs_b)} {gemm:6.1f}% {r['peak_rss_mb']:7.0f}{extra}")
    print_targets(figures)


def print_targets(figures):
    """The ratios the decoding issue sets targets for, each from two rows of the same run."""
    served = figures.get("served", "int4")
    by = {(r["row"], r["length"], r["batch"]): r for r in figures["rows"]}

    def tps(name, n=1024, b=1):
        r = by.get((name, n, b))
        return r["tokens_per_s"] if r else None

    lines = []
    one = tps(engine_row(served))
    for lanes, label in (("one lane", served), ("two lanes", f"{served}, 2 lanes")):
        four = tps(engine_row(label), b=4)
        if one and four:
            lines.append(f"batch 4 against one stream, {lanes}: {four / one:.2f}x (target >= 1.6x)")
    guided = tps(engine_row(served, guided=True))
    if one and guided:
        lines.append(f"guided against a plain stream, time: {one / guided:.2f}x (target <= 1.6x)")
    lone, eight = tps(service_row(1)), tps(service_row(8), b=8)
    if lone and eight:
        lines.append(f"8 requests at once against a lone one, tokens/s: {eight / lone:.2f}x (target >= 2.5x)")
    if lines:
        print(f"ratios ({served}, 1,024 tokens):")
        for line in lines:
            print("  " + line)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", default=str(ROOT / "models" / "music_continuous_concat.onnx"))
    ap.add_argument("--lengths", default="256,1024,4096,16384")
    ap.add_argument("--batches", default="1,2,4,8")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--short", action="store_true", help="(a) against (c) at 256 tokens only; fail unless (c) wins")
    ap.add_argument("--no-service", dest="service", action="store_false")
    ap.add_argument("--json", default="", help="also write the figures here")
    ap.add_argument("--table", default="", metavar="JSON", help="print the table of a saved --json run; run nothing")
    a = ap.parse_args()
    if a.table:
        print_table(json.loads(Path(a.table).read_text()))
        return
    lengths = [256] if a.short else [int(x) for x in a.lengths.split(",")]
    repeats = 1 if a.short else a.repeats
    try:
        py = TorchRows(a.onnx)
    except ImportError:
        py = OrtRows(a.onnx)
    rate = gemm_rate()
    figures = {"machine": {"cores": os.cpu_count(), "gemm_gflops_1_core": rate / 1e9}, "params": py.params,
               "rows": []}

    def row(name, length, batch, seconds, rss=float("nan"), **extra):
        r = {"row": name, "length": length, "batch": batch, "seconds": seconds,
             "tokens_per_s": length * batch / seconds, "ms_per_token": 1000 * seconds / (length * batch),
             "peak_rss_mb": rss, **extra}
        figures["rows"].append(r)
        return r

    ref = {}
    for n in lengths:
        if n <= 1024:
            ref[n] = row(py.name_a, n, 1, statistics.median(_timed(lambda: py.run(n, False)) for _ in range(repeats)),
                         peak_rss_mb())
        if not a.short:
            reps = repeats if n <= 4096 else 1
            row(py.name_b, n, 1, statistics.median(_timed(lambda: py.run(n, True)) for _ in range(reps)),
                peak_rss_mb())
    specs = [f"{n}:1" for n in lengths]
    if not a.short:
        specs += [f"1024:{b}" for b in (int(x) for x in a.batches.split(",")) if b > 1] + ["1024:1:1.5"]
    java = {}
    quantised = {label: Path(a.onnx).with_name(Path(a.onnx).name.replace(".onnx", f".{label}.onnx"))
                 for label in ("int8", "int4")}
    served = next((label for label in ("int4", "int8") if quantised[label].exists()), "float32")

    def engine_rows(f, label, engine_specs, threads=1, lanes=1):
        """Rows (c) of one decoder file, keyed (label, length, batch, guidance)."""
        for j in java_rows(f, engine_specs, repeats, threads, lanes):
            name = engine_row(label, guided=j["guidance"] != 1)
            java[(label, j["length"], j["batch"], j["guidance"])] = row(name, j["length"], j["batch"], j["seconds"],
                                                                        j["peak_rss_mb"], cpu_s=j["cpu_seconds"])

    for f, label in ((a.onnx, "float32"), (quantised["int8"], "int8"), (quantised["int4"], "int4")):
        if not Path(f).exists():
            continue
        if a.short and label != served:
            continue  # the short check times the file the service serves by default
        engine_rows(f, label, specs)
    if not a.short and served != "float32":
        # both cores on the one decoder call (aria.generation.intra-op-threads=2; ONNX Runtime's threads spin between
        # nodes, so the second core is busy while a generation runs, whatever else the service has to do)
        two = [f"1024:{b}" for b in (int(x) for x in a.batches.split(","))] + ["16384:1", "1024:1:1.5"]
        engine_rows(quantised[served], f"{served}, 2 threads", two, threads=2)
        # both cores as the service uses them (aria.generation.lanes, one per core): two engines over one session,
        # the streams of a batch spread over them, one thread each
        lanes = [f"1024:{b}" for b in (int(x) for x in a.batches.split(",")) if b > 1]
        engine_rows(quantised[served], f"{served}, 2 lanes", lanes, lanes=2)
    if a.service and not a.short:
        svc = Service()
        try:
            figures["service_ready_s"] = svc.ready_s
            generate(svc.base, {"valence": 0.5, "arousal": 0.3, "gen_len": 256, "seed": 1, "guidance": 1})  # JIT
            for n in lengths:
                times = [generate(svc.base, {"valence": 0.5, "arousal": 0.3, "gen_len": n, "seed": 1 + k,
                                             "min_instruments": 1, "guidance": 1, "candidates": 1})[1]
                         for k in range(repeats if n <= 4096 else 1)]
                row(service_row(1), n, 1, statistics.median(times), peak_rss_mb(svc.proc.pid))
            for c in (int(x) for x in a.batches.split(",")):
                if c == 1:
                    continue
                res, wall = concurrent(svc.base, c, 1024, 1)
                lat = sorted(t for _, t in res)
                row(service_row(c), 1024, c, wall, peak_rss_mb(svc.proc.pid),
                    status={str(s): sum(1 for x, _ in res if x == s) for s, _ in res},
                    p50_s=lat[len(lat) // 2], p99_s=lat[min(len(lat) - 1, int(0.99 * len(lat)))])
        finally:
            svc.close()

    onnx = Path(a.onnx).resolve()
    figures["decoder"] = str(onnx.relative_to(ROOT)) if onnx.is_relative_to(ROOT) else a.onnx
    figures["served"] = served
    print_table(figures)
    if a.json:
        Path(a.json).write_text(json.dumps(figures, indent=1) + "\n")
    if a.short:
        c = java[(served, 256, 1, 1.0)]["tokens_per_s"]
        r_ = ref[256]["tokens_per_s"]
        print(f"short check: (c) {c:.0f} tokens/s against (a) {r_:.0f} tokens/s")
        if c <= r_:
            print("FAIL: the Java decoder loop is not faster than the reference algorithm")
            sys.exit(1)


if __name__ == "__main__":
    main()
