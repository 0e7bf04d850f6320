// Instantiates recurrent.wasm once and hands out views of its linear memory.
// Views are re-created from memory.buffer on every use, because memory.grow detaches old ones.
import { wasmBytes } from "./wasm-source.js";
import { ThreadPool } from "./threads.js";

/** The raw exports of recurrent.wasm (see docs/ABI.md). Pointers are byte offsets. */
export interface Core {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  [name: string]: any;
}

let core: Core | null = null;
let pending: Promise<Core> | null = null;
let relaxed = false;
let pool: ThreadPool | null = null;
let requested: { relaxedSimd?: boolean; threads?: number } = {};

export interface CoreOptions {
  /** Use the relaxed-SIMD build if the host supports it (default false): its GEMM uses
   *  f32x4.relaxed_madd, which hosts with FMA fuse (about 30% faster here). Results then differ
   *  from the default build in the last bits and can differ between hosts. Node 20 needs
   *  `node --experimental-wasm-relaxed-simd`; Chromium ≥ 114 has it on. Without host support the
   *  default build is used (see coreInfo()). */
  relaxedSimd?: boolean;
  /** Threads for training and inference (default 1): the batch of every forward and backward
   *  pass is split across this many threads (the caller's and worker threads) over one shared
   *  WebAssembly memory. Needs SharedArrayBuffer — in browsers a cross-origin-isolated page
   *  (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp);
   *  without it the library runs on one thread (see coreInfo()). Results equal the
   *  single-thread ones up to the summation order of the weight gradients. */
  threads?: number;
}

/** Which build is running, on how many threads. */
export function coreInfo(): { relaxedSimd: boolean; threads: number } {
  wasm();
  return { relaxedSimd: relaxed, threads: pool ? pool.size : 1 };
}

/** The worker pool, or null when running on one thread. */
export function threadPool(): ThreadPool | null { return pool; }

function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return false;
  const g = globalThis as any;
  if (typeof g.window !== "undefined" || typeof g.importScripts === "function") return g.crossOriginIsolated === true;
  return true;
}

const abort = (msg: number, file: number, line: number, col: number) => {
  throw new Error(`recurrent-wasm: abort in the WebAssembly core at ${line}:${col}`);
};

/** Load and instantiate the WebAssembly module. Idempotent: later calls return the same instance
 *  (asking for a different build or thread count after the first call is an error). */
export function init(options: CoreOptions = {}): Promise<Core> {
  const o = options ?? {};
  if (o.relaxedSimd !== undefined && typeof o.relaxedSimd !== "boolean") return Promise.reject(new TypeError(`init: options.relaxedSimd must be a boolean, got ${typeof o.relaxedSimd}`));
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 1 && o.threads <= 64)) return Promise.reject(new RangeError(`init: options.threads must be an integer in 1..64, got ${String(o.threads)}`));
  for (const k of ["relaxedSimd", "threads"] as const) {
    if (o[k] !== undefined && requested[k] !== undefined && o[k] !== requested[k]) {
      return Promise.reject(new Error(`init: the core was already initialized with ${k}: ${requested[k]}; one process (or page) runs one build`));
    }
  }
  requested = { ...requested, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  if (core) return Promise.resolve(core);
  if (!pending) {
    pending = (async () => {
      const threads = requested.threads ?? 1;
      if (threads > 1 && sharedMemoryAvailable()) {
        let bytes = await wasmBytes("threads");
        if (requested.relaxedSimd) {
          const r = await wasmBytes("threads-relaxed");
          if (WebAssembly.validate(r as BufferSource)) { bytes = r; relaxed = true; }
        }
        if (WebAssembly.validate(bytes as BufferSource)) {
          const module = await WebAssembly.compile(bytes as BufferSource);
          const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor);
          const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
          pool = await ThreadPool.create(threads, module, memory);
          core = { ...instance.exports, memory } as unknown as Core;
          return core;
        }
      }
      let bytes = await wasmBytes();
      if (requested.relaxedSimd) {
        const r = await wasmBytes("relaxed");
        if (WebAssembly.validate(r as BufferSource)) { bytes = r; relaxed = true; }
      }
      const { instance } = await WebAssembly.instantiate(bytes as BufferSource, { env: { abort } });
      core = instance.exports as unknown as Core;
      return core;
    })();
    pending.catch(() => { pending = null; });
  }
  return pending;
}

/** The instantiated core; throws if init() has not completed. */
export function wasm(): Core {
  if (!core) throw new Error("recurrent-wasm: call `await init()` before using the library");
  return core;
}

export function f32(ptr: number, n: number): Float32Array {
  return new Float32Array(wasm().memory.buffer, ptr, n);
}
export function i32(ptr: number, n: number): Int32Array {
  return new Int32Array(wasm().memory.buffer, ptr, n);
}

/** A growable scratch buffer in linear memory (capacity only ever grows). */
export class Scratch {
  ptr = 0;
  bytes = 0;
  /** Ensure room for `bytes` bytes; returns the pointer (contents are undefined after a regrow). */
  ensure(bytes: number): number {
    if (bytes > this.bytes) {
      const c = wasm();
      if (this.ptr) c.free(this.ptr);
      this.ptr = 0; this.bytes = 0;
      const p = c.alloc(bytes);
      if (!p) throw new RangeError(`recurrent-wasm: could not allocate ${bytes} bytes of WebAssembly memory`);
      this.ptr = p; this.bytes = bytes;
    }
    return this.ptr;
  }
  /** Copy a typed array in (f32 or i32); returns the pointer. */
  put(data: Float32Array | Int32Array): number {
    const p = this.ensure(Math.max(16, data.byteLength));
    if (data instanceof Float32Array) f32(p, data.length).set(data);
    else i32(p, data.length).set(data);
    return p;
  }
  release(): void {
    if (this.ptr && core) core.free(this.ptr);
    this.ptr = 0; this.bytes = 0;
  }
}
