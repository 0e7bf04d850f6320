// Gradient checkpointing: stored against checkpointed training steps, sampled alternately so that
// outside load hits both, and the workspace of both (B = 32, I = 32, H = 128).
import { Model, Adam } from "../../../dist/index.js";
import { alternate } from "../../tools/timing.mjs";
import { CELLS, batch } from "./common.mjs";

export async function checkpointing(quick) {
  const rows = [];
  for (const [cell, cellName, , Layer] of CELLS) {
    for (const T of [100, 1000]) {
      const B = 32, I = 32, H = 128, data = batch(B, T, I);
      const models = [false, true].map((checkpoint) =>
        new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1, checkpoint })
      );
      const opts = models.map(() => new Adam({ learningRate: 1e-4 }));
      const t = await alternate(models.map((m, k) => () => m.trainBatch(data, opts[k])), {
        rounds: quick ? 3 : T >= 1000 ? 9 : 25,
      });
      const l = new Layer({ inputSize: I, hiddenSize: H });
      const r = { cellName, T, ms: t.map((x) => x.ms), ws: [false, true].map((ck) => l.workspaceBytes(B, T, ck) / 4) };
      l.dispose();
      rows.push(r);
      const MiB = (f) => (4 * f / 2 ** 20).toFixed(1);
      console.log(
        `checkpointing ${cellName} T${T}: ${r.ms[0].toFixed(2)} → ${r.ms[1].toFixed(2)} ms (×${
          (r.ms[1] / r.ms[0]).toFixed(2)
        }), workspace ${MiB(r.ws[0])} → ${MiB(r.ws[1])} MiB`,
      );
      for (const m of models) m.dispose();
    }
  }
  return rows;
}
