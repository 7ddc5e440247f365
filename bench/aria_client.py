"""A small client of the ARIA service for the bench scripts: multipart requests and the result of POST /generate/events,
with the standard library only."""
import json
import time
import urllib.request
import uuid


def multipart(fields, files=()):
    """(body, content type) of a multipart/form-data request: text fields, then (name, filename, mime, bytes) files."""
    boundary = "aria-" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, filename, mime, data in files:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f'Content-Type: {mime}\r\n\r\n').encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def post(base, path, fields, files=(), accept="*/*", timeout=600):
    """(status, headers, body bytes, wall seconds) of a POST."""
    body, ctype = multipart(fields, files)
    req = urllib.request.Request(base + path, data=body, method="POST",
                                 headers={"Content-Type": ctype, "Accept": accept})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = r.read()
            return r.status, dict(r.headers), data, time.perf_counter() - t0
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read(), time.perf_counter() - t0


def generate_result(base, fields, files=()):
    """The data of the `result` event of POST /generate/events, and the request's wall seconds."""
    status, _, body, seconds = post(base, "/generate/events", fields, files, accept="text/event-stream")
    if status != 200:
        raise RuntimeError(f"POST /generate/events answered {status}: {body[:300]!r}")
    for block in body.decode().replace("\r\n", "\n").split("\n\n"):
        lines = block.split("\n")
        if "event: result" in lines:
            return json.loads("".join(l[5:].lstrip() for l in lines if l.startswith("data:"))), seconds
    raise RuntimeError("no result event: " + body[-300:].decode(errors="replace"))


def analyze(base, midi):
    status, _, body, _ = post(base, "/analyze", {}, [("midi", "piece.mid", "audio/midi", midi)])
    if status != 200:
        raise RuntimeError(f"POST /analyze answered {status}: {body[:300]!r}")
    return json.loads(body)
