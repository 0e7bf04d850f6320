#!/usr/bin/env node
// The Neural ODE paper's demo, as torchdiffeq's examples/ode_demo.py sets it up: learn the spiral
// dy/dt = (y³)·A, A = [[−0.1, 2], [−2, −0.1]], y(0) = [2, 0], from 1000 points on t ∈ [0, 25].
// Each iteration takes 20 random windows of 10 consecutive points, solves the model from each
// window's first point over the window's times and follows the mean |error| (L1); the model is
// an MLP 2→50→tanh→2 on y³ (inputMap "cube"; weights N(0, 0.1²), biases 0, as the demo), dopri5
// at torchdiffeq's default tolerances, trained with Adam (the demo uses RMSprop, lr 1e-3). The
// true trajectory is solved by the same library with the true field (one Linear layer on y³).
// Prints one line per evaluation to stderr and the result to stdout:
//   spiral: test trajectory mean |error| … over 1000 points (t 0..25), after N iterations, … s
// and draws reports/ode-spiral.svg (true and learned spirals).
// Usage: npm run example:spiral [-- --iterations 2000 --seed 0 --lr 0.001 --no-plot]
import { Adam, NeuralODE, Rng, init } from "../dist/index.js";
import { numberArg } from "./args.mjs";

const opt = numberArg;
const ITER = opt("iterations", 2000), SEED = opt("seed", 0), LR = opt("lr", 1e-3), EVERY = opt("every", 200);
const PLOT = !process.argv.includes("--no-plot");

await init();
const N = 1000, B = 20, W = 10, T = 25;
const t = Float64Array.from({ length: N }, (_, i) => (T * i) / (N - 1));
const A = [[-0.1, 2.0], [-2.0, -0.1]];

// the true trajectory: dy_j/dt = Σ_i y_i³ A_ij, i.e. one Linear layer (weight Aᵀ, no bias) on y³
const truth = new NeuralODE({ stateSize: 2, hidden: [], inputMap: "cube", rtol: 1e-7, atol: 1e-9 });
truth.loadStateDict({ "net.0.weight": Float32Array.of(A[0][0], A[1][0], A[0][1], A[1][1]),
  "net.0.bias": Float32Array.of(0, 0) });
const trueY = truth.forward(Float32Array.of(2, 0), t, { batch: 1 }).states; // [N, 2]
truth.dispose();

const model = new NeuralODE({ stateSize: 2, hidden: [50], activation: "tanh", inputMap: "cube", rtol: 1e-7, atol: 1e-9,
  seed: SEED });
// the demo's initialization: weights N(0, 0.1²), biases 0
const initRng = new Rng(SEED + 7), sd = model.stateDict();
for (const k in sd) sd[k] = sd[k].map(() => (k.endsWith("weight") ? 0.1 * initRng.normal() : 0));
model.loadStateDict(sd);
const adam = new Adam({ learningRate: LR });
const rng = new Rng(SEED + 1);
const wt = t.slice(0, W), h0 = new Float32Array(B * 2), target = new Float32Array(B * W * 2),
  g = new Float32Array(B * W * 2);

/** The model's whole trajectory from y(0) and its mean |error| against the truth. */
function testError() {
  const y = model.forward(Float32Array.of(2, 0), t, { batch: 1 }).states;
  let e = 0;
  for (let i = 0; i < 2 * N; i++) e += Math.abs(y[i] - trueY[i]);
  return { y, err: e / (2 * N) };
}

const t0 = performance.now();
let nfe = 0, last = testError();
console.error(`spiral: iteration 0: test mean |error| ${last.err.toFixed(4)}`);
for (let it = 1; it <= ITER; it++) {
  for (let b = 0; b < B; b++) {
    const s = rng.int(N - W);
    h0[2 * b] = trueY[2 * s];
    h0[2 * b + 1] = trueY[2 * s + 1];
    target.set(trueY.subarray(2 * s, 2 * (s + W)), b * W * 2);
  }
  const { states, stats } = model.forward(h0, wt, { batch: B });
  nfe += stats.nfe;
  // L1 loss, mean over B·W·2 values: ∂L/∂pred = sign(pred − y)/n
  for (let i = 0; i < g.length; i++) g[i] = Math.sign(states[i] - target[i]) / g.length;
  model.zeroGrad();
  model.backward({ states: g });
  // cosine decay of the learning rate to 0 over the run (the L1 loss's sign gradients keep Adam's
  // steps at full size otherwise, and the test error jumps between 0.07 and 0.35 late in a run)
  adam.learningRate = LR * 0.5 * (1 + Math.cos((Math.PI * (it - 1)) / ITER));
  adam.step(model);
  if (it % EVERY === 0 || it === ITER) {
    last = testError();
    console.error(
      `spiral: iteration ${it}: test mean |error| ${last.err.toFixed(4)} (${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s)`,
    );
  }
}
const seconds = (performance.now() - t0) / 1000;
let scale = 0;
for (let i = 0; i < 2 * N; i++) scale += Math.abs(trueY[i]);
console.log(
  `spiral: test trajectory mean |error| ${last.err.toFixed(4)} over ${N} points (t 0..${T}; the truth's mean |y| is ${
    (scale / (2 * N)).toFixed(3)
  }), after ${ITER} iterations of ${B} windows × ${W} points, ${
    (nfe / Math.max(1, ITER)).toFixed(0)
  } evaluations per forward solve, ${seconds.toFixed(1)} s`,
);

if (PLOT) {
  const { reportWriter } = await import("../experiments/report.mjs");
  const rows = [];
  for (let i = 0; i < N; i++) {
    rows.push({ x: trueY[2 * i], y: trueY[2 * i + 1], i, curve: "true (dy/dt = y³A)" });
    rows.push({ x: last.y[2 * i], y: last.y[2 * i + 1], i,
      curve: `learned (MLP on y³), mean |error| ${last.err.toFixed(3)}` });
  }
  await reportWriter(new URL("../reports/", import.meta.url)).plot("ode-spiral", {
    title: `Neural ODE spiral (torchdiffeq's demo): ${ITER} iterations`,
    width: 360,
    height: 360,
    data: { values: rows },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: { x: { field: "x", type: "quantitative", title: "y₁" },
      y: { field: "y", type: "quantitative", title: "y₂" }, order: { field: "i" },
      color: { field: "curve", type: "nominal", title: null, legend: { orient: "bottom" } } },
  });
  console.error("spiral: wrote reports/ode-spiral.svg");
}
model.dispose();
adam.dispose?.();
