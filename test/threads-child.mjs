// Run by test/threads.test.ts: `node test/threads-child.mjs <threads>` trains a small model and runs
// the PyTorch fixtures with init({ threads }), printing one JSON line, so that the threaded and the
// single-thread core can be compared across processes.
import { readFileSync } from "node:fs";
import { init, coreInfo, Model, RNN, LSTM, GRU, Rng } from "../dist/index.js";

const threads = Number(process.argv[2] ?? 1);
await init({ threads });
const out = { threads: coreInfo().threads, failures: [], cases: 0 };
const F32 = (a) => Float32Array.from(a);
const close = (label, got, want, atol, rtol) => {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) { out.failures.push(`${label}[${i}]: ${got[i]} vs ${want[i]}`); return; }
  }
};
for (const file of ["elman", "lstm", "gru"]) {
  const fx = JSON.parse(readFileSync(new URL(`./fixtures/${file}.json`, import.meta.url), "utf8"));
  for (const cs of [...fx.cases, ...fx.truncated]) {
    const base = { inputSize: cs.I, hiddenSize: cs.H, numLayers: cs.numLayers, bidirectional: cs.bidirectional };
    const layer = cs.mode === "lstm" ? new LSTM(base) : cs.mode === "gru" ? new GRU(base) : new RNN({ ...base, nonlinearity: cs.nonlinearity });
    layer.loadStateDict(Object.fromEntries(Object.entries(cs.params).map(([k, v]) => [k, F32(v)])));
    const o = { batch: cs.B, steps: cs.T, lengths: Int32Array.from(cs.lengths), h0: F32(cs.h0) };
    if (cs.mode === "lstm") o.c0 = F32(cs.c0);
    const r = layer.forward(F32(cs.x), o);
    close(`${cs.name} output`, r.output, cs.output, 1e-5, 1e-4);
    close(`${cs.name} hN`, r.hN, cs.hN, 1e-5, 1e-4);
    if (cs.mode === "lstm") close(`${cs.name} cN`, r.cN, cs.cN, 1e-5, 1e-4);
    const g = { output: F32(cs.gOutput), hN: F32(cs.gHN) };
    if (cs.mode === "lstm") g.cN = F32(cs.gCN);
    const d = layer.backward(g, { ...(cs.truncate ? { truncate: cs.truncate } : {}), stateGrads: true });
    close(`${cs.name} dx`, d.x, cs.dx, 1e-4, 1e-3);
    close(`${cs.name} dh0`, d.h0, cs.dh0, 1e-4, 1e-3);
    if (cs.mode === "lstm") close(`${cs.name} dc0`, d.c0, cs.dc0, 1e-4, 1e-3);
    if (cs.dh) close(`${cs.name} dh`, d.dh, cs.dh, 1e-4, 1e-3);
    const grads = layer.grads();
    for (const k of Object.keys(cs.grads)) close(`${cs.name} ${k}`, grads[k], cs.grads[k], 1e-4, 1e-3);
    layer.dispose();
    out.cases++;
  }
}
// a model trained for a few epochs: losses and predictions
const rng = new Rng(4);
const xs = [], ys = [], classes = new Int32Array(40);
for (let i = 0; i < 40; i++) {
  const T = 4 + rng.int(9), x = new Float32Array(T * 3);
  for (let j = 0; j < x.length; j++) x[j] = rng.uniform() - 0.5;
  xs.push(x); ys.push(x.reduce((a, b) => a + b, 0)); classes[i] = i % 3;
}
const m = new Model({ cell: "lstm", inputSize: 3, hiddenSize: 12, numLayers: 2, bidirectional: true, outputSize: 1, initialState: { perClass: 3 }, seed: 2 });
const h = await m.fit({ x: xs, y: Float32Array.from(ys), classes }, { epochs: 4, batchSize: 16, learningRate: 0.01, clipNorm: 1, seed: 1 });
out.losses = h.loss;
out.pred = Array.from(m.predict(xs, { classes }));
console.log(JSON.stringify(out));
