// The initial values of a Model's own parameters (the recurrent layer and the ODE-RNN's field
// initialize theirs): the head's and the readout's Linear layers and the token embedding.
import { f32 } from "../../core/arena.js";
import { Rng } from "../../core/random.js";
import type { ModelSettings } from "./config.js";

/** Write the initial head, readout and embedding into the parameter block at `base` (a byte
 *  offset): every Linear layer PyTorch's nn.Linear default U(−1/√fan_in, 1/√fan_in), layer by layer
 *  (weight then bias), from one stream of the seed; the embedding N(0, 1), torch.nn.Embedding's
 *  init, from a stream of its own. headOffset and embedding are float offsets (embedding −1: none).
 *  Learned initial states are left at zero. */
export function initReadoutAndEmbedding(cfg: ModelSettings, base: number, headOffset: number, embedding: number): void {
  const rng = new Rng((cfg.seed ^ 0x5bd1e995) >>> 0);
  let In = (cfg.bidirectional ? 2 : 1) * cfg.hiddenSize, off = headOffset;
  for (const Wd of [...cfg.head.hidden, cfg.outputSize]) {
    const v = f32(base + 4 * off, Wd * In + Wd), k = 1 / Math.sqrt(In);
    for (let i = 0; i < v.length; i++) v[i] = (2 * rng.uniform() - 1) * k;
    off += Wd * In + Wd;
    In = Wd;
  }
  if (embedding >= 0) {
    const e = new Rng((cfg.seed ^ 0x2c1b3c6d) >>> 0);
    const t = f32(base + 4 * embedding, cfg.vocabSize! * cfg.embeddingSize!);
    for (let i = 0; i < t.length; i++) t[i] = e.normal();
  }
}
