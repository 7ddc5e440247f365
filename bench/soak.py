#!/usr/bin/env python3
"""Soak / load test of the packaged ARIA service: mixed requests from concurrent threads, loopback only.

    ./mvnw -B package -DskipTests
    python3 bench/soak.py                       # 2000 requests, 4 threads, starts and stops the jar itself
    python3 bench/soak.py --url http://127.0.0.1:8080 --pid 1234   # against a service that is already running

Python standard library only. The mix (seeded, so every run sends the same requests):
  - POST /emotion with the six example paintings (src/main/resources/META-INF/resources/examples)
  - POST /generate with valence/arousal and a small gen_len (16-64); with 2 generation slots and 4 threads some are
    refused with 503 + Retry-After by design: counted as "shed", not as errors
  - bad requests the service must refuse with a 4xx problem (text posing as a JPEG, a truncated JPEG, no image,
    settings out of range, NaN, a JSON body, duplicate parts)
It reports p50/p99 latency per kind of request, status counts, and the service's resident memory (VmRSS from
/proc/<pid>/status), threads and open files after the warm-up, at the middle and at the end, plus the lowest and
highest RSS seen after the warm-up (sampled every second), the RSS once settled (--settle seconds after the last
request: idle lanes free their caches, the JVM trims its C heap), and, when jcmd is on the PATH, the live heap (used
after a full GC) at the same three points. The three samples are taken at rest: the workers pause until no request is in
flight, so that they compare like with like. It fails (exit 1) on any 5xx, any unexpected status, upload files left behind, or
RSS or live heap moving more than 10 % between the post-warm-up sample and the end.

Memory is measured with a fixed, pre-touched heap (--java-opts, default -Xms1g -Xmx1g -XX:+AlwaysPreTouch; 1 GiB is
the heap the Deployment gives the JVM): with a heap that grows and shrinks, RSS follows G1's heap sizing (runs with
-Xmx1g alone moved -22 % to +16 % between samples with a flat live heap) and says nothing about leaks. With the heap
fixed, RSS measures what can leak outside it (ONNX Runtime, threads, code, buffers), and the live heap what can leak
inside it.
Bounded: --requests (default 2000), --max-seconds (default 900), a 120 s timeout per request, 127.0.0.1 only.
"""
import argparse
import http.client
import json
import os
import pathlib
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

import packaged

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "src" / "main" / "resources" / "META-INF" / "resources" / "examples"
CORPUS = ROOT / "src" / "test" / "resources" / "hostile"


def multipart(parts):
    """parts: (name, value) for text, (name, filename, bytes, mime) for files. Returns (content type, body)."""
    boundary = "soak-" + uuid.uuid4().hex
    out = bytearray()
    for part in parts:
        out += f"--{boundary}\r\n".encode()
        if len(part) == 2:
            out += f'Content-Disposition: form-data; name="{part[0]}"\r\n\r\n'.encode() + part[1].encode() + b"\r\n"
        else:
            name, filename, data, mime = part
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {mime}\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(out)


