// Node: read build/recurrent.wasm (or the relaxed-SIMD build) next to the package (dist/../build).
// The browser bundle replaces this module with wasm-source.browser.ts (bytes inlined), see
// scripts/build-js.mjs.
export async function wasmBytes(variant: "simd" | "relaxed" | "threads" | "threads-relaxed" = "simd"): Promise<Uint8Array> {
  const { readFile } = await import("node:fs/promises");
  return readFile(new URL(`../build/recurrent${variant === "simd" ? "" : "." + variant}.wasm`, import.meta.url));
}
