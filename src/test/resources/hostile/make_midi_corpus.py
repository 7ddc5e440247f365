#!/usr/bin/env python3
"""The MIDI part of ARIA's hostile-input corpus: small files under this directory and the POST /analyze cases of
cases.json, with the same files sent to POST /generate as the part `primer` (a MIDI file to continue, read with the
same reader, limits and problems, naming `primer`). make_corpus.py, which writes the rest, adds these cases too by
calling midi_cases() and primer_cases(). Standard library only; run alone, it rewrites the MIDI cases of cases.json
and leaves every other case as it is:

    python3 src/test/resources/hostile/make_midi_corpus.py

Files that would be large (millions of notes, a file over the byte limit) are not files: their case names a generator
that HostileCorpusTest runs in memory ("midi-notes": a type-0 file of `notes` notes with running status, three bytes
an event, in the part `part`, default midi). Limits the cases run into: aria.analysis.* in application.properties (1 MiB, 512 tracks, 100,000 notes,
30 minutes). A case may carry "analysis": {"valence": null, "windows": N}: what the 200 answer must hold.
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
PPQ = 480


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def chunk(kind, data, length=None):
    return kind + (len(data) if length is None else length).to_bytes(4, "big") + data


def header(fmt, tracks, division=PPQ, length=6):
    return chunk(b"MThd", fmt.to_bytes(2, "big") + tracks.to_bytes(2, "big") + division.to_bytes(2, "big"), length)


def ev(delta, *data):
    return vlq(delta) + bytes(data)


EOT = ev(0, 0xFF, 0x2F, 0)


def track(*events, length=None):
    return chunk(b"MTrk", b"".join(events) + EOT, length)


def tempo(delta, micros):
    return ev(delta, 0xFF, 0x51, 3, micros >> 16 & 0xFF, micros >> 8 & 0xFF, micros & 0xFF)


def tune(channel=0):
    """Eight bars of quarter notes up and down a C major scale, with running status: 64 events."""
    events = [ev(0, 0xC0 | channel, 0)]
    steps = (60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60, 67) * 2
    for i, p in enumerate(steps):
        events.append(ev(0, 0x90 | channel, p, 100) if i == 0 else ev(0, p, 100))
        events.append(ev(PPQ, p, 0))
    return events


def midi_cases(write):
    cases = []

    def case(case_id, request, status, type_, why, field="midi", **extra):
        cases.append({"id": case_id, "endpoint": "/analyze", "request": request, "status": status, "type": type_,
                      "field": None if status == 200 else field, "why": why, **extra})

    def file_case(case_id, name, data, status, type_, why, filename=None, **extra):
        request = {"file": write(name, data) if data is not None else name, "mime": "audio/midi", "part": "midi"}
        if filename:
            request["filename"] = filename
        case(case_id, request, status, type_, why, **extra)

    good = header(1, 2) + track(tempo(0, 500_000)) + track(*tune())
    # --- damaged files
    file_case("midi-truncated", "truncated.mid", good[: len(good) // 2], 400, "corrupt-midi",
              "the first half of a two-track file: the second track chunk declares more bytes than remain")
    file_case("midi-chunk-longer-than-file", "chunk-too-long.mid",
              header(0, 1) + track(*tune(), length=1_000_000), 400, "corrupt-midi",
              "a track chunk that declares 1,000,000 bytes in a file of a few hundred: refused before anything is "
              "allocated for it")
    body = b"".join(tune()) + EOT
    file_case("midi-chunk-shorter-than-events", "chunk-too-short.mid",
              header(0, 1) + chunk(b"MTrk", body, len(body) - 7), 400, "corrupt-midi",
              "a track chunk that declares fewer bytes than its events take: the last event runs past its end "
              "(mido would read on into whatever follows)")
    file_case("midi-header-length-lies", "header-length.mid", header(0, 1, length=0xFFFFFFF0)[:14] + track(*tune()),
              400, "corrupt-midi", "an MThd chunk declaring 4 GiB")
    file_case("midi-tempo-zero", "tempo-zero.mid", header(1, 2) + track(tempo(0, 0)) + track(*tune()), 400,
              "corrupt-midi", "a tempo of 0 microseconds per quarter note: every tick would last no time "
              "(pretty_midi divides by it)")
    file_case("midi-running-status-without-status", "no-status.mid", header(0, 1) + track(ev(0, 60, 100),
                                                                                          ev(PPQ, 60, 0)),
              400, "corrupt-midi", "the first event is data bytes without any status byte before them")
    file_case("midi-data-byte-over-127", "data-byte.mid", header(0, 1) + track(ev(0, 0x90, 60, 0xC8)), 400,
              "corrupt-midi", "a note-on whose velocity byte is 200")
    file_case("midi-five-byte-delta", "long-delta.mid",
              header(0, 1) + track(bytes([0x81, 0x81, 0x81, 0x81, 0x01]) + bytes([0x90, 60, 100])), 400,
              "corrupt-midi", "a delta time of five bytes (at most four exist)")
    file_case("midi-fewer-tracks-than-declared", "missing-tracks.mid", header(1, 3) + track(*tune()), 400,
              "corrupt-midi", "the header announces three tracks, the file holds one")
    # --- too much
    many = header(1, 5000) + b"".join(track() for _ in range(5000))
    file_case("midi-thousands-of-tracks", "tracks-5000.mid", many, 400, "too-many-tracks",
              f"5,000 empty tracks in {len(many) // 1024} KiB (aria.analysis.max-tracks is 512)")
    file_case("midi-header-claims-65535-tracks", "tracks-65535.mid", header(1, 65535) + track(*tune()), 400,
              "too-many-tracks", "a 300-byte file whose header claims 65,535 tracks: refused from the header")
    file_case("midi-hours-of-silence", "silence-3h.mid",
              header(0, 1) + track(ev(0, 0x90, 60, 100), ev(PPQ, 60, 0), ev(3 * 3600 * 2 * PPQ, 62, 100),
                                   ev(PPQ, 62, 0)),
              400, "midi-too-long", "one note, three hours of silence (a single delta time), another note: over "
              "aria.analysis.max-duration (30 min)")
    cases.append({"id": "midi-millions-of-notes", "endpoint": "/analyze",
                  "request": {"generator": "midi-notes", "notes": 2_000_000}, "status": 413, "type": "file-too-large",
                  "field": "midi", "why": "two million notes, 12 MB of running-status events (under the 25 MiB body "
                                          "limit): over aria.analysis.max-midi-bytes (1 MiB), refused before parsing"})
    cases.append({"id": "midi-too-many-notes", "endpoint": "/analyze",
                  "request": {"generator": "midi-notes", "notes": 150_000}, "status": 400, "type": "too-many-notes",
                  "field": "midi", "why": "150,000 notes in 900 KB, under the byte limit: over aria.analysis.max-notes "
                                          "(100,000), refused while parsing"})
    # --- nothing to read
    file_case("midi-no-notes", "no-notes.mid", header(1, 1) + track(tempo(0, 500_000), ev(0, 0xFF, 0x03, 4,
                                                                                         *b"None")),
              400, "no-notes", "a valid file with a tempo and a track name, no note")
    file_case("midi-note-ons-only", "note-ons-only.mid",
              header(0, 1) + track(*[ev(PPQ if i else 0, 0x90, 60 + i, 100) for i in range(8)]), 400, "no-notes",
              "note-ons that no note-off ever ends: pretty_midi makes no note of them")
    file_case("midi-zero-byte", "zero-byte.jpg", None, 400, "empty-midi", "an empty file part named song.mid",
              filename="song.mid")
    # --- not MIDI
    file_case("midi-renamed-png", "one-pixel.png", None, 415, "not-midi", "a PNG image renamed song.mid",
              filename="song.mid")
    file_case("midi-renamed-jpeg", "one-pixel.jpg", None, 415, "not-midi", "a JPEG image renamed song.mid",
              filename="song.mid")
    file_case("midi-abc-text", "tune-abc.mid", b"X:1\nT:Speed the Plough\nM:4/4\nK:G\n|:GABc dedB|dedB dedB:|\n",
              415, "not-midi", "ABC notation (text) with a .mid name")
    file_case("midi-riff-rmid", "rmid.mid", b"RIFF" + (len(good) + 12).to_bytes(4, "little") + b"RMIDdata"
              + len(good).to_bytes(4, "little") + good, 200, None,
              "a RIFF MIDI file (.rmi, as Windows saves them): read through the Standard MIDI File it wraps")
    # --- odd but valid
    file_case("midi-type0-running-status", "type0.mid", header(0, 1) + track(tempo(0, 400_000), *tune()), 200, None,
              "type 0, running status throughout", analysis={"windows": 2})
    file_case("midi-smpte-division", "smpte.mid", header(0, 1, division=0xE728) + track(
        ev(0, 0x90, 60, 100), ev(1000, 64, 100), ev(1000, 60, 0), ev(0, 64, 0)), 200, None,
              "SMPTE time division (25 frames of 40 ticks: 1000 ticks a second)", analysis={"windows": 1})
    file_case("midi-unknown-chunk", "alien-chunk.mid", header(1, 2) + chunk(b"XFIH", b"\x00" * 16)
              + track(tempo(0, 500_000)) + chunk(b"XFKM", b"\x01\x02") + track(*tune()), 200, None,
              "chunks of unknown types between the tracks: skipped, as the SMF specification asks")
    file_case("midi-drums-only", "drums-only.mid",
              header(0, 1) + track(*[ev(PPQ // 2 if i else 0, 0x99, 36 + (i % 3) * 2, 100) + ev(60, 0x89, 36 + (i % 3)
                                                                                               * 2, 0)
                                     for i in range(16)]), 200, None,
              "drums only: arousal is read, valence (harmony, melody) is null", analysis={"valence": None})
    # --- the form
    case("midi-wrong-part-name", {"file": "type0.mid", "mime": "audio/midi", "part": "file"}, 400,
         "wrong-field-name", "the MIDI file sent as 'file' instead of 'midi'")
    case("midi-missing", {"parts": [{"name": "note", "text": "no music today"}]}, 400, "missing-field",
         "a form without a MIDI file")
    case("midi-duplicate-parts", {"parts": [{"name": "midi", "file": "type0.mid", "mime": "audio/midi"},
                                            {"name": "midi", "file": "smpte.mid", "mime": "audio/midi"}]}, 400,
         "duplicate-field", "two parts named 'midi'")
    case("midi-as-text-part", {"parts": [{"name": "midi", "text": "C D E F G"}]}, 415, "not-midi",
         "'midi' sent as a text field: its text is not a MIDI file (as for an image sent as text)")
    return cases


def primer_cases(write):
    """POST /generate with the part `primer`: the /analyze files, each answered as /analyze answers it but naming
    `primer`, and what only a primer can get wrong."""
    cases = []
    fields = [{"name": "valence", "text": "0.2"}, {"name": "arousal", "text": "0.4"}, {"name": "gen_len", "text": "16"},
              {"name": "min_instruments", "text": "1"}, {"name": "seed", "text": "3"}]

    def case(case_id, request, status, type_, why):
        cases.append({"id": case_id, "endpoint": "/generate", "request": request, "status": status, "type": type_,
                      "field": None if status == 200 else "primer", "why": why})

    def file_case(case_id, name, status, type_, why, filename=None):
        request = {"file": name, "mime": "audio/midi", "part": "primer"}
        if filename:
            request["filename"] = filename
        case(case_id, request, status, type_, why)

    file_case("primer-truncated", "truncated.mid", 400, "corrupt-midi", "a primer cut in half")
    file_case("primer-chunk-longer-than-file", "chunk-too-long.mid", 400, "corrupt-midi",
              "a primer whose track chunk declares 1,000,000 bytes")
    file_case("primer-tempo-zero", "tempo-zero.mid", 400, "corrupt-midi", "a primer with a tempo of 0")
    file_case("primer-thousands-of-tracks", "tracks-5000.mid", 400, "too-many-tracks", "a primer of 5,000 tracks")
    file_case("primer-hours-of-silence", "silence-3h.mid", 400, "midi-too-long",
              "a primer whose second note comes three hours after its first")
    cases.append({"id": "primer-millions-of-notes", "endpoint": "/generate",
                  "request": {"generator": "midi-notes", "notes": 2_000_000, "part": "primer"}, "status": 413,
                  "type": "file-too-large", "field": "primer",
                  "why": "a primer of two million notes (12 MB): refused before parsing"})
    cases.append({"id": "primer-too-many-notes", "endpoint": "/generate",
                  "request": {"generator": "midi-notes", "notes": 150_000, "part": "primer"}, "status": 400,
                  "type": "too-many-notes", "field": "primer",
                  "why": "a primer of 150,000 notes under the byte limit: refused while parsing"})
    file_case("primer-no-notes", "no-notes.mid", 400, "no-notes", "a primer with a tempo and no note: nothing to "
              "continue")
    drums = header(0, 1) + track(*[ev(PPQ if i else 0, 0x99, 10 + i, 100) + ev(PPQ // 2, 0x89, 10 + i, 0)
                                   for i in range(8)])
    file_case("primer-drums-outside-the-vocabulary", write("drums-low.mid", drums), 400, "no-notes",
              "drum notes at pitches 10-17 only: the data pipeline drops drum notes outside 21-108, so no token is "
              "left to continue")
    file_case("primer-zero-byte", "zero-byte.jpg", 400, "empty-midi", "an empty primer part named song.mid",
              filename="song.mid")
    file_case("primer-renamed-png", "one-pixel.png", 415, "not-midi", "a PNG image sent as the primer song.mid",
              filename="song.mid")
    file_case("primer-abc-text", "tune-abc.mid", 415, "not-midi", "ABC notation as the primer")
    file_case("primer-type0-running-status", "type0.mid", 200, None, "a type-0 primer with running status: continued")
    file_case("primer-riff-rmid", "rmid.mid", 200, None, "a RIFF MIDI file (.rmi) as the primer: continued")
    case("primer-as-text-part", {"parts": fields + [{"name": "primer", "text": "C D E F G"}]}, 415, "not-midi",
         "'primer' sent as a text field")
    case("primer-duplicate-parts", {"parts": fields + [
        {"name": "primer", "file": "type0.mid", "mime": "audio/midi"},
        {"name": "primer", "file": "smpte.mid", "mime": "audio/midi"}]}, 400, "duplicate-field", "two parts named "
         "'primer'")
    return cases


def main():
    manifest_path = HERE / "cases.json"
    manifest = json.loads(manifest_path.read_text())

    def write(name, data):
        (HERE / name).write_bytes(data)
        return name

    kept = [c for c in manifest["cases"] if c["endpoint"] != "/analyze" and not c["id"].startswith("primer-")]
    manifest["cases"] = kept + midi_cases(write) + primer_cases(write)
    ids = [c["id"] for c in manifest["cases"]]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(manifest['cases']) - len(kept)} MIDI cases (/analyze and primers), {len(manifest['cases'])} in all")


if __name__ == "__main__":
    main()
