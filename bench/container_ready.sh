#!/usr/bin/env bash
# Start-up time of container images, side by side: each image started N times, the images in turns, with the
# settings deploy/container-check.sh runs it with (the Deployment's; its run_container, but at normal priority), and
# timed twice per start (container-check.sh's STARTS=N runs this for its image):
#   - from `podman run` to the first 200 of /q/health/ready (polled every 20 ms), and
#   - from the JVM's own start (the container's first process, /proc/PID/stat, which run-java.sh execs into java) to
#     that same answer, which leaves out Podman's own work (about 0.2 s here).
# Prints every start, then the median and range of each image. Needs root and Podman, as container-check.sh does,
# and the images built (deploy/container-check.sh with IMAGE=...; JDK=17 for the JDK 17 one).
#
#   sudo N=8 bench/container_ready.sh localhost/aria:jvm-check localhost/aria:jvm17-check
#
# Environment: N (starts per image, default 6), PORT (host port, default 18090).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CONTAINERS_CONF="$root/deploy/container/containers.conf"
[ "$#" -gt 0 ] || { echo "usage: $0 IMAGE [IMAGE ...]" >&2; exit 2; }
n="${N:-6}"
port="${PORT:-18090}"
name=aria-ready-bench
hz=$(getconf CLK_TCK)
out=$(mktemp)
trap 'podman rm -f "$name" >/dev/null 2>&1 || true; rm -f "$out"' EXIT

for _ in $(seq "$n"); do
    for image in "$@"; do
        podman rm -f "$name" >/dev/null 2>&1 || true
        start_ns=$(date +%s%N)
        podman run -d --name "$name" \
            --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,nosuid,nodev,size=512m \
            --cap-drop=ALL --security-opt no-new-privileges --memory 2g --cpus 2 \
            -e QUARKUS_SHUTDOWN_TIMEOUT=125s -p "127.0.0.1:$port:8080" "$image" >/dev/null
        until curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$port/q/health/ready" 2>/dev/null; do
            if [ $(( ($(date +%s%N) - start_ns) / 1000000000 )) -gt 300 ]; then
                echo "$image: not ready within 300 s" >&2; exit 1
            fi
            sleep 0.02
        done
        uptime_s=$(cut -d' ' -f1 /proc/uptime)
        run_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
        pid=$(podman inspect --format '{{.State.Pid}}' "$name")
        jvm_ms=$(awk -v u="$uptime_s" -v hz="$hz" '{ printf "%d", (u - $22 / hz) * 1000 }' "/proc/$pid/stat")
        printf '%s\t%s\t%s\n' "$image" "$run_ms" "$jvm_ms" | tee -a "$out"
        podman rm -f "$name" >/dev/null 2>&1
    done
done

summary() { # column of $out for one image: median (lowest-highest)
    awk -F'\t' -v img="$1" -v col="$2" '$1 == img { print $col }' "$out" | sort -n |
        awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
              printf "%d (%d-%d)", m, a[1], a[NR] }'
}
printf '\n%-40s %-28s %s\n' "image" "podman run -> ready, ms" "JVM start -> ready, ms"
for image in "$@"; do
    printf '%-40s %-28s %s\n' "$image" "$(summary "$image" 2)" "$(summary "$image" 3)"
done
