"""Write the cross-language vectors of the music-emotion reader (POST /analyze) and the small MIDI files they read.

training/tests/vectors/midi/*.mid are made here (mido, and raw bytes for what mido would not write); for each file
training/tests/vectors/analysis.json records the notes as emotion_features.notes_from_midi reads them (pretty_midi),
the 37 features, midi-emotion's raw arousal, the labeller's valence, both on the training labels' scale, and the
emotion curve (emotion_features.curve_windows). Note lists that no MIDI file can hold (zero-length notes, identical
onsets, a random dense piece) are recorded the same way without a file. training/tests/test_analysis_vectors.py
checks the vectors against the Python code, dev.aria.analysis.AnalysisVectorsTest the Java port against them.

    python -m training.make_analysis_vectors

Regenerate only when a format or the labeller changes on purpose. The scale constants are copied from the served
decoder's card (models/music_continuous_concat.json, "data") into the vectors, so that both tests check the scaling
itself and keep passing when a retrained decoder brings new constants.
"""
import json
import random
from pathlib import Path

import mido

from . import emotion_features as ef
from .build_dataset import scale

OUT = Path("training/tests/vectors")
MIDI_DIR = OUT / "midi"
CARD = Path("models/music_continuous_concat.json")
PPQ = 480

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)      # natural minor: the parallel minor of the same tune


def pitch(degree, scale_steps, tonic=60):
    """Scale degree (0 = tonic, 7 = the octave above) -> MIDI pitch."""
    octave, step = divmod(degree, 7)
    return tonic + 12 * octave + scale_steps[step]


def note_events(notes, channel):
    """[(start_beat, length_beats, pitch, velocity)] -> [(tick, order, mido.Message)]; at a tick, offs first."""
    events = []
    for start, length, p, vel in notes:
        on, off = round(start * PPQ), round((start + length) * PPQ)
        events.append((on, 1, mido.Message("note_on", channel=channel, note=p, velocity=vel)))
        events.append((off, 0, mido.Message("note_on", channel=channel, note=p, velocity=0)))
    return events


def to_track(events, name=None):
    """Absolute-tick events -> a mido track with delta times (mido writes running status)."""
    track = mido.MidiTrack()
    if name:
        track.append(mido.MetaMessage("track_name", name=name, time=0))
    now = 0
    for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=tick - now))
        now = tick
    return track


def tempo(bpm):
    return mido.bpm2tempo(bpm)


def band_tune(scale_steps, bpm, bars=16):
    """A four-bar tune repeated: melody (piano), block chords (strings), bass on the beats, a rock beat (drums)."""
    melody_bars = [
        [(0, 1), (2, 1), (4, 1), (7, 1), (4, 2), (2, 2)],
        [(3, 1), (5, 1), (7, 1), (5, 1), (3, 2), (5, 2)],
        [(4, 1), (6, 1), (8, 1), (6, 1), (4, 2), (1, 2)],
        [(2, 1), (4, 1), (7, 2), (7, 4)],
    ]
    chord_roots = [0, 3, 4, 0]
    melody, chords, bass, drums = [], [], [], []
    for bar in range(bars):
        t = 4.0 * bar
        for degree, eighths in melody_bars[bar % 4]:
            melody.append((t, 0.45 * eighths, pitch(degree, scale_steps, 72), 100))
            t += 0.5 * eighths
        root = chord_roots[bar % 4]
        for half in (0, 2):
            for d in (root, root + 2, root + 4):
                chords.append((4.0 * bar + half, 1.9, pitch(d, scale_steps, 60), 70))
        for beat in range(4):
            bass.append((4.0 * bar + beat, 0.9, pitch(root, scale_steps, 36), 90))
        for eighth in range(8):
            drums.append((4.0 * bar + 0.5 * eighth, 0.1, 42, 60))
        for beat, drum in ((0, 36), (1, 38), (2, 36), (3, 38)):
            drums.append((4.0 * bar + beat, 0.1, drum, 100))
    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=tempo(bpm), time=0),
                                      mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0)]))
    for name, channel, program, notes in (("melody", 0, 0, melody), ("chords", 1, 48, chords),
                                          ("bass", 2, 33, bass), ("drums", 9, None, drums)):
        events = note_events(notes, channel)
        if program is not None:
            events.append((0, -1, mido.Message("program_change", channel=channel, program=program)))
        mid.tracks.append(to_track(events, name))
    return mid


