// Memory of the core, as the layers above use it: sizes computed in doubles and checked against
// what wasm32 can hold before anything is allocated; pointers unsigned; allocation atomic (a set of
// blocks is allocated whole or not at all, and a failure leaves the owner's blocks as they were);
// owners that are never disposed are freed once collected (FinalizationRegistry).
import { core } from "./loader.js";

/** wasm32 memory: 65536 pages of 64 KiB. */
export const MEMORY_LIMIT = 2 ** 32;
/** The largest single block the core's allocator hands out (TLSF's 1 GiB, less its header). */
export const BLOCK_LIMIT = 2 ** 30 - 16;

/** "17.2 GiB", "512 MiB", "3.0 KiB", "12 bytes". */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** A view of one type over all of memory, re-created only when memory has grown. */
function wholeMemory<T>(make: (b: ArrayBuffer | SharedArrayBuffer) => T): () => T {
  let buffer: ArrayBuffer | SharedArrayBuffer | null = null, view: T;
  return () => {
    const b = core().memory.buffer;
    if (b !== buffer) {
      buffer = b;
      view = make(b);
    }
    return view;
  };
}
/** An Int32Array over all of memory: for writing a few fields, e.g. a descriptor, without a new
 *  view per call. Index = byte offset / 4. */
export const heap32: () => Int32Array = wholeMemory((b) => new Int32Array(b));
/** A Float32Array over all of memory: for copying a few floats in a hot path without a new view
 *  per call. Index = byte offset / 4. */
export const heapf32: () => Float32Array = wholeMemory((b) => new Float32Array(b));
/** A Float64Array over all of memory. Index = byte offset / 8. */
export const heapf64: () => Float64Array = wholeMemory((b) => new Float64Array(b));

/** A Float32Array view of n floats at ptr (valid until memory grows). */
export function f32(ptr: number, n: number): Float32Array {
  return new Float32Array(core().memory.buffer, ptr, n);
}
/** An Int32Array view of n integers at ptr. */
export function i32(ptr: number, n: number): Int32Array {
  return new Int32Array(core().memory.buffer, ptr, n);
}

/** Why a set of blocks cannot be allocated, or null if it may fit (then only trying tells). */
function tooLarge(sizes: number[], total: number): string | null {
  if (total > MEMORY_LIMIT) return "the limit is 4 GiB (wasm32 memory)";
  const big = sizes.find((b) => !(b <= BLOCK_LIMIT));
  if (big !== undefined) return `one block of it is ${formatBytes(big)}, and the allocator's largest block is 1 GiB`;
  return null;
}

// Every block allocated through this module and not yet freed (pointer -> bytes): the exact leak
// check of the soak test, and what liveBlocks() reports.
const live = new Map<number, number>();
let liveBytes = 0;

/** Blocks allocated through the arena and not yet freed, and their bytes (a leak check: after
 *  every module and optimizer is disposed it returns to where it was). */
export function liveBlocks(): { blocks: number; bytes: number } {
  return { blocks: live.size, bytes: liveBytes };
}

/** The error for a failed allocation: what was needed, why it failed, what to do. */
function memoryError(where: string, bytes: number, what: string, reason: string, advice: string): RangeError {
  return new RangeError(
    `${where}: ${what ? `this ${what} ` : ""}needs ${formatBytes(bytes)} of WebAssembly memory; ${reason}${
      advice ? `: ${advice}` : ""
    }`,
  );
}

/** How to word an allocation failure: what needs the memory, how much in all (default: the sum
 *  of the sizes), and what the caller can do about it. */
export interface MemoryNeed {
  what?: string;
  total?: number;
  advice?: string;
}

/** Throw the RangeError allocAll would throw for sizes that can never be allocated (not a
 *  non-negative integer, past 4 GiB in all, a block past the allocator's largest), allocating
 *  nothing: for a call to check its sizes before work that precedes the allocation. Returns the
 *  total. */
export function checkSizes(where: string, sizes: number[], need: MemoryNeed = {}): number {
  for (const b of sizes) {
    if (!Number.isSafeInteger(b) || b < 0) throw new RangeError(`${where}: invalid allocation size ${b}`);
  }
  const total = need.total ?? sizes.reduce((a, b) => a + b, 0);
  const why = tooLarge(sizes, total);
  if (why) throw memoryError(where, total, need.what ?? "", why, need.advice ?? "");
  return total;
}

/** Allocate blocks of the given byte sizes, all or none: on any failure every block allocated so
 *  far is freed and a RangeError says what was needed. Sizes must be computed in doubles (never
 *  with 32-bit integer arithmetic); each is checked before anything is allocated. Blocks are
 *  16-byte aligned and zero-filled; pointers are unsigned. */
