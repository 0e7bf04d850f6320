// The embedding passes (torch.nn.Embedding) over the core's exports (assembly/nn/embedding.ts):
// the gather of a padded batch of token ids into rows of the table, and the scatter-add of the
// rows' gradient back into the table's. Stateless: the caller owns every buffer; an error code
// becomes an exception (the ids are the caller's to check first: a bad one here is a RangeError
// naming its place in the padded batch).
import * as A from "../core/abi.js";
import { i32 } from "../core/arena.js";
import { core } from "../core/loader.js";

/** Byte offsets of one pass: the table [V, E] (or its gradient), ids i32 [B, T], lengths i32 [B]
 *  (0: all T), rows [B·T, E] (the gathered rows, or their gradient), bad: 4 bytes of scratch. */
export interface EmbeddingPass {
  vocab: number;
  width: number;
  batch: number;
  steps: number;
  table: number;
  ids: number;
  lengths: number;
  rows: number;
  bad: number;
}

function fail(where: string, p: EmbeddingPass, code: number, what: string): never {
  if (code === A.ERR_ARGUMENT) {
    const k = i32(p.bad, 1)[0], b = Math.floor(k / p.steps);
    throw new RangeError(
      `${where}: the id at batch row ${b}, step ${k - b * p.steps} is ${
        i32(p.ids, p.batch * p.steps)[k]
      }; ids must be in 0..${p.vocab - 1}`,
    );
  }
  throw new Error(`${where}: the WebAssembly core refused ${what}: ${A.errorText(code)} (code ${code})`);
}

/** rows[b·T + t] = table[ids[b·T + t]] up to each length, zeros past it. */
export function embeddingForward(where: string, p: EmbeddingPass): void {
  const code = core().embedding_forward(p.vocab, p.width, p.batch, p.steps, p.table, p.ids, p.lengths, p.rows, p.bad);
  if (code !== A.OK) fail(where, p, code, "the embedding's gather");
}

/** table[ids[b·T + t]] += rows[b·T + t] up to each length (p.table: the gradient of the table,
 *  accumulated into; p.rows: ∂L/∂rows). */
export function embeddingBackward(where: string, p: EmbeddingPass): void {
  const code = core().embedding_backward(p.vocab, p.width, p.batch, p.steps, p.table, p.ids, p.lengths, p.rows, p.bad);
  if (code !== A.OK) fail(where, p, code, "the embedding's scatter-add");
}