def density_piece(dense):
    """Dense and fast (sixteenths at 160 bpm, three instruments) or sparse and slow (whole notes at 50 bpm)."""
    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=tempo(160 if dense else 50), time=0)]))
    piano, bass, drums = [], [], []
    bars = 8 if dense else 3
    for bar in range(bars):
        root = (0, 3, 4, 0)[bar % 4]
        if dense:
            for s in range(16):
                piano.append((4.0 * bar + 0.25 * s, 0.2, pitch(root + (0, 2, 4, 7)[s % 4], MAJOR, 72), 100))
                drums.append((4.0 * bar + 0.25 * s, 0.1, 42 if s % 4 else 36, 90))
            for e in range(8):
                bass.append((4.0 * bar + 0.5 * e, 0.45, pitch(root, MAJOR, 36), 100))
        else:
            for d in (root, root + 2, root + 4):
                piano.append((4.0 * bar, 3.9, pitch(d, MAJOR, 60), 60))
            bass.append((4.0 * bar, 3.9, pitch(root, MAJOR, 36), 60))
    for channel, program, notes in ((0, 0, piano), (1, 33, bass), (9, None, drums)):
        if notes:
            events = note_events(notes, channel)
            if program is not None:
                events.append((0, -1, mido.Message("program_change", channel=channel, program=program)))
            mid.tracks.append(to_track(events))
    return mid


def type0_tempo_map():
    """Type 0: one track, seven GM programs on seven channels (every branch of program_to_instrument that a band
    uses) plus drums, and a tempo map (100 bpm, 150 from beat 8, the same 150 again, 75 from beat 16) that notes
    sound across."""
    rng = random.Random(3)
    events = [(0, -2, mido.MetaMessage("set_tempo", tempo=tempo(100))),
              (8 * PPQ, -2, mido.MetaMessage("set_tempo", tempo=tempo(150))),
              (12 * PPQ, -2, mido.MetaMessage("set_tempo", tempo=tempo(150))),
              (16 * PPQ, -2, mido.MetaMessage("set_tempo", tempo=tempo(75)))]
    programs = {0: 0, 1: 25, 2: 33, 3: 48, 4: 81, 5: 90, 6: 110}
    for channel, program in programs.items():
        events.append((0, -1, mido.Message("program_change", channel=channel, program=program)))
        notes = []
        t = 0.0
        while t < 24:
            length = rng.choice((0.5, 1.0, 1.5, 3.0))
            notes.append((t, length * 0.9, 40 + 6 * channel + rng.randrange(12), 80))
            t += length
        events += note_events(notes, channel)
    events += note_events([(b * 0.5, 0.1, (36, 42, 38, 42)[b % 4], 100) for b in range(48)], 9)
    mid = mido.MidiFile(type=0, ticks_per_beat=PPQ)
    mid.tracks.append(to_track(events))
    return mid


def vlq(n):
    """A variable-length quantity, as in a Standard MIDI File."""
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def chunk(kind, data):
    return kind + len(data).to_bytes(4, "big") + data


