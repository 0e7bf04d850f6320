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

/** Load and instantiate the WebAssembly module. Idempotent: later calls return the same instance. */
export function init(): Promise<Core> {
  if (core) return Promise.resolve(core);
  if (!pending) {
    pending = (async () => {
      const bytes = await wasmBytes();
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
