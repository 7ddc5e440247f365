#!/usr/bin/env bash
# Builds the JVM image from src/main/docker/Dockerfile.jvm with Podman, runs it the way deploy/deployment.yaml runs
# it, and probes it through 127.0.0.1: /q/health/ready, POST /emotion, POST /generate. Prints the image size, the time
# from `podman run` to ready and the container's memory after a few requests. Exits non-zero on any failure.
#
# Needs root on Debian 12 (bookworm) and the Debian mirror apt uses; no image registry. What it does:
#   1. installs podman, buildah, skopeo, mmdebstrap, fuse-overlayfs, uidmap, slirp4netns and runc when podman or
#      mmdebstrap is missing, and uses deploy/container/containers.conf (runc, cgroupfs, ulimits) via CONTAINERS_CONF;
#   2. makes two local base images with mmdebstrap (Debian minbase) + `podman import`, unless they exist; with JDK=25
#      (the default, Debian 13 trixie, whose openjdk-25 packages Debian 12 lacks):
#        localhost/aria-base/openjdk-25-jdk:trixie      builder: OpenJDK 25 JDK (stands in for eclipse-temurin:25-jdk)
#        localhost/aria-base/openjdk-25-runtime:trixie  runtime: OpenJDK 25 JRE, uid 185 and a run-java.sh at the
#                                                       UBI image's path (stands in for ubi9/openjdk-25-runtime)
#      and with JDK=17 the same on Debian 12 bookworm with OpenJDK 17 (the image before it moved to JDK 25);
#      The builder also gets the host's local CA certificates (/usr/local/share/ca-certificates/*.crt), so that
#      Maven inside the build trusts the same HTTPS egress as the host; the runtime image gets none;
#   3. builds Dockerfile.jvm unchanged, multi-stage, on those bases (--build-arg BUILDER_IMAGE / RUNTIME_IMAGE,
#      --network=host so that Maven reaches Maven Central; the Maven repository is a cache mount kept between builds);
#   4. runs the image as the Deployment does: the image's non-root uid, read-only root filesystem with a 512 MiB
#      tmpfs at /tmp and no other writable path, all capabilities dropped, no-new-privileges, Podman's default seccomp
#      profile, the Deployment's limits (2 CPUs, 2 GiB) and QUARKUS_SHUTDOWN_TIMEOUT; port 8080 published on
#      127.0.0.1 only;
#   5. waits for /q/health/ready, calls /emotion and /generate, sends a few more requests, reads the memory, stops
#      and removes the container.
#
#   6. with LOAD=1 only (about 3 more minutes): bench/soak.py's 2,000 mixed requests against the container, then 8
#      concurrent 6,300 x 6,300 PNGs (39.7 megapixels, just under aria.image.pixel-budget), and the memory after each:
#      the figures behind the Deployment's memory request and limit.
#   7. with STARTS=N only: bench/container_ready.sh's N more starts of the image (the container above removed
#      first), each timed from `podman run` and from the JVM's start to the first 200 of /q/health/ready.
#
# Environment: JDK (25 or 17, the bases' Java, default 25), PORT (host port, default 18080), IMAGE (default
# localhost/aria:jvm-check), REBUILD_BASES=1 (make the base images again), KEEP=1 (leave the container running),
# LOAD=1 (step 6), STARTS=N (step 7), READY_TIMEOUT (seconds, default 300), CHECK_DIR (scratch directory, default
# target/container-check).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

port="${PORT:-18080}"
image="${IMAGE:-localhost/aria:jvm-check}"
check_dir="${CHECK_DIR:-$root/target/container-check}"
ready_timeout="${READY_TIMEOUT:-300}"
jdk="${JDK:-25}"
case "$jdk" in
    25) suite=trixie ;;
    17) suite=bookworm ;;
    *) printf '[container-check] FAILED: JDK must be 25 or 17, not %s\n' "$jdk" >&2; exit 1 ;;
esac
builder_base=localhost/aria-base/openjdk-$jdk-jdk:$suite
runtime_base=localhost/aria-base/openjdk-$jdk-runtime:$suite
container=aria-container-check
example="$root/src/main/resources/META-INF/resources/examples/starry-night.jpg"
export CONTAINERS_CONF="$root/deploy/container/containers.conf"

say() { printf '[container-check] %s\n' "$*"; }
die() { printf '[container-check] FAILED: %s\n' "$*" >&2; exit 1; }
# Heavy steps yield the CPU to anything else running on the machine.
low() { nice -n 19 "$@"; }

