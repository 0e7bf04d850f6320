// Memory of a training step by the library's own sizes (floats), and how a GRU training step
// scales with T and H.
import { Model, Adam } from "../../../dist/index.js";
import { measure } from "../../tools/timing.mjs";
import { CONFIGS, CELLS, batch, gflops } from "./common.mjs";

/** Parameters (recurrent + readout), BPTT workspace stored and checkpointed, and the workspace's
 *  growth per step·sequence (from T to 2T), in floats, for one layer and direction. */
export function memory() {
  const rows = [];
  for (const [, cellName, G, Layer] of CELLS) {
    for (const cfg of CONFIGS) {
      const { B, T, I, H } = cfg;
      const l = new Layer({ inputSize: I, hiddenSize: H });
      const ws = l.workspaceBytes(B, T, false) / 4;
      const perStep = (l.workspaceBytes(B, 2 * T, false) / 4 - ws) / (T * B);
      rows.push({ cellName, cfg, P: l.numParams + H + 1, ws, wsCk: l.workspaceBytes(B, T, true) / 4, perStep, G });
      l.dispose();
    }
  }
  return rows;
}

/** GRU training step for T in 50..1000 (H = 128) and H in 64..512 (T = 100), B = 32, I = 32. */
export async function scaling(quick) {
  const rows = [];
  for (const [T, H] of [[50, 128], [100, 128], [200, 128], [500, 128], [1000, 128], [100, 64], [100, 256], [100,
    512]]) {
    const B = 32, I = 32, data = batch(B, T, I);
    const model = new Model({ cell: "gru", inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 });
    const opt = new Adam({ learningRate: 1e-4 });
    const r = await measure(() => model.trainBatch(data, opt), { minSamples: 5, maxSeconds: quick ? 1 : 3 });
    const flops = 3 * 2 * B * T * 3 * (I * H + H * H);
    rows.push({ T, H, ms: r.ms, gflops: gflops(flops, r.ms) });
    console.log(
      `GRU training step B32 I32 T${T} H${H}: ${r.ms.toFixed(2)} ms (${gflops(flops, r.ms).toFixed(1)} GFLOP/s)`,
    );
    model.dispose();
  }
  return rows;
}
