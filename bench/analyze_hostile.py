#!/usr/bin/env python3
"""What the largest and most hostile MIDI files cost POST /analyze: time per request, and the service's memory.

    ./mvnw -B package -DskipTests
    python3 bench/analyze_hostile.py                    # starts and stops the jar itself
    python3 bench/analyze_hostile.py --url http://127.0.0.1:8080 --pid 1234

Python standard library only (helpers shared with bench/soak.py). The files are built here, in memory:
  - the worst files the limits of aria.analysis.* let through (application.properties): 100,000 notes (max-notes);
    100,000 notes each held for up to 29 minutes (max-duration: every window of the curve and of the features is full);
    512 tracks (max-tracks) of dense random notes; 140,000 tempo changes in about 1 MiB (max-midi-bytes) under 5,000
    notes;
  - files refused while or before they are read: 174,000 notes in 1 MiB (too-many-notes), two million notes in 12 MB
    (413), 5,000 tracks (too-many-tracks), three hours of silence (midi-too-long), a tempo of 0 and a truncated file
    (corrupt-midi).
Each is sent --repeat times one after another (p50 and max latency), then --burst copies of the slowest accepted file
at once from as many threads (statuses: 200, or 503 after aria.analysis.slot-wait). Resident memory (VmRSS) and, with
jcmd on the PATH, the live heap after a full GC are sampled before, after the sequential runs and after the burst.
Exit 1 when an answer has another status than the one expected, or on any 5xx other than the burst's 503.
"""
import argparse
import http.client
import pathlib
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import packaged  # noqa: E402
from soak import free_port, live_heap_mib, multipart, percentile, proc_status, wait_ready  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
PPQ = 480


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def smf(tracks, fmt=1, declared=None):
    count = len(tracks) if declared is None else declared
    out = bytearray(b"MThd" + (6).to_bytes(4, "big") + fmt.to_bytes(2, "big") + count.to_bytes(2, "big")
                    + PPQ.to_bytes(2, "big"))
    for t in tracks:
        data = t + b"\x00\xff\x2f\x00"
        out += b"MTrk" + len(data).to_bytes(4, "big") + data
    return bytes(out)


def dense(notes, delta=60, off_delta=None):
    """notes consecutive notes cycling over two octaves, with running status (note-on velocity 0 as note-off)."""
    out = bytearray(b"\x00\xff\x51\x03\x01\xe8\x48")  # 480 bpm: a tick is 1/3840 s
    out += b"\x00\x90" + bytes([60, 100])
    for i in range(1, notes):
        out += vlq(delta) + bytes([60 + i % 24, 100]) + b"\x00" + bytes([60 + (i - 1) % 24, 0])
    out += vlq(off_delta or delta) + bytes([60 + (notes - 1) % 24, 0])
    return bytes(out)


def held(notes=99_872):
    """notes note-ons 16 ticks apart over all 128 pitches, closed together after 29 minutes (120 bpm)."""
    out = bytearray()
    for i in range(notes):
        out += vlq(0 if i == 0 else 16) + (b"\x90" if i == 0 else b"") + bytes([i % 128, 100])
    for p in range(128):
        out += vlq(100_000 if p == 0 else 0) + bytes([p, 0])
    return bytes(out)


def busy_tracks(tracks=512, notes=150, seed=1):
    rng = random.Random(seed)
    out = []
    for k in range(tracks):
        ch = k % 16
        t = bytearray([0, 0xC0 | ch, k % 128])
        for _ in range(notes):
            p = 30 + rng.randrange(70)
            t += vlq(rng.randrange(240)) + bytes([0x90 | ch, p, 90]) + vlq(120) + bytes([0x80 | ch, p, 0])
        out.append(bytes(t))
    return out


def tempo_storm(changes=140_000, notes=5000):
    tempo = bytearray()
    for i in range(changes):
        tempo += vlq(1) + b"\xff\x51\x03\x07" + bytes([0xA1 + i % 2]) + b"\x20"
    music = bytearray()
    for i in range(notes):
        music += vlq(30) + bytes([0x90, 60 + i % 12, 80]) + vlq(25) + bytes([0x80, 60 + i % 12, 0])
    return [bytes(tempo), bytes(music)]


