"""Reference sampler with midi-emotion's generator semantics (the Java service mirrors it).

Per step, on the logits of the last position:
  1. special tokens (<PAD>, <START>, emotion bins) are masked to -inf;
  2. log-softmax;
  3. temperature: the *note* temperature when the previous token was a TIMESHIFT, else the
     *rest* temperature, multiplied by the repetition penalty 1 + 0.5 * max(0, ln((n + 1) / 4)),
     where n counts steps whose nucleus kept <= 2 tokens (+1 on such a step, n // 2 otherwise);
  4. nucleus: tokens sorted by probability (ties by id), cumulative probability; every token
     whose cumulative probability exceeds top_p is dropped, the most probable always kept;
  5. one draw u ~ U[0, 1) picks the first token whose renormalised cumulative probability
     exceeds u.
A piece with fewer than min_instruments instruments is regenerated (max_attempts tries; the
attempt with the most instruments wins).

`nucleus_pick` is the deterministic core (logits, temperature, top_p, u) -> (token, kept); the
committed vectors in training/tests/vectors/sampler.json pin it for Java.

Decoding uses the model's key/value cache; when the cache reaches the context window, the
window is re-encoded from its most recent half (prefix kept), so positions stay inside the
trained range (see README "Long pieces").

    python -m training.sample --ckpt training/runs/concat_cpu/best.pt --valence 0.8 --arousal 0.5 \
        --gen_len 1024 --seed 1 --out /tmp/out.mid
"""
import argparse

import numpy as np
import torch

from . import midi_tokens as mt
from . import vocab as V
from .model import GPTConfig, MusicTransformer
from .sampling import count_instruments, guide, is_timeshift, nucleus_pick, penalised_temperature, special_mask

class Generator:
    def __init__(self, model: MusicTransformer):
        self.model = model.eval()
        self.cfg = model.cfg
        self.mask = special_mask(self.cfg.vocab_size)

    def prefix(self, valence, arousal, null=False):
        c = self.cfg.conditioning
        if c == "continuous_token":
            return [V.PAD, V.PAD, V.START]
        if c == "discrete_token":
            if null:
                return [V.PAD, V.PAD, V.START]
            return [V.INDEX[f"<V{V.emotion_bin(valence)}>"], V.INDEX[f"<A{V.emotion_bin(arousal)}>"], V.START]
        return [V.START]

    @torch.no_grad()
    def generate_once(self, valence, arousal, gen_len, note_temp, rest_temp, top_p, rng, cached=True, guidance=1.0,
                      contrast="null"):
        """One attempt. guidance != 1: a second stream runs beside the conditional one in a batch of two, and the
        pick uses other + guidance * (cond - other) of their log-probabilities. contrast "null": the other stream
        has the null condition (classifier-free guidance; needs a decoder trained with it); "valence": the other
        stream has the opposite valence and the same arousal, so that guidance pushes along valence alone."""
        guided = guidance != 1.0
        if guided and contrast == "null" and not self.cfg.null_condition:
            raise ValueError("guidance needs a decoder trained with the null condition")
        rows = 2 if guided else 1
        other_v = -valence if contrast == "valence" else valence
        cond = torch.tensor([[valence, arousal], [other_v, arousal]][:rows], dtype=torch.float32)
        cmask = torch.tensor([1.0, 0.0 if contrast == "null" else 1.0][:rows]) if self.cfg.null_condition else None
        prefixes = [self.prefix(valence, arousal),
                    self.prefix(other_v, arousal, null=contrast == "null")][:rows]
        n_pre = self.cfg.prefix_len
        window = self.cfg.block_size
        music = []
        past = self.model.empty_cache(rows)
        feed = [list(p) for p in prefixes]
        repeat, last_tok = 0, prefixes[0][-1]
        for _ in range(gen_len):
            if cached:
                if past[0][0].shape[2] + len(feed[0]) > window:
                    # re-encode: prefix slots + the most recent half of the music
                    keep = music[len(music) - (window - n_pre) // 2:]
                    feed = [p[:n_pre] + keep for p in prefixes]
                    past = self.model.empty_cache(rows)
                logits, past = self.model.forward_cached(torch.tensor(feed), cond, past, cmask)
            else:
                ctx = ([prefixes[0][-1]] + music)[-(window - n_pre):]  # <START> while it is in the window
                full = [p[:n_pre] + ctx for p in prefixes]
                logits, _ = self.model(torch.tensor(full), cond, condition_mask=cmask)
            last = logits[:, -1].double().numpy()
            last = guide(last[0], last[1], guidance) if guided else last[0]
            base = note_temp if is_timeshift(last_tok) else rest_temp
            tok, kept = nucleus_pick(last, penalised_temperature(base, repeat), top_p, rng.random(), self.mask)
            repeat = repeat + 1 if kept <= 2 else repeat // 2
            music.append(tok)
            last_tok = tok
            feed = [[tok] for _ in range(rows)]
        return music

    def generate(self, valence, arousal, gen_len=1024, note_temp=1.2, rest_temp=1.2, top_p=0.7,
                 min_instruments=2, seed=0, max_attempts=3, cached=True, guidance=1.0, contrast="null"):
        rng = np.random.default_rng(seed)
        best = None
        for attempt in range(1, max_attempts + 1):
            toks = self.generate_once(valence, arousal, gen_len, note_temp, rest_temp, top_p, rng, cached, guidance,
                                      contrast)
            n = count_instruments(toks)
            if best is None or n > best[1]:
                best = (toks, n, attempt)
            if n >= min_instruments:
                break
        return {"tokens": best[0], "instruments": best[1], "attempts": attempt,
                "met": best[1] >= min_instruments}


def load(ckpt_path):
    ck = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    model = MusicTransformer(GPTConfig(**ck["config"]))
    model.load_state_dict(ck["model"])
    return model.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--valence", type=float, default=0.0)
    ap.add_argument("--arousal", type=float, default=0.0)
    ap.add_argument("--gen_len", type=int, default=1024)
    ap.add_argument("--note_temp", type=float, default=1.2)
    ap.add_argument("--rest_temp", type=float, default=1.2)
    ap.add_argument("--top_p", type=float, default=0.7)
    ap.add_argument("--min_instruments", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--guidance", type=float, default=1.0)
    ap.add_argument("--out", default="out.mid")
    a = ap.parse_args()
    g = Generator(load(a.ckpt))
    r = g.generate(a.valence, a.arousal, a.gen_len, a.note_temp, a.rest_temp, a.top_p, a.min_instruments, a.seed,
                   guidance=a.guidance)
    mt.notes_to_midi(mt.tokens_to_notes(r["tokens"])).save(a.out)
    print(f"{a.out}: {len(r['tokens'])} tokens, {r['instruments']} instruments, {r['attempts']} attempt(s)")


if __name__ == "__main__":
    main()
