"""Validates the Kubernetes manifests of a directory offline; run it through deploy/validate.sh.

Every YAML document is checked against a JSON schema, strictly (unknown fields fail, so a misspelt key is caught):
- core kinds against the Kubernetes schemas that the kubernetes-validate package ships (no network needed);
- HTTPRoute (a Gateway API CRD, absent from those schemas) and kustomization.yaml against the hand-written schemas in
  deploy/schemas/;
- anything else fails: a kind without a schema is not silently skipped.
kustomization.yaml must name files that exist, and when kubectl is on the PATH `kubectl kustomize` must render it.

Usage: python validate.py [DIR]   (DIR defaults to this file's directory)
Environment: KUBERNETES_VERSION (default 1.30), the version whose schemas apply.
Exit status: 0 when every check passed, 1 otherwise. The last line reads "N passed, M failed".
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError

HERE = Path(__file__).resolve().parent
KUBERNETES_VERSION = os.environ.get("KUBERNETES_VERSION", "1.30")
LOCAL_SCHEMAS = {
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): HERE / "schemas" / "httproute-v1.json",
}
KUSTOMIZATION = "kustomization.yaml"
KUSTOMIZATION_SCHEMA = HERE / "schemas" / "kustomization.json"


class UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (PyYAML would keep the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, label):
        self.passed += 1
        print(f"PASS {label}")

    def fail(self, label, why):
        self.failed += 1
        print(f"FAIL {label}: {why}")


def where(error):
    """The JSON path of a schema error, e.g. spec.template.spec.containers.0."""
    return ".".join(str(part) for part in error.absolute_path) or "(document)"


def schema_errors(document, schema_file):
    schema = json.loads(schema_file.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))


def check_manifest(path, report):
    try:
        documents = [d for d in yaml.load_all(path.read_text(), Loader=UniqueKeyLoader) if d is not None]
    except yaml.YAMLError as e:
        report.fail(path.name, f"not valid YAML: {e}")
        return
    if not documents:
        report.fail(path.name, "no YAML document")
    for document in documents:
        if not isinstance(document, dict) or "apiVersion" not in document or "kind" not in document:
            report.fail(path.name, "not a Kubernetes object (apiVersion and kind are required)")
            continue
        name = (document.get("metadata") or {}).get("name", "?")
        label = f"{path.name} {document['kind']}/{name}"
        local = LOCAL_SCHEMAS.get((document["apiVersion"], document["kind"]))
        if local is not None:
            errors = schema_errors(document, local)
            if errors:
                report.fail(label, "; ".join(f"{where(e)}: {e.message}" for e in errors)
                            + f" (schema {local.relative_to(HERE.parent)})")
            else:
                report.ok(label)
            continue
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
            report.ok(label)
        except kubernetes_validate.ValidationError as e:
            report.fail(label, f"{where(e)}: {e.message}")
        except SchemaNotFoundError:
            report.fail(label, f"no schema for {document['apiVersion']} {document['kind']} in Kubernetes "
                        f"{KUBERNETES_VERSION}; for a CRD add one under deploy/schemas/ and to LOCAL_SCHEMAS")


def check_kustomization(directory, report):
    path = directory / KUSTOMIZATION
    label = f"{KUSTOMIZATION} Kustomization"
    if not path.exists():
        report.fail(KUSTOMIZATION, "missing")
        return
    try:
        document = yaml.load(path.read_text(), Loader=UniqueKeyLoader)
    except yaml.YAMLError as e:
        report.fail(KUSTOMIZATION, f"not valid YAML: {e}")
        return
    problems = [f"{where(e)}: {e.message}" for e in schema_errors(document, KUSTOMIZATION_SCHEMA)]
    if isinstance(document, dict):
        for resource in document.get("resources") or []:
            if isinstance(resource, str) and not (directory / resource).exists():
                problems.append(f"resources: {resource} does not exist")
    if problems:
        report.fail(label, "; ".join(problems))
    else:
        report.ok(label)

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("SKIP kubectl kustomize: kubectl is not on the PATH")
        return
    rendered = subprocess.run([kubectl, "kustomize", str(directory)], capture_output=True, text=True)
    if rendered.returncode != 0:
        report.fail("kubectl kustomize", rendered.stderr.strip() or f"exit status {rendered.returncode}")
    else:
        kinds = [d["kind"] for d in yaml.safe_load_all(rendered.stdout) if d]
        report.ok(f"kubectl kustomize renders {len(kinds)} objects ({', '.join(kinds)})")


def main(argv):
    directory = Path(argv[1] if len(argv) > 1 else HERE).resolve()
    report = Report()
    manifests = sorted(p for p in directory.iterdir()
                       if p.suffix in (".yaml", ".yml") and p.name != KUSTOMIZATION)
    if not manifests:
        report.fail(str(directory), "no *.yaml manifests")
    for path in manifests:
        check_manifest(path, report)
    check_kustomization(directory, report)
    print(f"Kubernetes {KUBERNETES_VERSION} strict schemas from kubernetes-validate "
          f"{kubernetes_validate.__version__}; CRDs and kustomization.yaml against deploy/schemas/")
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
