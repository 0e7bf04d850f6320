// Do two builds train bit for bit alike? Each trains the same models (every cell; one layer, two
// bidirectional layers, checkpointed, H = 256; sequences of unequal lengths) for three Adam steps,
// and every parameter is compared bit for bit; then every layer's forward and backward outputs
// (initial states, lengths, truncation, checkpointing) and a Model's gradient flow.
//   node bench/tools/same-bits.mjs /tmp/a .      (directories with dist/index.js, as for bench/tools/ab.mjs)
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
const [A, B] = await Promise.all(process.argv.slice(2, 4).map((d) => import(pathToFileURL(resolve(d, "dist/index.js")).href)));
await A.init(); await B.init();
let s = 1; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
const cases = [];
for (const cell of ["rnn", "lstm", "gru"]) for (const [I, H, L, bi, ck, T] of [[16, 64, 1, false, false, 50], [32, 128, 2, true, false, 30], [5, 20, 1, false, true, 37], [8, 256, 1, false, false, 12]]) cases.push({ cell, I, H, L, bi, ck, T });
let bad = 0;
for (const c of cases) {
  const Bn = 7;
  const data = { x: Array.from({ length: Bn }, (_, b) => Float32Array.from({ length: (c.T - (b % 3)) * c.I }, rnd)), y: Float32Array.from({ length: Bn }, rnd) };
  const sd = [];
  for (const M of [A, B]) {
    const m = new M.Model({ cell: c.cell, inputSize: c.I, hiddenSize: c.H, outputSize: 1, numLayers: c.L, bidirectional: c.bi, checkpoint: c.ck, seed: 3 });
    const opt = new M.Adam({ learningRate: 1e-3 });
    for (let i = 0; i < 3; i++) m.trainBatch(data, opt);
    sd.push(m.stateDict()); m.dispose(); opt.dispose();
  }
  let same = true;
  for (const k of Object.keys(sd[0])) { const a = new Uint32Array(sd[0][k].buffer, sd[0][k].byteOffset, sd[0][k].length), b = new Uint32Array(sd[1][k].buffer, sd[1][k].byteOffset, sd[1][k].length); for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { same = false; break; } }
  if (!same) bad++;
  console.log(JSON.stringify(c), Object.keys(sd[0]).length, "tensors", same ? "bitwise equal" : "DIFFER");
}
// The layers: forward with given initial states and unequal lengths, backward with every upstream
// gradient, truncation, ∂x, ∂h0, ∂c0; and a Model's gradient flow (the per-step ∂L/∂h_t).
const bits = (v) => new Uint32Array(v.buffer, v.byteOffset, v.length);
const equal = (a, b) => a === b || (a && b && a.length === b.length && bits(a).every((w, i) => w === bits(b)[i]));
for (const [cls, opts] of [["RNN", { nonlinearity: "tanh" }], ["RNN", { nonlinearity: "relu" }], ["RNN", { nonlinearity: "linear" }], ["LSTM", {}], ["GRU", {}]]) {
  for (const [L, bi, ck, truncate] of [[1, false, false, 0], [2, true, false, 3], [2, true, true, 0], [1, false, true, 2]]) {
    const Bn = 5, T = 23, I = 6, H = 12, LD = L * (bi ? 2 : 1);
    const x = Float32Array.from({ length: Bn * T * I }, rnd), lengths = Int32Array.from({ length: Bn }, (_, b) => T - 3 * b);
    const h0 = Float32Array.from({ length: LD * Bn * H }, rnd), c0 = Float32Array.from({ length: LD * Bn * H }, rnd);
    const gOut = Float32Array.from({ length: Bn * T * (bi ? 2 : 1) * H }, rnd), gH = Float32Array.from({ length: LD * Bn * H }, rnd);
    const got = [];
    for (const M of [A, B]) {
      const r = new M[cls]({ inputSize: I, hiddenSize: H, numLayers: L, bidirectional: bi, seed: 5, ...opts });
      r.checkpoint = ck;
      const o = r.forward(x, { batch: Bn, steps: T, lengths, h0, ...(cls === "LSTM" ? { c0 } : {}) });
      const g = r.backward({ output: gOut, hN: gH, ...(cls === "LSTM" ? { cN: gH } : {}) }, truncate ? { truncate } : {});
      got.push([o.output, o.hN, o.cN, g.x, g.h0, g.c0, ...Object.values(r.grads())]);
      r.dispose();
    }
    const same = got[0].every((v, i) => equal(v, got[1][i]));
    if (!same) bad++;
    console.log(cls, JSON.stringify({ ...opts, L, bi, ck, truncate }), same ? "bitwise equal" : "DIFFER");
  }
}
for (const cell of ["rnn", "lstm", "gru"]) {
  const data = { x: Array.from({ length: 6 }, (_, b) => Float32Array.from({ length: (20 - b) * 3 }, rnd)), y: Float32Array.from({ length: 6 }, rnd) };
  const flows = [A, B].map((M) => {
    const m = new M.Model({ cell, inputSize: 3, hiddenSize: 9, outputSize: 1, numLayers: 2, seed: 2 });
    const g = m.gradientFlow(data, { truncate: 4 }); m.dispose();
    return JSON.stringify(g, (k, v) => (ArrayBuffer.isView(v) ? Array.from(bits(new Float32Array(v))) : v));
  });
  const same = flows[0] === flows[1];
  if (!same) bad++;
  console.log("gradientFlow", cell, same ? "bitwise equal" : "DIFFER");
}
process.exit(bad ? 1 : 0);
