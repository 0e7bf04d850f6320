// Browsers: the modules are inlined into the bundle as base64 (generated at build time).
import { WASM_BASE64, WASM_RELAXED_BASE64, WASM_THREADS_BASE64, WASM_THREADS_RELAXED_BASE64 } from "./wasm-inline.js";

export async function wasmBytes(variant: "simd" | "relaxed" | "threads" | "threads-relaxed" = "simd"): Promise<Uint8Array> {
  const bin = atob({ simd: WASM_BASE64, relaxed: WASM_RELAXED_BASE64, threads: WASM_THREADS_BASE64, "threads-relaxed": WASM_THREADS_RELAXED_BASE64 }[variant]);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
