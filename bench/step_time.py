"""One decoder call, timed alone: ONNX Runtime from Python, one thread, every input bound once (io binding), the cache
filled to `--fill` slots. Prints the files side by side, in turns (each file timed once a round, best and median of the
rounds), so that a machine whose speed drifts treats them alike.

    python bench/step_time.py models/music_continuous_concat.int4.onnx models/music_continuous_concat.int8.onnx
    python bench/step_time.py --batch 2 --fill 240 A.onnx B.onnx     # e.g. a decoder file of an earlier commit
    python bench/step_time.py --products --batch 4 FILE.onnx         # the file's weight products alone
    python bench/step_time.py --batch 1,2,4,8 --split FILE.onnx      # how a step grows with the batch, and what part
                                                                     # of it is the weight products
    python bench/step_time.py --batch 1,4,8 --ops FILE.onnx           # the step by operator type (profiled)

It reads both interfaces the project has shipped: the graph with GroupQueryAttention (present.* bound to the memory of
past_key_values.*) and the earlier one with an attention_mask input and the new tokens' keys and values as outputs.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training.onnx_decoder import card_path  # noqa: E402


def prepared(path, batch, fill, profile=None):
    """A session and its io binding for one step of `batch` rows, each with `fill` slots filled; with `profile` (a file
    prefix) ONNX Runtime's profiler records every node's time."""
    import json
    arch = json.loads(card_path(path).read_text())["architecture"]
    heads, window, dim = arch["n_head"], arch["block_size"], arch["n_embd"] // arch["n_head"]
    so = ort.SessionOptions()
    if profile:
        so.enable_profiling = True
        so.profile_file_prefix = profile
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    s = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    names = {i.name for i in s.get_inputs()}
    io, held = s.io_binding(), []
    io.bind_cpu_input("input_ids", np.full((batch, 1), 5, np.int64))
    io.bind_cpu_input("position_ids", np.full((batch, 1), fill, np.int64))
    if "condition" in names:
        io.bind_cpu_input("condition", np.zeros((batch, 2), np.float32))
    if "condition_mask" in names:
        io.bind_cpu_input("condition_mask", np.ones(batch, np.float32))
    shared = "attention_mask" not in names
    if not shared:
        mask = np.zeros((batch, window + 1), np.int64)
        mask[:, :fill] = 1
        mask[:, window] = 1
        io.bind_cpu_input("attention_mask", mask)
    rng = np.random.default_rng(0)
    for o in s.get_outputs():
        if not o.name.startswith("present."):
            continue
        cache = rng.random((batch, heads, window, dim), dtype=np.float32)
        held.append(ort.OrtValue.ortvalue_from_numpy(cache))
        past = o.name.replace("present.", "past_key_values.")
        io.bind_ortvalue_input(past, held[-1])
        if shared:
            io.bind_ortvalue_output(o.name, held[-1])
        else:
            io.bind_output(o.name, "cpu")
    io.bind_output("logits", "cpu")
    return s, io, held


def products(path, batch):
    """A session of the file's weight products alone (its MatMulNBits nodes, each on an input of its own of `batch`
    rows) and its io binding: what the arithmetic of a step costs without the rest of the graph."""
    import onnx
    from onnx import TensorProto, helper
    src = onnx.load(str(path))
    inits = {i.name: i for i in src.graph.initializer}
    nodes, ins, outs, used = [], [], [], {}
    for j, n in enumerate(x for x in src.graph.node if x.op_type == "MatMulNBits"):
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        ins.append(helper.make_tensor_value_info(f"x{j}", TensorProto.FLOAT, [batch, 1, attrs["K"]]))
        outs.append(helper.make_tensor_value_info(f"y{j}", TensorProto.FLOAT, None))
        nodes.append(helper.make_node("MatMulNBits", [f"x{j}", *n.input[1:]], [f"y{j}"], domain="com.microsoft", **attrs))
        used.update({i: inits[i] for i in n.input[1:] if i in inits})
    if not nodes:
        raise SystemExit(f"{path}: no MatMulNBits (a float32 file?)")
    g = helper.make_graph(nodes, "products", ins, outs, list(used.values()))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    m.ir_version = 8
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    s = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    io = s.io_binding()
    for i in ins:
        io.bind_cpu_input(i.name, np.random.default_rng(0).random((batch, 1, i.type.tensor_type.shape.dim[2].dim_value),
                                                                  dtype=np.float32))
    for o in outs:
        io.bind_output(o.name, "cpu")
    return s, io, []


def op_times(path, batch, fill, calls):
    """Microseconds a call spent in each operator type, from ONNX Runtime's profiler over `calls` calls. The profiler
    adds its own cost to every node (a step takes about three times as long profiled), so these say how the parts grow
    with the batch, not what a step costs."""
    import collections
    import json
    import os
    import tempfile
    s, io, held = prepared(path, batch, fill, profile=os.path.join(tempfile.gettempdir(), "step_time_profile"))
    for _ in range(calls):  # `held` keeps the cache the binding points into alive until here
        s.run_with_iobinding(io)
    report = s.end_profiling()
    del held
    spent = collections.Counter()
    for e in json.loads(Path(report).read_text()):
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            spent[e["args"]["op_name"]] += e["dur"] / calls
    os.remove(report)
    return spent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--batch", default="1", help="rows a call, or a list (1,2,4,8) timed in turns")
    ap.add_argument("--fill", type=int, default=240)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--products", action="store_true", help="time each file's MatMulNBits nodes alone")
    ap.add_argument("--split", action="store_true", help="time the whole step and its weight products, in turns")
    ap.add_argument("--ops", action="store_true", help="the step's time by operator type (ONNX Runtime's profiler)")
    a = ap.parse_args()
    batches = [int(b) for b in a.batch.split(",")]
    if a.ops:
        for f in a.files:
            print(f"{f}: microseconds a call by operator type, profiled ({a.calls} calls, {a.fill} slots filled)")
            for b in batches:
                spent = op_times(f, b, a.fill, a.calls)
                print(f"  B={b:<2d} " + "  ".join(f"{op} {us:.0f}" for op, us in spent.most_common(6)))
        return
    kinds = ["step", "products"] if a.split else ["products"] if a.products else ["step"]
    runs = [((f, b, k), *(products(f, b) if k == "products" else prepared(f, b, a.fill)))
            for f in a.files for b in batches for k in kinds]
    for _, s, io, _ in runs:
        for _ in range(200):
            s.run_with_iobinding(io)
    times = {key: [] for key, *_ in runs}
    for _ in range(a.rounds):
        for key, s, io, _ in runs:
            t = time.perf_counter()
            for _ in range(a.calls):
                s.run_with_iobinding(io)
            times[key].append((time.perf_counter() - t) / a.calls * 1e3)
    what = {"step": f"the whole step, {a.fill} slots filled", "products": "the weight products alone"}
    print(f"onnxruntime {ort.__version__}, one thread, batch {a.batch}, {a.calls} calls x {a.rounds} rounds, in turns; "
          + "; ".join(f"{k}: {what[k]}" for k in kinds))
    if len(batches) == 1 and len(kinds) == 1:  # the original two-column form
        for (f, _, _), v in times.items():
            print(f"{f:60s} best {min(v):.3f} ms  median {statistics.median(v):.3f} ms")
        return
    print(f"{'file':44s} {'B':>2s} {'what':8s} {'median ms':>9s} {'best ms':>8s} {'vs B=1':>7s} {'ms/row':>7s}")
    for (f, b, k), v in times.items():
        med, one = statistics.median(v), statistics.median(times[(f, batches[0], k)]) * 1
        print(f"{f[-44:]:44s} {b:2d} {k:8s} {med:9.3f} {min(v):8.3f} {med / one:6.2f}x {med / b:7.3f}")
        if k == "products" and "step" in kinds:
            rest = statistics.median(times[(f, b, "step")]) - med
            print(f"{'':44s} {b:2d} {'the rest':8s} {rest:9.3f}")


if __name__ == "__main__":
    main()
