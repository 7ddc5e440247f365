"""Export a trained MusicTransformer to ONNX for batched incremental decoding, check it, write vectors.

Interface (names as ONNX Runtime GenAI / Optimum decoder exports; training/onnx_decoder.py runs it):
  inputs   input_ids                 int64   [batch, sequence_length]
           position_ids              int64   [batch, sequence_length]  each row's slots: its filled length + t
                                     (rotary positions; a row's last one gives its length to the attention)
           condition                 float32 [batch, 2]  (valence, arousal) - continuous_* only
           condition_mask            float32 [batch]  1 = the emotion, 0 = the null condition - continuous_*
                                     decoders trained with the null condition (classifier-free guidance) only
           past_key_values.N.key     float32 [batch, n_head, cache_capacity, head_dim]
           past_key_values.N.value   (same)
  outputs  logits                    float32 [batch, sequence_length, vocab]
           present.N.key|value       float32 [batch, n_head, cache_capacity, head_dim]: bound by the caller to
                                     the memory of past_key_values.N.* (a shared buffer); ONNX Runtime's
                                     GroupQueryAttention writes the new tokens' keys and values there in place
The cache has a fixed capacity (the trained window, block_size) and every row its own length, so streams at
different positions share one call. A call from an empty cache may pass past_key_values of 0 slots instead: present.*
are then the new tokens' keys and values, [batch, n_head, sequence_length, head_dim]. For continuous_token, positions
0 and 1 are the valence and arousal slots: their input ids are ignored (pass <PAD>).

Checks: onnx.checker; ONNX Runtime (training/onnx_decoder.py) against PyTorch's reference decoding
(forward_cached, per stream) on a scenario of two streams at different lengths: prefills, then batched steps
(max |delta logit| <= 1e-4). Writes models/<name>.onnx, its card and the cross-language vectors
training/tests/vectors/decoder_<conditioning>.json (the scenario and the logits of every call).

    python -m training.export --ckpt training/runs/concat/best.pt --name music_continuous_concat
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch

from . import onnx_graph
from . import vocab as V
from .model import GPTConfig, MusicTransformer
from .onnx_decoder import OnnxDecoder

OPSET = onnx_graph.OPSET
INT8_MAX_NLL_DELTA = 0.01  # the int8 file is served only if held-out NLL moves by less than this


def has_condition(cfg):
    return cfg.conditioning in ("continuous_concat", "continuous_token")


def has_mask(cfg):
    return cfg.null_condition and has_condition(cfg)


def io_names(cfg):
    ins = ["input_ids", "position_ids"] + (["condition"] if has_condition(cfg) else []) + (
        ["condition_mask"] if has_mask(cfg) else [])
    outs = ["logits"]
    for i in range(cfg.n_layer):
        ins += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outs += [f"present.{i}.key", f"present.{i}.value"]
    return ins, outs


def export(model, path):
    """The graph of training/onnx_graph.py (model.forward_step, written node by node); returns its node count."""
    return onnx_graph.save(model, path)


# weights per scale. Blocks of 128 decode up to 10 % faster, but ONNX Runtime 1.29's MatMulNBits then computes a row
# differently when other rows share the call (a logit moves by up to 0.08 with 8-bit weights, 0.009 with 4-bit ones),
# so a seed's piece would depend on who else is decoding; blocks of 32 keep every row what it is alone.
BLOCK = {8: 32, 4: 32}


def quantise(path, out, bits=8):
    """`bits`-bit weights (8 or 4) for every MatMul with constant weights (ONNX Runtime's MatMulNBits: symmetric,
    BLOCK[bits] weights a scale along the input dimension, accuracy level 4 = int8 arithmetic on activations quantised
    per row and block). Unlike dynamic quantisation (DynamicQuantizeLinear), whose activation scale spans the whole
    batch tensor, every row's result depends on that row alone, so a stream decodes the same tokens whoever else is in
    the batch."""
    import logging

    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    q = MatMulNBitsQuantizer(onnx.load(str(path)), bits=bits, block_size=BLOCK[bits], is_symmetric=True,
                             accuracy_level=4)
    q.process()
    q.model.save_model_to_file(str(out), False)
    return out


def add_quantised(model, path, bits, vectors_dir, windows):
    """Writes music_x.int<bits>.onnx beside the float32 file `path` and its cross-language vectors; returns the card's
    section for it (figures, and whether held-out NLL stayed within INT8_MAX_NLL_DELTA of the float32 file's, which
    the service requires before it serves the file)."""
    label = f"int{bits}"
    out = quantise(path, path.with_name(path.name.replace(".onnx", f".{label}.onnx")), bits)
    vec, worst = vector_run(model, out)
    vec["model"] = out.name
    vec["tolerance"] = round(1.5 * worst + 1e-3, 4)  # against PyTorch's float32 logits: quantisation error
    vectors = Path(vectors_dir, f"decoder_{model.cfg.conditioning}.{label}.json")
    vectors.write_text(json.dumps(vec))
    section = {"file": out.name,
               "method": f"onnxruntime.quantization MatMulNBitsQuantizer: {bits}-bit symmetric weights in blocks of "
                         f"{BLOCK[bits]} "
                         "for every MatMul with constant weights (MatMulNBits, accuracy level 4); rows independent "
                         "of each other",
               "max_abs_logit_diff_vs_pytorch_fp32": worst,
               "vectors": str(vectors)}
    if windows is not None:
        fp32, q = heldout_nll(path, windows), heldout_nll(out, windows)
        section.update({"heldout_nll_fp32": fp32, f"heldout_nll_{label}": q, "heldout_nll_delta": q - fp32,
                        "heldout": "the 48 windows of POP909's held-out songs that train.py evaluates",
                        "within_nll_bound": abs(q - fp32) < INT8_MAX_NLL_DELTA})
    return section


def add_int4_only(a):
    """--int4_only: the 4-bit file of a shipped decoder (--ckpt models/music_x.onnx), its vectors and its card section,
    leaving the float32 and 8-bit files and the rest of the card as they are."""
    from .onnx_to_torch import load as load_onnx
    path = Path(a.ckpt)
    model = load_onnx(path).eval()
    windows = heldout_windows_of(a.dataset_json, model.cfg)
    section = add_quantised(model, path, 4, a.vectors, windows)
    section["command"] = f"python -m training.export --int4_only --ckpt {a.ckpt} --dataset_json {a.dataset_json}"
    card_path = path.with_suffix(".json")
    card = json.loads(card_path.read_text())
    card["int4"] = section
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    print(f"{path.name}: int4 {Path(section['file']).name}, max |ORT int4 - torch| = "
          f"{section['max_abs_logit_diff_vs_pytorch_fp32']:.3f}, held-out NLL delta "
          f"{section.get('heldout_nll_delta', float('nan')):+.4f}")


def heldout_windows_of(dataset_json, cfg):
    """The held-out windows of the data set beside `dataset_json` (its .npz), or None where it has not been built."""
    npz = Path(dataset_json).with_suffix(".npz")
    return heldout_windows(npz, cfg) if npz.exists() else None


def heldout_windows(dataset_npz, cfg, windows=48):
    """The held-out windows train.py evaluates (split 1: POP909's held-out songs, unstretched; rng 0; 48 windows of
    the trained length), as (input_ids, targets, condition) arrays, targets -1 where no loss is taken."""
    D = np.load(dataset_npz)
    tokens, offs, lens, seq_piece = D["tokens"], D["offsets"], D["lengths"], D["seq_piece"]
    seqs = [s for s in np.where(D["split"][seq_piece] == 1)[0] if D["stretch"][s] == 1.0]
    r = np.random.default_rng(0)
    music_len = cfg.block_size - cfg.prefix_len
    rows, tgts, conds = [], [], []
    for i in range(windows):
        s = seqs[i % len(seqs)]
        start = int(r.integers(0, max(1, lens[s] - music_len)))
        w = tokens[offs[s] + start: offs[s] + min(lens[s], start + music_len + 1)].astype(np.int64)
        v, a = float(D["valence"][seq_piece[s]]), float(D["arousal"][seq_piece[s]])
        pre = []
        if cfg.conditioning == "continuous_token":
            pre = [V.PAD, V.PAD]
        elif cfg.conditioning == "discrete_token":
            pre = [V.INDEX[f"<V{V.emotion_bin(v)}>"], V.INDEX[f"<A{V.emotion_bin(a)}>"]]
        row = np.full(len(pre) + music_len + 1, V.PAD, dtype=np.int64)
        row[:len(pre)] = pre
        row[len(pre): len(pre) + len(w)] = w
        tgt = row[1:].copy()
        tgt[: max(0, len(pre) - 1)] = -1
        tgt[len(pre) + len(w) - 1:] = -1
        rows.append(row[:-1])
        tgts.append(tgt)
        conds.append((v, a))
    return np.stack(rows), np.stack(tgts), np.array(conds, np.float32)


def heldout_nll(onnx_path, windows, batch=8):
    """Mean next-token NLL of a decoder file on held-out windows, each encoded from an empty cache."""
    dec = OnnxDecoder(onnx_path)
    ids, tgts, conds = windows
    tot, n = 0.0, 0
    for i in range(0, len(ids), batch):
        x, t, c = ids[i:i + batch], tgts[i:i + batch], conds[i:i + batch]
        cache, lengths = dec.cache(len(x)), [0] * len(x)
        logits = dec.run(x, lengths, cache, c if "condition" in dec.inputs else None,
                         np.ones(len(x), np.float32) if "condition_mask" in dec.inputs else None).astype(np.float64)
        m = logits.max(-1, keepdims=True)
        lp = logits - (m + np.log(np.exp(logits - m).sum(-1, keepdims=True)))
        ok = t >= 0
        tot += -np.take_along_axis(lp, np.where(ok, t, 0)[..., None], -1)[..., 0][ok].sum()
        n += ok.sum()
    return float(tot / n)


def scenario(cfg, valence=0.5, arousal=-0.3):
    """Two streams at different lengths, as the service decodes them: stream 0 with the emotion; stream 1 with the
    null condition (a guided pair) where the decoder has one, else another piece. Each starts with its own prefill
    call, then both advance together one token a call. -> (calls, condition, condition_mask)."""
    if cfg.conditioning == "continuous_token":
        prefixes = [[V.PAD, V.PAD, V.START]] * 2
    elif cfg.conditioning == "discrete_token":
        emotion = [V.INDEX[f"<V{V.emotion_bin(valence)}>"], V.INDEX[f"<A{V.emotion_bin(arousal)}>"], V.START]
        prefixes = [emotion, [V.PAD, V.PAD, V.START] if cfg.null_condition else emotion]
    else:
        prefixes = [[V.START]] * 2
    notes = [V.note_token("PIANO", True, 60), V.timeshift_token(240), V.note_token("BASS", True, 36),
             V.note_token("DRUMS", True, 36), V.timeshift_token(120), V.note_token("PIANO", False, 60),
             V.note_token("STRINGS", True, 72), V.timeshift_token(8)]
    calls = [{"rows": [0], "input_ids": [prefixes[0] + notes[:3]]},
             {"rows": [1], "input_ids": [prefixes[1] + notes[2:7]]}]  # stream 1 is longer
    for t in notes[3:7]:
        calls.append({"rows": [0, 1], "input_ids": [[t], [t]]})
    mask = [1.0, 0.0] if has_mask(cfg) else None
    return calls, [valence, arousal] if has_condition(cfg) else None, mask


def vector_run(model, onnx_path):
    """The scenario through ONNX Runtime (fixed-capacity cache) and through PyTorch's reference (growing cache, one
    stream at a time); returns the vectors and the largest logit difference."""
    cfg = model.cfg
    calls, cond, mask = scenario(cfg)
    dec = OnnxDecoder(onnx_path)
    cache, lengths = dec.cache(2), [0, 0]
    ref_past = [model.empty_cache(1), model.empty_cache(1)]
    worst, out = 0.0, []
    with torch.no_grad():
        for call in calls:
            rows = call["rows"]
            got = dec.run(call["input_ids"], lengths, cache, [cond] * len(rows) if cond else None,
                          [mask[r] for r in rows] if mask else None, rows=rows)
            last = []
            for b, r in enumerate(rows):
                c = torch.tensor([cond]) if cond else None
                m = torch.tensor([mask[r]]) if mask else None
                ref, ref_past[r] = model.forward_cached(torch.tensor([call["input_ids"][b]]), c, ref_past[r], m)
                worst = max(worst, float(np.abs(got[b] - ref[0].numpy()).max()))
                last.append([round(float(x), 6) for x in ref[0, -1].numpy()])
            out.append({**call, "last_logits": last})
    return {"conditioning": cfg.conditioning, "condition": cond, "condition_mask": mask, "cache_capacity": dec.capacity,
            "calls": out, "tolerance": 1e-4}, worst


DATA_CREDITS = [
    "POP909 (Wang et al., ISMIR 2020; MIT): 909 songs, arranged for five instruments by training/prep_pop909.py, "
    "each also in its parallel mode (major <-> minor) from its key annotations",
    "Groove MIDI Dataset (Gillick et al., ICML 2019; CC BY 4.0): drum performances warped onto POP909 beats",
    "EMOPIA (Hung et al., ISMIR 2021; CC BY 4.0): part A of its clips (split by song, training/emopia.py) arranged "
    "for the band, with their human valence quadrant; part B never trained on (it trains the independent judge)",
    "VGMIDI (Ferreira & Whitehead, ISMIR 2019): human valence labels of the valence labeller that labels the pieces",
    "multi/ (Freedoom BSD-3, OpenMSX GPL-2.0, Planet Blupi GPL-3+): held-out validation only, never trained on",
]


def comparison():
    """Where the four conditionings' side-by-side figures are, and the evaluation's ceiling (training.label_ceiling)."""
    ceiling = Path("training/results/label_ceiling.json")
    out = {"file": "training/results/conditioning_comparison.json",
           "note": "the four conditionings trained with one budget (same seed, batches and schedule), evaluated "
                   "with the reference sampler in PyTorch at guidance 1, 1.5, 2, 3 (README 'The four conditionings')"}
    if ceiling.exists():
        c = json.loads(ceiling.read_text())
        out["evaluation_ceiling"] = {k: c.get(k) for k in ("excerpts", "gen_len", "valence_r", "arousal_r", "command")}
    return out


def write_card(model, ck, onnx_path, worst, args, nodes, quant, int4):
    cfg = model.cfg
    ins, outs = io_names(cfg)
    hd = cfg.n_embd // cfg.n_head
    shapes = {"input_ids": ["batch", "sequence_length"], "position_ids": ["batch", "sequence_length"],
              "condition": ["batch", 2],
              "condition_mask": ["batch"], "logits": ["batch", "sequence_length", cfg.vocab_size]}
    io = {"inputs": [], "outputs": []}
    for n in ins:
        shp = shapes.get(n, ["batch", cfg.n_head, "cache_capacity", hd])
        io["inputs"].append({"name": n, "dtype": "int64" if n in ("input_ids", "position_ids")
                             else "float32", "shape": shp})
    for n in outs:
        shp = shapes.get(n, ["batch", cfg.n_head, "cache_capacity", hd])
        io["outputs"].append({"name": n, "dtype": "float32", "shape": shp})
    ds = Path(args.dataset_json)
    ev = Path(args.eval_json) if args.eval_json else None
    card = {
        "id": f"{args.name}@{args.version}",
        "name": args.name,
        "file": onnx_path.name,
        "conditioning": cfg.conditioning,
        "architecture": {k: getattr(cfg, k) for k in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd",
                                                      "d_condition", "dropout", "null_condition")},
        "positions": "rotary (RoPE) at position_ids",
        "cache": f"fixed capacity {cfg.block_size} slots per stream, shared by past_key_values.* and present.* (one "
                 "buffer: the new tokens' keys and values are written in place at their positions); a row's length "
                 "is its last position_ids + 1",
        "prefix": {"continuous_concat": "[<START>]", "continuous_token": "[<PAD>, <PAD>, <START>] (slots 0, 1 carry v, a)",
                   "discrete_token": "[<Vk>, <Ak>, <START>]", "none": "[<START>]"}[cfg.conditioning],
        "null_condition": {"continuous_concat": "condition_mask 0 (a learned vector replaces the projected emotion)",
                           "continuous_token": "condition_mask 0 (two learned vectors fill the slots)",
                           "discrete_token": "prefix [<PAD>, <PAD>, <START>]", "none": None}[cfg.conditioning]
                          if cfg.null_condition else None,
        "vocabulary": "vocab.json",
        "io": io,
        "opset": OPSET,
        "graph": f"{nodes} nodes, written by training/onnx_graph.py (one com.microsoft GroupQueryAttention a layer: "
                 "packed q|k|v, rotary positions, attention over the filled slots, the cache written in place; q and k "
                 "head dimensions reordered for its rotary layout)",
        "int8": quant,
        "int4": int4,
        "onnx_runtime_check": {"max_abs_logit_diff_vs_pytorch": worst, "vectors": f"training/tests/vectors/decoder_{cfg.conditioning}.json"},
        "parameters": sum(p.numel() for p in model.parameters()),
        "training": {"iterations": ck.get("iter"), "held_out": ck.get("eval"),
                     "command": args.train_command},
        "data": json.loads(ds.read_text()) if ds.exists() else None,
        "data_credits": DATA_CREDITS,
        "labels": "arousal = midi-emotion's note density / instruments playing; valence = the labeller "
                  "(models/valence_regressor.json: VGMIDI + EMOPIA part A human labels), for EMOPIA clips averaged "
                  "with the human quadrant's valence on the labeller's scale; both clipped at 1.5 x IQR and min-max "
                  "scaled to [-1, 1] over the training pieces (constants under data)",
        "key": "every training piece moved so that its tonic is C (build_dataset.py --key-normalise): the decoder "
               "writes in C major or C minor" if (json.loads(Path(args.dataset_json).read_text()).get("key_normalised")
                                                  if Path(args.dataset_json).exists() else False) else None,
        "evaluation": json.loads(ev.read_text()) if ev and ev.exists() else None,
        "export_command": f"python -m training.export --ckpt {args.ckpt} --name {args.name}",
        "serving": json.loads(Path(args.serving_json).read_text()) if args.serving_json else None,
        "comparison": comparison(),
    }
    if "previous_card" in ck:  # re-exported weights keep everything of their card that the graph does not change
        prev = ck["previous_card"]
        fresh = ("file", "io", "opset", "graph", "cache", "positions", "int8", "int4", "onnx_runtime_check", "parameters")
        card = {**{k: v for k, v in prev.items() if k not in fresh}, **{k: card[k] for k in fresh}}
        for part in ("int8", "int4"):  # e.g. the served evaluation: the same weights compute the same function
            if isinstance(prev.get(part), dict) and isinstance(card.get(part), dict):
                card[part] = {**{k: v for k, v in prev[part].items() if k not in card[part]}, **card[part]}
        card["export_command"] = (f"python -m training.export --ckpt {args.ckpt} --name {args.name} --dataset_json "
                                  f"{args.dataset_json} (the weights of {prev['id']}, re-exported from its ONNX file to "
                                  "this interface)")
    path = onnx_path.with_suffix(".json")
    path.write_text(json.dumps(card, indent=1) + "\n")
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--models", default="models")
    ap.add_argument("--vectors", default="training/tests/vectors")
    ap.add_argument("--version", default="1")
    ap.add_argument("--dataset_json", default="training/work/dataset.json")
    ap.add_argument("--eval_json", default="")
    ap.add_argument("--train_command", default="")
    ap.add_argument("--serving_json", default="", help="the serving section (guidance chosen on the evaluation)")
    ap.add_argument("--int4_only", action="store_true", help="only add the 4-bit file of the shipped --ckpt .onnx")
    a = ap.parse_args()
    if a.int4_only:
        return add_int4_only(a)
    if a.ckpt.endswith(".onnx"):  # a decoder shipped in an earlier interface: its weights, carried over
        from .onnx_to_torch import load as load_onnx
        model = load_onnx(a.ckpt)
        ck = {"previous_card": json.loads(Path(a.ckpt).with_suffix(".json").read_text())}
    else:
        ck = torch.load(a.ckpt, map_location="cpu", weights_only=False)
        model = MusicTransformer(GPTConfig(**ck["config"]))
        model.load_state_dict(ck["model"])
    model.eval()
    path = Path(a.models) / f"{a.name}.onnx"
    nodes = export(model, path)
    path.with_suffix(".json").write_text(json.dumps({"architecture": {"n_layer": model.cfg.n_layer,
                                                                      "n_head": model.cfg.n_head,
                                                                      "n_embd": model.cfg.n_embd,
                                                                      "block_size": model.cfg.block_size}}))
    vec, worst = vector_run(model, path)
    assert worst <= 1e-4, f"ONNX Runtime differs from PyTorch by {worst}"
    Path(a.vectors).mkdir(parents=True, exist_ok=True)
    vpath = Path(a.vectors) / f"decoder_{model.cfg.conditioning}.json"
    vec["model"] = path.name
    vpath.write_text(json.dumps(vec))
    windows = heldout_windows_of(a.dataset_json, model.cfg)
    quant = add_quantised(model, path, 8, a.vectors, windows)
    int4 = add_quantised(model, path, 4, a.vectors, windows)
    int8_worst = quant["max_abs_logit_diff_vs_pytorch_fp32"]
    card = write_card(model, ck, path, worst, a, nodes, quant, int4)
    size = path.stat().st_size / 1e6
    print(f"{path}: {size:.1f} MB, {nodes} nodes, opset {OPSET}, max |ORT - torch| = {worst:.2e}; int8 "
          f"{path.with_name(quant['file']).stat().st_size / 1e6:.1f} MB, max |ORT int8 - torch| = {int8_worst:.2e}, held-out NLL "
          f"{quant.get('heldout_nll_fp32', float('nan')):.4f} -> {quant.get('heldout_nll_int8', float('nan')):.4f}; "
          f"vectors -> {vpath}; card -> {card}")
    return {"path": str(path), "max_abs_diff": worst, "size_mb": size}


if __name__ == "__main__":
    main()
