"""The sampling core of midi-emotion's generator, without torch (the Java service mirrors it).

See training/sample.py for the whole procedure; `nucleus_pick` is the deterministic step
(logits, temperature, top_p, u) -> (token, kept) that the committed vectors in
training/tests/vectors/sampler.json pin for both languages.
"""
import math

import numpy as np

from . import midi_tokens as mt
from . import vocab as V

PENALTY_COEFF = 0.5


def special_mask(vocab_size):
    m = np.zeros(vocab_size, dtype=bool)
    for i in range(vocab_size):
        if V.TOKENS_DISCRETE[i].startswith("<"):
            m[i] = True
    return m


def penalised_temperature(base, repeat_count):
    return base * (1 + max(0.0, math.log((repeat_count + 1) / 4) * PENALTY_COEFF))


def nucleus_pick(logits, temperature, top_p, u, mask=None):
    """Deterministic sampling core. logits: float array [V]; returns (token, kept)."""
    x = np.asarray(logits, dtype=np.float64).copy()
    if mask is not None:
        x[mask] = -np.inf
    x = x - x.max()
    logp = x - np.log(np.exp(x).sum())
    z = logp / temperature
    order = np.lexsort((np.arange(len(z)), -z))  # descending, ties by id
    zs = z[order]
    p = np.exp(zs - zs[0])
    p /= p.sum()
    keep = len(p)
    if 0 < top_p < 1:
        cum = np.cumsum(p)
        keep = max(1, int(np.sum(cum <= top_p)))
    keep = max(1, int(np.count_nonzero(p[:keep] > 0)))  # the reference counts tokens with probability > 0
    q = p[:keep] / p[:keep].sum()
    cq = np.cumsum(q)
    j = int(np.searchsorted(cq, u, side="right"))
    return int(order[min(j, keep - 1)]), keep


def guide(cond, other, weight):
    """Classifier-free guidance of one pick: log_softmax(other) + weight * (log_softmax(cond) - log_softmax(other)),
    in float64 (the Java service's dev.aria.music.Guidance computes the same)."""
    def log_softmax(x):
        x = np.asarray(x, dtype=np.float64)
        m = x.max()
        return x - (m + np.log(np.exp(x - m).sum()))
    c, o = log_softmax(cond), log_softmax(other)
    return o + weight * (c - o)


def is_timeshift(tok):
    return V.FIRST_TIMESHIFT <= tok < V.N_BASE


def count_instruments(tokens):
    used = set()
    for t in tokens:
        d = mt.decode_token(int(t))
        if d[0] == "note" and d[2]:
            used.add(d[1])
    return len(used)