[ "$(id -u)" = 0 ] || die "run as root (podman with runc and cgroupfs, mmdebstrap)"
command -v curl >/dev/null || die "curl is needed"
mkdir -p "$check_dir"

# --- 1. tools ------------------------------------------------------------------------------------------------------
if ! command -v podman >/dev/null || ! command -v mmdebstrap >/dev/null || ! command -v runc >/dev/null; then
    command -v apt-get >/dev/null || die "podman, mmdebstrap and runc are missing and there is no apt-get to install them"
    say "installing podman and mmdebstrap"
    apt-get update -qq
    low apt-get install -y -qq --no-install-recommends \
        podman buildah skopeo mmdebstrap fuse-overlayfs uidmap slirp4netns runc >/dev/null
fi
say "$(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'), cgroups $(podman info --format '{{.Host.CgroupsVersion}}')"

# --- 2. local base images ------------------------------------------------------------------------------------------
# The images get the packages from the mirrors apt uses on this machine: its sources files are passed to mmdebstrap
# as they are (one-line or deb822) when they name the suite of the bases (bookworm, bookworm-updates and
# bookworm-security on a Debian 12 host); otherwise the suite, its updates and its security updates from the Debian
# mirrors those files use (DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR replace them).
apt_sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    if [ -f "$f" ] && grep -q -E '^[[:space:]]*(deb |Types:)' "$f"; then apt_sources+=("$f"); fi
done
[ "${#apt_sources[@]}" -gt 0 ] || die "no apt sources on this machine (/etc/apt/sources.list*)"
if ! grep -q -E "^[^#]*[[:space:]]$suite([[:space:]]|\$)" "${apt_sources[@]}"; then
    # the first http(s) URI of the host's sources that ends in /debian, and its -security twin
    host_mirror=$(grep -h -o -E 'https?://[^[:space:]]+/debian/?([[:space:]]|$)' "${apt_sources[@]}" | head -n 1 | tr -d ' \t' || true)
    mirror="${DEBIAN_MIRROR:-${host_mirror:-http://deb.debian.org/debian}}"
    mirror="${mirror%/}"
    security="${DEBIAN_SECURITY_MIRROR:-$mirror-security}"
    apt_sources=("deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main")
fi
# make_base IMAGE TARBALL PACKAGES [mmdebstrap options...]: $suite minbase with PACKAGES, no documentation, man
# pages or translations (man1 is created empty: the JDK's update-alternatives links its man page there).
make_base() {
    local name="$1" tarball="$2" packages="$3"; shift 3
    if [ "${REBUILD_BASES:-0}" != 1 ] && podman image exists "$name"; then
        say "base image $name exists (REBUILD_BASES=1 to make it again)"
        return
    fi
    say "making $name with mmdebstrap ($suite minbase + $packages)"
    local start=$SECONDS
    low mmdebstrap --quiet --variant=minbase --include="$packages" \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
        --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
        "$@" \
        "$suite" "$tarball" "${apt_sources[@]}"
    low podman import --quiet \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        "$tarball" "$name" >/dev/null
    rm -f "$tarball"
    say "made $name in $((SECONDS - start)) s"
}

# The builder trusts the host's local CAs (a TLS-inspecting egress proxy, for instance): ca-certificates, installed
# after this hook, adds them to /etc/ssl/certs and ca-certificates-java to Java's cacerts.
make_base "$builder_base" "$check_dir/builder-rootfs.tar" "openjdk-$jdk-jdk-headless" \
    --setup-hook='mkdir -p "$1/usr/local/share/ca-certificates"; for c in /usr/local/share/ca-certificates/*.crt; do if [ -f "$c" ]; then cp "$c" "$1/usr/local/share/ca-certificates/"; fi; done'

# The runtime: what Dockerfile.jvm expects of ubi9/openjdk-$jdk-runtime. uid 185 in group 0, a JRE on the PATH and the
# entry point /opt/jboss/container/java/run/run-java.sh (deploy/container/run-java.sh).
make_base "$runtime_base" "$check_dir/runtime-rootfs.tar" "openjdk-$jdk-jre-headless" \
    --customize-hook='chroot "$1" useradd --system --uid 185 --gid 0 --home-dir /deployments --no-create-home --shell /usr/sbin/nologin default' \
    --customize-hook="install -D -m 0755 '$root/deploy/container/run-java.sh' \"\$1/opt/jboss/container/java/run/run-java.sh\""

