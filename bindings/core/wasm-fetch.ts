// Compiling a build from a URL: WebAssembly.compileStreaming (compiles while it downloads), or,
// when the server does not send application/wasm, the downloaded bytes.
export type Variant = "simd" | "relaxed" | "threads" | "threads-relaxed";

/** The file name of a build in the package's build/ folder. */
export function fileOf(variant: Variant): string {
  return `recurrent${variant === "simd" ? "" : "." + variant}.wasm`;
}

export async function compileFrom(url: URL): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`recurrent-wasm: fetching ${url} failed: HTTP ${response.status} ${response.statusText}`);
  }
  const type = response.headers.get("content-type") ?? "";
  if (typeof WebAssembly.compileStreaming === "function" && type.split(";")[0].trim() === "application/wasm") {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