def build_requests(count, seed):
    """The request mix: (kind, path, content type, body, statuses it may get)."""
    rng = random.Random(seed)
    paintings = sorted(EXAMPLES.glob("*.jpg"))
    images = [(p.name, p.read_bytes()) for p in paintings]
    scream = (EXAMPLES / "the-scream.jpg").read_bytes()
    bad = [
        ("text-as-jpeg", lambda: multipart([("image", "notes.jpg", b"not an image at all", "image/jpeg")]), {415}),
        ("truncated-jpeg", lambda: multipart([("image", "half.jpg", scream[: len(scream) // 2], "image/jpeg")]),
         {400}),
        ("no-image", lambda: multipart([("note", "hello")]), {400}),
        ("duplicate-image", lambda: multipart([("image", "a.jpg", images[0][1], "image/jpeg"),
                                               ("image", "b.jpg", images[1][1], "image/jpeg")]), {400}),
        ("json-body", lambda: ("application/json", b'{"image": "aGVsbG8="}'), {415}),
    ]
    bad_generate = [
        ("top-p-out-of-range", [("valence", "0.1"), ("arousal", "0.1"), ("top_p", "1.5")], {400}),
        ("gen-len-zero", [("valence", "0.1"), ("arousal", "0.1"), ("gen_len", "0")], {400}),
        ("valence-nan", [("valence", "NaN"), ("arousal", "0.1")], {400}),
        ("seed-not-a-number", [("valence", "0.1"), ("arousal", "0.1"), ("seed", "abc")], {400}),
    ]
    requests = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.45:
            name, data = rng.choice(images)
            ctype, body = multipart([("image", name, data, "image/jpeg")])
            requests.append(("emotion", "/emotion", ctype, body, {200}))
        elif roll < 0.80:
            fields = [("valence", f"{rng.uniform(-1, 1):.3f}"), ("arousal", f"{rng.uniform(-1, 1):.3f}"),
                      ("gen_len", str(rng.choice((16, 32, 64)))), ("min_instruments", "1"),
                      ("seed", str(rng.randrange(1 << 31)))]
            ctype, body = multipart(fields)
            requests.append(("generate", "/generate", ctype, body, {200, 503}))
        elif roll < 0.90:
            label, make, statuses = rng.choice(bad)
            ctype, body = make()
            requests.append(("bad", "/emotion", ctype, body, statuses))
        else:
            label, fields, statuses = rng.choice(bad_generate)
            ctype, body = multipart(fields)
            requests.append(("bad", "/generate", ctype, body, statuses))
    return requests


def proc_status(pid):
    """VmRSS (KiB), threads and open file descriptors of the service process."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return {"rss_kib": int(fields["VmRSS"].split()[0]), "threads": int(fields["Threads"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd"))}


def live_heap_mib(pid):
    """Heap in use after a full GC (jcmd GC.run, then GC.heap_info), in MiB; None without jcmd."""
    jcmd = shutil.which("jcmd")
    if not jcmd:
        return None
    try:
        subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, timeout=60, check=True)
        info = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60,
                              check=True).stdout
    except (subprocess.SubprocessError, OSError):
        return None
    # One line per heap space: G1 " garbage-first heap   total 1048576K, used 23456K [...]"; the parallel collector
    # (the UBI image's run-java.sh default) " PSYoungGen total 76288K, used 1310K [...]" and " ParOldGen ...".
    used_kib = [int(line.split("used", 1)[1].split()[0].rstrip(",").rstrip("K"))
                for line in info.splitlines() if "used" in line and "total" in line]
    return sum(used_kib) / 1024 if used_kib else None


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


class Runner:
    def __init__(self, host, port, requests, threads, deadline):
        self.host, self.port = host, port
        self.requests = requests
        self.threads = threads
        self.deadline = deadline
        self.next = 0
        self.lock = threading.Lock()
        self.results = []  # (index, kind, path, status, seconds, ok, retry_after)
        self.done_event = {}
        self.gate = threading.Event()  # cleared to hold the workers while memory is measured at rest
        self.gate.set()
        self.in_flight = 0

    def take(self):
        self.gate.wait()
        with self.lock:
            if self.next >= len(self.requests) or time.monotonic() > self.deadline:
                return None
            index = self.next
            self.next += 1
            self.in_flight += 1
            return index

    def pause(self):
        """Holds the workers and waits until no request is in flight."""
        self.gate.clear()
        while True:
            with self.lock:
                if self.in_flight == 0:
                    return
            time.sleep(0.05)

    def resume(self):
        self.gate.set()

    def worker(self):
        conn = None
        while True:
            index = self.take()
            if index is None:
                break
            kind, path, ctype, body, statuses = self.requests[index]
            headers = {"Content-Type": ctype} if ctype else {}
            start = time.monotonic()
            status, retry_after, problem_ok = None, None, True
            for attempt in range(2):  # one reconnect if the server closed a kept-alive connection
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    status = response.status
                    retry_after = response.getheader("Retry-After")
                    content_type = response.getheader("Content-Type") or ""
                    if status >= 400:
                        problem_ok = content_type.startswith("application/problem+json") and \
                            "urn:aria:problem:" in json.loads(data).get("type", "")
                    if response.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = None
                    break
                except (http.client.HTTPException, OSError) as e:
                    if conn is not None:
                        conn.close()
                    conn = None
                    status = f"error: {type(e).__name__}"
            seconds = time.monotonic() - start
            ok = status in statuses and problem_ok and (status != 503 or (retry_after or "").isdigit())
            with self.lock:
                self.results.append((index, kind, path, status, seconds, ok, retry_after))
                self.in_flight -= 1
                event = self.done_event.get(len(self.results))
            if event:
                event.set()
        if conn is not None:
            conn.close()

    def at(self, completed):
        event = threading.Event()
        self.done_event[completed] = event
        return event

    def run(self):
        workers = [threading.Thread(target=self.worker, daemon=True) for _ in range(self.threads)]
        for w in workers:
            w.start()
        return workers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(host, port, seconds=120):
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", "/q/health/ready")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(1)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200, help="requests before the first memory sample")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-seconds", type=int, default=900)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="a running service (127.0.0.1 or localhost only); needs --pid")
    parser.add_argument("--pid", type=int, help="process id of the service given with --url")
    parser.add_argument("--jar", default="target/quarkus-app/quarkus-run.jar",
                        help="relative to the repository root, as the package step's class-data archive recorded it")
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds after the last request at which the settled RSS is read (default 10)")
    parser.add_argument("--java-opts", default="-Xms1g -Xmx1g -XX:+AlwaysPreTouch",
                        help="JVM options for the jar this script starts (default: a fixed 1 GiB heap, the "
                             "Deployment's, touched at start; see above)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    service = None
    workdir = ROOT / "target" / "soak"
    if args.url:
        url = urllib.parse.urlparse(args.url)
        if url.hostname not in ("127.0.0.1", "localhost") or not args.pid:
            sys.exit("soak.py: --url must be a loopback address and needs --pid")
        host, port, pid = url.hostname, url.port or 80, args.pid
        uploads = None
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        (workdir / "tmp").mkdir(parents=True)
        host, port = "127.0.0.1", free_port()
        java = packaged.java_command(ROOT, args.jar)  # the JDK and the package step's class archive, if any
        command = [java[0], *args.java_opts.split(), "-Djava.awt.headless=true", f"-Djava.io.tmpdir={workdir / 'tmp'}",
                   *java[1:],
                   "-Dquarkus.http.host=127.0.0.1", f"-Dquarkus.http.port={port}", "-jar", args.jar]
        log = open(workdir / "service.log", "w")
        service = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        pid = service.pid
        uploads = workdir / "tmp" / "aria-uploads"
        print(f"started {' '.join(command)} (pid {pid})")
    try:
        if not wait_ready(host, port):
            sys.exit("soak.py: the service is not ready after 120 s")
        requests = build_requests(args.requests, args.seed)
        runner = Runner(host, port, requests, args.threads, time.monotonic() + args.max_seconds)
        measured = args.requests - args.warmup
        marks = {"start": runner.at(args.warmup), "middle": runner.at(args.warmup + measured // 2)}
        samples = {}
        seen_rss = []  # every second after the warm-up
        began = time.monotonic()
        workers = runner.run()

        def sample(name):
            samples[name] = proc_status(pid)
            samples[name]["live_heap_mib"] = live_heap_mib(pid)
            heap = samples[name]["live_heap_mib"]
            print(f"{name:>6}: after {len(runner.results)} requests, {time.monotonic() - began:.0f} s: "
                  f"RSS {samples[name]['rss_kib'] / 1024:.0f} MiB, {samples[name]['threads']} threads, "
                  f"{samples[name]['fds']} open files"
                  + (f", live heap {heap:.0f} MiB" if heap is not None else ""), flush=True)

        for name, event in marks.items():
            while not event.wait(1):
                if name != "start":
                    seen_rss.append(proc_status(pid)["rss_kib"])
                if not any(w.is_alive() for w in workers):
                    break
            runner.pause()  # measure at rest: no request in flight, so the live heap is what stays
            time.sleep(2)
            sample(name)
            runner.resume()
        while any(w.is_alive() for w in workers):
            seen_rss.append(proc_status(pid)["rss_kib"])
            time.sleep(1)
        for w in workers:
            w.join()
        elapsed = time.monotonic() - began
        time.sleep(2)  # let the last uploads be deleted
        sample("end")
        leftovers = len(list(uploads.iterdir())) if uploads and uploads.exists() else 0
        # the service settled: idle decoding lanes give their caches back after 1 s, and a JVM run with
        # -XX:TrimNativeHeapInterval=5000 hands the C heap's free pages back every 5 s
        time.sleep(max(0.0, began + elapsed + args.settle - time.monotonic()))
        settled_kib = proc_status(pid)["rss_kib"]
    finally:
        if service:
            service.terminate()
            try:
                service.wait(30)
            except subprocess.TimeoutExpired:
                service.kill()

    results = runner.results
    groups = {}
    for index, kind, path, status, seconds, ok, _ in results:
        label = f"{kind} {path} {status}"
        groups.setdefault(label, []).append(seconds)
    by_kind = {}
    for index, kind, path, status, seconds, ok, _ in results:
        if status == 503:
            continue
        by_kind.setdefault(f"{kind} {path}", []).append(seconds)
    server_errors = [r for r in results if isinstance(r[3], int) and r[3] >= 500 and r[3] != 503]
    transport_errors = [r for r in results if not isinstance(r[3], int)]
    unexpected = [r for r in results if not r[5]]
    shed = [r for r in results if r[3] == 503]
    rss = {k: v["rss_kib"] for k, v in samples.items()}
    drift = (rss["end"] - rss["start"]) / rss["start"] * 100
    seen_rss += list(rss.values())
    heap = {k: v["live_heap_mib"] for k, v in samples.items()}
    heap_drift = None
    if all(v is not None for v in heap.values()):
        heap_drift = (heap["end"] - heap["start"]) / heap["start"] * 100

    print(f"\n{len(results)} requests in {elapsed:.0f} s ({len(results) / elapsed:.1f}/s), {args.threads} threads, "
          f"warm-up {args.warmup}")
    print(f"{'requests':<28}{'count':>7}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for label, values in sorted(by_kind.items()):
        print(f"{label:<28}{len(values):>7}{percentile(values, 50) * 1000:>10.0f}"
              f"{percentile(values, 99) * 1000:>10.0f}{max(values) * 1000:>10.0f}")
    print("statuses: " + ", ".join(f"{label} x{len(v)}" for label, v in sorted(groups.items())))
    print(f"5xx other than 503: {len(server_errors)}; transport errors: {len(transport_errors)}; "
          f"unexpected answers: {len(unexpected)}; shed with 503 + Retry-After: {len(shed)}")
    print(f"RSS start/middle/end: {rss['start'] / 1024:.0f} / {rss['middle'] / 1024:.0f} / {rss['end'] / 1024:.0f} MiB "
          f"(end vs start {drift:+.1f} %); threads {samples['start']['threads']} / {samples['middle']['threads']} / "
          f"{samples['end']['threads']}; open files {samples['start']['fds']} / {samples['middle']['fds']} / "
          f"{samples['end']['fds']}; upload files left: {leftovers}")
    print(f"RSS after warm-up: lowest {min(seen_rss) / 1024:.0f} MiB, highest {max(seen_rss) / 1024:.0f} MiB "
          f"({len(seen_rss)} samples)")
    print(f"RSS settled, {args.settle:.0f} s after the last request: {settled_kib / 1024:.0f} MiB")
    if heap_drift is not None:
        print(f"live heap after full GC start/middle/end: {heap['start']:.0f} / {heap['middle']:.0f} / "
              f"{heap['end']:.0f} MiB (end vs start {heap_drift:+.1f} %)")
    for r in unexpected[:10]:
        print(f"  unexpected: request {r[0]} {r[1]} {r[2]} -> {r[3]}")

    figures = {
        "requests": len(results), "seconds": round(elapsed, 1), "threads": args.threads, "warmup": args.warmup,
        "latency_ms": {label: {"count": len(v), "p50": round(percentile(v, 50) * 1000),
                               "p99": round(percentile(v, 99) * 1000)} for label, v in sorted(by_kind.items())},
        "statuses": {label: len(v) for label, v in sorted(groups.items())},
        "server_errors": len(server_errors), "transport_errors": len(transport_errors),
        "unexpected": len(unexpected), "shed_503": len(shed),
        "rss_mib": {k: round(v / 1024) for k, v in rss.items()}, "rss_drift_percent": round(drift, 1),
        "rss_seen_mib": {"lowest": round(min(seen_rss) / 1024), "highest": round(max(seen_rss) / 1024)},
        "rss_settled_mib": round(settled_kib / 1024), "settle_seconds": args.settle,
        "live_heap_mib": {k: None if v is None else round(v) for k, v in heap.items()},
        "live_heap_drift_percent": None if heap_drift is None else round(heap_drift, 1),
        "java_opts": None if args.url else args.java_opts,
        "threads_seen": {k: v["threads"] for k, v in samples.items()},
        "open_files": {k: v["fds"] for k, v in samples.items()}, "upload_files_left": leftovers,
    }
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
    heap_moved = heap_drift is not None and abs(heap_drift) > 10
    failed = server_errors or transport_errors or unexpected or abs(drift) > 10 or heap_moved or leftovers
    if abs(drift) > 10:
        print(f"RSS moved {drift:+.1f} % after warm-up (limit 10 %)")
    if heap_moved:
        print(f"the live heap moved {heap_drift:+.1f} % after warm-up (limit 10 %)")
    print("FAIL" if failed else "PASS")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
