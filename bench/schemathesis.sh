#!/usr/bin/env bash
# Property-based test of the API from its own OpenAPI document, against the packaged service.
#
#   ./mvnw -B package -DskipTests     # once: builds target/quarkus-app/quarkus-run.jar
#   bench/schemathesis.sh             # about a minute; exits non-zero on any failure
#   bench/schemathesis.sh --report har   # extra arguments go to `schemathesis run`
#
# Starts target/quarkus-app/quarkus-run.jar on a free loopback port (generation deadline 3 s, so that any gen_len
# answers quickly: a generation stopped at the deadline still returns a valid, shorter MIDI file), waits for
# /q/health/ready, runs schemathesis (pinned, in its own virtual environment under target/) with every check and a
# bounded number of examples per operation, stops the service. bench/schemathesis_hooks.py makes schemathesis send
# real image files for the image part (JSON Schema cannot say "a decodable image").
#
# Environment: PYTHON (default python3), ST_MAX_EXAMPLES (default 30), ST_SEED (a fixed seed, to replay a run),
# JAVA (default $JAVA_HOME/bin/java, else java). Reports (JUnit XML, the service log) go to target/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

ST_VERSION=4.32.5
PY=${PYTHON:-python3}
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
ENV=target/schemathesis-venv
OUT=target/schemathesis
JAR=target/quarkus-app/quarkus-run.jar
MAX_EXAMPLES=${ST_MAX_EXAMPLES:-30}

if [ ! -f "$JAR" ]; then
  echo "schemathesis.sh: $JAR is missing; build it first (./mvnw -B package -DskipTests)" >&2
  exit 2
fi
if [ ! -x "$ENV/bin/schemathesis" ] || [ "$(cat "$ENV/.version" 2>/dev/null)" != "$ST_VERSION" ]; then
  rm -rf "$ENV"
  "$PY" -m venv "$ENV"
  "$ENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$ST_VERSION"
  echo "$ST_VERSION" > "$ENV/.version"
fi
rm -rf "$OUT"
mkdir -p "$OUT"

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE="http://127.0.0.1:$PORT"
"$JAVA" -Xmx1g -Djava.awt.headless=true \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
  -Daria.generation.deadline=3s \
  -jar "$JAR" > "$OUT/service.log" 2>&1 &
PID=$!
stop() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}
trap stop EXIT

for _ in $(seq 1 120); do
  if curl -sf "$BASE/q/health/ready" > /dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "schemathesis.sh: the service exited; see $OUT/service.log" >&2
    tail -20 "$OUT/service.log" >&2
    exit 2
  fi
  sleep 1
done
curl -sf "$BASE/q/health/ready" > /dev/null || { echo "schemathesis.sh: not ready after 120 s" >&2; exit 2; }

SEED_ARGS=()
if [ -n "${ST_SEED:-}" ]; then
  SEED_ARGS=(--seed "$ST_SEED")
fi
# --workers 1: the service admits aria.generation.max-concurrent (2) generations and answers more with 503; one
# request at a time keeps schema-valid requests from being refused for load. Run from $OUT so that schemathesis'
# own state directory stays under target/.
status=0
(
  cd "$OUT"
  SCHEMATHESIS_HOOKS="$ROOT/bench/schemathesis_hooks.py" "$ROOT/$ENV/bin/schemathesis" run \
    "$BASE/q/openapi?format=json" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --workers 1 \
    --request-timeout 30 \
    --report junit --report-dir . \
    ${SEED_ARGS[@]+"${SEED_ARGS[@]}"} "$@"
) || status=$?

if grep -q "ERROR" "$OUT/service.log"; then
  echo "schemathesis.sh: the service logged errors (see $OUT/service.log):" >&2
  grep -A3 "ERROR" "$OUT/service.log" | head -40 >&2
  status=1
fi
exit "$status"
