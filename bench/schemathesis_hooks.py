"""Schemathesis hooks for ARIA (loaded through SCHEMATHESIS_HOOKS by bench/schemathesis.sh).

JSON Schema can say that the part `image` is binary, not that it must be a picture: random bytes are "valid" for
the schema yet rightly refused (415 not-an-image). The API document names the image media types in the part's
encoding; here each of them gets a strategy that draws real image files, so schema-valid requests carry decodable
images and must be accepted (positive_data_acceptance), while negative cases still send arbitrary bytes.

The files: schemathesis' own smallest PNG/JPEG/GIF/WebP, plus every image of the hostile corpus
(src/test/resources/hostile/cases.json) that the service must accept with 200 (CMYK JPEG, 16-bit PNG, palette,
alpha, animated GIF, EXIF-rotated, 1x1 ...).
"""
import json
import pathlib

import jsonschema_rs
import schemathesis
from hypothesis import strategies as st
from schemathesis.core.file_samples import FILE_SAMPLES

CORPUS = pathlib.Path(__file__).resolve().parent.parent / "src" / "test" / "resources" / "hostile"

SIGNATURES = {
    "image/png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda b: b.startswith(b"\xff\xd8\xff"),
    "image/gif": lambda b: b[:6] in (b"GIF87a", b"GIF89a"),
    "image/webp": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP",
    "image/bmp": lambda b: b.startswith(b"BM"),
    "image/tiff": lambda b: b[:4] in (b"II*\x00", b"MM\x00*"),
}


def accepted_corpus_images():
    manifest = CORPUS / "cases.json"
    if not manifest.exists():
        return []
    images = []
    for case in json.loads(manifest.read_text())["cases"]:
        if case.get("status") == 200 and case.get("file"):
            images.append((CORPUS / case["file"]).read_bytes())
    return images


samples = list(FILE_SAMPLES[k] for k in ("png", "jpg", "gif", "webp")) + accepted_corpus_images()
for media_type, matches in SIGNATURES.items():
    files = [b for b in samples if matches(b)]
    if files:
        schemathesis.openapi.media_type(media_type, st.sampled_from(files))


# The part `midi` of POST /render and POST /analyze (encoding audio/midi in the API document): real Standard MIDI
# Files, the ones the cross-language vectors pin (training/tests/vectors/tokens_midi.json, and the files of
# training/tests/vectors/midi/ that analysis.json describes: type 0 and 1, tempo maps, running status, drums).
# Left out: type1-quirks.mid, which keeps running status across a meta event (mido, and so the data pipeline and
# /analyze, read it; the SMF specification forbids it and javax.sound.midi, behind /render, refuses it with 400), and
# the two 27-second band tunes, which only make /render's fuzzing phase slower.
VECTORS = pathlib.Path(__file__).resolve().parent.parent / "training" / "tests" / "vectors"
midis = []
if (VECTORS / "tokens_midi.json").exists():
    midis += [bytes.fromhex(c["midi_hex"]) for c in json.loads((VECTORS / "tokens_midi.json").read_text())]
midis += [(VECTORS / "midi" / name).read_bytes() for name in ("dense-fast.mid", "sparse-slow.mid", "type0-tempo-map.mid")
          if (VECTORS / "midi" / name).exists()]
if midis:
    schemathesis.openapi.media_type("audio/midi", st.sampled_from(midis))


# The examples phase of POST /generate does not build its requests from the whole schema. It fills every property it has
# no example for, with schemathesis' sample file (a PNG image) for file parts, and does not apply the `allOf` that keeps
# an end image (`image_end`) apart from explicit end values (`valence_end`, `arousal_end`): its requests carry both,
# which the API document forbids and the service rightly refuses (400 ambiguous-emotion), and a PNG as the primer (415).
# In that phase only, such a request is made into the schema-valid one it stands for: without the end image, and with
# one of the MIDI files above as the primer, as the fuzzing phase's strategies would have drawn it.
@schemathesis.hook
def before_call(context, case, kwargs):
    phase = getattr(getattr(case.meta, "phase", None), "name", None)
    if str(phase) != "examples" or not isinstance(case.body, dict):
        return
    if "image_end" in case.body and ("valence_end" in case.body or "arousal_end" in case.body):
        del case.body["image_end"]
    primer = case.body.get("primer")
    data = getattr(primer, "data", primer)
    if midis and isinstance(data, (bytes, bytearray)) and not data.startswith((b"MThd", b"RIFF")):
        case.body["primer"] = midis[0]


# A negative case whose only mutation negates `format` cannot be negative here: the API document's formats are
# OpenAPI annotations that every value of the property's type meets (`binary` for file parts: any bytes; `double`,
# `int32`, `int64` for numbers, whose ranges are stated with minimum and maximum). Yet schemathesis reports such a case
# as "schema-violating request accepted" when the service answers 200 (seen for `image`, `image_end` and `top_p`,
# filled with a real image or a plain number); such cases are left out.
@schemathesis.hook
def filter_case(context, case):
    generation = getattr(case.meta, "generation", None)
    if str(getattr(generation, "mode", "")) != "negative":
        return True
    mutations = getattr(getattr(getattr(case.meta, "phase", None), "data", None), "mutations", ()) or ()
    if mutations and all(tuple(m.keywords) == ("format",) for m in mutations):
        return False
    return not body_still_valid(case)


# A negative case is meant to break the request body's schema, but a mutation inside one branch of a `oneOf` can leave
# the body valid through another branch: `required` negated in the branch "valence and arousal" of POST /generate's
# start emotion, with an `image` part sent, is a request the API document allows and the service rightly answers with
# 200, which schemathesis then reports as "schema-violating request accepted" (seen once in a verify run). A
# negative case whose multipart body still validates against the operation's own schema is left out.
VALIDATORS = {}


def body_still_valid(case):
    try:
        spec = case.operation.schema.raw_schema
        content = case.operation.definition.raw["requestBody"]["content"]
    except (AttributeError, KeyError, TypeError):
        return False
    media = next((m for m in content if m.startswith("multipart/form-data")), None)
    if media is None or not isinstance(case.body, dict):
        return False
    def escaped(token):  # a JSON Pointer reference token
        return token.replace("~", "~0").replace("/", "~1")
    pointer = "/".join(["#", "paths", escaped(case.operation.path), case.method.lower(), "requestBody", "content",
                        escaped(media), "schema"])
    key = (id(spec), pointer)
    if key not in VALIDATORS:
        root = dict(spec)
        root["$ref"] = pointer
        try:
            VALIDATORS[key] = jsonschema_rs.validator_for(root)
        except Exception:  # a schema the validator cannot compile: keep the cases
            VALIDATORS[key] = None
    validator = VALIDATORS[key]
    body = {k: "<file>" if isinstance(getattr(v, "data", v), (bytes, bytearray)) else v for k, v in case.body.items()}
    return validator is not None and validator.is_valid(body)
