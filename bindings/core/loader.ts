// Instantiates recurrent.wasm once (Node reads the file beside the package, browsers use the copy
// inlined into the bundle) and hands out the typed core. Views of memory are re-created from
// memory.buffer on every use, because memory.grow detaches old ones.
import { wasmModule } from "./wasm-source.js";
import { ThreadPool } from "./threads.js";
import type { Core } from "./abi.js";
import { known, show } from "./check.js";

/** Options of init(): which build runs, on how many threads, from where. */
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
  /** A folder URL holding the package's builds (its `build/` folder: recurrent.wasm,
   *  recurrent.relaxed.wasm, recurrent.threads.wasm, recurrent.threads-relaxed.wasm), to compile
   *  the core from with WebAssembly.compileStreaming instead of the copies inlined in the browser
   *  bundles (or, in Node, the files beside the package). Relative URLs resolve against the
   *  page. Only the build that runs is downloaded. */
  wasmUrl?: string | URL;
}

/** Which build runs, on how many threads, and how large its memory is now. */
export interface CoreInfo {
  /** Whether the relaxed-SIMD build runs. */
  relaxedSimd: boolean;
  /** Threads every pass is split across (1: no worker threads). */
  threads: number;
  /** The current size of the WebAssembly memory in bytes (it grows on demand, up to 4 GiB, and
   *  never shrinks; freed blocks are reused). */
  memoryBytes: number;
  /** Why threads > 1 was asked for and one thread runs (null if it was not asked for or runs):
   *  "page is not cross-origin isolated", "SharedArrayBuffer is not available in this host" or
   *  "this host does not support WebAssembly threads". The first fallback logs one warning. */
  threadsFallback: string | null;
  /** Why relaxedSimd was asked for and the default build runs (null otherwise). */
  relaxedSimdFallback: string | null;
}

let instance: Core | null = null;
let pending: Promise<Core> | null = null;
let relaxed = false;
let pool: ThreadPool | null = null;
// The options of the first init() call, defaults filled in: they hold for the process (or page).
let settled: { relaxedSimd: boolean; threads: number; wasmUrl: string } | null = null;
let threadsFallback: string | null = null, relaxedFallback: string | null = null;
let warned = false;

function fallback(what: "threads" | "relaxedSimd", why: string): void {
  if (what === "threads") threadsFallback = why;
  else relaxedFallback = why;
  if (!warned && typeof console !== "undefined") {
    warned = true;
    console.warn(
      `recurrent-wasm: ${
        what === "threads"
          ? `running on 1 thread instead of ${settled!.threads}`
          : "running the default build instead of relaxed SIMD"
      }: ${why} (see coreInfo())`,
    );
  }
}

/** Which build is running, on how many threads, and the current memory size. */
export function coreInfo(): CoreInfo {
  const c = core();
  return { relaxedSimd: relaxed, threads: pool ? pool.size : 1, memoryBytes: c.memory.buffer.byteLength,
    threadsFallback, relaxedSimdFallback: relaxedFallback };
}

/** @internal The worker pool, or null when running on one thread. */
export function threadPool(): ThreadPool | null {
  return pool;
}

/** Why shared memory cannot be used here, or null if it can. */
function noSharedMemory(): string | null {
  const g = globalThis as any;
  if ((typeof g.window !== "undefined" || typeof g.importScripts === "function") && g.crossOriginIsolated !== true) {
    return "page is not cross-origin isolated";
  }
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") {
    return "SharedArrayBuffer is not available in this host";
  }
  return null;
}

// The core aborts only on a broken invariant (every export validates its input first): say so
// without pointing at core line numbers.
const abort = () => {
  throw new Error(
    "recurrent-wasm: internal error in the WebAssembly core (an invariant failed); please report it with the call that caused it",
  );
};

/** The exports as the typed Core: `alloc` returns its pointer unsigned (memory may pass 2 GiB). */
function typed(exports: WebAssembly.Exports, memory: WebAssembly.Memory): Core {
  const ex = exports as any;
  const alloc = ex.alloc as (bytes: number) => number;
  return { ...ex, memory, alloc: (bytes: number) => alloc(bytes) >>> 0 } as Core;
}

const NO_RELAXED = "this host does not support relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)";

/** The module of a build, or null when this host cannot compile it (relaxed SIMD, threads). */
async function compiled(
  variant: "simd" | "relaxed" | "threads" | "threads-relaxed",
): Promise<WebAssembly.Module | null> {
  const base = settled!.wasmUrl ? new URL(settled!.wasmUrl, (globalThis as any).location?.href) : undefined;
  try {
    return await wasmModule(variant, base);
  } catch (e) {
    if (variant !== "simd" && e instanceof WebAssembly.CompileError) return null;
    throw e;
  }
}

