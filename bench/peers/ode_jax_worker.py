"""JAX as the Neural ODE peer of bench/peers/ode.mjs and ode-adjoint.mjs: reads one JSON command per
line on stdin, answers one JSON line on stdout, so that the Node side can alternate samples (ours,
theirs, ours, ...) in one run. JAX on the CPU, one thread (ode-common.mjs sets XLA_FLAGS); the
iteration (solve + gradient of <states, g>) is jitted once at setup and timed in this process, so
no compilation, process start or pipe is inside a sample. Commands:
  {"cmd": "setup", widths, act, params, B, times, h0, g, method, rtol, atol, substeps, gradient, adjointNorm}
      float32, as ours. dopri5: jax.experimental.ode.odeint, one step size for the whole batch,
      interpolating at the requested times; its gradient is its adjoint (odeint has no other), so
      gradient "backprop" is answered with the adjoint too, and adjointNorm "seminorm" (which
      odeint does not have) with {"error"}. euler, midpoint, rk4 (classic): ode_jax.fixed, autograd
      through the steps.
      -> {"nfe_forward", "nfe_backward" (0: autograd), "gradient": "adjoint" | "autograd",
          "grads": flat (nn.Sequential order), "jax": version}
  {"cmd": "time", "reps": k}   -> {"ms": per-iteration ms of forward + backward}
  {"cmd": "reference", rtol, atol} -> the float64 gradient of the set-up problem, odeint at these
      tolerances with its adjoint: {"grads", "dh0", "nfe"}
  {"cmd": "quit"}
Run: python3 bench/peers/ode_jax_worker.py (started by bench/peers/ode-common.mjs).
"""
import json
import sys
import time

import jax
import jax.numpy as jnp

from ode_jax import TABLEAU, Counter, dopri5, field, fixed, flat, layers

state = {}


def solver(c, f):
    if c["method"] == "dopri5":
        down = c["times"][-1] < c["times"][0]
        return lambda L, h0, t: dopri5(f, h0, t, L, c["rtol"], c["atol"], down)
    return lambda L, h0, t: fixed(f, h0, t, L, c["method"], c["substeps"])


def setup(c):
    if c["method"] == "dopri5" and c.get("adjointNorm") == "seminorm":
        return {"error": "JAX's odeint has no seminorm adjoint"}
    w, B, S = c["widths"], c["B"], len(c["times"])
    L = layers(w, c["params"], jnp.float32)
    h0 = jnp.asarray(c["h0"], jnp.float32).reshape(B, w[-1])
    t = jnp.asarray(c["times"], jnp.float32)
    g = jnp.asarray(c["g"], jnp.float32).reshape(S, B, w[-1])  # [S, B, D], the states' order
    counter = Counter()
    counted, plain = solver(c, field(c["act"], counter=counter)), solver(c, field(c["act"]))

    # the evaluations of each direction, by the counting field (jax.vjp runs the forward at once)
    ys, pullback = jax.vjp(lambda L: counted(L, h0, t), L)
    jax.block_until_ready(ys)
    forward = counter.n
    (grads,) = pullback(g)
    jax.block_until_ready(grads)
    backward = counter.n - forward

    iteration = jax.jit(jax.grad(lambda L: jnp.sum(plain(L, h0, t) * g)))
    jax.block_until_ready(iteration(L))  # compiled here, outside every sample
    state.update(c=c, L=L, h0=h0, t=t, g=g, iteration=iteration)
    adjoint = c["method"] == "dopri5"
    if not adjoint:  # fixed steps: every stage of every step (a callback in a scan body is not counted per step)
        forward = len(TABLEAU[c["method"]][0]) * c["substeps"] * (S - 1)
    return {"ok": True, "nfe_forward": forward, "nfe_backward": backward if adjoint else 0,
            "gradient": "adjoint" if adjoint else "autograd", "grads": flat(grads), "jax": jax.__version__}


def reference(r):
    c = state["c"]
    w = c["widths"]
    L = layers(w, c["params"], jnp.float64)
    h0 = jnp.asarray(c["h0"], jnp.float64).reshape(c["B"], w[-1])
    t = jnp.asarray(c["times"], jnp.float64)
    g = state["g"].astype(jnp.float64)
    counter = Counter()
    f = field(c["act"], counter=counter)
    grads, dh0 = jax.grad(lambda L, h: jnp.sum(dopri5(f, h, t, L, r["rtol"], r["atol"], c["times"][-1] < c["times"][0]) * g), (0, 1))(L, h0)
    return {"grads": flat(grads), "dh0": [float(v) for v in jnp.ravel(dh0)], "nfe": counter.n}


def timed(reps):
    it, L = state["iteration"], state["L"]
    t0 = time.perf_counter()
    for _ in range(reps):
        jax.block_until_ready(it(L))
    return {"ms": (time.perf_counter() - t0) * 1000 / reps}


for line in sys.stdin:
    c = json.loads(line)
    if c["cmd"] == "setup":
        out = setup(c)
    elif c["cmd"] == "reference":
        out = reference(c)
    elif c["cmd"] == "time":
        out = timed(c["reps"])
    else:
        break
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
