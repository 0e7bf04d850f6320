#!/usr/bin/python3
"""The references of bench/peers/ode-accuracy.mjs: reads a JSON list of problems on stdin (an MLP vector
field as NeuralODE describes it: widths, activation, timeInput, inputMap, params by state_dict
name; h0; times) and writes, per problem:
  - "reference": scipy's solve_ivp DOP853 at rtol 1e-12, atol 1e-14 (float64), at every time;
  - "torchdiffeq": for each requested (rtol, atol), torchdiffeq's dopri5 in float32 landing on
    every time (options step_t, as ours does), the states and its evaluations of f.
Debian python3-scipy and python3-torch; torchdiffeq from ../shared/peers (MIT), never copied.
"""
import json, os, sys
import numpy as np
import torch
from scipy.integrate import solve_ivp

torch.set_num_threads(1)
sys.path.insert(0, os.environ.get("TORCHDIFFEQ_PATH", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "peers")))
from torchdiffeq import odeint  # noqa: E402

ACT = {"tanh": np.tanh, "relu": lambda x: np.maximum(x, 0), "softplus": lambda x: np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20))))}
TACT = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "softplus": torch.nn.Softplus}


def layers(p):
    w = p["widths"]
    return [(np.array(p["params"][f"net.{2 * l}.weight"], dtype=np.float64).reshape(w[l + 1], w[l]),
             np.array(p["params"][f"net.{2 * l}.bias"], dtype=np.float64)) for l in range(len(w) - 1)]


def field64(p):
    L, act, cube, ti = layers(p), ACT[p["activation"]], p["inputMap"] == "cube", p["timeInput"]

    def f(t, y):
        x = y ** 3 if cube else y
        if ti:
            x = np.concatenate([x, [t]])
        for i, (W, b) in enumerate(L):
            x = W @ x + b
            if i < len(L) - 1:
                x = act(x)
        return x
    return f


class Field32(torch.nn.Module):
    def __init__(self, p):
        super().__init__()
        w, mods = p["widths"], []
        for l, (W, b) in enumerate(layers(p)):
            lin = torch.nn.Linear(w[l], w[l + 1])
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(W, dtype=torch.float32))
                lin.bias.copy_(torch.tensor(b, dtype=torch.float32))
            mods.append(lin)
            if l < len(w) - 2:
                mods.append(TACT[p["activation"]]())
        self.net, self.cube, self.ti, self.nfe = torch.nn.Sequential(*mods), p["inputMap"] == "cube", p["timeInput"], 0

    def forward(self, t, y):
        self.nfe += 1
        x = y ** 3 if self.cube else y
        if self.ti:
            x = torch.cat([x, t.reshape(1, 1).expand(y.shape[0], 1).to(y.dtype)], 1)
        return self.net(x)


out = []
for p in json.load(sys.stdin):
    t = np.array(p["times"], dtype=np.float64)
    ref = solve_ivp(field64(p), (t[0], t[-1]), np.array(p["h0"], dtype=np.float64), method="DOP853", t_eval=t, rtol=1e-12, atol=1e-14)
    res = {"name": p["name"], "reference": ref.y.T.tolist(), "referenceEvaluations": int(ref.nfev), "torchdiffeq": []}
    f = Field32(p)
    tt = torch.tensor(t, dtype=torch.float32)
    for rtol, atol in p["tolerances"]:
        f.nfe = 0
        with torch.no_grad():
            ys = odeint(f, torch.tensor([p["h0"]], dtype=torch.float32), tt, method="dopri5", rtol=rtol, atol=atol, options={"step_t": tt})
        res["torchdiffeq"].append({"rtol": rtol, "atol": atol, "states": ys[:, 0, :].double().tolist(), "evaluations": f.nfe})
    out.append(res)
sys.stdout.write(json.dumps({"torch": torch.__version__, "results": out}))
