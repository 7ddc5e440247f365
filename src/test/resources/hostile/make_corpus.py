#!/usr/bin/env python3
"""Writes the hostile-input corpus of ARIA: small files under this directory and cases.json, the manifest that says
what each request must get back. dev.aria.rest.HostileCorpusTest runs every case against the service.

    python3 -m venv /tmp/corpus-venv && /tmp/corpus-venv/bin/pip install pillow==12.1.1
    /tmp/corpus-venv/bin/python src/test/resources/hostile/make_corpus.py

The MIDI files and the POST /analyze cases come from make_midi_corpus.py (standard library only), which this script
calls, and which can also be run alone to rewrite just those cases.

The files are committed (every one is a few KiB at most); rerun this script only to change the corpus. Inputs that
would be large (a real decompression bomb, a body over the HTTP limit, a file over 20 MiB) are not files: their case
names a generator that HostileCorpusTest runs in memory.

Manifest, one object per case:
  id        unique name (also the JUnit display name)
  endpoint  "/emotion", "/generate" or "/analyze"; image cases with "both": true run against /emotion and /generate
  request   how to build it:
              {"file": F, "mime": M[, "part": P][, "filename": N]}      one file part (default part "image")
              {"fields": {name: value|null}}                            /generate text fields over the defaults
                                                                       (valence, arousal 0.1, gen_len 16,
                                                                       min_instruments 1, seed 1; null drops one)
              {"parts": [{"name", "text"} | {"name", "file", "mime"}]}  parts exactly as listed (duplicates too)
              {"raw": {"contentType": C|null, "body": B}}               a body as it is (\\r\\n written out)
              {"generator": G, ...}                                     built by the test (see HostileCorpusTest)
  status    the HTTP status it must get
  type      the problem type slug (urn:aria:problem:<type>) of an error, null for a success
  field     the "field" the problem must name, null when it must name none
  contentType  expected media type when it is not the usual one (null: no body at all)
  decoded   for accepted images: the decoded size and a few pixels, checked through ImageDecoder
  why       what the case is about
"""
import io
import json
import pathlib
import random
import struct
import zlib

from PIL import Image

HERE = pathlib.Path(__file__).resolve().parent
rng = random.Random(20261125)
cases = []


def write(name, data):
    (HERE / name).write_bytes(data)
    return name


