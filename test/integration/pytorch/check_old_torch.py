# The exported model.py under an older torch without the safetensors package (Debian's
# python3-torch 1.13 at /usr/bin/python3): for each case of the manifest (argv[1]) this reads the
# model file with the few lines of the safetensors format below, builds the module from the file's
# config, runs forward in eval mode and one backward pass, and prints the predictions as JSON.
import importlib.util
import json
import os
import struct
import sys

import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = bytearray(raw[8 + n:])
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", t["dtype"]
        a, b = t["data_offsets"]
        tensors[name] = torch.frombuffer(body[a:b], dtype=torch.float32).reshape(t["shape"]).clone()
    return tensors, metadata


def run(case, i):
    spec = importlib.util.spec_from_file_location("rw_old_%d" % i, os.path.join(case["dir"], "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    tensors, metadata = read_safetensors(os.path.join(case["dir"], "model.safetensors"))
    net = mod.RecurrentModel(metadata["config"])
    net.load_state_dict(tensors, strict=True)
    x = torch.tensor(case["x"], dtype=torch.long if net.tokens else torch.float32)
    lengths = torch.tensor(case["lengths"], dtype=torch.long)
    classes = torch.tensor(case["classes"]) if "classes" in case else None
    extra = {k: torch.tensor(case[k], dtype=torch.float64 if k == "times" else torch.float32)
             for k in ("mask", "times") if k in case}
    net.eval()
    pred = net(x, lengths, classes, **extra)
    pred.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    return pred.detach().reshape(-1).tolist()


def main():
    cases = json.load(open(sys.argv[1]))
    print(json.dumps({"version": torch.__version__, "pred": {c["name"]: run(c, i) for i, c in enumerate(cases)}}))


main()
