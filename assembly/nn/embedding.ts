// Embedding (torch.nn.Embedding): token ids select rows of a table [V, E]. The forward gathers the
// rows of a padded batch of ids [B, T] into [B·T, E] (zeros at the steps past each sequence's
// length); the backward scatter-adds the rows of ∂L/∂out into ∂L/∂table (a repeated id
// accumulates; ids of padded steps and ids absent from the batch add nothing). Rows are copied and
// added four floats at a time (f32x4), the tail one by one; an add is the same f32 sum either way.
//
// Both check their sizes, that every tensor lies inside memory, that each length is in 1..T and
// each id at a step within its length is in 0..V−1 (ERR_ARGUMENT with the index b·T + t in bad[0])
// BEFORE anything is written, and that no written tensor overlaps the ids or the lengths that steer
// the pass (ERR_OVERLAP): a call writes only inside the tensors it names.

import { OK, ERR_SIZE, ERR_BOUNDS, ERR_LENGTHS, ERR_ARGUMENT, ERR_OVERLAP } from "../constants";
import { overlaps } from "../overlap";

function inside(p: usize, bytes: f64): bool {
  return p != 0 && <f64>p + bytes <= <f64>memory.size() * 65536;
}

/** The checks both passes share: sizes, the tensors inside memory, the written ones (`dst` of
 *  dstBytes, and bad) clear of ids and lengths, the lengths in 1..T and the ids in range. */
function check(V: i32, E: i32, B: i32, T: i32, table: usize, ids: usize, lengths: usize, rows: usize, dst: usize,
  dstBytes: f64, bad: usize): i32 {
  if (V < 1 || E < 1 || B < 1 || T < 1) return ERR_SIZE;
  const BT = <f64>B * <f64>T, idBytes = BT * 4, lenBytes = lengths == 0 ? 0 : <f64>B * 4;
  if (!inside(table, <f64>V * <f64>E * 4) || !inside(ids, idBytes) || !inside(rows, BT * <f64>E * 4)
    || !inside(bad, 4) || (lengths != 0 && !inside(lengths, lenBytes))) return ERR_BOUNDS;
  for (let k = 0; k < 2; k++) {
    const p = k == 0 ? dst : bad, n = k == 0 ? dstBytes : 4;
    if (overlaps(<f64>p, n, <f64>ids, idBytes) || overlaps(<f64>p, n, <f64>lengths, lenBytes)) return ERR_OVERLAP;
  }
  for (let b = 0; b < B; b++) {
    const len = lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
    if (len < 1 || len > T) return ERR_LENGTHS;
    for (let t = 0; t < len; t++) {
      const i = b * T + t, v = load<i32>(ids + (<usize>i << 2));
      if (v < 0 || v >= V) {
        store<i32>(bad, i);
        return ERR_ARGUMENT;
      }
    }
  }
  return OK;
}

/** Gather: out [B·T, E], row b·T + t = table[ids[b·T + t]] (table [V, E], ids i32 [B, T]) for
 *  t < lengths[b] (lengths i32 [B], or 0: all T), zeros past each length (whatever ids hold there).
 *  An id outside 0..V−1 returns ERR_ARGUMENT with its index in bad[0] (i32), nothing written. */
export function embedding_forward(V: i32, E: i32, B: i32, T: i32, table: usize, ids: usize, lengths: usize, out: usize,
  bad: usize): i32 {
  const code = check(V, E, B, T, table, ids, lengths, out, out, <f64>B * <f64>T * <f64>E * 4, bad);
  if (code != OK) return code;
  const row = <usize>E << 2;
  for (let b = 0; b < B; b++) {
    const len = lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
    for (let t = 0; t < T; t++) {
      const i = b * T + t, dst = out + <usize>i * row;
      if (t >= len) {
        memory.fill(dst, 0, row);
        continue;
      }
      const src = table + <usize>load<i32>(ids + (<usize>i << 2)) * row;
      let j: usize = 0;
      for (; j + 16 <= row; j += 16) v128.store(dst + j, v128.load(src + j));
      for (; j < row; j += 4) store<f32>(dst + j, load<f32>(src + j));
    }
  }
  return OK;
}

/** Scatter-add: dtable [V, E] += ∂L/∂table of the gather, dtable[ids[b·T + t]] += dout[b·T + t]
 *  for t < lengths[b] (dout [B·T, E]); rows are added in the order b, t (a repeated id
 *  accumulates), rows of ids that do not occur are untouched. Checks as embedding_forward. */
export function embedding_backward(V: i32, E: i32, B: i32, T: i32, dtable: usize, ids: usize, lengths: usize,
  dout: usize, bad: usize): i32 {
  const code = check(V, E, B, T, dtable, ids, lengths, dout, dtable, <f64>V * <f64>E * 4, bad);
  if (code != OK) return code;
  const row = <usize>E << 2;
  for (let b = 0; b < B; b++) {
    const len = lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
    for (let t = 0; t < len; t++) {
      const i = b * T + t, src = dout + <usize>i * row;
      const dst = dtable + <usize>load<i32>(ids + (<usize>i << 2)) * row;
      let j: usize = 0;
      for (; j + 16 <= row; j += 16) v128.store(dst + j, f32x4.add(v128.load(dst + j), v128.load(src + j)));
      for (; j < row; j += 4) store<f32>(dst + j, load<f32>(dst + j) + load<f32>(src + j));
    }
  }
  return OK;
}