def save(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def noise(size, mode="RGB"):
    """A small image with detail everywhere, so truncating its file loses real data."""
    w, h = size
    bands = len(mode)
    return Image.frombytes(mode, size, bytes(rng.randrange(256) for _ in range(w * h * bands)))


def halves(size, left, right, mode="RGB"):
    image = Image.new(mode, size, left)
    image.paste(Image.new(mode, (size[0] - size[0] // 2, size[1]), right), (size[0] // 2, 0))
    return image


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, bit_depth, colour_type, raw_rows, extra_chunks=()):
    """A PNG written by hand, for what Pillow does not write (16-bit RGB) or must not check (lying headers)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    chunks = [png_chunk(b"IHDR", ihdr), *extra_chunks, png_chunk(b"IDAT", zlib.compress(raw_rows, 9)),
              png_chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def exif_orientation(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def image_case(case_id, file, mime, status, type_=None, why="", decoded=None, both=True, filename=None):
    request = {"file": file, "mime": mime}
    if filename:
        request["filename"] = filename
    case = {"id": case_id, "endpoint": "/emotion", "both": both, "request": request, "status": status,
            "type": type_, "field": None if status == 200 else "image", "why": why}
    if decoded:
        case["decoded"] = decoded
    cases.append(case)


# --- Images that must be refused -----------------------------------------------------------------------------------

image_case("zero-byte-file", write("zero-byte.jpg", b""), "image/jpeg", 400, "empty-image",
           "an empty file part")
jpeg = save(noise((64, 64)), "JPEG", quality=90)
image_case("truncated-jpeg", write("truncated.jpg", jpeg[: len(jpeg) * 6 // 10]), "image/jpeg", 400, "corrupt-image",
           "the first 60 % of a baseline JPEG: the scan data stops early")
png_noise = save(noise((64, 64)), "PNG")
image_case("truncated-png", write("truncated.png", png_noise[: len(png_noise) // 2]), "image/png", 400,
           "corrupt-image", "the first half of a PNG: IDAT cut off, no IEND")
image_case("truncated-png-header", write("truncated-header.png", png_noise[:20]), "image/png", 400, "corrupt-image",
           "PNG signature and half an IHDR chunk: the size cannot even be read")
image_case("text-named-jpg", write("diary.jpg", b"Dear diary, today I uploaded a text file as a photo.\n"),
           "image/jpeg", 415, "not-an-image", "plain text with a .jpg name and an image/jpeg part type")
image_case("html-named-jpg", write("page.jpg", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"),
           "image/jpeg", 415, "not-an-image", "an HTML page (with a script) posing as a JPEG")
image_case("svg", write("drawing.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
                        b'height="10"><script>alert(1)</script><rect width="10" height="10" fill="red"/></svg>\n'),
           "image/svg+xml", 415, "not-an-image", "SVG is XML, not a raster format this service reads")
image_case("polyglot-gif-javascript", write("polyglot.gif", b"GIF89a/*\x00\x00\x00\x00*/=1;alert(document.domain);//"),
           "image/gif", 400, "corrupt-image",
           "a GIF/JavaScript polyglot: a GIF signature that is also a JS comment; not a decodable GIF")
image_case("pdf-named-png", write("document.png", b"%PDF-1.4\n1 0 obj\n<</Type/Catalog>>\nendobj\n%%EOF\n"),
           "image/png", 415, "not-an-image", "a PDF with a .png name")
zip_bytes = (b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00" + b"\x00" * 16 + b"PK\x05\x06" + b"\x00" * 18)
image_case("zip-named-png", write("archive.png", zip_bytes), "image/png", 415, "not-an-image", "a ZIP archive")
header_only = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0))
               + png_chunk(b"IDAT", b"") + png_chunk(b"IEND", b""))
image_case("png-header-50000x50000", write("header-50000x50000.png", header_only), "image/png", 400,
           "image-too-large", "57 bytes whose IHDR claims 50 000 x 50 000 RGB pixels (7.5 GB decoded): refused from "
           "the header, before any pixel is decoded")


def gif_with_size(width, height):
    gif = bytearray(save(Image.new("P", (1, 1)), "GIF"))
    struct.pack_into("<HH", gif, 6, width, height)  # logical screen
    at = 13 + (3 << ((gif[10] & 7) + 1) if gif[10] & 0x80 else 0)  # after the global colour table
    while gif[at] == 0x21:  # extension blocks: introducer, label, then sub-blocks up to a zero length
        at += 2
        while gif[at]:
            at += gif[at] + 1
        at += 1
    assert gif[at] == 0x2C, "image descriptor expected"
    struct.pack_into("<HH", gif, at + 5, width, height)
    return bytes(gif)


def jpeg_with_size(width, height):
    jpeg = bytearray(save(Image.new("RGB", (8, 8), "white"), "JPEG"))
    at = 2
    while jpeg[at + 1] not in (0xC0, 0xC1, 0xC2):  # walk the marker segments to the start of frame
        at += 2 + struct.unpack_from(">H", jpeg, at + 2)[0]
    struct.pack_into(">HH", jpeg, at + 5, height, width)  # marker(2) length(2) precision(1) height width
    return bytes(jpeg)


image_case("gif-header-65535x65535", write("header-65535x65535.gif", gif_with_size(65535, 65535)), "image/gif", 400,
           "image-too-large", "a GIF whose screen and frame claim 65 535 x 65 535 pixels")
image_case("jpeg-header-65000x65000", write("header-65000x65000.jpg", jpeg_with_size(65000, 65000)), "image/jpeg",
           400, "image-too-large", "a JPEG whose start-of-frame claims 65 000 x 65 000 pixels")
cases.append({"id": "png-decompression-bomb", "endpoint": "/emotion", "both": True,
              "request": {"generator": "png-bomb", "width": 30000, "height": 30000},
              "status": 400, "type": "image-too-large", "field": "image",
              "why": "a real bomb: about 110 KiB of deflate that inflates to 112 MB of 1-bit rows, 900 million "
                     "pixels (3.6 GB as RGB); refused from the header, before any pixel is decoded"})

# --- Valid but odd images: must be accepted (200) ------------------------------------------------------------------

RED, BLUE = (255, 0, 0), (0, 0, 255)
image_case("cmyk-jpeg", write("cmyk.jpg", save(Image.new("CMYK", (32, 32), (0, 200, 200, 0)), "JPEG")),
           "image/jpeg", 200, why="a CMYK JPEG (Adobe APP14), as print workflows write them",
           decoded={"width": 32, "height": 32, "pixels": [[16, 16, "ff3737", 60]]})
image_case("progressive-jpeg", write("progressive.jpg", save(halves((48, 32), RED, BLUE), "JPEG", progressive=True,
                                                             quality=95)),
           "image/jpeg", 200, why="a progressive JPEG",
           decoded={"width": 48, "height": 32, "pixels": [[4, 16, "ff0000", 40], [44, 16, "0000ff", 40]]})
image_case("grey-jpeg", write("grey.jpg", save(Image.new("L", (16, 16), 90), "JPEG")), "image/jpeg", 200,
           why="a single-channel grey JPEG", decoded={"width": 16, "height": 16, "pixels": [[8, 8, "5a5a5a", 6]]})
image_case("grey-png", write("grey.png", save(Image.new("L", (16, 16), 90), "PNG")), "image/png", 200,
           why="8-bit grey PNG", decoded={"width": 16, "height": 16, "pixels": [[8, 8, "5a5a5a", 1]]})
image_case("grey-16bit-png", write("grey16.png", png(16, 16, 16, 0, b"".join(b"\x00" + b"\x5a\x5a" * 16
                                                                           for _ in range(16)))),
           "image/png", 200, why="16-bit grey PNG", decoded={"width": 16, "height": 16, "pixels": [[8, 8, "5a5a5a", 1]]})
image_case("rgb-16bit-png", write("rgb48.png", png(16, 16, 16, 2, b"".join(b"\x00" + b"\xff\xff\x00\x00\x00\x00" * 16
                                                                         for _ in range(16)))),
           "image/png", 200, why="16-bit-per-channel RGB PNG (48-bit)",
           decoded={"width": 16, "height": 16, "pixels": [[8, 8, "ff0000", 1]]})
image_case("palette-png", write("palette.png", save(halves((32, 16), RED, BLUE).quantize(4), "PNG")), "image/png", 200,
           why="an indexed (palette) PNG",
           decoded={"width": 32, "height": 16, "pixels": [[2, 8, "ff0000", 1], [30, 8, "0000ff", 1]]})
palette_trns = Image.new("P", (16, 16), 0)
palette_trns.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
palette_trns.paste(1, (8, 0, 16, 16))
image_case("palette-transparent-png", write("palette-trns.png", save(palette_trns, "PNG", transparency=0)),
           "image/png", 200, why="a palette PNG whose entry 0 is transparent (tRNS): composited on white",
           decoded={"width": 16, "height": 16, "pixels": [[2, 8, "ffffff", 1], [12, 8, "ff0000", 1]]})
image_case("bilevel-png", write("bilevel.png", save(halves((16, 16), 0, 1, mode="1"), "PNG")), "image/png", 200,
           why="a 1-bit black-and-white PNG",
           decoded={"width": 16, "height": 16, "pixels": [[2, 8, "000000", 1], [14, 8, "ffffff", 1]]})
image_case("alpha-png", write("alpha.png", save(Image.new("RGBA", (16, 16), (0, 0, 255, 0)), "PNG")), "image/png", 200,
           why="an RGBA PNG, fully transparent: composited on white, not black",
           decoded={"width": 16, "height": 16, "pixels": [[8, 8, "ffffff", 1]]})
image_case("grey-alpha-png", write("grey-alpha.png", save(Image.new("LA", (16, 16), (0, 128)), "PNG")), "image/png",
           200, why="grey + alpha PNG, half transparent black: mid grey on white",
           decoded={"width": 16, "height": 16, "pixels": [[8, 8, "7f7f7f", 2]]})
frames = [Image.new("RGB", (24, 24), c) for c in (RED, (0, 255, 0), BLUE)]
image_case("animated-gif", write("animated.gif", save(frames[0], "GIF", save_all=True, append_images=frames[1:],
                                                      duration=100, loop=0)),
           "image/gif", 200, why="an animated GIF: its first frame is used",
           decoded={"width": 24, "height": 24, "pixels": [[12, 12, "ff0000", 1]]})
image_case("exif-rotated-jpeg", write("exif-orientation-6.jpg", save(halves((64, 32), RED, BLUE), "JPEG", quality=95,
                                                                     exif=exif_orientation(6))),
           "image/jpeg", 200,
           why="64 x 32, left red / right blue, EXIF orientation 6 (rotate 90 degrees clockwise): must be read "
               "upright as 32 x 64 with red on top, not refused",
           decoded={"width": 32, "height": 64, "pixels": [[16, 4, "ff0000", 40], [16, 60, "0000ff", 40]]})
image_case("exif-orientation-3-jpeg", write("exif-orientation-3.jpg", save(halves((64, 32), RED, BLUE), "JPEG",
                                                                           quality=95, exif=exif_orientation(3))),
           "image/jpeg", 200, why="EXIF orientation 3 (upside down): red and blue swap sides",
           decoded={"width": 64, "height": 32, "pixels": [[4, 16, "0000ff", 40], [60, 16, "ff0000", 40]]})
bad_exif = bytearray(exif_orientation(6))
struct.pack_into("<I", bad_exif, 10, 0x7FFFFFF0) if bad_exif[6:8] == b"II" else struct.pack_into(">I", bad_exif, 10,
                                                                                                0x7FFFFFF0)
image_case("broken-exif-jpeg", write("broken-exif.jpg", save(halves((64, 32), RED, BLUE), "JPEG", quality=95,
                                                             exif=bytes(bad_exif))),
           "image/jpeg", 200, why="an EXIF block whose IFD offset points far outside it: ignored, image kept as is",
           decoded={"width": 64, "height": 32, "pixels": [[4, 16, "ff0000", 40]]})
image_case("one-pixel-png", write("one-pixel.png", save(Image.new("RGB", (1, 1), (255, 0, 255)), "PNG")), "image/png",
           200, why="1 x 1 pixel", decoded={"width": 1, "height": 1, "pixels": [[0, 0, "ff00ff", 1]]})
image_case("one-pixel-jpeg", write("one-pixel.jpg", save(Image.new("RGB", (1, 1), (255, 0, 255)), "JPEG")),
           "image/jpeg", 200, why="1 x 1 pixel JPEG", decoded={"width": 1, "height": 1})
image_case("one-pixel-gif", write("one-pixel.gif", save(Image.new("RGB", (1, 1), (255, 0, 255)), "GIF")), "image/gif",
           200, why="1 x 1 pixel GIF", decoded={"width": 1, "height": 1, "pixels": [[0, 0, "ff00ff", 1]]})
image_case("tall-strip-png", write("strip-1x3000.png", save(Image.new("RGB", (1, 3000), (0, 128, 0)), "PNG")),
           "image/png", 200, why="1 x 3000 pixels: an extreme aspect ratio must not break resizing",
           decoded={"width": 1, "height": 3000, "pixels": [[0, 1500, "008000", 1]]})
image_case("wide-strip-png", write("strip-3000x1.png", save(Image.new("RGB", (3000, 1), (0, 128, 0)), "PNG")),
           "image/png", 200, why="3000 x 1 pixels", decoded={"width": 3000, "height": 1})
image_case("bmp", write("picture.bmp", save(halves((16, 8), RED, BLUE), "BMP")), "image/bmp", 200,
           why="a 24-bit BMP", decoded={"width": 16, "height": 8, "pixels": [[2, 4, "ff0000", 1]]})
image_case("webp-lossless", write("picture.webp", save(halves((16, 8), RED, BLUE), "WEBP", lossless=True)),
           "image/webp", 200, why="a lossless WebP", decoded={"width": 16, "height": 8, "pixels": [[2, 4, "ff0000", 1]]})
image_case("tiff", write("picture.tiff", save(halves((16, 8), RED, BLUE), "TIFF")), "image/tiff", 200,
           why="an uncompressed TIFF", decoded={"width": 16, "height": 8, "pixels": [[2, 4, "ff0000", 1]]})
image_case("png-named-jpg", write("really-a-png.jpg", save(Image.new("RGB", (8, 8), RED), "PNG")), "image/jpeg", 200,
           why="a PNG with a .jpg name and an image/jpeg part type: the content decides, not the name",
           decoded={"width": 8, "height": 8, "pixels": [[4, 4, "ff0000", 1]]})
image_case("polyglot-jpeg-html", write("polyglot-html.jpg", save(Image.new("RGB", (8, 8), BLUE), "JPEG", quality=95)
                                        + b"<html><script>alert(1)</script></html>"),
           "image/jpeg", 200, why="a valid JPEG with an HTML page after its end marker: read as the image it is",
           decoded={"width": 8, "height": 8, "pixels": [[4, 4, "0000ff", 40]]})
text_chunk = png_chunk(b"tEXt", b"Comment\x00<script>alert(document.cookie)</script>")
image_case("png-script-in-text-chunk", write("script-comment.png",
                                            png(4, 4, 8, 2, b"".join(b"\x00" + b"\x00\xff\x00" * 4 for _ in range(4)),
                                                (text_chunk,))),
           "image/png", 200, why="a PNG carrying a script in a tEXt chunk: metadata is never echoed",
           decoded={"width": 4, "height": 4, "pixels": [[2, 2, "00ff00", 1]]})

# --- Multipart envelope -------------------------------------------------------------------------------------------

def emotion_case(case_id, request, status, type_, field, why, **extra):
    cases.append({"id": case_id, "endpoint": "/emotion", "request": request, "status": status, "type": type_,
                  "field": field, "why": why, **extra})


emotion_case("wrong-part-name", {"file": "one-pixel.png", "mime": "image/png", "part": "file"}, 400,
             "wrong-field-name", "image", "the image sent as 'file' instead of 'image'")
emotion_case("duplicate-image-parts", {"parts": [{"name": "image", "file": "one-pixel.png", "mime": "image/png"},
                                                 {"name": "image", "file": "grey.png", "mime": "image/png"}]},
             400, "duplicate-field", "image", "two parts named 'image': which one is meant is unknowable")
emotion_case("image-as-text-part", {"parts": [{"name": "image", "text": "a picture of the sea"}]}, 415,
             "not-an-image", "image", "'image' sent as a text field: its text is not an image")
emotion_case("no-image-part", {"parts": [{"name": "note", "text": "no picture today"}]}, 400, "missing-field",
             "image", "a multipart form without any image")
emotion_case("missing-boundary", {"raw": {"contentType": "multipart/form-data",
                                          "body": "--x\r\nContent-Disposition: form-data; name=\"image\"; "
                                                  "filename=\"a.png\"\r\n\r\nabc\r\n--x--\r\n"}},
             400, "malformed-multipart", None, "multipart/form-data without a boundary parameter")
emotion_case("boundary-never-occurs", {"raw": {"contentType": "multipart/form-data; boundary=expected",
                                               "body": "--other\r\nContent-Disposition: form-data; name=\"image\"; "
                                                       "filename=\"a.png\"\r\n\r\nabc\r\n--other--\r\n"}},
             400, "malformed-multipart", None, "the body uses another boundary than the header declares")
emotion_case("multipart-cut-off", {"raw": {"contentType": "multipart/form-data; boundary=XYZ",
                                           "body": "--XYZ\r\nContent-Disposition: form-data; name=\"image\"; "
                                                   "filename=\"a.jpg\"\r\n\r\n\u00ff\u00d8\u00ff\u00e0abc"}},
             400, "malformed-multipart", None, "a multipart body that stops before its closing boundary")
emotion_case("empty-multipart-body", {"raw": {"contentType": "multipart/form-data; boundary=XYZ", "body": ""}},
             400, "malformed-multipart", None, "multipart/form-data with an empty body")
emotion_case("json-content-type", {"raw": {"contentType": "application/json", "body": "{\"image\": \"aGVsbG8=\"}"}},
             415, "unsupported-media-type", None, "the image base64-encoded in JSON")
emotion_case("text-plain-content-type", {"raw": {"contentType": "text/plain", "body": "hello"}}, 415,
             "unsupported-media-type", None, "a text/plain body")
emotion_case("urlencoded-content-type", {"raw": {"contentType": "application/x-www-form-urlencoded",
                                                 "body": "image=aGVsbG8%3D"}},
             415, "unsupported-media-type", None, "a URL-encoded form instead of multipart")
emotion_case("multipart-mixed-content-type", {"raw": {"contentType": "multipart/mixed; boundary=XYZ",
                                                      "body": "--XYZ\r\n\r\nabc\r\n--XYZ--\r\n"}},
             415, "unsupported-media-type", None, "multipart/mixed instead of multipart/form-data")
emotion_case("raw-image-body", {"raw": {"contentType": "image/png", "bodyFile": "one-pixel.png"}}, 415,
             "unsupported-media-type", None, "the image as the whole body instead of a form part")
emotion_case("no-content-type", {"raw": {"contentType": None, "body": "hello"}}, 415, "unsupported-media-type",
             None, "a body without any Content-Type")
emotion_case("huge-body-declared", {"generator": "oversized-body", "bytes": 27262976, "chunked": False}, 413,
             "request-too-large", None,
             "Content-Length 26 MiB (over quarkus.http.limits.max-body-size, 25M) with Expect: 100-continue: "
             "refused from the headers before the body travels")
emotion_case("huge-body-chunked", {"generator": "oversized-body", "bytes": 27262976, "chunked": True}, 413,
             "request-too-large", None, "a 26 MiB image part sent chunked (no length): cut off at 25 MiB of part data")
emotion_case("huge-body-chunked-outside-parts", {"generator": "oversized-body", "bytes": 28311552, "chunked": True,
                                                 "outsideParts": True}, 413, None, None,
             "27 MiB of bytes before the first boundary, chunked: no part ever starts, so the multipart parser never "
             "counts them; the HTTP layer stops the body at 26 MiB with an empty 413 (the one 413 without a problem "
             "body: the response is written below the REST layer)", contentType=None)
emotion_case("file-over-20-mib", {"generator": "large-file", "bytes": 21 * 1024 * 1024}, 413, "file-too-large",
             "image", "a 21 MiB file part in a body under the 25 MiB HTTP limit: over aria.image.max-bytes")
emotion_case("too-many-parts", {"generator": "many-parts", "count": 100}, 400, "too-many-fields", None,
             "100 tiny text parts (quarkus.http.limits.max-parameters is 64)")
emotion_case("header-too-large", {"generator": "large-header", "bytes": 20000}, 431, "headers-too-large", None,
             "a 20 000-byte header (aria.http.max-header-size is 16384): refused before routing, with a problem body")
emotion_case("request-line-too-long", {"generator": "long-uri", "bytes": 5000}, 414, "request-line-too-long",
             None, "a 5000-character query string (aria.http.max-request-line is 4096): refused before routing, "
             "with a problem body")
emotion_case("header-over-codec-limit", {"generator": "large-header", "bytes": 70000}, 431, None, None,
             "a 70 000-byte header, over the HTTP codec's own limit (quarkus.http.limits.max-header-size 64K): "
             "refused by Vert.x before the application sees it, with no body (Quarkus has no hook for that answer)",
             contentType=None)
emotion_case("request-line-over-codec-limit", {"generator": "long-uri", "bytes": 17000}, 414, None, None,
             "a 17 000-character query string, over the codec's max-initial-line-length (16384): refused by Vert.x "
             "with no body", contentType=None)
emotion_case("wrong-method", {"generator": "method", "method": "PUT"}, 405, "method-not-allowed", None,
             "PUT instead of POST")

# --- /generate settings -------------------------------------------------------------------------------------------

def setting_case(case_id, fields, status, type_, field, why):
    cases.append({"id": case_id, "endpoint": "/generate", "request": {"fields": fields}, "status": status,
                  "type": type_, "field": field, "why": why})


DECIMALS = {"valence": ("-1", "1"), "arousal": ("-1", "1"), "note_temperature": (None, "4"),
            "rest_temperature": (None, "4"), "top_p": (None, "1")}
for name, (low, high) in DECIMALS.items():
    setting_case(f"{name}-above-maximum", {name: str(float(high) + 0.5)}, 400, "validation-failed", name,
                 f"{name} above its maximum {high}")
    if low is not None:
        setting_case(f"{name}-below-minimum", {name: str(float(low) - 0.5)}, 400, "validation-failed", name,
                     f"{name} below its minimum {low}")
    else:
        setting_case(f"{name}-zero", {name: "0"}, 400, "validation-failed", name, f"{name} must be above 0")
        setting_case(f"{name}-negative", {name: "-0.5"}, 400, "validation-failed", name, f"{name} negative")
    for bad, label in (("NaN", "nan"), ("Infinity", "infinity"), ("-Infinity", "minus-infinity"),
                       ("lots", "non-numeric"), ("", "empty"), (" 0.5", "leading-blank"), ("0x1p-1", "hex-float"),
                       ("0.5d", "java-suffix")):
        setting_case(f"{name}-{label}", {name: bad}, 400, "invalid-parameter", name,
                     f"{name} = {bad!r}: not a plain finite decimal number")
for case_id, name, bad, type_, why in (
        ("gen-len-zero", "gen_len", "0", "validation-failed", "below the minimum 1"),
        ("gen-len-above-maximum", "gen_len", "16385", "validation-failed", "above the maximum 16384"),
        ("gen-len-negative", "gen_len", "-1", "validation-failed", "negative"),
        ("gen-len-fraction", "gen_len", "1.5", "invalid-parameter", "not a whole number"),
        ("gen-len-exponent", "gen_len", "1e3", "invalid-parameter", "exponent notation for a whole number"),
        ("gen-len-overflow", "gen_len", "99999999999", "invalid-parameter", "does not fit an int"),
        ("gen-len-non-numeric", "gen_len", "lots", "invalid-parameter", "non-numeric"),
        ("gen-len-empty", "gen_len", "", "invalid-parameter", "empty"),
        ("min-instruments-zero", "min_instruments", "0", "validation-failed", "below the minimum 1"),
        ("min-instruments-above-maximum", "min_instruments", "6", "validation-failed", "above the maximum 5"),
        ("min-instruments-non-numeric", "min_instruments", "two", "invalid-parameter", "non-numeric"),
        ("min-instruments-empty", "min_instruments", "", "invalid-parameter", "empty"),
        ("seed-non-numeric", "seed", "abc", "invalid-parameter", "not a number"),
        ("seed-negative", "seed", "-1", "validation-failed", "negative"),
        ("seed-above-maximum", "seed", "9007199254740992", "validation-failed", "2^53, one above the largest seed"),
        ("seed-overflow", "seed", "12345678901234567890", "invalid-parameter", "does not fit a long"),
        ("seed-exponent", "seed", "1e3", "invalid-parameter", "exponent notation"),
        ("seed-fraction", "seed", "7.5", "invalid-parameter", "not a whole number"),
        ("seed-empty", "seed", "", "invalid-parameter", "empty"),
        ("conditioning-unknown", "conditioning", "sideways", "validation-failed", "an unknown conditioning name"),
        ("conditioning-upper-case", "conditioning", "CONTINUOUS_CONCAT", "validation-failed", "names are lower case"),
        ("conditioning-empty", "conditioning", "", "validation-failed", "empty"),
):
    setting_case(case_id, {name: bad}, 400, type_, name, f"{name} = {bad!r}: {why}")
setting_case("valence-without-arousal", {"arousal": None}, 400, "missing-field", "arousal",
             "valence alone: arousal is needed too")
setting_case("no-emotion-at-all", {"valence": None, "arousal": None}, 400, "missing-emotion", "image",
             "neither an image nor valence and arousal")
cases.append({"id": "image-and-valence", "endpoint": "/generate",
              "request": {"parts": [{"name": "image", "file": "one-pixel.png", "mime": "image/png"},
                                    {"name": "valence", "text": "0.2"}, {"name": "arousal", "text": "0.2"},
                                    {"name": "gen_len", "text": "16"}]},
              "status": 400, "type": "ambiguous-emotion", "field": "valence",
              "why": "an image and an explicit emotion: which one counts is ambiguous"})
cases.append({"id": "duplicate-valence", "endpoint": "/generate",
              "request": {"parts": [{"name": "valence", "text": "0.2"}, {"name": "valence", "text": "-0.9"},
                                    {"name": "arousal", "text": "0.2"}, {"name": "gen_len", "text": "16"}]},
              "status": 400, "type": "duplicate-field", "field": "valence",
              "why": "valence sent twice with different values"})
cases.append({"id": "setting-over-form-attribute-limit", "endpoint": "/generate",
              "request": {"generator": "long-field", "name": "top_p", "bytes": 5000},
              "status": 413, "type": "request-too-large", "field": None,
              "why": "a 5000-character text field (quarkus.http.limits.max-form-attribute-size is 4K)"})
for case_id, fields, why in (
        ("extreme-but-valid-settings", {"top_p": "1", "note_temperature": "4", "rest_temperature": "0.01",
                                        "gen_len": "1", "seed": "9007199254740991", "min_instruments": "5"},
         "every setting at the edge of its range"),
        ("valence-arousal-corners", {"valence": "-1", "arousal": "1.0"}, "the corners of the emotion square"),
        ("exponent-notation", {"valence": "-5e-1", "top_p": "7E-1", "arousal": "+0.25"},
         "numbers with exponents and a plus sign are plain decimals"),
        ("settings-defaults", {"min_instruments": None, "seed": None},
         "no min_instruments or seed: both default (seed random, returned in ARIA-Seed)")):
    cases.append({"id": case_id, "endpoint": "/generate", "request": {"fields": fields}, "status": 200,
                  "type": None, "field": None, "why": why})

# --- POST /analyze: MIDI files (make_midi_corpus.py) ----------------------------------------------------------------

from make_midi_corpus import midi_cases, primer_cases  # noqa: E402

cases += midi_cases(write) + primer_cases(write)

ids = [c["id"] for c in cases]
assert len(ids) == len(set(ids)), "duplicate case ids"
manifest = {
    "about": "Hostile inputs and the answer each must get. Written by make_corpus.py; run by "
             "dev.aria.rest.HostileCorpusTest. Fields are described at the top of make_corpus.py.",
    "generateDefaults": {"valence": "0.1", "arousal": "0.1", "gen_len": "16", "min_instruments": "1", "seed": "1"},
    "cases": cases,
}
(HERE / "cases.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
print(f"{len(cases)} cases, {len(list(HERE.glob('*'))) - 2} files, "
      f"{sum(f.stat().st_size for f in HERE.iterdir()) // 1024} KiB")