# --- 3. the JVM image ------------------------------------------------------------------------------------------------
say "building $image from src/main/docker/Dockerfile.jvm (log: $check_dir/build.log)"
start=$SECONDS
if ! low podman build --network=host -f src/main/docker/Dockerfile.jvm \
        --build-arg BUILDER_IMAGE="$builder_base" --build-arg RUNTIME_IMAGE="$runtime_base" \
        -t "$image" . >"$check_dir/build.log" 2>&1; then
    tail -n 30 "$check_dir/build.log" >&2
    die "podman build failed (log: $check_dir/build.log)"
fi
build_s=$((SECONDS - start))
podman image prune -f >/dev/null || true
image_bytes=$(podman image inspect --format '{{.Size}}' "$image")
base_bytes=$(podman image inspect --format '{{.Size}}' "$runtime_base")
mib() { echo $(( ($1 + 524288) / 1048576 )); }
say "built in ${build_s} s: $(mib "$image_bytes") MiB, of which the runtime base $(mib "$base_bytes") MiB and the application layers (fast-jar + models) $(mib $((image_bytes - base_bytes))) MiB"

# --- 4. run it as the Deployment does ------------------------------------------------------------------------------
podman rm -f "$container" >/dev/null 2>&1 || true
cleanup() {
    if [ "${KEEP:-0}" = 1 ]; then
        say "container $container left running on 127.0.0.1:$port (podman rm -f $container)"
    else
        podman logs "$container" >"$check_dir/service.log" 2>&1 || true
        podman rm -f -t 10 "$container" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

say "running $image on 127.0.0.1:$port"
start_ns=$(date +%s%N)
# The container inherits the lowest CPU priority (nice 19) from this command, like the build.
low podman run -d --name "$container" \
    --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,nosuid,nodev,size=512m \
    --cap-drop=ALL --security-opt no-new-privileges \
    --memory 2g --cpus 2 \
    -e QUARKUS_SHUTDOWN_TIMEOUT=125s \
    -p "127.0.0.1:$port:8080" \
    "$image" >/dev/null

# Polled every 20 ms; nothing else runs in the container meanwhile (its state is read every 25th poll, the uid after
# ready), so that the time is the service's own.
url="http://127.0.0.1:$port"
ready=""
polls=0
while [ $(( ($(date +%s%N) - start_ns) / 1000000000 )) -lt "$ready_timeout" ]; do
    if curl -fsS -o /dev/null --max-time 3 "$url/q/health/ready" 2>/dev/null; then
        ready=$(( ($(date +%s%N) - start_ns) / 1000000 ))
        break
    fi
    polls=$((polls + 1))
    if [ $((polls % 25)) = 0 ] && [ "$(podman inspect --format '{{.State.Running}}' "$container")" != true ]; then
        podman logs "$container" 2>&1 | tail -n 30 >&2
        die "the container stopped before it was ready"
    fi
    sleep 0.02
done
[ -n "$ready" ] || { podman logs "$container" 2>&1 | tail -n 30 >&2; die "not ready within $ready_timeout s"; }
say "ready ${ready} ms after podman run: $(curl -fsS --max-time 3 "$url/q/health/ready" | tr -d ' \n')"
uid=$(podman exec "$container" id -u)
[ "$uid" != 0 ] || die "the container runs as root"

# --- 5. probe it ------------------------------------------------------------------------------------------------------
emotion=$(curl -fsS --max-time 60 -F "image=@$example;type=image/jpeg" "$url/emotion") \
    || die "POST /emotion failed"
case "$emotion" in *'"valence"'*'"arousal"'*) ;; *) die "POST /emotion answered: $emotion" ;; esac
say "POST /emotion (starry-night.jpg): $emotion"

midi="$check_dir/generate.mid"
curl -fsS --max-time 150 -F valence=0.5 -F arousal=0.5 -F seed=1 -F gen_len=256 -o "$midi" "$url/generate" \
    || die "POST /generate failed"
[ "$(head -c 4 "$midi")" = MThd ] || die "POST /generate did not answer a MIDI file (starts with $(head -c 4 "$midi" | od -An -c))"
say "POST /generate (valence 0.5, arousal 0.5, seed 1, gen_len 256): $(stat -c %s "$midi") bytes of MIDI (MThd)"

# A few more of each, then the memory at rest: the cgroup's figure (podman stats) and the JVM's resident set.
for _ in 1 2 3 4 5; do
    curl -fsS -o /dev/null --max-time 60 -F "image=@$example;type=image/jpeg" "$url/emotion" || die "POST /emotion failed"
    curl -fsS -o /dev/null --max-time 150 -F valence=-0.5 -F arousal=0.7 -F gen_len=256 "$url/generate" \
        || die "POST /generate failed"
