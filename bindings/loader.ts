// Instantiates recurrent.wasm once and hands out views of its linear memory.
// Views are re-created from memory.buffer on every use, because memory.grow detaches old ones.
import { wasmBytes } from "./wasm-source.js";

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
let requested: boolean | undefined;

export interface CoreOptions {
  /** Use the relaxed-SIMD build if the host supports it (default false): its GEMM uses
   *  f32x4.relaxed_madd, which hosts with FMA fuse (about 30% faster here). Results then differ
   *  from the default build in the last bits and can differ between hosts. Node 20 needs
   *  `node --experimental-wasm-relaxed-simd`; Chromium ≥ 114 has it on. Without host support the
   *  default build is used (see coreInfo()). */
  relaxedSimd?: boolean;
}

/** Which build is running. */
export function coreInfo(): { relaxedSimd: boolean } {
  wasm();
  return { relaxedSimd: relaxed };
}

/** Load and instantiate the WebAssembly module. Idempotent: later calls return the same instance
 *  (asking for a different build after the first call is an error). */
export function init(options: CoreOptions = {}): Promise<Core> {
  const want = options?.relaxedSimd;
  if (want !== undefined && typeof want !== "boolean") return Promise.reject(new TypeError(`init: options.relaxedSimd must be a boolean, got ${typeof want}`));
  if (want !== undefined && requested !== undefined && want !== requested) {
    return Promise.reject(new Error(`init: the core was already initialized with relaxedSimd: ${requested}; one process (or page) runs one build`));
  }
  if (want !== undefined) requested = want;
  if (core) return Promise.resolve(core);
  if (!pending) {
    pending = (async () => {
      let bytes = await wasmBytes();
      if (requested) {
        const r = await wasmBytes("relaxed");
        if (WebAssembly.validate(r as BufferSource)) { bytes = r; relaxed = true; }
      }
      const { instance } = await WebAssembly.instantiate(bytes as BufferSource, {
        env: {
          abort(msg: number, file: number, line: number, col: number) {
            throw new Error(`recurrent-wasm: abort in the WebAssembly core at ${line}:${col}`);
          },
        },
      });
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
