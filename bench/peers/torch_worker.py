"""PyTorch as a peer process of bench/passes/suites/alternated.mjs (`npm run bench`): reads one JSON
command per line on stdin, answers one JSON line on stdout (the protocol of serve.mjs; a command
that raises answers {"error": message}). Run by any Python with torch: Debian's
(/usr/bin/python3, torch 1.13 + OpenBLAS) or the venv of `npm run bench:peers` (torch 2.x, MKL +
oneDNN). Commands:
  {"cmd": "info"}                                   -> {"version", "threads", "mkldnn"}
  {"cmd": "threads", "n": k}                        -> torch.set_num_threads(k)
  {"cmd": "setup", "cell", "B", "T", "I", "H"}      -> builds the model of bench/passes/suites/common.mjs:
        nn.RNN/LSTM/GRU (batch_first) + Linear(H, 1) from the last step, MSE, Adam(lr 1e-4)
  {"cmd": "time", "what": "train"|"forward", "reps": n} -> {"ms": per call over n calls}
  {"cmd": "mm", "n": N, "reps": r}                  -> {"ms", "gflops"}: torch.mm N×N×N
"""
import json
import sys
import time

import torch

state = {}


def setup(o):
    torch.manual_seed(1)
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[o["cell"]]
    rnn = cls(o["I"], o["H"], batch_first=True)
    head = torch.nn.Linear(o["H"], 1)
    opt = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-4)
    x = torch.rand(o["B"], o["T"], o["I"]) - 0.5
    y = torch.rand(o["B"], 1) - 0.5

    def train():
        opt.zero_grad()
        out, _ = rnn(x)
        loss = torch.nn.functional.mse_loss(head(out[:, -1]), y)
        loss.backward()
        opt.step()

    def forward():
        with torch.no_grad():
            out, _ = rnn(x)
            head(out[:, -1])

    state.update(train=train, forward=forward)
    train()
    forward()


def per_call(fn, reps):
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) * 1000 / reps


def command(o):
    cmd = o["cmd"]
    if cmd == "info":
        return {"version": torch.__version__, "threads": torch.get_num_threads(), "mkldnn": torch.backends.mkldnn.is_available()}
    if cmd == "threads":
        torch.set_num_threads(o["n"])
        return {"threads": torch.get_num_threads()}
    if cmd == "setup":
        setup(o)
        return {"ok": True}
    if cmd == "time":
        return {"ms": per_call(state[o["what"]], o["reps"])}
    if cmd == "mm":
        n = o["n"]
        a, b = torch.rand(n, n), torch.rand(n, n)
        torch.mm(a, b)
        ms = per_call(lambda: torch.mm(a, b), o["reps"])
        return {"ms": ms, "gflops": 2 * n ** 3 / (ms * 1e6)}
    raise ValueError(f"unknown command {cmd}")


def main():
    for line in sys.stdin:
        o = json.loads(line)
        try:
            r = command(o)
        except Exception as e:  # answered, not fatal: the bench records it for this row
            r = {"error": f"{type(e).__name__}: {e}".split("\n")[0]}
        sys.stdout.write(json.dumps(r) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
