// The GEMM peak, and for every cell and configuration the training step (forward + BPTT + Adam,
// linear readout from the last state, MSE) and the forward pass, each followed by the same step in
// every installed peer.
import { Model, Adam } from "../../dist/index.js";
import { measure } from "../timing.mjs";
import { CONFIGS, CELLS, batch, forwardFlops, gflops, rnd } from "./common.mjs";
import { runPeer } from "./peers.mjs";

const N = 128;
export const gemmFlops = 2 * N ** 3;

/** GEMM 128×128×128, C = A·B with B row-major and with B packed into K×8 panels (the
 *  recurrences' kernel): { rowMs, packedMs, peak } (peak: the faster, GFLOP/s). */
export async function gemmPeak(c, quick) {
  const [pa, pb, pc, pp] = [0, 1, 2, 3].map(() => c.alloc(4 * N * N));
  for (const p of [pa, pb]) { const v = new Float32Array(c.memory.buffer, p, N * N); for (let i = 0; i < v.length; i++) v[i] = rnd(); }
  c.pack_panels(N, N, pb, N, 1, pp);
  const o = { minSamples: quick ? 5 : 20, maxSeconds: quick ? 1 : 4 };
  const row = await measure(() => c.gemm_f32_4x8_wasmsimd(N, N, N, pa, N, 1, pb, N, pc, N, false), o);
  const packed = await measure(() => c.gemm_f32_4x8_packed(N, N, N, pa, N, 1, pp, pc, N, false), o);
  for (const p of [pa, pb, pc, pp]) c.free(p);
  return { rowMs: row.ms, packedMs: packed.ms, peak: gflops(gemmFlops, Math.min(row.ms, packed.ms)) };
}

/** One cell on one configuration: training step and forward pass (median ms). */
export async function stepRow(cell, cellName, G, Layer, cfg, quick) {
  const { B, T, I, H } = cfg;
  const o = { minSamples: quick ? 5 : 20, maxSeconds: quick ? 1 : 4 };
  const data = batch(B, T, I);
  const model = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 });
  const opt = new Adam({ learningRate: 1e-4 });
  const train = await measure(() => model.trainBatch(data, opt), o);
  const rnn = new Layer({ inputSize: I, hiddenSize: H, seed: 1 });
  const x = Float32Array.from({ length: B * T * I }, rnd);
  const fwd = await measure(() => rnn.forward(x, { batch: B, steps: T }), o);
  model.dispose(); rnn.dispose();
  const f = forwardFlops(B, T, I, H, G);
  return { ...cfg, cellName, trainMs: train.ms, fwdMs: fwd.ms, trainGflops: gflops(3 * f, train.ms), fwdGflops: gflops(f, fwd.ms), trainRme: train.rme, fwdRme: fwd.rme };
}

/** Every cell × configuration, with the peers after each (unless `peers` is empty). */
export async function stepRows(peers, quick, peak) {
  const rows = [];
  for (const [cell, cellName, G, Layer] of CELLS) for (const cfg of CONFIGS) {
    const r = await stepRow(cell, cellName, G, Layer, cfg, quick);
    rows.push(r);
    console.log(`${cellName} ${cfg.name} (B${cfg.B},T${cfg.T},I${cfg.I},H${cfg.H}): train ${r.trainMs.toFixed(2)} ms (${r.trainGflops.toFixed(1)} GFLOP/s, ${(100 * r.trainGflops / peak).toFixed(0)}% of GEMM peak); forward ${r.fwdMs.toFixed(2)} ms (${r.fwdGflops.toFixed(1)} GFLOP/s, ${(100 * r.fwdGflops / peak).toFixed(0)}%)`);
    r.peers = {};
    for (const peer of peers) {
      const res = runPeer(peer, cell, cfg, quick);
      if (!res) continue;
      r.peers[peer.key] = res;
      console.log(`  ${peer.name}: ${res.error ? `error: ${res.error}` : `train ${res.train.toFixed(2)} ms, forward ${res.forward.toFixed(2)} ms`}`);
    }
  }
  return rows;
}
