// Instantiates recurrent.wasm once (Node reads the file beside the package, browsers use the copy
// inlined into the bundle) and hands out the typed core. Views of memory are re-created from
// memory.buffer on every use, because memory.grow detaches old ones.
import { wasmBytes } from "./wasm-source.js";
import { ThreadPool } from "./threads.js";
import type { Core } from "./abi.js";

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

/** Which build runs, on how many threads, and how large its memory is now. */
export interface CoreInfo {
  relaxedSimd: boolean;
  threads: number;
  /** The current size of the WebAssembly memory in bytes (it grows on demand, up to 4 GiB, and
   *  never shrinks; freed blocks are reused). */
  memoryBytes: number;
}

let instance: Core | null = null;
let pending: Promise<Core> | null = null;
let relaxed = false;
let pool: ThreadPool | null = null;
let requested: { relaxedSimd?: boolean; threads?: number } = {};

/** Which build is running, on how many threads, and the current memory size. */
export function coreInfo(): CoreInfo {
  const c = core();
  return { relaxedSimd: relaxed, threads: pool ? pool.size : 1, memoryBytes: c.memory.buffer.byteLength };
}

/** @internal The worker pool, or null when running on one thread. */
export function threadPool(): ThreadPool | null { return pool; }

function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return false;
  const g = globalThis as any;
  if (typeof g.window !== "undefined" || typeof g.importScripts === "function") return g.crossOriginIsolated === true;
  return true;
}

const abort = (_msg: number, _file: number, line: number, col: number) => {
  throw new Error(`recurrent-wasm: abort in the WebAssembly core at ${line}:${col}`);
};

/** The exports as the typed Core: `alloc` returns its pointer unsigned (memory may pass 2 GiB). */
function typed(exports: WebAssembly.Exports, memory: WebAssembly.Memory): Core {
  const ex = exports as any;
  const alloc = ex.alloc as (bytes: number) => number;
  return { ...ex, memory, alloc: (bytes: number) => alloc(bytes) >>> 0 } as Core;
}

async function instantiate(): Promise<Core> {
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
      const inst = await WebAssembly.instantiate(module, { env: { memory, abort } });
      pool = await ThreadPool.create(threads, module, memory);
      return typed(inst.exports, memory);
    }
  }
  let bytes = await wasmBytes();
  if (requested.relaxedSimd) {
    const r = await wasmBytes("relaxed");
    if (WebAssembly.validate(r as BufferSource)) { bytes = r; relaxed = true; }
  }
  const { instance: inst } = await WebAssembly.instantiate(bytes as BufferSource, { env: { abort } });
  return typed(inst.exports, inst.exports.memory as WebAssembly.Memory);
}

/** Load and instantiate the WebAssembly module. Idempotent: later calls resolve to the same core
 *  (asking for a different build or thread count after the first call is an error). Resolves to
 *  coreInfo(). */
export function init(options: CoreOptions = {}): Promise<CoreInfo> {
  const o = options ?? {};
  if (typeof o !== "object") return Promise.reject(new TypeError(`init: options must be an object, got ${typeof o}`));
  for (const k of Object.keys(o)) {
    if (k !== "relaxedSimd" && k !== "threads") return Promise.reject(new TypeError(`init: unknown option ${JSON.stringify(k)} (expected one of relaxedSimd, threads)`));
  }
  if (o.relaxedSimd !== undefined && typeof o.relaxedSimd !== "boolean") return Promise.reject(new TypeError(`init: options.relaxedSimd must be a boolean, got ${typeof o.relaxedSimd}`));
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 1 && o.threads <= 64)) return Promise.reject(new RangeError(`init: options.threads must be an integer in 1..64, got ${String(o.threads)}`));
  for (const k of ["relaxedSimd", "threads"] as const) {
    if (o[k] !== undefined && requested[k] !== undefined && o[k] !== requested[k]) {
      return Promise.reject(new Error(`init: the core was already initialized with ${k}: ${requested[k]}; one process (or page) runs one build`));
    }
  }
  requested = { ...requested, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  if (instance) return Promise.resolve(coreInfo());
  if (!pending) {
    pending = instantiate().then((c) => (instance = c));
    pending.catch(() => { pending = null; });
  }
  return pending.then(() => coreInfo());
}

/** @internal The instantiated core; throws if init() has not completed (public as
 *  recurrent-wasm/core's core()). */
export function core(): Core {
  if (!instance) throw new Error("recurrent-wasm: call `await init()` before using the library");
  return instance;
}
