"""The event vocabulary shared by Python and Java (midi-emotion's representation).

Order (ids are positions in this list):
  0 <PAD>, 1 <START>,
  for each instrument in INSTRUMENTS, for OFF then ON, pitches 21..108  (5 x 2 x 88 = 880),
  TIMESHIFT_8 .. TIMESHIFT_1000 in 8 ms steps                              (125),
  -> 1,007 tokens; the discrete_token variant appends <V-2>..<V2>, <A-2>..<A2> (1,017).

`python -m training.vocab` writes models/vocab.json, which the Java service reads.
"""
import json
import sys
from pathlib import Path

INSTRUMENTS = ["DRUMS", "GUITAR", "BASS", "PIANO", "STRINGS"]
PITCH_MIN, PITCH_MAX = 21, 108
TIME_STEP_MS = 8
MAX_SHIFT_MS = 1000
# Fixed velocities at decode time (the vocabulary carries none) and GM programs.
VELOCITY = {"DRUMS": 120, "GUITAR": 95, "BASS": 127, "PIANO": 110, "STRINGS": 85}
PROGRAM = {"DRUMS": 0, "GUITAR": 24, "BASS": 32, "PIANO": 0, "STRINGS": 48}
DRUM_CHANNEL = 9  # zero-based: GM channel 10
EMOTION_BINS = [-2, -1, 0, 1, 2]
# Bin edges on [-1, 1]: five equal-width bins; a value on an edge falls in the lower bin
# (as numpy.searchsorted over midi-emotion's linspace edges does).
BIN_EDGES = [-0.6, -0.2, 0.2, 0.6]


def base_tokens():
    toks = ["<PAD>", "<START>"]
    for inst in INSTRUMENTS:
        for kind in ("OFF", "ON"):
            toks += [f"{inst}_{kind}_{p}" for p in range(PITCH_MIN, PITCH_MAX + 1)]
    toks += [f"TIMESHIFT_{ms}" for ms in range(TIME_STEP_MS, MAX_SHIFT_MS + 1, TIME_STEP_MS)]
    return toks


def discrete_tokens():
    return [f"<V{b}>" for b in EMOTION_BINS] + [f"<A{b}>" for b in EMOTION_BINS]


TOKENS = base_tokens()
TOKENS_DISCRETE = TOKENS + discrete_tokens()
INDEX = {t: i for i, t in enumerate(TOKENS_DISCRETE)}
PAD, START = 0, 1
N_BASE = len(TOKENS)            # 1007
N_DISCRETE = len(TOKENS_DISCRETE)  # 1017
FIRST_TIMESHIFT = INDEX[f"TIMESHIFT_{TIME_STEP_MS}"]


def note_token(inst, on, pitch):
    return INDEX[f"{inst}_{'ON' if on else 'OFF'}_{pitch}"]


def timeshift_token(ms):
    """ms must be a multiple of 8 in 8..1000."""
    return FIRST_TIMESHIFT + ms // TIME_STEP_MS - 1


def emotion_bin(x):
    """Quantise a value in [-1, 1] to one of five bins -2..2."""
    b = 0
    for e in BIN_EDGES:
        if x > e:
            b += 1
    return b - 2


def describe():
    return {
        "tokens": TOKENS_DISCRETE,
        "base_size": N_BASE,
        "discrete_size": N_DISCRETE,
        "pad": PAD,
        "start": START,
        "instruments": INSTRUMENTS,
        "pitch_min": PITCH_MIN,
        "pitch_max": PITCH_MAX,
        "time_step_ms": TIME_STEP_MS,
        "max_shift_ms": MAX_SHIFT_MS,
        "velocity": VELOCITY,
        "program": PROGRAM,
        "drum_channel": DRUM_CHANNEL,
        "emotion_bin_edges": BIN_EDGES,
    }


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "models/vocab.json")
    out.write_text(json.dumps(describe(), indent=1) + "\n")
    print(f"wrote {out}: {N_BASE} base tokens, {N_DISCRETE} with emotion bins")
