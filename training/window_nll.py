"""How a decoder goes on past its window, measured: teacher-forced NLL of held-out POP909 tokens after the first
window, for the reference (midi-emotion encodes the last 255 tokens again for every token), the half-window slide
(the most recent 128 tokens encoded again from an empty cache whenever the window is full) and the cache shift of
the service's engine (KvCache.shift: the oldest slots dropped, the kept keys turned back by RoPE), keeping 128 or 224.

    python -m training.window_nll [models/music_continuous_concat.onnx] [sequences] > training/results/window_nll.json

Needs training/work/ds_keynorm_emopia_band.npz (bash training/run_comparison.sh builds it).
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

from training.onnx_decoder import OnnxDecoder

ROOT = Path(__file__).resolve().parents[1]

ONNX = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / 'models' / 'music_continuous_concat.onnx')
NSEQ = int(sys.argv[2]) if len(sys.argv) > 2 else 8
EVAL = 384  # targets after the first window
D = np.load(ROOT / 'training' / 'work' / 'ds_keynorm_emopia_band.npz')
tokens, offs, lens, seq_piece = D['tokens'], D['offsets'], D['lengths'], D['seq_piece']
seqs = [s for s in np.where(D['split'][seq_piece] == 1)[0] if D['stretch'][s] == 1.0 and lens[s] >= 256 + EVAL + 1]
rng = np.random.default_rng(0)
seqs = list(rng.choice(seqs, size=min(NSEQ, len(seqs)), replace=False))
dec = OnnxDecoder(ONNX)
S = dec.capacity
Dh = dec.head_dim
inv = 1.0 / (10000 ** (np.arange(0, Dh, 2, dtype=np.float64) / Dh))

def lp(logits, t):
    l = logits.astype(np.float64); m = l.max()
    return -(l[t] - (m + np.log(np.exp(l - m).sum())))

def feeds_cond(v, a, B):
    c = [[v, a]] * B if 'condition' in dec.inputs else None
    m = [1.0] * B if 'condition_mask' in dec.inputs else None
    return c, m

def reencode_or_shift(seq, v, a, mode, keep):
    """mode 'reencode': when full, encode the last `keep` tokens from an empty cache; 'shift': drop the oldest
    S - keep slots, re-rotating the kept keys."""
    c, m = feeds_cond(v, a, 1)
    cache, lengths = dec.cache(1), [0]
    nll = []
    # first window
    logits = dec.run([seq[:S]], lengths, cache, c, m)[0]
    pos = S  # next token index in seq to feed
    last = logits[-1]
    for t in range(S, S + EVAL):
        nll.append(lp(last, seq[t]))
        if lengths[0] >= S:
            if mode == 'reencode':
                cache, lengths = dec.cache(1), [0]
                last = dec.run([seq[t - keep + 1:t + 1]], lengths, cache, c, m)[0][-1]
                continue
            drop = S - keep
            ang = drop * inv
            cs, sn = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
            for layer in cache:
                k, vv = layer
                k[:, :, :keep] = k[:, :, drop:S]; vv[:, :, :keep] = vv[:, :, drop:S]
                k1, k2 = k[:, :, :keep, :Dh // 2].copy(), k[:, :, :keep, Dh // 2:].copy()
                k[:, :, :keep, :Dh // 2] = k1 * cs + k2 * sn
                k[:, :, :keep, Dh // 2:] = k2 * cs - k1 * sn
            lengths[0] = keep
        last = dec.run([[seq[t]]], lengths, cache, c, m)[0][-1]
    return np.array(nll)

def reference(seq, v, a):
    nll = []
    B = 16
    for t0 in range(S, S + EVAL, B):
        ts = list(range(t0, min(t0 + B, S + EVAL)))
        c, m = feeds_cond(v, a, len(ts))
        cache, lengths = dec.cache(len(ts)), [0] * len(ts)
        out = dec.run([seq[t - (S - 1):t] for t in ts], lengths, cache, c, m)
        nll += [lp(out[b, -1], seq[t]) for b, t in enumerate(ts)]
    return np.array(nll)

res = {k: [] for k in ('reference', 'reencode_128', 'shift_keep_128', 'shift_keep_224')}
t0 = time.time()
for s in seqs:
    seq = tokens[offs[s]: offs[s] + lens[s]].astype(np.int64)
    v, a = float(D['valence'][seq_piece[s]]), float(D['arousal'][seq_piece[s]])
    res['reference'].append(reference(seq, v, a))
    res['reencode_128'].append(reencode_or_shift(seq, v, a, 'reencode', 128))
    res['shift_keep_128'].append(reencode_or_shift(seq, v, a, 'shift', 128))
    res['shift_keep_224'].append(reencode_or_shift(seq, v, a, 'shift', 224))
ref = np.concatenate(res['reference'])
out = {'onnx': ONNX.split('/')[-1], 'sequences': len(seqs), 'targets': int(ref.size), 'seconds': round(time.time() - t0)}
for k, vals in res.items():
    x = np.concatenate(vals)
    d = x - ref
    # bootstrap over sequences for the mean difference
    per = np.array([(vals[i] - res['reference'][i]).mean() for i in range(len(seqs))])
    bs = [per[rng.integers(0, len(per), len(per))].mean() for _ in range(2000)]
    out[k] = {'nll': round(float(x.mean()), 4), 'minus_reference': round(float(d.mean()), 4),
              'minus_reference_ci95_by_sequence': [round(float(np.percentile(bs, 2.5)), 4), round(float(np.percentile(bs, 97.5)), 4)]}
print(json.dumps(out, indent=1))
