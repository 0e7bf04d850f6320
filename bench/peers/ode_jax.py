"""What the JAX side of the Neural ODE benchmarks shares (bench/peers/ode_jax_worker.py,
ode_accuracy.py, spiral_demo.py): the MLP vector field as NeuralODE describes it, JAX's adaptive
Dormand–Prince solver in either direction of time, the fixed-step schemes, and a counter of
evaluations of f.

JAX (jax, jaxlib 0.10.x) from the package index: `npm run bench:peers` installs it into
bench/peers/.venv, or `python3 -m pip install jax jaxlib scipy`. float64 is enabled here
(`jax_enable_x64`); arrays given in float32 stay float32.
"""
import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from jax.experimental.ode import odeint  # noqa: E402

ACTS = {
    "tanh": jnp.tanh,
    "relu": jax.nn.relu,
    # PyTorch's Softplus (beta 1, threshold 20), as NeuralODE computes it
    "softplus": lambda x: jnp.where(x > 20, x, jnp.log1p(jnp.exp(jnp.minimum(x, 20)))),
}


class Counter:
    """Evaluations of f, counted as they run (jitted code included) through jax.debug.callback."""

    def __init__(self):
        self.n = 0

    def tick(self):
        self.n += 1


def layers(widths, params, dtype):
    """[(W, b)] from a state_dict-style {"net.0.weight": flat, ...} (nn.Sequential names)."""
    return [(jnp.asarray(params[f"net.{2 * l}.weight"], dtype).reshape(widths[l + 1], widths[l]),
             jnp.asarray(params[f"net.{2 * l}.bias"], dtype)) for l in range(len(widths) - 1)]


def flat(tree):
    """A list of (W, b) as one flat list of floats, in nn.Sequential's parameter order."""
    return [float(v) for W, b in tree for v in list(jnp.ravel(W)) + list(jnp.ravel(b))]


def field(act, time_input=False, cube=False, counter=None):
    """f(y, t, layers) for y [..., D]: the MLP on y (or y³), with t as a last input when time_input."""
    a = ACTS[act]

    def f(y, t, L):
        if counter is not None:
            jax.debug.callback(counter.tick)
        x = y ** 3 if cube else y
        if time_input:
            x = jnp.concatenate([x, jnp.broadcast_to(jnp.asarray(t, x.dtype), x.shape[:-1] + (1,))], -1)
        for i, (W, b) in enumerate(L):
            x = x @ W.T + b
            if i < len(L) - 1:
                x = a(x)
        return x
    return f


def dopri5(f, y0, t, L, rtol, atol, decreasing=False):
    """JAX's odeint (adaptive Dormand–Prince, interpolating at the requested times, gradient by its
    adjoint) at times t in either direction: odeint wants them increasing, so decreasing times are
    solved as s = −t with dy/ds = −f(−s, y) (`decreasing` is given, since t may be traced). States
    [S, ...]."""
    if not decreasing:
        return odeint(f, y0, t, L, rtol=rtol, atol=atol)
    return odeint(lambda y, s, L: -f(y, -s, L), y0, -t, L, rtol=rtol, atol=atol)


TABLEAU = {  # c, b, a of the explicit schemes NeuralODE has (rk4: the classic one)
    "euler": ([0.0], [1.0], [[]]),
    "midpoint": ([0.0, 0.5], [0.0, 1.0], [[], [0.5]]),
    "rk4": ([0.0, 0.5, 0.5, 1.0], [1 / 6, 1 / 3, 1 / 3, 1 / 6], [[], [0.5], [0.0, 0.5], [0.0, 0.0, 1.0]]),
}


def fixed(f, y0, t, L, method, substeps):
    """A fixed-step solve on one shared grid t [S]: `substeps` equal steps per interval. States [S, ...]."""
    c, b, a = TABLEAU[method]

    def interval(h, i):
        dt = (t[i + 1] - t[i]) / substeps
        for j in range(substeps):
            t0 = t[i] + j * dt
            k = []
            for s in range(len(c)):
                y = h
                for m, am in enumerate(a[s]):
                    if am:
                        y = y + (dt * am) * k[m]
                k.append(f(y, t0 + c[s] * dt, L))
            for s in range(len(c)):
                if b[s]:
                    h = h + (dt * b[s]) * k[s]
        return h, h

    _, ys = jax.lax.scan(interval, y0, jnp.arange(len(t) - 1))
    return jnp.concatenate([y0[None], ys])
