"""Write the small cross-language vectors that pin the tokeniser, the MIDI writer and the sampler.

Both test suites read them: training/tests (pytest) and src/test/java (JUnit). Regenerate only when a
format changes on purpose:

    python -m training.make_vectors
"""
import io
import json
from pathlib import Path

import numpy as np

from . import midi_tokens as mt
from . import vocab as V
from .sampling import guide, nucleus_pick

OUT = Path("training/tests/vectors")


def token_cases():
    rng = np.random.default_rng(7)
    cases = []
    # Hand-made edge cases: a retriggered note, an OFF for a silent pitch, a gap over 1 s, special tokens
    # inside, a note still sounding at the end.
    p60_on, p60_off = V.note_token("PIANO", True, 60), V.note_token("PIANO", False, 60)
    edge = [V.START, p60_on, V.timeshift_token(96), p60_on, V.timeshift_token(1000), V.timeshift_token(480),
            p60_off, V.note_token("BASS", False, 40), V.note_token("DRUMS", True, 36), V.timeshift_token(8),
            V.note_token("DRUMS", False, 36), V.PAD, V.note_token("STRINGS", True, 108), V.timeshift_token(16)]
    cases.append({"name": "edge-cases", "tokens": edge})
    # Random streams: notes and shifts in realistic proportions.
    for k in range(3):
        toks = []
        for _ in range(300):
            r = rng.random()
            if r < 0.35:
                toks.append(int(rng.integers(V.FIRST_TIMESHIFT, V.N_BASE)))
            else:
                toks.append(int(rng.integers(2, V.FIRST_TIMESHIFT)))
        cases.append({"name": f"random-{k}", "tokens": toks})
    out = []
    for c in cases:
        notes = mt.tokens_to_notes(c["tokens"])
        mid = mt.notes_to_midi(notes, text="ARIA test" if c["name"] == "edge-cases" else None)
        buf = io.BytesIO()
        mid.save(file=buf)
        data = buf.getvalue()
        out.append({"name": c["name"], "tokens": c["tokens"],
                    "notes": [[mt.INST_INDEX[i], p, s, e] for i, p, s, e in notes],
                    "reencoded": mt.notes_to_tokens(notes),
                    "midi_text": "ARIA test" if c["name"] == "edge-cases" else None,
                    "midi_hex": data.hex()})
    return out


def sampler_cases():
    rng = np.random.default_rng(11)
    out = []
    size = 48
    mask = [i < 2 or i >= 44 for i in range(size)]
    for k in range(40):
        logits = (rng.normal(size=size) * rng.choice([0.5, 2.0, 6.0])).astype(np.float32)
        temp = float(rng.choice([0.5, 1.0, 1.2, 1.7, 3.0]))
        top_p = float(rng.choice([0.1, 0.5, 0.7, 0.95, 1.0]))
        u = float(rng.random())
        tok, kept = nucleus_pick(logits, temp, top_p, u, np.array(mask))
        out.append({"logits": [float(x) for x in logits], "temperature": temp, "top_p": top_p, "u": u,
                    "token": tok, "kept": kept})
    guided = []
    for k in range(20):  # classifier-free guidance: two streams' logits combined, then the same pick
        cond = (rng.normal(size=size) * 3).astype(np.float32)
        other = (cond + rng.normal(size=size)).astype(np.float32)
        weight = float(rng.choice([0.5, 1.5, 2.0, 3.0]))
        u = float(rng.random())
        combined = guide(cond, other, weight)
        tok, kept = nucleus_pick(combined, 1.2, 0.7, u, np.array(mask))
        guided.append({"cond": [float(x) for x in cond], "other": [float(x) for x in other], "guidance": weight,
                       "combined": [float(x) for x in combined], "temperature": 1.2, "top_p": 0.7, "u": u,
                       "token": tok, "kept": kept})
    return {"mask": mask, "cases": out, "guided": guided}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tokens_midi.json").write_text(json.dumps(token_cases()))
    (OUT / "sampler.json").write_text(json.dumps(sampler_cases()))
    print("wrote", OUT / "tokens_midi.json", OUT / "sampler.json")


if __name__ == "__main__":
    main()
