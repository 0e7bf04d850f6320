// Stateless recurrent passes over the core's pass descriptor (assembly/constants.ts, RD_*): the
// caller (a module) owns the memory; these functions write one descriptor per call (per thread),
// call rnn_forward / rnn_backward, and turn an error code into an exception. With a thread pool
// the batch is split: each part runs the whole recurrence on its own workspace, and [L·D, B, H]
// tensors are gathered into and scattered from per-part copies.
import * as A from "../core/abi.js";
import { Blocks, allocAll, f32, heap32 } from "../core/arena.js";
import { cellOf } from "../core/cells.js";
import { core, threadPool } from "../core/loader.js";
import type { Job } from "../core/threads.js";

/** The shape of a recurrent pass. cell: A.CELL_*. */
export interface RnnShape {
  cell: number;
  batch: number;
  steps: number;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  directions: number;
  checkpoint: boolean;
}

/** Pointers of a forward pass (0 = absent): x [B,T,I], lengths i32 [B], h0/c0/hn/cn [L·D,B,H],
 *  out [B,T,D·H]. */
export interface RnnForwardTensors {
  params: number;
  x: number;
  lengths: number;
  h0: number;
  c0: number;
  out: number;
  hn: number;
  cn: number;
  /** Dropout between layers (RD_DROPOUT): f32 [B, L−1, T, D·H], layer l + 1 reads output_l ⊙
   *  mask[b, l, t, :] (time order); 0 or absent: none. rnnBackward needs the same mask. */
  dropout?: number;
  /** Reuse the packed weights the workspaces hold from the previous forward of the same shape
   *  (RD_PACKED: the core does so only for one layer and one direction, and only after a completed
   *  forward of that shape). The caller vouches the parameters have not changed since. */
  packed?: boolean;
}

/** Pointers of a backward pass (0 = absent / not wanted); x and lengths as given to the forward. */
export interface RnnBackwardTensors {
  params: number;
  grads: number;
  x: number;
  lengths: number;
  dOut: number;
  dhn: number;
  dcn: number;
  dx: number;
  dh0: number;
  dc0: number;
  dhs: number;
  truncate: number;
  /** The forward's dropout mask (RnnForwardTensors.dropout), or 0 / absent. */
  dropout?: number;
}

const DESC_BYTES = 4 * A.RD_FIELDS;
let queryDesc = 0;

/** Zero the descriptor at byte offset `desc` and write the shape into it; returns its index in
 *  heap32() (the caller writes the other fields there: h[o + RD_…] = …). */
function writeShape(desc: number, s: RnnShape, batch: number): number {
  const h = heap32(), o = desc >>> 2;
  h.fill(0, o, o + A.RD_FIELDS);
  h[o + A.RD_CELL] = s.cell;
  h[o + A.RD_B] = batch;
  h[o + A.RD_T] = s.steps;
  h[o + A.RD_I] = s.inputSize;
  h[o + A.RD_H] = s.hiddenSize;
  h[o + A.RD_L] = s.numLayers;
  h[o + A.RD_D] = s.directions;
  h[o + A.RD_CHECKPOINT] = s.checkpoint ? 1 : 0;
  return o;
}

/** Floats of the parameter block of a stack (exact, computed by the core in f64). */
export function rnnParamCount(cell: number, I: number, H: number, L: number, D: number): number {
  const n = core().rnn_param_count(cell, I, H, L, D);
  if (n < 0) throw new RangeError(`recurrent-wasm: rnn_param_count: ${A.errorText(n)}`);
  return n;
}

/** Bytes of workspace one pass over this shape needs (exact, may exceed 4 GiB). Asked of the core
 *  once per shape: a small cache of recent shapes (a training loop repeats a few). */
