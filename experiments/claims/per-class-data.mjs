// The per-class initial-state comparison (data and models): experiment 5 (per-class-h0.mjs here)
// and examples/per-class-h0.mjs, which tells the story, both run it.
import { Model, Rng } from "../../dist/index.js";

export const K = 4, G = 3;
export function makeData(n, seed) {
  const rng = new Rng(seed);
  const normal = () => {
    let s = 0;
    for (let i = 0; i < 12; i++) s += rng.uniform();
    return s - 6;
  };
  // class start states (fixed across data sets) and one shared linear dynamics x' = A x
  const starts = [[1.5, -1, 0.5], [-1.5, 1, 0.5], [0.5, 1.5, -1], [-0.5, -1.5, -1]];
  const c = Math.cos(0.35), s = Math.sin(0.35), damp = 0.97;
  const A = [[damp * c, -damp * s, 0], [damp * s, damp * c, 0], [0.1, 0, 0.9]];
  const x = [], y = [], classes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % K, T = 10 + rng.int(21);
    classes[i] = k;
    let st = starts[k].map((v) => v + 0.1 * normal());
    const xi = new Float32Array(T), yi = new Float32Array(T * G);
    for (let t = 0; t < T; t++) {
      xi[t] = t === 0 ? 0 : st[0] + 0.05 * normal(); // nothing observed before the first step
      const nx = A.map((row) => row[0] * st[0] + row[1] * st[1] + row[2] * st[2]);
      yi.set(nx, t * G); // target: the next state, all genes
      st = nx;
    }
    x.push(xi);
    y.push(yi);
  }
  return { x, y, classes };
}

/** Train a GRU tagger with each kind of initial state for the given seeds; test MSE per seed. */
export async function compareInitialStates(seeds = [0, 1, 2], onDone = () => {}) {
  const train = makeData(400, 1), test = makeData(200, 2);
  const rows = [];
  for (const [label, initialState] of [["zeros", "zeros"], ["shared learned h0", "learned"], ["per-class h0", {
    perClass: K,
  }]]) {
    const errs = [];
    for (const seed of seeds) {
      const m = new Model({ cell: "gru", inputSize: 1, hiddenSize: 16, outputSize: G, readout: "sequence", loss: "mse",
        initialState, seed });
      const withClasses = typeof initialState === "object";
      const tr = withClasses ? train : { x: train.x, y: train.y };
      const te = withClasses ? test : { x: test.x, y: test.y };
      await m.fit(tr, { epochs: 40, batchSize: 32, learningRate: 0.01, seed });
      errs.push(m.evaluate(te).loss);
      m.dispose();
    }
    const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
    const sd = Math.sqrt(errs.reduce((a, b) => a + (b - mean) ** 2, 0) / (errs.length - 1));
    rows.push({ label, mean, sd, errs });
    onDone(rows[rows.length - 1]);
  }
  return rows;
}
