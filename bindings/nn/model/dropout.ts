// A Model's dropout, PyTorch's semantics (inverted dropout: a kept unit is scaled by 1/(1−p), a
// dropped one is 0, so the expected value of a masked unit is the unit itself):
//   dropout         between stacked recurrent layers, torch.nn.LSTM(dropout=p): layer l + 1 reads
//                   y_l ⊙ m_l, y_l the output of layer l (every step, both directions side by
//                   side), for l < L − 1; not after the last layer. The core applies it inside its
//                   one pass (RD_DROPOUT, assembly/rnn/stack.ts).
//   inputDropout    on the recurrent stack's input, every step and feature: x ⊙ m.
//   readoutDropout  on the features the readout reads (each step's output, or the last state).
// Masks apply in training passes only (fit, trainBatch, computeGradients, gradientFlow), never in
// predict, evaluate, stream, generate or fit's validation. Every mask entry is drawn independently.
//
// Seeding: the model counts its training passes that draw masks (n = 0, 1, … from its construction
// or load); pass n's masks are drawn by the core (dropout_mask_f32, counter-based: each element a
// hash of its seed and index) with the seeds maskSeed(passSeed(seed, n), j), j = 0 between layers,
// 1 input, 2 readout: the same model seed and the same sequence of training calls give the same
// masks in every engine and however the batch is split.
import { Blocks, f32 } from "../../core/arena.js";
import * as check from "../../core/check.js";
import { core } from "../../core/loader.js";

/** The masks of one training pass as values (tests): dropout [B, L−1, T, D·H], input [B, T, I'],
 *  readout [rows, D·H] (rows: B for readout "last", B·T for "sequence"); absent: not drawn. */
export interface DropoutMasks {
  dropout?: Float32Array;
  input?: Float32Array;
  readout?: Float32Array;
}

/** Where one pass's masks are in core memory (byte offsets; 0 = none). */
export interface PassMasks {
  dropout: number;
  input: number;
  readout: number;
}

const NONE: PassMasks = { dropout: 0, input: 0, readout: 0 };

/** A dropout probability option: a number in [0, 1) (undefined: 0). */
export function checkRate(where: string, name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new TypeError(`${where}: ${name} must be a number, got ${check.show(v)}`);
  }
  if (!(v >= 0 && v < 1)) {
    throw new RangeError(`${where}: ${name} must be a probability >= 0 and < 1, got ${check.show(v)}`);
  }
  return v;
}

/** The seed of mask j (0 between layers, 1 input, 2 readout) of a pass with seed `seed`. */
function maskSeed(seed: number, j: number): number {
  return (seed + Math.imul(j, 0x85ebca6b)) >>> 0;
}

/** The seed of training pass n of a model with seed `seed`. */
export function passSeed(seed: number, n: number): number {
  return ((seed ^ 0x2f6b3d19) + Math.imul(n + 1, 0x9e3779b9)) >>> 0;
}

/** x [n] ⊙= m [n] at byte offsets (the core's mul_f32_wasmsimd: each product an f32 multiply). */
export function applyMask(x: number, m: number, n: number): void {
  if (m) core().mul_f32_wasmsimd(n, x, m);
}

/** The rates, the pass counter and the mask memory of one model. */
export class ModelDropout {
  readonly memory = new Blocks();
  #passes = 0;
  /** @internal Tests: masks to use instead of drawing them (each must have the pass's size). */
  fixed: DropoutMasks | null = null;
  /** @internal Tests: keep a copy of each training pass's masks in `last`. */
  record = false;
  /** @internal The last training pass's masks, when `record` is set. */
  last: DropoutMasks | null = null;

  constructor(readonly dropout: number, readonly input: number, readonly readout: number, readonly seed: number) {}

  /** Mask sizes in bytes of a training pass (B sequences × T steps, hidden layers L − 1 of width
   *  F = D·H, recurrent input width I, readout rows), all 0 outside training or without dropout;
   *  reserve them with the pass's other blocks. */
  blocks(training: boolean, B: number, T: number, L: number, F: number, I: number,
    rows: number): Record<string, number> {
    const on = (p: number, n: number) => (training && p > 0 ? 4 * n : 0);
    return { dropout: on(this.dropout, B * (L - 1) * T * F), input: on(this.input, B * T * I),
      readout: on(this.readout, rows * F) };
  }

  /** Draw (or take the fixed) masks into the blocks reserved by blocks(); one pass counted when any
   *  mask is drawn. */
  draw(where: string, sizes: Record<string, number>): PassMasks {
    const names = ["dropout", "input", "readout"] as const;
    if (names.every((k) => !sizes[k])) return NONE;
    const seed = passSeed(this.seed, this.#passes++), out = { ...NONE }, last: DropoutMasks = {};
    for (const [j, k] of names.entries()) {
      if (!sizes[k]) continue;
      const ptr = this.memory.get(k), m = f32(ptr, sizes[k] / 4), given = this.fixed?.[k];
      if (given) {
        if (given.length !== m.length) {
          throw new RangeError(`${where}: the fixed ${k} mask has ${given.length} values, the pass needs ${m.length}`);
        }
        m.set(given);
      } else core().dropout_mask_f32(m.length, this[k], maskSeed(seed, j), ptr);
      out[k] = ptr;
      if (this.record) last[k] = m.slice();
    }
    if (this.record) this.last = last;
    return out;
  }
}
