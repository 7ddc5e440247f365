"""Train a MusicTransformer on the token data set written by build_dataset.py.

Knobs are the plain variables below; override any with --name=value, e.g.

    python -m training.train --conditioning=continuous_concat --out_dir=training/runs/concat_cpu

A run writes out_dir/ckpt.pt (model, optimiser, iteration, config) every eval_interval
iterations and resumes from it when started again with the same out_dir. It stops after
max_iters or time_budget_min minutes, whichever comes first. out_dir/log.jsonl records the
evaluations (held-out loss, perplexity, next-token accuracy on POP909 held-out pieces and on the
real multi-instrument files).
"""
import json
import math
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from . import vocab as V
from .model import GPTConfig, MusicTransformer

# ---- knobs (the CPU configuration; see README for the GPU one) ----
conditioning = "continuous_concat"
data = "training/work/dataset.npz"
out_dir = "training/runs/concat_cpu"
n_layer, n_head, n_embd, d_condition = 4, 4, 256, 64
block_size = 384
dropout = 0.1
batch_size = 16
lr, min_lr, warmup, weight_decay = 1e-3, 1e-4, 200, 0.05
max_iters = 20000
time_budget_min = 100.0
eval_interval, eval_windows = 250, 48
transpose = 3  # +-semitones, not drums
cfg_drop = 0.0  # share of rows trained with the null condition (classifier-free guidance); 0: no null condition
emopia_weight = 1.0  # sampling weight of EMOPIA's clips relative to their length (1: in proportion to tokens)
start_share = 0.0  # share of rows whose window starts at the piece's <START>, as every generation does
seed = 1337
threads = 2
device = "auto"  # "auto": CUDA when torch sees a GPU, else CPU
# -------------------------------------------------------------------
for arg in sys.argv[1:]:
    key, val = arg.lstrip("-").split("=", 1)
    assert key in globals(), f"unknown knob {key}"
    cur = globals()[key]
    globals()[key] = type(cur)(val) if not isinstance(cur, str) else val

torch.manual_seed(seed)
torch.set_num_threads(threads)
if device == "auto":
    device = "cuda" if torch.cuda.is_available() else "cpu"
# bfloat16 autocast on a GPU (the weights and the optimiser stay float32); plain float32 on CPU
autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device.startswith("cuda") else torch.autocast("cpu", enabled=False)
rng = np.random.default_rng(seed)

D = np.load(data)
tokens, offs, lens, seq_piece = D["tokens"], D["offsets"], D["lengths"], D["seq_piece"]
valence, arousal, split = D["valence"], D["arousal"], D["split"]
train_seqs = np.where(split[seq_piece] == 0)[0]
is_emopia = np.char.startswith(D["names"][seq_piece[train_seqs]].astype(str), "emopia/")
p_train = lens[train_seqs] * np.where(is_emopia, emopia_weight, 1.0)
p_train = p_train / p_train.sum()

cfg = GPTConfig(vocab_size=V.N_DISCRETE if conditioning == "discrete_token" else V.N_BASE,
                block_size=block_size, n_layer=n_layer, n_head=n_head, n_embd=n_embd,
                d_condition=d_condition, dropout=dropout, conditioning=conditioning,
                null_condition=cfg_drop > 0 and conditioning != "none")
N_PITCH = V.PITCH_MAX - V.PITCH_MIN + 1
FIRST_PITCHED = 2 + 2 * N_PITCH  # drums occupy the first 176 note tokens


def transpose_tokens(x, k):
    """Shift pitched (non-drum) note tokens by k semitones where the result stays in range."""
    if k == 0:
        return x
    note = (x >= FIRST_PITCHED) & (x < V.FIRST_TIMESHIFT)
    p = (x - 2) % N_PITCH + k
    ok = note & (p >= 0) & (p < N_PITCH)
    return np.where(ok, x + k, x)


def window(seq, start, music_len, shift=0, null=False):
    """One training row: prefix + music window; returns (idx, targets, condition, condition_mask).
    null: the row gets the null condition (classifier-free guidance) instead of its emotion."""
    o, n, pc = offs[seq], lens[seq], seq_piece[seq]
    w = tokens[o + start: o + min(n, start + music_len + 1)].astype(np.int64)
    w = transpose_tokens(w, shift)
    v, a = float(valence[pc]), float(arousal[pc])
    pre = []
    if conditioning == "continuous_token":
        pre = [V.PAD, V.PAD]
    elif conditioning == "discrete_token":
        pre = [V.PAD, V.PAD] if null else [V.INDEX[f"<V{V.emotion_bin(v)}>"], V.INDEX[f"<A{V.emotion_bin(a)}>"]]
    row = np.full(len(pre) + music_len + 1, V.PAD, dtype=np.int64)
    row[: len(pre)] = pre
    row[len(pre): len(pre) + len(w)] = w
    tgt = row[1:].copy()
    tgt[: max(0, len(pre) - 1)] = -1  # no loss on predicting the second control slot
    tgt[len(pre) + len(w) - 1:] = -1
    return row[:-1], tgt, (v, a), 0.0 if null else 1.0


