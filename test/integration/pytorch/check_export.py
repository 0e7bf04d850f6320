# The exported modules against the values the test computed with recurrent-wasm (pytorch.test.ts):
# for each case of the manifest (argv[1]) this loads the case's model.py and model.safetensors,
# runs forward in eval mode, then the loss and autograd in train mode, and prints the values
# (predictions, loss, every parameter's gradient) as one JSON object for the test to compare.
# Cases with "roundtrip" also take one Adam step, save() the module and print its predictions and
# weights after the step; cases with "dropout" print forward in train mode twice.
import importlib.util
import json
import os
import sys

import torch


def module_of(directory, i):
    spec = importlib.util.spec_from_file_location("rw_export_%d" % i, os.path.join(directory, "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def flat(t):
    return t.detach().reshape(-1).tolist()


def run(case, i):
    mod = module_of(case["dir"], i)
    net = mod.load(os.path.join(case["dir"], "model.safetensors"))
    tokens = net.tokens
    x = torch.tensor(case["x"], dtype=torch.long if tokens else torch.float32)
    lengths = torch.tensor(case["lengths"], dtype=torch.long)
    classes = torch.tensor(case["classes"]) if "classes" in case else None
    extra = {k: torch.tensor(case[k], dtype=torch.float64 if k == "times" else torch.float32)
             for k in ("mask", "times") if k in case}
    ce = net.loss_kind == "crossentropy"
    target = torch.tensor(case["y"], dtype=torch.long if ce else torch.float32)
    weights = torch.tensor(case["weights"]) if "weights" in case else None
    out = {"version": torch.__version__}
    net.eval()
    with torch.no_grad():
        out["pred"] = flat(net(x, lengths, classes, **extra))
    net.train()
    if case.get("dropout"):
        with torch.no_grad():
            out["train"] = [flat(net(x, lengths, classes, **extra)) for _ in range(2)]
        out["rates"] = [net.input_dropout.p, getattr(net.rnn, "dropout", None), net.readout_dropout.p]
        return out
    net.zero_grad()
    loss = net.loss(net(x, lengths, classes, **extra), target, lengths, weights)
    loss.backward()
    out["loss"] = loss.item()
    out["grads"] = {k: flat(p.grad) if p.grad is not None else [0.0] * p.numel() for k, p in net.named_parameters()}
    if case.get("roundtrip"):
        opt = torch.optim.Adam(net.parameters(), lr=0.05)
        opt.step()
        mod.save(net, os.path.join(case["dir"], "trained.safetensors"), {"trainedBy": "pytorch"})
        net.eval()
        with torch.no_grad():
            out["after"] = {"pred": flat(net(x, lengths, classes, **extra)),
                            "state": {k: flat(v) for k, v in net.state_dict().items()}}
    return out


def main():
    cases = json.load(open(sys.argv[1]))
    torch.manual_seed(0)
    print(json.dumps({c["name"]: run(c, i) for i, c in enumerate(cases)}))


main()