export function rnnWorkspaceBytes(s: RnnShape, batch = s.batch): number {
  const ck = s.checkpoint ? 1 : 0;
  for (const e of wsCache) {
    const k = e.key;
    if (k[0] === s.cell && k[1] === batch && k[2] === s.steps && k[3] === s.inputSize && k[4] === s.hiddenSize
      && k[5] === s.numLayers && k[6] === s.directions && k[7] === ck) return e.bytes;
  }
  const key = [s.cell, batch, s.steps, s.inputSize, s.hiddenSize, s.numLayers, s.directions, ck];
  if (!queryDesc) queryDesc = allocAll("recurrent-wasm", [DESC_BYTES])[0];
  writeShape(queryDesc, s, batch);
  const n = core().rnn_workspace_bytes(queryDesc);
  if (n < 0) throw new RangeError(`recurrent-wasm: rnn_workspace_bytes: ${A.errorText(n)}`);
  wsCache.unshift({ key, bytes: n });
  if (wsCache.length > 16) wsCache.pop();
  return n;
}
const wsCache: { key: number[]; bytes: number }[] = [];

/** [b0, b1) of each part of a batch split across the threads (one part without threads). */
export function batchParts(B: number): [number, number][] {
  const n = Math.min(threadPool()?.size ?? 1, B);
  const parts: [number, number][] = [];
  for (let k = 0, b0 = 0; k < n; k++) {
    const b1 = b0 + Math.floor(B / n) + (k < B % n ? 1 : 0);
    parts.push([b0, b1]);
    b0 = b1;
  }
  return parts;
}

/** The name of part k's block `base` ("ws" → "ws0"), made once: names are looked up on every call. */
function nm(base: string, k: number): string {
  let a = partNames.get(base);
  if (!a) partNames.set(base, a = []);
  return (a[k] ??= base + k);
}
const partNames = new Map<string, string[]>();

/** Bytes of the blocks a forward pass keeps in its pass memory (per part: descriptor, workspace and,
 *  with threads, per-part state copies), by block name. Reserve them together with the caller's own
 *  blocks (reserveAll), so that a failure changes nothing. */
export function rnnForwardBlocks(s: RnnShape): Record<string, number> {
  const parts = batchParts(s.batch);
  if (parts.length === 1) return { desc0: DESC_BYTES, ws0: rnnWorkspaceBytes(s) };
  const out: Record<string, number> = {};
  const LDH = s.numLayers * s.directions * s.hiddenSize, cellState = cellOf(s.cell)?.cellState === true;
  parts.forEach(([b0, b1], k) => {
    out[nm("desc", k)] = DESC_BYTES;
    out[nm("ws", k)] = rnnWorkspaceBytes(s, b1 - b0);
    if (parts.length > 1) {
      const st = 4 * LDH * (b1 - b0);
      out[nm("h0_", k)] = st;
      out[nm("hn_", k)] = st;
      if (cellState) {
        out[nm("c0_", k)] = st;
        out[nm("cn_", k)] = st;
      }
    }
  });
  return out;
}

/** Bytes of the extra blocks a backward pass needs (threads: per-part gradient blocks and state
 *  copies); the workspaces are the forward's. */
export function rnnBackwardBlocks(s: RnnShape, paramFloats: number, dhs: boolean): Record<string, number> {
  const parts = batchParts(s.batch), out: Record<string, number> = {};
  if (parts.length === 1) return out; // the forward's blocks are all a backward pass needs
  const LDH = s.numLayers * s.directions * s.hiddenSize, cellState = cellOf(s.cell)?.cellState === true;
  parts.forEach(([b0, b1], k) => {
    const st = 4 * LDH * (b1 - b0);
    if (k > 0) out[nm("grads_", k)] = 4 * paramFloats;
    out[nm("dhn_", k)] = st;
    out[nm("dh0_", k)] = st;
    if (cellState) {
      out[nm("dcn_", k)] = st;
      out[nm("dc0_", k)] = st;
    }
    if (dhs) out[nm("dhs_", k)] = st * s.steps;
  });
  return out;
}

/** Part k's descriptor (batch rows b0 .. b0 + Bk): the shape, the part's workspace, the parameters,
 *  and x and lengths at the part's offset. */
