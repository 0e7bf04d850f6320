#!/usr/bin/python3
"""torchdiffeq's spiral demo setup (written here from its description; torchdiffeq from
../shared/peers, MIT, never copied), for the README's comparison with examples/ode-spiral.mjs:
dy/dt = y³A, 1000 points on [0, 25], MLP 2-50-tanh-2 on y³ (weights N(0, 0.1²), biases 0),
20 windows of 10 points per iteration, dopri5 at its defaults, L1 loss, RMSprop lr 1e-3. Prints
the whole trajectory's mean |error| every 200 iterations.
Usage: /usr/bin/python3 bench/peers/spiral_demo.py 2000   (Debian python3-torch)"""
import sys, time, torch
import os
sys.path.insert(0, os.environ.get("TORCHDIFFEQ_PATH", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "peers")))
from torchdiffeq import odeint
torch.manual_seed(0); torch.set_num_threads(1)
N, B, W = 1000, 20, 10
t = torch.linspace(0., 25., N); A = torch.tensor([[-0.1, 2.0], [-2.0, -0.1]]); y0 = torch.tensor([[2., 0.]])
class Lam(torch.nn.Module):
    def forward(self, t, y): return torch.mm(y ** 3, A)
with torch.no_grad(): true_y = odeint(Lam(), y0, t, method="dopri5")
class F(torch.nn.Module):
    def __init__(s):
        super().__init__(); s.net = torch.nn.Sequential(torch.nn.Linear(2, 50), torch.nn.Tanh(), torch.nn.Linear(50, 2))
        for m in s.net.modules():
            if isinstance(m, torch.nn.Linear): torch.nn.init.normal_(m.weight, 0, 0.1); torch.nn.init.constant_(m.bias, 0)
    def forward(s, t, y): return s.net(y ** 3)
f = F(); opt = torch.optim.RMSprop(f.parameters(), lr=1e-3)
t0 = time.time()
for it in range(1, int(sys.argv[1]) + 1):
    s = torch.randint(0, N - W, (B,))
    by0 = true_y[s]; bt = t[:W]; by = torch.stack([true_y[s + i] for i in range(W)], 0)
    opt.zero_grad(); pred = odeint(f, by0, bt); loss = torch.mean(torch.abs(pred - by)); loss.backward(); opt.step()
    if it % 200 == 0:
        with torch.no_grad(): print(it, float(torch.mean(torch.abs(odeint(f, y0, t) - true_y))), f"{time.time()-t0:.1f}s", flush=True)