def quirks():
    """Type 1 written byte by byte, for what a reader must get right and mido would not write: running status
    across a meta event, sysex, note-off as 0x8n and as note-on velocity 0, two note-ons of one pitch closed by one
    note-off, a note-on and note-off at the same tick (dropped), an off then an on at one tick, a spurious note-off,
    a note never closed (dropped), a program change between a note's on and off (the note takes the program current
    at its off, as pretty_midi does), a tempo event outside track 0 (ignored, as pretty_midi does), controllers,
    pitch bend, aftertouch, a three-byte delta, and a note after the end-of-track event (still in the chunk: read)."""
    def ev(delta, *data):
        return vlq(delta) + bytes(data)

    t0 = b"".join([
        ev(0, 0xFF, 0x51, 3, 0x07, 0xA1, 0x20),                 # 120 bpm
        ev(0, 0xFF, 0x58, 4, 4, 2, 24, 8),
        ev(0, 0xC3, 48), ev(0, 0x93, 55, 70), ev(960, 0x83, 55, 0),   # a strings note in track 0
        ev(0, 0xFF, 0x51, 3, 0x09, 0x27, 0xC0),                 # 100 bpm at tick 960
        ev(960, 0xFF, 0x51, 3, 0x09, 0x27, 0xC0),               # the same tempo again: no change
        ev(0, 0xFF, 0x2F, 0),
    ])
    t1 = b"".join([
        ev(0, 0xFF, 0x03, 5, *b"quirk"),
        ev(0, 0xC0, 0),
        ev(0, 0x90, 60, 100), ev(0, 64, 100),                   # running status
        ev(480, 0xFF, 0x01, 4, *b"text"), ev(0, 60, 0),         # running status across a meta event
        ev(0, 67, 100),
        ev(0, 0xF0, 5, 0x7E, 0x7F, 0x09, 0x01, 0xF7),           # sysex: running status no longer holds
        ev(0, 0x80, 64, 64),                                    # a real note-off
        ev(0, 0xC0, 25),                                        # program 25 while G4 sounds
        ev(0, 0xFF, 0x51, 3, 0x0F, 0x42, 0x40),                 # a tempo in track 1: ignored
        ev(480, 0x90, 67, 0),                                   # G4 ends under program 25: guitar
        ev(0, 62, 100), ev(0, 62, 100), ev(240, 62, 0),         # two D4 ons, one off closes both
        ev(0, 62, 0),                                           # spurious off
        ev(0, 65, 100), ev(0, 65, 0),                           # on and off at one tick: dropped
        ev(0, 69, 100), ev(480, 69, 100), ev(480, 69, 0),       # overlapping A4s, one off
        ev(0, 71, 100), ev(240, 71, 0), ev(0, 71, 100), ev(480, 71, 0),   # off then on at one tick
        ev(0, 48, 100), ev(480, 48, 100), ev(0, 48, 0), ev(480, 48, 0),   # on, on + off at one tick, off
        ev(0, 0xB0, 64, 127), ev(0, 0xE0, 0, 0x50), ev(0, 0xD0, 30), ev(0, 0xA0, 60, 20),
        ev(0, 0xFF, 0x59, 2, 0, 0),
        ev(0, 0x99, 36, 100), ev(0, 0xC9, 5), ev(240, 0x89, 36, 0),      # drums (a kit change too)
        ev(0, 0x90, 78, 100),                                   # never closed: dropped
        ev(20000, 0x90, 72, 90), ev(480, 72, 0),                # after a three-byte delta
        ev(0, 0xFF, 0x2F, 0),
        ev(0, 0x90, 76, 90), ev(240, 0x80, 76, 0),              # after the end-of-track event
    ])
    t2 = b"".join([
        ev(0, 0xFF, 0x03, 4, *b"bass"), ev(0, 0xC1, 33),
        *[ev(0 if i == 0 else 240, 0x91, 36 + 2 * (i % 4), 90) + ev(240, 36 + 2 * (i % 4), 0) for i in range(8)],
        ev(0, 0xFF, 0x2F, 0),
    ])
    header = chunk(b"MThd", (1).to_bytes(2, "big") + (3).to_bytes(2, "big") + PPQ.to_bytes(2, "big"))
    return header + chunk(b"MTrk", t0) + chunk(b"MTrk", t1) + chunk(b"MTrk", t2)


def note_cases():
    """Note lists no MIDI file read by pretty_midi yields: the feature code's own edge cases."""
    rng = random.Random(11)
    dense = []
    for _ in range(1500):
        s = round(rng.uniform(0, 60), 3)
        dense.append((rng.choice(ef.INSTRUMENTS), rng.randrange(21, 109), s, round(s + rng.choice((0.0, 0.05, 0.2,
                                                                                                  0.7, 3.0)), 3)))
    dense.sort(key=lambda n: (n[2], n[1]))
    return {
        "empty": [],
        "one-note": [("PIANO", 60, 0.5, 1.5)],
        "zero-length-notes": [("PIANO", 60, 0.0, 0.0), ("STRINGS", 64, 0.0, 1.0), ("GUITAR", 67, 1.0, 1.0),
                              ("PIANO", 72, 1.0, 2.0)],
        "drums-only": [("DRUMS", 36, 0.1 * i, 0.1 * i + 0.05) for i in range(30)],
        "same-onset-same-pitch": [("PIANO", 60, 0.0, 0.5), ("STRINGS", 60, 0.0, 2.0), ("GUITAR", 60, 0.0, 1.0),
                                  ("PIANO", 64, 0.0, 1.0), ("PIANO", 67, 1.0, 1.5), ("BASS", 36, 0.0, 2.0)],
        "silence-in-the-middle": [("PIANO", 60 + k % 7, 0.4 * k, 0.4 * k + 0.3) for k in range(20)]
                                 + [("PIANO", 67 - k % 5, 40 + 0.4 * k, 40.3 + 0.4 * k) for k in range(20)],
        "random-dense": dense,
        # held pads of 20-70 s under a melody: windows a note covers completely (the Java port counts those in bulk)
        "long-notes": [("STRINGS", p, s, s + length) for p, s, length in ((48, 0.0, 70.0), (55, 0.5, 40.0),
                                                                         (64, 20.25, 33.3), (60, 35.0, 20.0))]
                      + [("PIANO", 72 + (k * 5) % 12, 0.7 * k, 0.7 * k + 0.5) for k in range(100)],
    }


