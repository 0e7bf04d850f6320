#!/usr/bin/env node
// The cost of one batched evaluation of a Neural ODE's vector field and of its VJP: rk4 solves of
// the spiral shape (B = 20, 10 times, D = 2), forward alone and forward + backprop, each the median
// of bench/tools/timing.mjs samples; per evaluation = time / (4 stages × steps).
// Usage: npm run build && node bench/kernels/ode-eval-cost.mjs
import * as R from "../../dist/index.js";
import { measure } from "../tools/timing.mjs";

await R.init();
const B = 20, S = 10, D = 2;
const times = Float64Array.from({ length: S }, (_, i) => (i * 25) / 999);
const h0 = Float32Array.from({ length: B * D }, (_, i) => Math.sin(i));
const g = new Float32Array(B * S * D).fill(0.1);
for (const [H, substeps] of [[50, 2], [50, 20], [200, 2]]) {
  const ode = new R.NeuralODE({ stateSize: D, hidden: [H], method: "rk4", substeps, seed: 3 });
  const fwd = await measure(() => ode.forward(h0, times, { batch: B }), { maxSeconds: 2 });
  const both = await measure(() => {
    ode.forward(h0, times, { batch: B });
    ode.backward({ states: g });
  }, { maxSeconds: 2 });
  const nfe = 4 * (S - 1) * substeps;
  console.log(
    `B ${B}, hidden ${H}, ${nfe} evaluations: forward ${fwd.ms.toFixed(3)} ms (${
      ((1000 * fwd.ms) / nfe).toFixed(1)
    } µs per evaluation), backprop ${(both.ms - fwd.ms).toFixed(3)} ms (${
      ((1000 * (both.ms - fwd.ms)) / nfe).toFixed(1)
    } µs per VJP)`,
  );
  ode.dispose();
}
