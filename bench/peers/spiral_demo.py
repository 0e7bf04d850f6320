"""The setup of the spiral demo that torchdiffeq (the earlier ODE reference) ships, written here
from its description, in JAX, for the README's comparison with examples/ode-spiral.mjs:
dy/dt = y³A, 1000 points on [0, 25], MLP 2-50-tanh-2 on y³ (weights N(0, 0.1²), biases 0), 20
windows of 10 points per iteration, dopri5 (JAX's odeint at rtol 1e-7, atol 1e-9, the demo's solver defaults), L1 loss, RMSprop lr 1e-3
(PyTorch's: alpha 0.99, eps 1e-8). Prints the whole trajectory's mean |error| every 200 iterations.
Usage: python3 bench/peers/spiral_demo.py 2000   (jax, jaxlib: npm run bench:peers)"""
import sys
import time

import jax
import jax.numpy as jnp

from ode_jax import dopri5, field

N, B, W, RTOL, ATOL = 1000, 20, 10, 1e-7, 1e-9
t = jnp.linspace(0.0, 25.0, N, dtype=jnp.float32)
A = jnp.array([[-0.1, 2.0], [-2.0, -0.1]], jnp.float32)
y0 = jnp.array([[2.0, 0.0]], jnp.float32)
true_y = dopri5(lambda y, tt, A: (y ** 3) @ A, y0, t, A, RTOL, ATOL)  # [N, 1, 2]
f = field("tanh", cube=True)
k1, k2, key = jax.random.split(jax.random.PRNGKey(0), 3)
L = [(0.1 * jax.random.normal(k1, (50, 2), jnp.float32), jnp.zeros(50, jnp.float32)),
     (0.1 * jax.random.normal(k2, (2, 50), jnp.float32), jnp.zeros(2, jnp.float32))]
v = jax.tree_util.tree_map(jnp.zeros_like, L)


@jax.jit
def step(L, v, s):
    by0 = true_y[s, 0]                                    # [B, 2]
    by = jnp.stack([true_y[s + i, 0] for i in range(W)])  # [W, B, 2]
    loss, g = jax.value_and_grad(lambda L: jnp.mean(jnp.abs(dopri5(f, by0, t[:W], L, RTOL, ATOL) - by)))(L)
    v = jax.tree_util.tree_map(lambda v, g: 0.99 * v + 0.01 * g * g, v, g)
    L = jax.tree_util.tree_map(lambda p, g, v: p - 1e-3 * g / (jnp.sqrt(v) + 1e-8), L, g, v)
    return L, v, loss


t0 = time.time()
for it in range(1, int(sys.argv[1]) + 1):
    key, k = jax.random.split(key)
    L, v, _ = step(L, v, jax.random.randint(k, (B,), 0, N - W))
    if it % 200 == 0:
        err = jnp.mean(jnp.abs(dopri5(f, y0, t, L, RTOL, ATOL) - true_y))
        print(it, float(err), f"{time.time() - t0:.1f}s", flush=True)
