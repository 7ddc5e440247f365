"""A small transformer decoder for event-token music, conditioned on (valence, arousal).

Conditionings (Sulun, Davies & Viana, IEEE Access 2022):
  none              - no emotion input (baseline)
  continuous_concat - (v, a) -> linear -> a d_condition vector concatenated to every token
                      embedding (token embedding width n_embd - d_condition)
  continuous_token  - v and a each -> linear -> an n_embd vector that takes the place of the
                      token embedding at positions 0 and 1 (the sequence starts with two slots)
  discrete_token    - v and a quantised to five bins each: two control tokens <Vk> <Ak> first

Classifier-free guidance (null_condition=True): the model also learns a null condition, used in
training in place of the emotion for a share of the rows (train.py cfg_drop). `condition_mask` [B]
says per row whether the emotion (1) or the null condition (0) is given: for continuous_concat a
learned d_condition vector replaces the projected emotion, for continuous_token two learned vectors
fill the slots; for discrete_token the null condition is the prefix <PAD> <PAD> (no mask needed).
At decoding, logits = uncond + w (cond - uncond) on log-probabilities (sample.py).

Positions are rotary (RoPE), so attention depends on relative distance only. Incremental decoding
passes a key/value cache per layer; the graph derives the positions of the new tokens from the
cache length. The ONNX export (export.py) exposes exactly `forward_cached`.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
from torch.nn import functional as F

CONDITIONINGS = ("none", "continuous_concat", "continuous_token", "discrete_token")


@dataclass
class GPTConfig:
    vocab_size: int = 1007
    block_size: int = 512
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 256
    d_condition: int = 64
    dropout: float = 0.1
    conditioning: str = "continuous_concat"
    null_condition: bool = False  # a learned "no emotion" condition, for classifier-free guidance

    @property
    def prefix_len(self):
        """Positions before the music that carry the emotion (continuous_token, discrete_token)."""
        return 2 if self.conditioning in ("continuous_token", "discrete_token") else 0


def rotate(x, pos, inv_freq):
    """Apply rotary embedding to x [B, H, T, D] at integer positions pos [T] (shared) or [B, T] (per row)."""
    freqs = pos.to(torch.float32)[..., None] * inv_freq  # [T, D/2] or [B, T, D/2]
    if freqs.dim() == 3:
        freqs = freqs[:, None]  # [B, 1, T, D/2]
    cos, sin = freqs.cos(), freqs.sin()
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out = torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
    return out.flatten(-2)


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head, self.head_dim = cfg.n_head, cfg.n_embd // cfg.n_head
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)
        self.dropout = cfg.dropout
        inv = 1.0 / (10000 ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)

    def forward(self, x, pos, past_k=None, past_v=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        q, k = rotate(q, pos, self.inv_freq), rotate(k, pos, self.inv_freq)
        if past_k is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                               dropout_p=self.dropout if self.training else 0.0)
        else:
            k = torch.cat((past_k, k), dim=2)
            v = torch.cat((past_v, v), dim=2)
            P = past_k.shape[2]
            i = torch.arange(T, device=x.device)[:, None] + P
            j = torch.arange(k.shape[2], device=x.device)[None, :]
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))
            att = att.masked_fill(j > i, float("-inf"))
            y = torch.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.drop(self.proj(y)), k, v

    def step(self, x, pos, past_k, past_v, attention_mask):
        """Fixed-capacity cache: x [B, T, C] at positions pos [B, T]; past [B, H, S, D] holds S slots of which
        attention_mask [B, S + T] (nonzero = attend) says which are filled, the last T entries standing for the new
        tokens (attended causally). Returns the output and the keys and values of the new tokens only."""
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        q, k = rotate(q, pos, self.inv_freq), rotate(k, pos, self.inv_freq)
        keys, values = torch.cat((past_k, k), dim=2), torch.cat((past_v, v), dim=2)
        S = past_k.shape[2]
        i = torch.arange(T, device=x.device)[:, None] + S
        j = torch.arange(keys.shape[2], device=x.device)[None, :]
        allowed = (j <= i)[None, None] & (attention_mask[:, None, None, :] > 0)
        att = (q @ keys.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))
        y = torch.softmax(att.masked_fill(~allowed, float("-inf")), dim=-1) @ values
        return self.proj(y.transpose(1, 2).contiguous().view(B, T, C)), k, v


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.n_embd)
        self.attn = CausalSelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.n_embd)
        self.mlp = nn.Sequential(nn.Linear(cfg.n_embd, 4 * cfg.n_embd), nn.GELU(),
                                 nn.Linear(4 * cfg.n_embd, cfg.n_embd), nn.Dropout(cfg.dropout))

    def forward(self, x, pos, past_k=None, past_v=None):
        a, k, v = self.attn(self.ln1(x), pos, past_k, past_v)
        x = x + a
        return x + self.mlp(self.ln2(x)), k, v

    def step(self, x, pos, past_k, past_v, attention_mask):
        a, k, v = self.attn.step(self.ln1(x), pos, past_k, past_v, attention_mask)
        x = x + a
        return x + self.mlp(self.ln2(x)), k, v


class MusicTransformer(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        assert cfg.conditioning in CONDITIONINGS, cfg.conditioning
        self.cfg = cfg
        tok_width = cfg.n_embd - cfg.d_condition if cfg.conditioning == "continuous_concat" else cfg.n_embd
        self.tok_emb = nn.Embedding(cfg.vocab_size, tok_width)
        if cfg.conditioning == "continuous_concat":
            self.cond = nn.Linear(2, cfg.d_condition)
            if cfg.null_condition:
                self.null_cond = nn.Parameter(torch.zeros(cfg.d_condition))
        elif cfg.conditioning == "continuous_token":
            self.cond_v = nn.Linear(1, cfg.n_embd)
            self.cond_a = nn.Linear(1, cfg.n_embd)
            if cfg.null_condition:
                self.null_v = nn.Parameter(torch.zeros(cfg.n_embd))
                self.null_a = nn.Parameter(torch.zeros(cfg.n_embd))
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def embed(self, idx, condition, pos, condition_mask=None):
        x = self.tok_emb(idx)
        B, T, _ = x.shape
        m = None if condition_mask is None else condition_mask.to(x.dtype)[:, None]  # [B, 1]
        if self.cfg.conditioning == "continuous_concat":
            c = self.cond(condition)
            if m is not None:
                c = m * c + (1 - m) * self.null_cond
            x = torch.cat((x, c[:, None, :].expand(B, T, self.cfg.d_condition)), dim=-1)
        elif self.cfg.conditioning == "continuous_token":
            cv, ca = self.cond_v(condition[:, 0:1]), self.cond_a(condition[:, 1:2])
            if m is not None:
                cv, ca = m * cv + (1 - m) * self.null_v, m * ca + (1 - m) * self.null_a
            cv, ca = cv[:, None, :], ca[:, None, :]
            slot = (pos if pos.dim() == 2 else pos[None, :])[..., None]
            x = torch.where(slot == 0, cv, torch.where(slot == 1, ca, x))
        return self.drop(x)

    def forward(self, idx, condition=None, targets=None, condition_mask=None):
        """Training / full-window forward. idx [B, T]; condition [B, 2] (v, a); targets [B, T]
        with -1 where no loss is taken; condition_mask [B] (1 emotion, 0 null) or None. Returns (logits, loss)."""
        pos = torch.arange(idx.shape[1], device=idx.device)
        x = self.embed(idx, condition, pos, condition_mask)
        for blk in self.blocks:
            x, _, _ = blk(x, pos)
        logits = self.head(self.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1), ignore_index=-1)
        return logits, loss

    def forward_cached(self, idx, condition, past, condition_mask=None):
        """Incremental forward. past: list of (k, v) per layer, each [B, H, P, D] (P may be 0).
        Returns logits [B, T, V] and the new cache (P + T long)."""
        P = past[0][0].shape[2]
        pos = torch.arange(idx.shape[1], device=idx.device) + P
        x = self.embed(idx, condition, pos, condition_mask)
        present = []
        for blk, (pk, pv) in zip(self.blocks, past):
            x, k, v = blk(x, pos, pk, pv)
            present.append((k, v))
        return self.head(self.ln_f(x)), present

    def forward_step(self, idx, condition, position_ids, attention_mask, past, condition_mask=None):
        """Decoding with a fixed-capacity cache (what the ONNX export exposes). idx, position_ids [B, T]; past: per
        layer (k, v), each [B, H, S, D]; attention_mask [B, S + T]. Returns logits [B, T, V] and, per layer, the keys
        and values of the T new tokens, which the caller writes into its cache at their positions."""
        x = self.embed(idx, condition, position_ids, condition_mask)
        new = []
        for blk, (pk, pv) in zip(self.blocks, past):
            x, k, v = blk.step(x, position_ids, pk, pv, attention_mask)
            new.append((k, v))
        return self.head(self.ln_f(x)), new

    def empty_cache(self, batch=1):
        c = self.cfg
        z = torch.zeros(batch, c.n_head, 0, c.n_embd // c.n_head)
        return [(z, z) for _ in range(c.n_layer)]
