// Node: read build/recurrent.wasm (or another build) next to the package (dist/../build), or
// compile it from `base` (init's wasmUrl: an http(s) URL is fetched, a file: URL read). The browser
// bundles replace this module with wasm-source.browser.ts (bytes inlined) or wasm-source.url.ts
// (fetched beside the package), see scripts/build-js.mjs.
import { compileFrom, fileOf } from "./wasm-fetch.js";
import type { Variant } from "./wasm-fetch.js";

export async function wasmModule(variant: Variant = "simd", base?: URL): Promise<WebAssembly.Module> {
  const url = new URL(fileOf(variant), base ?? new URL("../build/", import.meta.url));
  if (url.protocol !== "file:") return compileFrom(url);
  const { readFile } = await import("node:fs/promises");
  return WebAssembly.compile(await readFile(url));
}