done
pid=$(podman inspect --format '{{.State.Pid}}' "$container")
rss_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
hwm_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
say "after 12 requests: podman stats: $(podman stats --no-stream --format '{{.MemUsage}} ({{.MemPerc}}), {{.PIDs}} pids' "$container")"
# The memory cgroup's peak (cgroups v1: memory.max_usage_in_bytes; v2: memory.peak) counts what the limit counts:
# the process, the page cache it caused and the /tmp tmpfs (ONNX Runtime's extracted libraries, spooled uploads).
cg=$(awk -F: '$2 == "memory" || $2 == "" { print $3; exit }' "/proc/$pid/cgroup")
peak=""
for f in "/sys/fs/cgroup/memory$cg/memory.max_usage_in_bytes" "/sys/fs/cgroup$cg/memory.peak"; do
    if [ -r "$f" ]; then peak=$(( $(cat "$f") / 1048576 )); break; fi
done
say "after 12 requests: java (pid 1 in the container) VmRSS $((rss_kib / 1024)) MiB, VmHWM $((hwm_kib / 1024)) MiB, cgroup peak ${peak:-?} MiB"
say "java command line: $(tr '\0' ' ' <"/proc/$pid/cmdline")"

# --- 6. under load (LOAD=1) -------------------------------------------------------------------------------------------
memory() {
    local usage
    usage=$(podman stats --no-stream --format '{{.MemUsage}}' "$container" | cut -d/ -f1 | tr -d ' ')
    awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { printf "VmRSS %d MiB, VmHWM %d MiB", r / 1024, h / 1024 }' \
        "/proc/$pid/status"
    printf ', cgroup %s (podman stats)\n' "$usage"
}
if [ "${LOAD:-0}" = 1 ]; then
    say "soak: python3 bench/soak.py against the container (log: $check_dir/soak.log)"
    # soak.py's own verdict also requires a flat RSS, which a heap that grows and shrinks with the load (the image's
    # settings, not soak.py's fixed heap) does not give: only its answers are checked here.
    low python3 bench/soak.py --url "$url" --pid "$pid" --json "$check_dir/soak.json" >"$check_dir/soak.log" 2>&1 || true
    grep -q '^5xx other than 503: 0; transport errors: 0; unexpected answers: 0' "$check_dir/soak.log" \
        || { tail -n 20 "$check_dir/soak.log" >&2; die "bench/soak.py saw errors"; }
    sed -n '/^2000 requests/,$p' "$check_dir/soak.log" | grep -E '^(2000|RSS|live heap|statuses|5xx)' | sed 's/^/[container-check]   /'
    say "after the soak: $(memory)"

    png="$check_dir/large-6300.png"
    low python3 - "$png" <<'PY'
import struct, sys, zlib
# 6,300 x 6,300 RGB, a compressible pattern: 0.6 MB on the wire, 39.7 million pixels to decode.
w = h = 6300
row = bytes([0]) + bytes(((x * 7) % 256, (x * 3) % 256, 128)[i] for x in range(w) for i in range(3))
z = zlib.compressobj(9)
idat = b"".join(z.compress(row) for _ in range(h)) + z.flush()
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
with open(sys.argv[1], "wb") as out:
    out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
              + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
PY
    statuses=$(for _ in 1 2 3 4 5 6 7 8; do
        curl -sS -o /dev/null -w '%{http_code}\n' --max-time 120 -F "image=@$png;type=image/png" "$url/emotion" &
    done; wait)
    say "8 concurrent 6,300 x 6,300 PNGs to /emotion: $(echo "$statuses" | sort | uniq -c | awk '{ printf "%s x%s ", $2, $1 }')"
    say "after them: $(memory)"
fi

# --- 7. start-up time (STARTS=N) -------------------------------------------------------------------------------------
if [ "${STARTS:-0}" -gt 0 ]; then
    cleanup # the timed starts run alone (KEEP=1 leaves the container above running, idle, beside them)
    trap - EXIT
    N="$STARTS" "$root/bench/container_ready.sh" "$image" | sed -n '/^image/,$p' | sed 's/^/[container-check]   /'
fi

say "OK: image $(mib "$image_bytes") MiB, ready in ${ready} ms, RSS $((rss_kib / 1024)) MiB"