def get_batch():
    music_len = block_size - cfg.prefix_len
    seqs = rng.choice(train_seqs, size=batch_size, p=p_train)
    rows = []
    for s in seqs:
        start = 0 if rng.random() < start_share else int(rng.integers(0, max(1, lens[s] - music_len)))
        shift = int(rng.integers(-transpose, transpose + 1))
        null = cfg.null_condition and rng.random() < cfg_drop
        rows.append(window(s, start, music_len, shift, null))
    return to_tensors(rows)


def to_tensors(rows):
    idx = torch.tensor(np.stack([r[0] for r in rows]))
    tgt = torch.tensor(np.stack([r[1] for r in rows]))
    cond = torch.tensor([r[2] for r in rows], dtype=torch.float32)
    mask = torch.tensor([r[3] for r in rows], dtype=torch.float32) if cfg.null_condition else None
    return idx.to(device), tgt.to(device), cond.to(device), None if mask is None else mask.to(device)


def eval_rows(split_id):
    """Fixed windows from the held-out pieces of a split (unstretched version only)."""
    r = np.random.default_rng(0)
    seqs = [s for s in np.where(split[seq_piece] == split_id)[0] if D["stretch"][s] == 1.0]
    if not seqs:
        return []
    music_len = block_size - cfg.prefix_len
    out = []
    for i in range(eval_windows):
        s = seqs[i % len(seqs)]
        start = int(r.integers(0, max(1, lens[s] - music_len)))
        out.append(window(s, start, music_len))
    return out


EVAL = {"pop909_heldout": eval_rows(1), "multi_real": eval_rows(2), "pop909_heldout_parallel": eval_rows(3)}


@torch.no_grad()
def evaluate(model):
    model.eval()
    res = {}
    for name, rows in EVAL.items():
        if not rows:
            continue
        tot, n, correct = 0.0, 0, 0
        for i in range(0, len(rows), 16):
            idx, tgt, cond, mask = to_tensors(rows[i: i + 16])
            with autocast:
                logits, _ = model(idx, cond, condition_mask=mask)
            logits = logits.float()
            m = tgt >= 0
            lp = torch.log_softmax(logits, -1)
            tot += -lp.gather(-1, tgt.clamp(min=0)[..., None])[..., 0][m].sum().item()
            correct += (logits.argmax(-1) == tgt)[m].sum().item()
            n += m.sum().item()
        res[name] = {"nll": tot / n, "ppl": math.exp(tot / n), "acc": correct / n}
    model.train()
    return res


def lr_at(it, minutes):
    """Linear warm-up, then cosine decay over whichever runs out first: iterations or time."""
    if it < warmup:
        return lr * (it + 1) / warmup
    frac = min(1.0, max((it - warmup) / max(1, max_iters - warmup), minutes / time_budget_min))
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * frac))


def main():
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = MusicTransformer(cfg).to(device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
    it, best, minutes0 = 0, float("inf"), 0.0
    ckpt_path = out / "ckpt.pt"
    if ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location=device, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        it, best, minutes0 = ck["iter"], ck.get("best", best), ck.get("minutes", 0.0)
        print(f"resumed at iteration {it}")
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{conditioning} on {device}: {n_params / 1e6:.2f} M parameters, {len(train_seqs)} training sequences,"
          f" {int(lens[train_seqs].sum())} tokens")
    t0 = time.time()
    log = open(out / "log.jsonl", "a")
    while it < max_iters:
        elapsed = minutes0 + (time.time() - t0) / 60
        for g in opt.param_groups:
            g["lr"] = lr_at(it, elapsed)
        idx, tgt, cond, mask = get_batch()
        with autocast:
            _, loss = model(idx, cond, tgt, mask)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        it += 1
        elapsed = minutes0 + (time.time() - t0) / 60
        if it % 50 == 0:
            print(f"it {it} loss {loss.item():.4f} lr {lr_at(it, elapsed):.2e} {elapsed:.1f} min", flush=True)
        done = it >= max_iters or elapsed >= time_budget_min
        if it % eval_interval == 0 or done:
            res = evaluate(model)
            rec = {"iter": it, "minutes": round(elapsed, 2), "train_loss": loss.item(), **res}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
            score = res.get("pop909_heldout", {}).get("nll", loss.item())
            state = {"model": model.state_dict(), "opt": opt.state_dict(), "iter": it,
                     "config": asdict(cfg), "best": min(best, score), "eval": res,
                     "minutes": elapsed}
            torch.save(state, ckpt_path)
            if score < best:
                best = score
                torch.save({"model": model.state_dict(), "config": asdict(cfg), "iter": it, "eval": res},
                           out / "best.pt")
        if done:
            break
    print(f"stopped at iteration {it} after {elapsed:.1f} min; best held-out NLL {best:.4f}")


if __name__ == "__main__":
    main()
