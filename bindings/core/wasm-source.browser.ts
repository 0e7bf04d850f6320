// Browsers: the modules are inlined into the bundle as base64 (generated at build time), unless
// init's wasmUrl names a folder to compile them from.
import { WASM_BASE64, WASM_RELAXED_BASE64, WASM_THREADS_BASE64, WASM_THREADS_RELAXED_BASE64 } from "./wasm-inline.js";
import { compileFrom, fileOf } from "./wasm-fetch.js";
import type { Variant } from "./wasm-fetch.js";

export async function wasmModule(variant: Variant = "simd", base?: URL): Promise<WebAssembly.Module> {
  if (base) return compileFrom(new URL(fileOf(variant), base));
  const bin = atob(
    { simd: WASM_BASE64, relaxed: WASM_RELAXED_BASE64, threads: WASM_THREADS_BASE64,
      "threads-relaxed": WASM_THREADS_RELAXED_BASE64 }[variant],
  );
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return WebAssembly.compile(out);
}