def cases():
    quiet = bytes([0, 0x90, 60, 100]) + vlq(PPQ) + bytes([60, 0])
    truncated = smf([dense(2000)])
    return [
        ("100,000 notes (max-notes)", smf([dense(100_000)], fmt=0), 200),
        ("100,000 notes held up to 29 min", smf([held()], fmt=0), 200),
        ("512 tracks x 150 notes", smf(busy_tracks()), 200),
        ("140,000 tempo changes, ~1 MiB", smf(tempo_storm()), 200),
        ("174,000 notes in 1 MiB", smf([dense(174_000, delta=1)], fmt=0), 400),
        ("2,000,000 notes, 12 MB", smf([dense(2_000_000, delta=1)], fmt=0), 413),
        ("5,000 empty tracks", smf([b""] * 5000), 400),
        ("3 hours of silence", smf([quiet + vlq(3 * 3600 * 2 * PPQ) + bytes([62, 100]) + vlq(PPQ) + bytes([62, 0])],
                                   fmt=0), 400),
        ("tempo 0", smf([b"\x00\xff\x51\x03\x00\x00\x00", quiet]), 400),
        ("truncated", truncated[: len(truncated) // 2], 400),
    ]


def post(host, port, body, ctype):
    conn = http.client.HTTPConnection(host, port, timeout=120)
    began = time.monotonic()
    conn.request("POST", "/analyze", body=body, headers={"Content-Type": ctype})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, (time.monotonic() - began) * 1000, data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--burst", type=int, default=8)
    parser.add_argument("--url", help="a running service (127.0.0.1 or localhost only); needs --pid")
    parser.add_argument("--pid", type=int, help="process id of the service given with --url")
    parser.add_argument("--jar", default=str(ROOT / "target" / "quarkus-app" / "quarkus-run.jar"))
    parser.add_argument("--java-opts", default="-Xms1g -Xmx1g -XX:+AlwaysPreTouch")
    args = parser.parse_args()
    service = None
    if args.url:
        url = urllib.parse.urlparse(args.url)
        if url.hostname not in ("127.0.0.1", "localhost") or not args.pid:
            sys.exit("analyze_hostile.py: --url must be a loopback address and needs --pid")
        host, port, pid = url.hostname, url.port or 80, args.pid
    else:
        workdir = ROOT / "target" / "analyze-bench"
        shutil.rmtree(workdir, ignore_errors=True)
        (workdir / "tmp").mkdir(parents=True)
        host, port = "127.0.0.1", free_port()
        command = [packaged.java(), *args.java_opts.split(), "-Djava.awt.headless=true", f"-Djava.io.tmpdir={workdir / 'tmp'}",
                   "-Dquarkus.http.host=127.0.0.1", f"-Dquarkus.http.port={port}", "-jar", args.jar]
        service = subprocess.Popen(command, cwd=ROOT, stdout=open(workdir / "service.log", "w"),
                                   stderr=subprocess.STDOUT)
        pid = service.pid
        print(f"started {' '.join(command)} (pid {pid})")
    failures = 0
    try:
        if not wait_ready(host, port, seconds=300):
            sys.exit("analyze_hostile.py: the service is not ready after 300 s")

        def sample(name):
            s = proc_status(pid)
            heap = live_heap_mib(pid)
            print(f"{name}: RSS {s['rss_kib'] / 1024:.0f} MiB" + (f", live heap {heap:.0f} MiB" if heap else ""),
                  flush=True)

        sample("before")
        print(f"{'file':36s} {'bytes':>10s} {'status':>6s} {'p50 ms':>8s} {'max ms':>8s}")
        built = cases()
        p50 = {}
        for name, data, expected in built:
            ctype, body = multipart([("midi", "bench.mid", data, "audio/midi")])
            times, statuses = [], set()
            for _ in range(args.repeat):
                status, ms, _ = post(host, port, body, ctype)
                times.append(ms)
                statuses.add(status)
            p50[name] = percentile(times, 50)
            ok = statuses == {expected}
            failures += not ok
            print(f"{name:36s} {len(data):10d} {','.join(map(str, sorted(statuses))):>6s} "
                  f"{percentile(times, 50):8.0f} {max(times):8.0f}" + ("" if ok else f"  EXPECTED {expected}"),
                  flush=True)
        sample("after the sequential runs")
        worst = max((c for c in built if c[2] == 200), key=lambda c: p50[c[0]])
        ctype, body = multipart([("midi", "bench.mid", worst[1], "audio/midi")])
        results = []
        threads = [threading.Thread(target=lambda: results.append(post(host, port, body, ctype)))
                   for _ in range(args.burst)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        counts = {s: sum(1 for r in results if r[0] == s) for s in sorted({r[0] for r in results})}
        failures += any(s not in (200, 503) for s in counts)
        print(f"burst of {args.burst} x '{worst[0]}': {counts} in {time.monotonic() - began:.1f} s, "
              f"slowest {max(r[1] for r in results):.0f} ms")
        sample("after the burst")
    finally:
        if service:
            service.terminate()
            service.wait(timeout=60)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
