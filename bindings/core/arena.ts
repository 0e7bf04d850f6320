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

/** The error for a failed allocation: what was needed, why it failed, what to do. */
export function memoryError(where: string, bytes: number, what: string, reason: string, advice: string): RangeError {
  return new RangeError(`${where}: ${what ? `this ${what} ` : ""}needs ${formatBytes(bytes)} of WebAssembly memory; ${reason}${advice ? `: ${advice}` : ""}`);
}

/** How to word an allocation failure: what needs the memory, how much in all (default: the sum
 *  of the sizes), and what the caller can do about it. */
export interface MemoryNeed { what?: string; total?: number; advice?: string }

/** Allocate blocks of the given byte sizes, all or none: on any failure every block allocated so
 *  far is freed and a RangeError says what was needed. Sizes must be computed in doubles (never
 *  with 32-bit integer arithmetic); each is checked before anything is allocated. Blocks are
 *  16-byte aligned and zero-filled; pointers are unsigned. */
export function allocAll(where: string, sizes: number[], need: MemoryNeed = {}): number[] {
  for (const b of sizes) {
    if (!Number.isSafeInteger(b) || b < 0) throw new RangeError(`${where}: invalid allocation size ${b}`);
  }
  const total = need.total ?? sizes.reduce((a, b) => a + b, 0);
  const why = tooLarge(sizes, total);
  if (why) throw memoryError(where, total, need.what ?? "", why, need.advice ?? "");
  const c = core(), got: number[] = [];
  try {
    for (const b of sizes) {
      const p = b === 0 ? 0 : c.alloc(Math.max(16, b));
      if (b !== 0 && p === 0) throw new Error("allocation refused");
      got.push(p);
    }
  } catch {
    for (const p of got) c.free(p);
    throw memoryError(where, total, need.what ?? "", `the host could not grow WebAssembly memory that far (it is ${formatBytes(c.memory.buffer.byteLength)} now)`, need.advice ?? "");
  }
  return got;
}

/** Free a block (0 is ignored). */
export function free(ptr: number): void {
  if (ptr) core().free(ptr);
}

/** A set of named blocks that one owner (a layer, a model) grows as shapes change. reserve() is
 *  atomic: the blocks that must grow are allocated first, and only if all succeed are the old ones
 *  freed and replaced, so a failure leaves every block (and what it holds) as it was. */
export class Blocks {
  private map = new Map<string, { ptr: number; bytes: number }>();

  /** Ensure each named block holds at least the given bytes; returns the pointers by name.
   *  Blocks that grow lose their contents. */
  reserve(where: string, sizes: Record<string, number>, need: MemoryNeed = {}): Record<string, number> {
    const out: Record<string, number> = {};
    let fits = true;
    for (const k in sizes) {
      const b = sizes[k], have = this.map.get(k);
      if (b === 0) out[k] = 0;
      else if (have !== undefined && b <= have.bytes) out[k] = have.ptr;
      else { fits = false; break; }
    }
    if (fits) return out; // the common case: every block is large enough already
    const grow = Object.entries(sizes).filter(([k, b]) => !(b <= (this.map.get(k)?.bytes ?? 0)));
    if (grow.length) {
      // a failure reports the whole set (what is kept plus what grows)
      const total = need.total ?? Object.values(sizes).reduce((a, b) => a + b, 0);
      const ptrs = allocAll(where, grow.map(([, b]) => b), { ...need, total });
      grow.forEach(([k, b], i) => {
        const old = this.map.get(k);
        if (old) free(old.ptr);
        this.map.set(k, { ptr: ptrs[i], bytes: b });
      });
    }
    for (const k of Object.keys(sizes)) out[k] = sizes[k] === 0 ? 0 : this.map.get(k)!.ptr;
    return out;
  }

  /** The pointer of a block reserved earlier (0 if none). */
  get(name: string): number { return this.map.get(name)?.ptr ?? 0; }

  /** Free every block. */
  release(): void {
    for (const { ptr } of this.map.values()) free(ptr);
    this.map.clear();
  }
}

/** Anything that holds core memory and can give it back. */
export interface Releasable { release(): void }

const registry = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<Releasable>((r) => { try { r.release(); } catch { /* the core is gone */ } })
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