function partDesc(mem: Blocks, s: RnnShape, k: number, b0: number, Bk: number, params: number, x: number,
  lengths: number, dropout = 0): number {
  const o = writeShape(mem.get(nm("desc", k)), s, Bk), h = heap32();
  // the workspace block's whole size (at least what the shape needs; the core checks)
  h[o + A.RD_PARAMS] = params;
  h[o + A.RD_WS] = mem.get(nm("ws", k));
  h[o + A.RD_WS_BYTES] = mem.bytes(nm("ws", k));
  h[o + A.RD_X] = x ? x + 4 * b0 * s.steps * s.inputSize : 0;
  h[o + A.RD_LENGTHS] = lengths ? lengths + 4 * b0 : 0;
  // the mask is batch-first, so each part's rows are one contiguous run
  const perSeq = (s.numLayers - 1) * s.steps * s.directions * s.hiddenSize;
  h[o + A.RD_DROPOUT] = dropout && perSeq > 0 ? dropout + 4 * b0 * perSeq : 0;
  return o;
}

/** Where part k reads or writes an [L·D, B, H] tensor: the tensor itself (one part), its per-part
 *  copy (threads), or 0 when it is absent. */
function partTensor(mem: Blocks, name: string, k: number, split: boolean, whole: number): number {
  return !whole ? 0 : split ? mem.get(nm(name + "_", k)) : whole;
}

/** Copy rows × [B, H] (whole, batch offset b0) into rows × [Bk, H] (a part), or back (toWhole). */
function partCopy(rows: number, H: number, B: number, b0: number, Bk: number, whole: number, part: number,
  toWhole = false): void {
  const c = core(), w = whole + 4 * b0 * H;
  if (toWhole) c.copy2d_f32(rows, Bk * H, part, Bk * H, w, B * H);
  else c.copy2d_f32(rows, Bk * H, w, B * H, part, Bk * H);
}

function fail(where: string, code: number): never {
  throw new Error(`${where}: the WebAssembly core refused the pass: ${A.errorText(code)} (code ${code})`);
}

function run(where: string, fn: "rnn_forward" | "rnn_backward", descs: number[]): void {
  const c = core();
  const code = descs.length === 1
    ? c[fn](descs[0])
    : threadPool()!.run(descs.map((d): Job => ({ fn, args: [d] })), (j) => c[j.fn](j.args[0]));
  if (code !== A.OK) fail(where, code);
}

/** The descriptor the last rnnForward over `mem` wrote, when that pass ran as one part (no thread
 *  split its batch): rnnForwardAgain can run it again. 0 when the batch is split. */
export function rnnForwardDesc(mem: Blocks, batch: number): number {
  return batchParts(batch).length === 1 ? mem.get("desc0") : 0;
}

/** Run a one-part forward again from its descriptor (rnnForwardDesc), with only the state
 *  pointers and the packed flag changed: the same shape, parameters, x, out and workspace as the
 *  call that wrote it. Allocates nothing (a stream's hot path). */
export function rnnForwardAgain(where: string, desc: number, h0: number, c0: number, hn: number, cn: number,
  packed: boolean): void {
  const h = heap32(), d = desc >>> 2;
  h[d + A.RD_H0] = h0;
  h[d + A.RD_C0] = c0;
  h[d + A.RD_HN] = hn;
  h[d + A.RD_CN] = cn;
  h[d + A.RD_PACKED] = packed ? 1 : 0;
  const code = core().rnn_forward(desc);
  if (code !== A.OK) fail(where, code);
}

/** When a forward may reuse the packed weights its workspaces hold (RnnForwardTensors.packed):
 *  the parameters unchanged since the last completed forward over the same blocks (their version,
 *  ParameterBlock.version) and the blocks not replaced since (Blocks.generation). The core adds
 *  the shape: it reuses only after a completed forward of this very shape, one layer, one
 *  direction. Use: `const packed = reuse.begin(version, mem)`, the forward, then
 *  `reuse.done(version, mem)` (a forward that throws leaves nothing to reuse). */
export class PackedReuse {
  #version = -1;
  #generation = -1;
  begin(version: number, mem: Blocks): boolean {
    const ok = version === this.#version && mem.generation === this.#generation;
    this.#version = -1;
    return ok;
  }
  done(version: number, mem: Blocks): void {
    this.#version = version;
    this.#generation = mem.generation;
  }
}

/** The sizes a pass uses, and how its batch is split across threads. */
function passShape(s: RnnShape) {
  const parts = batchParts(s.batch);
  return { parts, split: parts.length > 1, B: s.batch, T: s.steps, I: s.inputSize, H: s.hiddenSize, D: s.directions,
    LD: s.numLayers * s.directions };
}

