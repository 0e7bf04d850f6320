#!/usr/bin/python3
"""A persistent torchdiffeq peer for bench/peers/ode.mjs: reads one JSON command per line on stdin,
answers one JSON line on stdout, so that the Node side can alternate samples (ours, theirs, ours,
...) in one run. PyTorch on one thread; torchdiffeq's source from ../shared/peers (MIT), never
copied into the project. Commands:
  {"cmd": "setup", widths, act, params, B, times, h0, g, method, rtol, atol, substeps, gradient}
      gradient "backprop" (odeint + autograd) or "adjoint" (odeint_adjoint, its default norm, or
      "seminorm" with adjointNorm) -> {"nfe_forward", "nfe_backward", "grads": flat, "torch"}
  {"cmd": "time", "reps": k}   -> {"ms": per-iteration ms of forward + backward}
  {"cmd": "reference", rtol, atol} -> the float64 gradient of the set-up problem (dopri5 at these
      tolerances, autograd): {"grads": flat parameter gradient (nn.Sequential order), "dh0": flat}
  {"cmd": "quit"}
"""
import copy, json, os, sys, time
import torch

torch.set_num_threads(1)
sys.path.insert(0, os.environ.get("TORCHDIFFEQ_PATH", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "peers")))
from torchdiffeq import odeint, odeint_adjoint  # noqa: E402

ACTS = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "softplus": torch.nn.Softplus}
state = {}


class Func(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.nfe = 0

    def forward(self, t, y):
        self.nfe += 1
        return self.net(y)


def setup(c):
    w = c["widths"]
    mods = []
    for l in range(len(w) - 1):
        mods.append(torch.nn.Linear(w[l], w[l + 1]))
        if l < len(w) - 2:
            mods.append(ACTS[c["act"]]())
    net = torch.nn.Sequential(*mods)
    net.load_state_dict({k[4:]: torch.tensor(v, dtype=torch.float32).reshape(net.state_dict()[k[4:]].shape) for k, v in c["params"].items()})
    B, D = c["B"], w[-1]
    state["func"] = Func(net)
    state["h0"] = torch.tensor(c["h0"], dtype=torch.float32).reshape(B, D)
    state["t"] = torch.tensor(c["times"], dtype=torch.float32)
    state["t64"] = torch.tensor(c["times"], dtype=torch.float64)
    state["g"] = torch.tensor(c["g"], dtype=torch.float32).reshape(len(c["times"]), B, D)
    kw = {"method": c["method"]}
    if c["method"] == "dopri5":
        kw.update(rtol=c["rtol"], atol=c["atol"])
    else:
        kw["options"] = {"step_size": float((state["t"][1] - state["t"][0]).item()) / c["substeps"]}
    if c.get("gradient") == "adjoint":
        state["solve"] = odeint_adjoint
        if c.get("adjointNorm") == "seminorm":
            kw["adjoint_options"] = {"norm": "seminorm"}
    else:
        state["solve"] = odeint
    state["kw"] = kw
    f = state["func"]
    f.nfe = 0
    f.zero_grad()
    ys = state["solve"](f, state["h0"], state["t"], **kw)
    fwd = f.nfe
    f.nfe = 0
    (ys * state["g"]).sum().backward()
    grads = torch.cat([p.grad.reshape(-1) for p in f.net.parameters()]).tolist()
    return {"ok": True, "nfe_forward": fwd, "nfe_backward": f.nfe, "grads": grads, "torch": torch.__version__}


def reference(c):
    f = Func(copy.deepcopy(state["func"].net).double())
    h0 = state["h0"].double().requires_grad_(True)
    ys = odeint(f, h0, state["t64"], method="dopri5", rtol=c["rtol"], atol=c["atol"])
    (ys * state["g"].double()).sum().backward()
    return {"grads": torch.cat([p.grad.reshape(-1) for p in f.net.parameters()]).tolist(), "dh0": h0.grad.reshape(-1).tolist(), "nfe": f.nfe}


def iteration():
    f = state["func"]
    f.zero_grad()
    ys = state["solve"](f, state["h0"], state["t"], **state["kw"])
    (ys * state["g"]).sum().backward()


for line in sys.stdin:
    c = json.loads(line)
    if c["cmd"] == "setup":
        out = setup(c)
    elif c["cmd"] == "reference":
        out = reference(c)
    elif c["cmd"] == "time":
        t0 = time.perf_counter()
        for _ in range(c["reps"]):
            iteration()
        out = {"ms": (time.perf_counter() - t0) * 1000 / c["reps"]}
    else:
        break
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