export function allocAll(where: string, sizes: number[], need: MemoryNeed = {}): number[] {
  const total = checkSizes(where, sizes, need);
  const c = core(), got: number[] = [];
  try {
    for (const b of sizes) {
      const p = b === 0 ? 0 : c.alloc(Math.max(16, b));
      if (b !== 0 && p === 0) throw new Error("allocation refused");
      got.push(p);
      if (p) {
        live.set(p, b);
        liveBytes += b;
      }
    }
  } catch {
    for (const p of got) free(p);
    throw memoryError(where, total, need.what ?? "",
      `the host could not grow WebAssembly memory that far (it is ${formatBytes(c.memory.buffer.byteLength)} now)`,
      need.advice ?? "");
  }
  return got;
}

/** Free a block (0 is ignored). */
export function free(ptr: number): void {
  if (!ptr) return;
  const b = live.get(ptr);
  if (b !== undefined) {
    live.delete(ptr);
    liveBytes -= b;
  }
  core().free(ptr);
}

/** A set of named blocks that one owner (a layer, a model) grows as shapes change. Reserving is
 *  atomic (see reserveAll): the blocks that must grow are allocated first, and only if all succeed
 *  are the old ones freed and replaced, so a failure leaves every block (and what it holds) as it
 *  was. Names should be string constants (sizes are object literals): this is on every call's path. */
export class Blocks {
  private slots: Record<string, { ptr: number; bytes: number }> = Object.create(null);
  /** Raised whenever a block is replaced or released: what was written into the blocks before
   *  is gone once it changes (the packed weights a pass keeps in its workspace, for one). */
  generation = 0;

  /** The pointer of a block reserved earlier (0 if none). */
  get(name: string): number {
    return this.slots[name]?.ptr ?? 0;
  }
  /** The size in bytes of a block reserved earlier (0 if none): at least what was asked. */
  bytes(name: string): number {
    return this.slots[name]?.bytes ?? 0;
  }

  /** Free every block. */
  release(): void {
    for (const k in this.slots) free(this.slots[k].ptr);
    this.slots = Object.create(null);
    this.generation++;
  }

  /** @internal The blocks of `sizes` that must grow: [name, bytes][]. */
  growth(sizes: Record<string, number>): [string, number][] {
    const grow: [string, number][] = [];
    for (const k in sizes) {
      const b = sizes[k], have = this.slots[k];
      if (b !== 0 && (have === undefined || !(b <= have.bytes))) grow.push([k, b]);
    }
    return grow;
  }
  /** @internal Replace a block (freeing the old one). */
  replace(name: string, ptr: number, bytes: number): void {
    const old = this.slots[name];
    if (old) free(old.ptr);
    this.slots[name] = { ptr, bytes };
    this.generation++;
  }
}

/** Reserve blocks in several owners' Blocks at once, atomically: everything that must grow is
 *  allocated in one allocAll (all or none) before any old block is freed. Each sizes record is
 *  overwritten with the pointers. */
export function reserveAll(where: string, sets: [Blocks, Record<string, number>][], need: MemoryNeed = {}): void {
  const grow = sets.map(([b, sizes]) => b.growth(sizes));
  const n = grow.reduce((a, g) => a + g.length, 0);
  if (n > 0) {
    // a failure reports the whole set (what is kept plus what grows)
    let total = 0;
    for (const [, sizes] of sets) for (const k in sizes) total += sizes[k];
    const ptrs = allocAll(where, grow.flatMap((g) => g.map(([, b]) => b)), { ...need, total: need.total ?? total });
    let i = 0;
    grow.forEach((g, j) => {
      for (const [k, b] of g) sets[j][0].replace(k, ptrs[i++], b);
    });
  }
  for (const [b, sizes] of sets) {
    for (const k in sizes) if (sizes[k] !== 0) (sizes as Record<string, number>)[k] = b.get(k);
  }
}

/** Anything that holds core memory and can give it back. */
export interface Releasable {
  release(): void;
}

const registry = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<Releasable>((r) => {
    try {
      r.release();
    } catch { /* the core is gone */ }
  })
  : null;

/** Free `resources` once `owner` is garbage-collected (unless untrack(owner) came first). The
 *  resources must not reference the owner. */
export function track(owner: object, resources: Releasable): void {
  registry?.register(owner, resources, owner);
}
/** Stop tracking an owner (it was disposed explicitly). */
export function untrack(owner: object): void {
  registry?.unregister(owner);
}

/** Run fn over freshly allocated blocks (all or none), freeing them afterwards whatever happens. */
export function withBlocks<T>(where: string, sizes: number[], fn: (ptrs: number[]) => T): T {
  const ptrs = allocAll(where, sizes);
  try {
    return fn(ptrs);
  } finally {
    ptrs.forEach(free);
  }
}
