#!/usr/bin/env bash
# Test of deploy/validate.sh: the committed manifests pass, and a copy of them with one typo at a time fails, naming
# the typo. Prints "N passed, M failed" and exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "PASS $1"; }
ko() { failed=$((failed + 1)); echo "FAIL $1"; }

# The committed manifests are valid.
if "$here/validate.sh" > "$work/out.txt" 2>&1; then
    ok "deploy/ validates"
else
    cat "$work/out.txt"
    ko "deploy/ validates"
fi

# expect_failure FILE SED-EXPRESSION TEXT-THE-REPORT-MUST-CONTAIN
expect_failure() {
    local file="$1" edit="$2" expected="$3" case="$work/case"
    rm -rf "$case" && mkdir "$case" && cp "$here"/*.yaml "$case/"
    sed -i "$edit" "$case/$file"
    if cmp -s "$here/$file" "$case/$file"; then
        ko "$file: the edit '$edit' changed nothing"
        return
    fi
    if "$here/validate.sh" "$case" > "$work/out.txt" 2>&1; then
        ko "$file with '$edit' should fail validation"
    elif grep -q "^FAIL .*$expected" "$work/out.txt" && grep -q ' [1-9][0-9]* failed$' "$work/out.txt"; then
        ok "$file with '$edit' fails: $(grep -m1 "^FAIL .*$expected" "$work/out.txt" | cut -c1-120)"
    else
        cat "$work/out.txt"
        ko "$file with '$edit' fails without naming '$expected'"
    fi
}

expect_failure deployment.yaml 's/readinessProbe:/readinesProbe:/' "readinesProbe"
expect_failure deployment.yaml 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: yes please/' "readOnlyRootFilesystem"
expect_failure service.yaml 's/targetPort: http/targetPrt: http/' "targetPrt"
expect_failure hpa.yaml 's/minReplicas:/minReplica:/' "minReplica"
expect_failure pdb.yaml 's/apiVersion: policy\/v1/apiVersion: policy\/v2/' "no schema"
expect_failure httproute.yaml 's/backendRefs:/backendRef:/' "backendRef"
expect_failure httproute.yaml 's/request: 150s/request: 150sec/' "150sec"
expect_failure ingress.yaml 's/ingressClassName:/ingressClass:/' "ingressClass"
expect_failure kustomization.yaml 's/- hpa.yaml/- hpas.yaml/' "hpas.yaml"
expect_failure deployment.yaml 's/^  revisionHistoryLimit: 3$/  revisionHistoryLimit: 3\n  replicas: 3/' "duplicate key"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
