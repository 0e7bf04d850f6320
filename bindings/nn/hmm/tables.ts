// The HMMs' probability tables: checks of row-stochastic matrices and of sequence lengths,
// normalization of counts into probabilities, the size bound of an emission table, and a draw
// from a row of probabilities (BaseHMM in base.ts, the emission models in models.ts).
import * as check from "../../core/check.js";
import { BLOCK_LIMIT, formatBytes } from "../../core/arena.js";
import type { Rng } from "../../core/random.js";

const ROW_TOL = 1e-6;

/** A row-stochastic matrix [rows, cols] (or a vector, rows = 1): non-negative, rows summing to 1. */
export function stochastic(where: string, name: string, v: unknown, rows: number, cols: number): Float64Array {
  const shape = rows === 1 ? `[${cols}]` : `[${rows}, ${cols}]`;
  if (!(v instanceof Float64Array)) {
    throw new TypeError(`${where}: ${name} must be a Float64Array ${shape}, got ${check.show(v)}`);
  }
  if (v.length !== rows * cols) {
    throw new RangeError(`${where}: ${name} must have ${rows * cols} elements ${shape}, got ${v.length}`);
  }
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const x = v[r * cols + c];
      if (!(x >= 0 && x <= 1)) {
        throw new RangeError(
          `${where}: ${name}[${rows === 1 ? c : `${r}, ${c}`}] is ${x}; probabilities must be in [0, 1]`,
        );
      }
      s += x;
    }
    if (Math.abs(s - 1) > ROW_TOL) {
      throw new RangeError(`${where}: ${name}${rows === 1 ? "" : ` row ${r}`} sums to ${s}, not 1 (±${ROW_TOL})`);
    }
  }
  return Float64Array.from(v);
}

/** Rows of counts [rows, cols] plus alpha (additive smoothing; a negative alpha, from a Dirichlet
 *  prior below 1, clips at 0), normalized to sum 1. A row
 *  summing to 0 keeps `previous`'s row; with no previous, `missing(row)` explains the error. */
export function normalizeRows(counts: Float64Array, rows: number, cols: number, previous: Float64Array | null,
  alpha = 0, missing?: (row: number) => string): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.max(counts[r * cols + c] + alpha, 0);
    if (!(s > 0) && !previous) throw new RangeError(missing ? missing(r) : `row ${r} has no counts`);
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = s > 0 ? Math.max(counts[r * cols + c] + alpha, 0) / s : previous![r * cols + c];
    }
  }
  return out;
}

/** A model whose [nComponents, nFeatures] table of `bytesPer` bytes per entry cannot be one block
 *  of the core's allocator can never run a pass: a RangeError at construction, sizes in doubles. */
export function checkTable(where: string, K: number, F: number, bytesPer: number, what: string, advice: string): void {
  const bytes = bytesPer * K * F;
  if (bytes > BLOCK_LIMIT) {
    throw new RangeError(
      `${where}: nComponents × nFeatures = ${K} × ${F} = ${K * F} ${what} need ${
        formatBytes(bytes)
      } of WebAssembly memory in one block; the allocator's largest block is 1 GiB: ${advice}`,
    );
  }
}

/** lengths checked against the N steps of X (undefined: one sequence). */
export function lengthsOf(where: string, lengths: unknown, N: number): Int32Array {
  if (lengths === undefined) return Int32Array.of(N);
  if (!(lengths instanceof Int32Array) || lengths.length === 0) {
    throw new TypeError(
      `${where}: lengths must be a non-empty Int32Array of sequence lengths summing to the ${N} steps of X, got ${
        check.show(lengths)
      }`,
    );
  }
  let sum = 0;
  for (let i = 0; i < lengths.length; i++) {
    if (!(lengths[i] >= 1)) {
      throw new RangeError(`${where}: lengths[${i}] is ${lengths[i]}; every length must be at least 1`);
    }
    sum += lengths[i];
  }
  if (sum !== N) throw new RangeError(`${where}: lengths sum to ${sum}, but X has ${N} steps`);
  return lengths;
}

/** An index drawn from probs[off .. off + count) (rounding: the last possible one). */
export function draw(rng: Rng, probs: Float64Array, off: number, count: number): number {
  const u = rng.uniform();
  let c = 0;
  for (let i = 0; i < count; i++) {
    c += probs[off + i];
    if (u < c) return i;
  }
  for (let i = count - 1; i >= 0; i--) if (probs[off + i] > 0) return i;
  return count - 1;
}
