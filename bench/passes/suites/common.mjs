// What the suites share: the fixed configurations, the cells, a seeded generator, FLOP counts.
import { RNN, LSTM, GRU, Model, Adam } from "../../../dist/index.js";
import { perCall } from "../../tools/timing.mjs";

export const CONFIGS = [{ name: "small", B: 32, T: 50, I: 16, H: 64 }, { name: "medium", B: 32, T: 100, I: 32, H: 128 },
  { name: "large", B: 64, T: 100, I: 64, H: 256 }];
/** [cell, name, gates, layer class] */
export const CELLS = [["rnn", "Elman", 1, RNN], ["lstm", "LSTM", 4, LSTM], ["gru", "GRU", 3, GRU]];
export const GATES = { Elman: 1, LSTM: 4, GRU: 3 };

/** Seeded uniform numbers in [−0.5, 0.5) (an LCG: the same data in every run). */
export function lcg(seed = 1) {
  let s = seed;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
}
export const rnd = lcg(1);

/** A batch of B random sequences of T steps (and one target each). */
export function batch(B, T, I) {
  return { x: Array.from({ length: B }, () => Float32Array.from({ length: T * I }, rnd)),
    y: Float32Array.from({ length: B }, rnd) };
}

/** FLOPs of a forward pass, 2·B·T·G·(I·H + H·H); a training step counts 3× that. */
export function forwardFlops(B, T, I, H, G) {
  return 2 * B * T * G * (I * H + H * H);
}
export const gflops = (flops, ms) => flops / (ms * 1e-3) / 1e9;

/** Our two timed steps for a cell and configuration, as the benchmark times them: a training step
 *  (Model.trainBatch: forward, BPTT, Adam; linear readout from the last state, MSE) and a layer's
 *  forward pass. { train, forward, dispose }. */
export function oursSteps(cell, { B, T, I, H }) {
  const Layer = { rnn: RNN, lstm: LSTM, gru: GRU }[cell];
  const model = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 }),
    adam = new Adam({ learningRate: 1e-4 }), data = batch(B, T, I);
  const layer = new Layer({ inputSize: I, hiddenSize: H, seed: 1 }), x = Float32Array.from({ length: B * T * I }, rnd);
  return { train: () => model.trainBatch(data, adam), forward: () => layer.forward(x, { batch: B, steps: T }),
    dispose: () => {
      model.dispose();
      adam.dispose();
      layer.dispose();
    } };
}

/** A sample of about this many ms (at least one call) in the alternated rows and GEMM peaks. */
export const SAMPLE_MS = 150;
/** Calls per sample of a function that takes ms per call. */
export const repsFor = (ms, sampleMs = SAMPLE_MS) => Math.max(1, Math.round(sampleMs / ms));

/** The packed f32x4 GEMM on N×N×N (B in K×8 panels, the recurrences' kernel) of the core c, as a
 *  sampler: sample() times about sampleMs of calls and returns GFLOP/s; free() releases it. It
 *  first runs 300 ms of untimed calls (V8 starts a function in its baseline compiler and swaps in
 *  the optimized code when a background thread has it). Our GEMM peak in bench/passes/suites/alternated.mjs
 *  (N = 128) and the relaxed build's in bench/peers/ours_worker.mjs. */
export function gemmSampler(c, { N = 128, sampleMs = SAMPLE_MS } = {}) {
  const [pa, pb, pc, pp] = [0, 1, 2, 3].map(() => c.alloc(4 * N * N));
  for (const p of [pa, pb]) {
    const v = new Float32Array(c.memory.buffer, p, N * N);
    for (let i = 0; i < v.length; i++) v[i] = rnd();
  }
  c.pack_panels(N, N, pb, N, 1, pp);
  const fn = () => c.gemm_f32_4x8_packed(N, N, N, pa, N, 1, pp, pc, N, false);
  for (const w0 = performance.now(); performance.now() - w0 < 300;) fn();
  const reps = repsFor(perCall(fn, 10), sampleMs);
  return { sample: () => (2 * N ** 3) / (perCall(fn, reps) * 1e6),
    free: () => [pa, pb, pc, pp].forEach((p) => c.free(p)) };
}
