#!/usr/bin/python3
"""PyTorch peer: one training step (forward + BPTT + Adam, Linear(H, 1) readout from the last state,
MSE) and one forward pass (no grad) for a cell and configuration given as JSON on argv, on ONE
thread. Run with Debian's torch (/usr/bin/python3) and OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1;
bench/run.mjs does. Prints {"train": ms, "forward": ms, "samples": n} (medians)."""
import json, sys, time
import torch

torch.set_num_threads(1)
o = json.loads(sys.argv[1])
B, T, I, H = o["B"], o["T"], o["I"], o["H"]
budget = o.get("budget", 8)
torch.manual_seed(1)
rnn = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[o["cell"]](I, H, batch_first=True)
head = torch.nn.Linear(H, 1)
opt = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-4)
x = torch.rand(B, T, I) - 0.5
y = torch.rand(B, 1) - 0.5


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
