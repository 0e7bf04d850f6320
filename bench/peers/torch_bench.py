#!/usr/bin/python3
"""PyTorch peer: one training step (forward + BPTT + Adam, Linear(H, 1) readout from the last state,
MSE) and one forward pass (no grad) for a cell and configuration given as JSON on argv, on ONE
thread. Run with Debian's torch (/usr/bin/python3) and OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1;
bench/run.mjs does. Prints {"train": ms, "forward": ms, "samples": n} (medians)."""
import json, os, sys, time
import torch

torch.set_num_threads(1)
o = json.loads(sys.argv[1])
budget = o.get("budget", 8)
# the model, its training step and forward pass: the same as the alternated peer's
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_worker import setup, state  # noqa: E402

setup(o)
train, forward = state["train"], state["forward"]


def time_it(fn):
    fn()
    s = []
    t0 = time.perf_counter()
    while len(s) < 3 or (len(s) < 30 and time.perf_counter() - t0 < budget):
        a = time.perf_counter()
        fn()
        s.append((time.perf_counter() - a) * 1000)
    s.sort()
    m = len(s) // 2
    return (s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2), len(s)


tr, n = time_it(train)
fw, _ = time_it(forward)
print(json.dumps({"train": tr, "forward": fw, "samples": n, "torch": torch.__version__, "threads": torch.get_num_threads()}))