async function instantiate(): Promise<Core> {
  const { threads, relaxedSimd } = settled!;
  const noShared = threads > 1 ? noSharedMemory() : null;
  if (noShared) fallback("threads", noShared);
  if (threads > 1 && !noShared) {
    let module = relaxedSimd ? await compiled("threads-relaxed") : null;
    if (module) relaxed = true;
    else if (relaxedSimd) fallback("relaxedSimd", NO_RELAXED);
    module ??= await compiled("threads");
    if (!module) fallback("threads", "this host does not support WebAssembly threads");
    else {
      const memory = new WebAssembly.Memory(
        { initial: 16, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor,
      );
      const inst = await WebAssembly.instantiate(module, { env: { memory, abort } });
      pool = await ThreadPool.create(threads, module, memory);
      return typed(inst.exports, memory);
    }
  }
  relaxed = false;
  let module = relaxedSimd ? await compiled("relaxed") : null;
  if (module) {
    relaxed = true;
    relaxedFallback = null;
  } else if (relaxedSimd && !relaxedFallback) fallback("relaxedSimd", NO_RELAXED);
  module ??= (await compiled("simd"))!;
  const inst = await WebAssembly.instantiate(module, { env: { abort } });
  return typed(inst.exports, inst.exports.memory as WebAssembly.Memory);
}

/** Load and instantiate the WebAssembly module; resolves to coreInfo(). The first call fixes the
 *  options for the process (or page), defaults included: later calls with no options, or the
 *  same ones, resolve to the same core; a later call asking for anything else rejects (one
 *  process runs one build). If the host cannot give what was asked for (threads without
 *  cross-origin isolation, relaxed SIMD without support), the library runs without it, logs one
 *  warning and says why in coreInfo(). */
export function init(options: CoreOptions = {}): Promise<CoreInfo> {
  try {
    const o = options === undefined ? {} : options;
    if (o === null || typeof o !== "object" || Array.isArray(o)) {
      throw new TypeError(`init: options must be an object, got ${show(o)}`);
    }
    known("init", o as Record<string, unknown>, ["relaxedSimd", "threads", "wasmUrl"]);
    if (o.wasmUrl !== undefined && typeof o.wasmUrl !== "string" && !(o.wasmUrl instanceof URL)) {
      throw new TypeError(
        `init: options.wasmUrl must be a string or a URL (the folder holding recurrent.wasm), got ${show(o.wasmUrl)}`,
      );
    }
    if (o.relaxedSimd !== undefined && typeof o.relaxedSimd !== "boolean") {
      throw new TypeError(`init: options.relaxedSimd must be a boolean, got ${show(o.relaxedSimd)}`);
    }
    if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 1 && o.threads <= 64)) {
      throw new RangeError(`init: options.threads must be an integer in 1..64, got ${show(o.threads)}`);
    }
    const asked = { ...o, ...(o.wasmUrl !== undefined ? { wasmUrl: String(o.wasmUrl) } : {}) };
    if (settled) {
      for (const k of ["relaxedSimd", "threads", "wasmUrl"] as const) {
        if (asked[k] !== undefined && asked[k] !== settled[k]) {
          throw new Error(
            `init: the core was already initialized with ${k}: ${settled[k]}${
              settled[k] === DEFAULTS[k] ? " (the default)" : ""
            }; a later init() cannot change it (one process or page runs one build): pass the options to the first init()`,
          );
        }
      }
    } else settled = { ...DEFAULTS, ...Object.fromEntries(Object.entries(asked).filter(([, v]) => v !== undefined)) };
  } catch (e) {
    return Promise.reject(e);
  }
  if (instance) return Promise.resolve(coreInfo());
  if (!pending) {
    pending = instantiate().then((c) => (instance = c));
    // a failed instantiation can be retried, with any options
    pending.catch(() => {
      pending = null;
      settled = null;
    });
  }
  return pending.then(() => coreInfo());
}
const DEFAULTS = { relaxedSimd: false, threads: 1, wasmUrl: "" };

/** @internal The instantiated core; throws if init() has not completed (public as
 *  recurrent-wasm/core's core()). */
export function core(): Core {
  if (!instance) throw new Error("recurrent-wasm: call `await init()` before using the library");
  return instance;
}
