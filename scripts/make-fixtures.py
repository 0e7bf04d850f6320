#!/usr/bin/python3
"""Write PyTorch reference cases to test/fixtures/*.json (committed; CI does not need torch).

Run with Debian's torch:  /usr/bin/python3 scripts/make-fixtures.py   (npm run fixtures)

Every case is computed in float64 from inputs that are first rounded to float32, so the tests
compare our f32 results with the exact answer for the same f32 inputs.
"""
import json, os, sys
import torch

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")
os.makedirs(OUT, exist_ok=True)


def f32(t):
    """Round to float32, compute in float64."""
    return t.float().double()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def rnn_case(name, nonlinearity, L, bidir, B=3, T=5, I=4, H=6, lengths=(5, 3, 1)):
    D = 2 if bidir else 1
    rnn = torch.nn.RNN(I, H, num_layers=L, nonlinearity=nonlinearity, bidirectional=bidir, batch_first=True).double()
    with torch.no_grad():
        for p in rnn.parameters():
            p.copy_(f32(torch.empty_like(p).uniform_(-0.6, 0.6)))
    x = f32(torch.randn(B, T, I)).requires_grad_()
    h0 = f32(0.5 * torch.randn(L * D, B, H)).requires_grad_()
    lens = torch.tensor(lengths, dtype=torch.int64)
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
    out_p, hn = rnn(packed, h0)
    out, _ = torch.nn.utils.rnn.pad_packed_sequence(out_p, batch_first=True, total_length=T)
    g_out = f32(torch.randn(B, T, D * H))
    g_hn = f32(torch.randn(L * D, B, H))
    loss = (out * g_out).sum() + (hn * g_hn).sum()
    loss.backward()
    case = {
        "name": name, "nonlinearity": nonlinearity, "numLayers": L, "bidirectional": bidir,
        "B": B, "T": T, "I": I, "H": H, "lengths": list(lengths),
        "params": {k: flat(v) for k, v in rnn.state_dict().items()},
        "x": flat(x), "h0": flat(h0), "output": flat(out), "hN": flat(hn),
        "gOutput": flat(g_out), "gHN": flat(g_hn),
        "grads": {k: flat(p.grad) for k, p in rnn.named_parameters()},
        "dx": flat(x.grad), "dh0": flat(h0.grad),
    }
    return case


def truncated_case(name, L, bidir, k, B=3, T=9, I=3, H=5, lengths=(9, 7, 4)):
    """Truncated BPTT(k) by its definition: each direction runs step by step in its own step order
    (reverse: from the sequence's own last step), and the state is detached before step s when
    (len - s) % k == 0. Loss: <output, gOut> + <h_n, gH>."""
    D = 2 if bidir else 1
    ref = torch.nn.RNN(I, H, num_layers=L, bidirectional=bidir, batch_first=True).double()
    with torch.no_grad():
        for p in ref.parameters():
            p.copy_(f32(torch.empty_like(p).uniform_(-0.7, 0.7)))
    P = dict(ref.named_parameters())
    x = f32(torch.randn(B, T, I)).requires_grad_()
    h0 = f32(0.5 * torch.randn(L * D, B, H)).requires_grad_()
    layer_in = [x[b] for b in range(B)]  # per sequence [T, In]
    hn = [[None] * B for _ in range(L * D)]
    for l in range(L):
        outs = []
        for b in range(B):
            n = lengths[b]
            dirs = []
            for d in range(D):
                sfx = f"_l{l}" + ("_reverse" if d else "")
                w_ih, w_hh, b_ih, b_hh = (P["weight_ih" + sfx], P["weight_hh" + sfx], P["bias_ih" + sfx], P["bias_hh" + sfx])
                h = h0[l * D + d, b]
                ys = [None] * T
                for s in range(n):
                    if (n - s) % k == 0:
                        h = h.detach()
                    t = n - 1 - s if d else s
                    h = torch.tanh(w_ih @ layer_in[b][t] + b_ih + w_hh @ h + b_hh)
                    ys[t] = h
                for t in range(n, T):
                    ys[t] = torch.zeros(H, dtype=torch.float64)
                hn[l * D + d][b] = h
                dirs.append(torch.stack(ys))
            outs.append(torch.cat(dirs, dim=1))
        layer_in = outs
    out = torch.stack(layer_in)
    hN = torch.stack([torch.stack(r) for r in hn])
    g_out = f32(torch.randn(B, T, D * H))
    g_hn = f32(torch.randn(L * D, B, H))
    ((out * g_out).sum() + (hN * g_hn).sum()).backward()
    # and the final-state-only loss, for the exact-zero property
    x2 = x.detach().clone().requires_grad_()
    return {
        "name": name, "nonlinearity": "tanh", "numLayers": L, "bidirectional": bidir, "truncate": k,
        "B": B, "T": T, "I": I, "H": H, "lengths": list(lengths),
        "params": {kk: flat(v) for kk, v in ref.state_dict().items()},
        "x": flat(x), "h0": flat(h0), "output": flat(out), "hN": flat(hN),
        "gOutput": flat(g_out), "gHN": flat(g_hn),
        "grads": {kk: flat(p.grad) for kk, p in ref.named_parameters()},
        "dx": flat(x.grad), "dh0": flat(h0.grad),
    }


def optim_cases():
    n = 37
    p0 = torch.randn(n).float()
    grads = [torch.randn(n).float() for _ in range(3)]
    cases = {"n": n, "p0": flat(p0), "grads": [flat(g) for g in grads]}
    for label, make in [
        ("adam", lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
        ("adam_wd", lambda ps: torch.optim.Adam(ps, lr=0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
        ("sgd_momentum", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
        ("sgd_nesterov_wd", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ]:
        p = torch.nn.Parameter(p0.clone())
        opt = make([p])
        steps = []
        for g in grads:
            p.grad = g.clone()
            opt.step()
            steps.append(flat(p))
        cases[label] = steps
    g = torch.nn.Parameter(torch.zeros(n))
    g.grad = grads[0].clone() * 3
    norm = torch.nn.utils.clip_grad_norm_([g], max_norm=1.5)
    cases["clip"] = {"maxNorm": 1.5, "grad": flat(grads[0] * 3), "norm": float(norm), "clipped": flat(g.grad)}
    return cases


def main():
    cases = []
    for act in ("tanh", "relu"):
        for L in (1, 2):
            for bidir in (False, True):
                cases.append(rnn_case(f"elman_{act}_L{L}_{'bi' if bidir else 'uni'}", act, L, bidir))
    # awkward sizes: H multiple of 8 plus a tail, inputs wider than hidden, every length equal
    cases.append(rnn_case("elman_tanh_L1_uni_H13_I9", "tanh", 1, False, B=5, T=4, I=9, H=13, lengths=(4, 4, 4, 4, 4)))
    with open(os.path.join(OUT, "elman.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
    trunc = [truncated_case("trunc_k3_L1_uni", 1, False, 3), truncated_case("trunc_k2_L2_bi", 2, True, 2),
             truncated_case("trunc_k4_L1_bi", 1, True, 4)]
    with open(os.path.join(OUT, "elman-truncated.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": trunc}, f)
    with open(os.path.join(OUT, "optim.json"), "w") as f:
        json.dump({"torch": torch.__version__, **optim_cases()}, f)
    print("wrote", OUT, file=sys.stderr)


main()
