// dist/recurrent.url.js: nothing inlined; each build is compiled as it downloads from the
// package's build/ folder beside dist/ (literal `new URL(…, import.meta.url)`, which Vite and
// webpack 5 turn into emitted assets), or from init's wasmUrl.
import { compileFrom, fileOf } from "./wasm-fetch.js";
import type { Variant } from "./wasm-fetch.js";

function packaged(variant: Variant): URL {
  switch (variant) {
    case "relaxed":
      return new URL("../build/recurrent.relaxed.wasm", import.meta.url);
    case "threads":
      return new URL("../build/recurrent.threads.wasm", import.meta.url);
    case "threads-relaxed":
      return new URL("../build/recurrent.threads-relaxed.wasm", import.meta.url);
    default:
      return new URL("../build/recurrent.wasm", import.meta.url);
  }
}

export function wasmModule(variant: Variant = "simd", base?: URL): Promise<WebAssembly.Module> {
  return compileFrom(base ? new URL(fileOf(variant), base) : packaged(variant));
}