def record(name, notes, stats, file=None):
    feats = ef.features(notes)
    pitched = any(inst != "DRUMS" for inst, *_ in notes)
    valence = float(ef.predict_valence_features(feats[None, :])[0])
    arousal = ef.arousal_raw(notes)
    curve = []
    for start, end, window in ef.curve_windows(notes):
        w_pitched = any(inst != "DRUMS" for inst, *_ in window)
        w_valence = float(ef.predict_valence(window)) if w_pitched else None
        w_arousal = ef.arousal_raw(window) if window else None
        curve.append({"start_s": start, "end_s": end, "notes": len(window), "valence_raw": w_valence,
                      "arousal_raw": w_arousal,
                      "valence": None if w_valence is None else float(scale(w_valence, stats["valence_raw_scale"])),
                      "arousal": None if w_arousal is None else float(scale(w_arousal, stats["arousal_raw_scale"]))})
    return {"name": name, "file": file, "notes": [[inst, p, s, e] for inst, p, s, e in notes],
            "features": [float(x) for x in feats], "valence_raw": valence if pitched else None,
            "arousal_raw": arousal,
            "valence": float(scale(valence, stats["valence_raw_scale"])) if pitched else None,
            "arousal": float(scale(arousal, stats["arousal_raw_scale"])),
            "curve": curve}


def main():
    MIDI_DIR.mkdir(parents=True, exist_ok=True)
    data = json.loads(CARD.read_text())["data"]
    stats = {"valence_raw_scale": data["valence_raw_scale"], "arousal_raw_scale": data["arousal_raw_scale"]}
    files = {
        "cheerful-major.mid": band_tune(MAJOR, 140),
        "sad-minor.mid": band_tune(MINOR, 140),
        "dense-fast.mid": density_piece(True),
        "sparse-slow.mid": density_piece(False),
        "type0-tempo-map.mid": type0_tempo_map(),
    }
    for name, mid in files.items():
        mid.save(str(MIDI_DIR / name))
    (MIDI_DIR / "type1-quirks.mid").write_bytes(quirks())
    cases = []
    for f in sorted(MIDI_DIR.glob("*.mid")):
        cases.append(record(f.stem, ef.notes_from_midi(f), stats, file=f"midi/{f.name}"))
    for name, notes in note_cases().items():
        cases.append(record(name, notes, stats))
    out = {"comment": "Written by python -m training.make_analysis_vectors. Notes: [instrument, pitch, start_s, end_s]"
                      " (for files as emotion_features.notes_from_midi reads them); features: emotion_features."
                      "features (float32); valence_raw: models/valence_regressor.onnx (null without pitched notes); "
                      "arousal_raw: emotion_features.arousal_raw; valence, arousal: build_dataset.scale with the "
                      "constants below; curve: emotion_features.curve_windows, each window measured the same way "
                      "(null valence without pitched notes, null arousal without notes).",
           "labeller": json.loads(Path("models/valence_regressor.json").read_text())["id"],
           "feature_names": ef.FEATURE_NAMES, "curve_window_s": ef.CURVE_WIN, "curve_hop_s": ef.CURVE_HOP,
           "valence_raw_scale": stats["valence_raw_scale"], "arousal_raw_scale": stats["arousal_raw_scale"],
           "cases": cases}
    (OUT / "analysis.json").write_text(json.dumps(out, indent=1) + "\n")
    for c in cases:
        print(f"{c['name']:24s} notes {len(c['notes']):5d}  valence {c['valence']}  arousal {c['arousal']:.3f}  "
              f"windows {len(c['curve'])}")


if __name__ == "__main__":
    main()
