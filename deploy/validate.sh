#!/usr/bin/env bash
# Validates every Kubernetes manifest in deploy/ (or in the directory given) against the Kubernetes JSON schemas,
# offline, and prints one PASS/FAIL line per object and a closing "N passed, M failed" line. Exits non-zero when any
# check fails. See validate.py for what is checked.
#
# The validator (kubernetes-validate, pinned in requirements.txt, which ships the schemas) lives in a virtual
# environment under target/deployenv; a clean clone creates it on the first run (PyPI is needed once, then nothing).
# Needs python3 with venv. Environment: KUBERNETES_VERSION (default 1.30), DEPLOY_VENV (default target/deployenv).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="${DEPLOY_VENV:-$root/target/deployenv}"
requirements="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
    echo "Installing the manifest validator into $venv ..." >&2
    python3 -m venv --clear "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    echo "$wanted" > "$stamp"
fi

exec "$venv/bin/python" "$here/validate.py" "${1:-$here}"
