#!/usr/bin/env bash
# Runs the Python test suite in its own virtual environment (target/pyenv), installing the pinned test
# requirements on first use. Maven calls it in the verify phase (see pom.xml), so `./mvnw verify` runs
# the Java and the Python tests together; it also runs on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
ENV=target/pyenv
if [ ! -x "$ENV/bin/python" ] || ! cmp -s training/requirements-test.txt "$ENV/.requirements"; then
  rm -rf "$ENV"
  "$PY" -m venv "$ENV"
  "$ENV/bin/pip" install -q --disable-pip-version-check -r training/requirements-test.txt
  cp training/requirements-test.txt "$ENV/.requirements"
fi
exec "$ENV/bin/python" -m pytest -q -p no:cacheprovider training/tests
