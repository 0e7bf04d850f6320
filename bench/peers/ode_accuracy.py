"""The references of bench/peers/ode-accuracy.mjs: reads a JSON list of problems on stdin (an MLP
vector field as NeuralODE describes it: widths, activation, timeInput, inputMap, params by
state_dict name; h0; times) and writes, per problem:
  - "reference": SciPy's solve_ivp DOP853 at rtol 1e-12, atol 1e-14 (float64), at every time;
  - "peer": for each requested (rtol, atol), JAX's odeint (Dormand–Prince) in float32, states and
    times, interpolating at the requested times (it does not land on them): the states and its
    evaluations of f.
Run: python3 bench/peers/ode_accuracy.py < problems.json   (jax, jaxlib, scipy: npm run bench:peers)
"""
import json
import sys

import jax
import jax.numpy as jnp
import numpy as np
import scipy
from scipy.integrate import solve_ivp

from ode_jax import Counter, dopri5, field, layers

out = []
for p in json.load(sys.stdin):
    t = np.array(p["times"], dtype=np.float64)
    cube, ti = p["inputMap"] == "cube", p["timeInput"]
    L64 = [(np.asarray(W), np.asarray(b)) for W, b in layers(p["widths"], p["params"], jnp.float64)]
    f64 = field(p["activation"], ti, cube)
    ref = solve_ivp(lambda tt, y: np.asarray(f64(y, tt, L64)), (t[0], t[-1]), np.array(p["h0"], dtype=np.float64),
                    method="DOP853", t_eval=t, rtol=1e-12, atol=1e-14)
    res = {"name": p["name"], "reference": ref.y.T.tolist(), "referenceEvaluations": int(ref.nfev), "peer": []}
    L32, t32, h32 = layers(p["widths"], p["params"], jnp.float32), jnp.asarray(t, jnp.float32), jnp.asarray(p["h0"], jnp.float32)
    for rtol, atol in p["tolerances"]:
        counter = Counter()
        ys = jax.block_until_ready(dopri5(field(p["activation"], ti, cube, counter), h32, t32, L32, rtol, atol, bool(t[-1] < t[0])))
        res["peer"].append({"rtol": rtol, "atol": atol, "states": np.asarray(ys, np.float64).tolist(), "evaluations": counter.n})
    out.append(res)
sys.stdout.write(json.dumps({"peer": f"JAX {jax.__version__}", "scipy": scipy.__version__, "results": out}))
