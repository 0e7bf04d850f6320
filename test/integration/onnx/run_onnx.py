"""Runs the ONNX models that test/integration/onnx.test.ts wrote, in one process.

usage: python3 run_onnx.py MANIFEST.json  (prints one JSON object to stdout)

For every entry of manifest["run"]: onnx.checker.check_model(full_check=True), then an
onnxruntime InferenceSession (CPU) on the given inputs, the output "y" written as raw float32.
For every entry of manifest["parse"]: onnx's parser reads the bytes, and writing the parsed
message back gives the same bytes; with "expect", the parsed graph's nodes and initializers are
compared with the values the writer was given; without it, the metadata_props are returned. Every failure is reported by name, never raised.
"""
import json
import math
import sys
import traceback

import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper
import onnxruntime as ort

DTYPES = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64}


def run_case(case):
    with open(case["model"], "rb") as f:
        data = f.read()
    model = onnx.load_from_string(data)
    onnx.checker.check_model(model, full_check=True)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
    feeds = {}
    for name, spec in case["inputs"].items():
        arr = np.fromfile(spec["file"], dtype=DTYPES[spec["dtype"]]).reshape(spec["shape"])
        feeds[name] = arr
    (y,) = sess.run(["y"], feeds)
    y = np.ascontiguousarray(y, dtype=np.float32)
    y.tofile(case["output"])
    return {"shape": list(y.shape), "opset": model.opset_import[0].version}


def same_float(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def compare_attr(node, want):
    got = {a.name: a for a in node.attribute}
    if sorted(got) != sorted(w["name"] for w in want):
        return f"node {node.name}: attributes {sorted(got)} != {sorted(w['name'] for w in want)}"
    for w in want:
        v = onnx.helper.get_attribute_value(got[w["name"]])
        if "i" in w and v != w["i"]:
            return f"node {node.name} attribute {w['name']}: {v} != {w['i']}"
        if "f" in w and not same_float(v, w["f"]):
            return f"node {node.name} attribute {w['name']}: {v} != {w['f']}"
        if "s" in w and v.decode("utf-8") != w["s"]:
            return f"node {node.name} attribute {w['name']}: {v!r} != {w['s']!r}"
        if "ints" in w and list(v) != w["ints"]:
            return f"node {node.name} attribute {w['name']}: {list(v)} != {w['ints']}"
        if "floats" in w and (len(v) != len(w["floats"]) or not all(map(same_float, v, w["floats"]))):
            return f"node {node.name} attribute {w['name']}: {list(v)} != {w['floats']}"
        if "strings" in w and [s.decode("utf-8") for s in v] != w["strings"]:
            return f"node {node.name} attribute {w['name']}: {v} != {w['strings']}"
    return ""


def parse_case(case):
    with open(case["model"], "rb") as f:
        data = f.read()
    model = onnx.load_from_string(data)
    if model.SerializeToString() != data:
        return {"error": "onnx writes the parsed model back to different bytes"}
    if case.get("check"):
        onnx.checker.check_model(model, full_check=True)
    want = case.get("expect")
    if want is None:
        return {"metadata": {p.key: p.value for p in model.metadata_props}}
    g = model.graph
    if model.ir_version != want["irVersion"] or model.opset_import[0].version != want["opset"]:
        return {"error": f"ir_version {model.ir_version} / opset {model.opset_import[0].version}"}
    if [(p.key, p.value) for p in model.metadata_props] != [tuple(m) for m in want["metadata"]]:
        return {"error": "metadata_props differ"}
    if len(g.node) != len(want["nodes"]):
        return {"error": f"{len(g.node)} nodes, expected {len(want['nodes'])}"}
    for node, w in zip(g.node, want["nodes"]):
        if node.op_type != w["op"] or list(node.input) != w["inputs"] or list(node.output) != w["outputs"]:
            return {"error": f"node {node.name}: {node.op_type} {list(node.input)} -> {list(node.output)}"}
        err = compare_attr(node, w["attributes"])
        if err:
            return {"error": err}
    if len(g.initializer) != len(want["initializers"]):
        return {"error": "initializer count"}
    for t, w in zip(g.initializer, want["initializers"]):
        arr = onnx.numpy_helper.to_array(t)
        if t.name != w["name"] or list(arr.shape) != w["dims"]:
            return {"error": f"initializer {t.name} {list(arr.shape)}"}
        exp = np.array(w["data"], dtype=arr.dtype).reshape(w["dims"])
        if not np.array_equal(arr, exp, equal_nan=True):
            return {"error": f"initializer {t.name}: values differ"}
    for vi, w in zip(list(g.input) + list(g.output), want["inputs"] + want["outputs"]):
        dims = [d.dim_value if d.HasField("dim_value") else d.dim_param for d in vi.type.tensor_type.shape.dim]
        if vi.name != w["name"] or vi.type.tensor_type.elem_type != w["type"] or dims != w["shape"]:
            return {"error": f"value info {vi.name}: {vi.type.tensor_type.elem_type} {dims}"}
    return {}


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    out = {"versions": {"onnx": onnx.__version__, "onnxruntime": ort.__version__}, "run": {}, "parse": {}}
    for kind, fn in (("run", run_case), ("parse", parse_case)):
        for case in manifest.get(kind, []):
            try:
                out[kind][case["name"]] = fn(case)
            except Exception as e:  # reported to the test by name
                out[kind][case["name"]] = {"error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