/** Forward pass; blocks as reserved by rnnForwardBlocks. Leaves each part's workspace holding
 *  what rnnBackward needs. */
export function rnnForward(where: string, mem: Blocks, s: RnnShape, t: RnnForwardTensors): void {
  const { parts, split, B, T, H, D, LD } = passShape(s);
  const descs = parts.map(([b0, b1], k) => {
    const Bk = b1 - b0, o = partDesc(mem, s, k, b0, Bk, t.params, t.x, t.lengths, t.dropout), h = heap32();
    h[o + A.RD_OUT] = t.out + 4 * b0 * T * D * H;
    h[o + A.RD_PACKED] = t.packed ? 1 : 0;
    h[o + A.RD_H0] = partTensor(mem, "h0", k, split, t.h0);
    h[o + A.RD_C0] = partTensor(mem, "c0", k, split, t.c0);
    h[o + A.RD_HN] = partTensor(mem, "hn", k, split, t.hn);
    h[o + A.RD_CN] = partTensor(mem, "cn", k, split, t.cn);
    if (split) {
      for (const [name, whole] of [["h0", t.h0], ["c0", t.c0]] as const) {
        if (whole) partCopy(LD, H, B, b0, Bk, whole, mem.get(nm(name + "_", k)));
      }
    }
    return mem.get(nm("desc", k));
  });
  run(where, "rnn_forward", descs);
  if (split) {
    parts.forEach(([b0, b1], k) => {
      for (const [name, whole] of [["hn", t.hn], ["cn", t.cn]] as const) {
        if (whole) partCopy(LD, H, B, b0, b1 - b0, whole, mem.get(nm(name + "_", k)), true);
      }
    });
  }
}

/** Backward pass (BPTT) through the last rnnForward on the same pass memory; parameter gradients
 *  accumulate into t.grads. With threads, part 0 accumulates into t.grads and the others into
 *  zeroed blocks that are added afterwards (only the summation order of the weight gradients
 *  differs from one thread). */
export function rnnBackward(where: string, mem: Blocks, s: RnnShape, t: RnnBackwardTensors, paramFloats: number): void {
  const { parts, split, B, T, I, H, D, LD } = passShape(s), c = core();
  const descs = parts.map(([b0, b1], k) => {
    const Bk = b1 - b0, o = partDesc(mem, s, k, b0, Bk, t.params, t.x, t.lengths, t.dropout), h = heap32();
    const part = (name: string, whole: number) => partTensor(mem, name, k, split, whole);
    h[o + A.RD_TRUNCATE] = t.truncate;
    h[o + A.RD_GRADS] = k === 0 ? t.grads : mem.get(nm("grads_", k));
    h[o + A.RD_DOUT] = t.dOut ? t.dOut + 4 * b0 * T * D * H : 0;
    h[o + A.RD_DHN] = part("dhn", t.dhn);
    h[o + A.RD_DCN] = part("dcn", t.dcn);
    h[o + A.RD_DX] = t.dx ? t.dx + 4 * b0 * T * I : 0;
    h[o + A.RD_DH0] = part("dh0", t.dh0);
    h[o + A.RD_DC0] = part("dc0", t.dc0);
    h[o + A.RD_DHS] = part("dhs", t.dhs);
    if (split) {
      if (k > 0) f32(mem.get(nm("grads_", k)), paramFloats).fill(0);
      for (const [name, whole] of [["dhn", t.dhn], ["dcn", t.dcn]] as const) {
        if (whole) partCopy(LD, H, B, b0, Bk, whole, mem.get(nm(name + "_", k)));
      }
    }
    return mem.get(nm("desc", k));
  });
  run(where, "rnn_backward", descs);
  if (split) {
    parts.forEach(([b0, b1], k) => {
      if (k > 0) c.axpy_f32_wasmsimd(paramFloats, 1, mem.get(nm("grads_", k)), t.grads);
      for (const [name, whole, rows] of [["dh0", t.dh0, LD], ["dc0", t.dc0, LD], ["dhs", t.dhs, LD * T]] as const) {
        if (whole) partCopy(rows, H, B, b0, b1 - b0, whole, mem.get(nm(name + "_", k)), true);
      }
    });
  }
}
