// Run by test/relaxed.test.ts as `node --experimental-wasm-relaxed-simd test/relaxed-child.mjs`:
// the relaxed-SIMD build against the PyTorch fixtures (all cells) at the foundation's tolerances,
// and its GEMM against the scalar reference. Prints one JSON line.
import { readFileSync } from "node:fs";
import { init, coreInfo, wasm, RNN, LSTM, GRU } from "../dist/index.js";

await init({ relaxedSimd: true });
const out = { relaxedSimd: coreInfo().relaxedSimd, cases: 0, failures: [], gemmMaxRelErr: 0 };
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
    const g = { output: F32(cs.gOutput), hN: F32(cs.gHN) };
    if (cs.mode === "lstm") g.cN = F32(cs.gCN);
    const d = layer.backward(g, cs.truncate ? { truncate: cs.truncate } : {});
    close(`${cs.name} dx`, d.x, cs.dx, 1e-4, 1e-3);
    const grads = layer.grads();
    for (const k of Object.keys(cs.grads)) close(`${cs.name} ${k}`, grads[k], cs.grads[k], 1e-4, 1e-3);
    layer.dispose();
    out.cases++;
  }
}
// GEMM against the scalar reference on awkward sizes: equal up to the rounding of fused products
const c = wasm();
let s = 7;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
for (const [M, N, K] of [[1, 1, 1], [3, 5, 17], [17, 33, 5], [130, 33, 300], [64, 128, 64]]) {
  const a = c.alloc(4 * M * K), b = c.alloc(4 * K * N), c1 = c.alloc(4 * M * N), c2 = c.alloc(4 * M * N);
  new Float32Array(c.memory.buffer, a, M * K).forEach((_, i, v) => (v[i] = rnd()));
  new Float32Array(c.memory.buffer, b, K * N).forEach((_, i, v) => (v[i] = rnd()));
  c.gemm_f32_4x8_wasmsimd(M, N, K, a, K, 1, b, N, c1, N, false);
  c.gemm_ref(M, N, K, a, K, 1, b, N, c2, N, false);
  const x = new Float32Array(c.memory.buffer, c1, M * N), y = new Float32Array(c.memory.buffer, c2, M * N);
  // error relative to Σ|a||b| ≈ K/4 for entries in [−0.5, 0.5)
  for (let i = 0; i < M * N; i++) out.gemmMaxRelErr = Math.max(out.gemmMaxRelErr, Math.abs(x[i] - y[i]) / (K / 4));
  for (const p of [a, b, c1, c2]) c.free(p);
}
console.log(JSON.stringify(out));
