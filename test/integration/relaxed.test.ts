// The opt-in relaxed-SIMD build (init({ relaxedSimd: true })): falls back to the default build
// where the host lacks relaxed SIMD, and where it has it (Node 20 with
// --experimental-wasm-relaxed-simd, in a child process) passes the PyTorch fixtures of every cell
// at the foundation's tolerances. Chromium: see browser.test.ts.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { init, coreInfo } from "../../dist/index.js";

describe("relaxed-SIMD build", () => {
  it("is used only where the host validates it, otherwise the default build runs", async () => {
    const bytes = readFileSync(new URL("../../build/recurrent.relaxed.wasm", import.meta.url));
    await init({ relaxedSimd: true });
    expect(coreInfo().relaxedSimd).toBe(WebAssembly.validate(bytes));
    expect(coreInfo().relaxedSimdFallback).toBe(
      WebAssembly.validate(bytes)
        ? null
        : "this host does not support relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)",
    );
    await expect(init({ relaxedSimd: false })).rejects.toThrow(
      /already initialized with relaxedSimd: true; a later init\(\) cannot change it/,
    );
    await expect(init({ relaxedSimd: "yes" } as any)).rejects.toThrow(/relaxedSimd must be a boolean/);
    await init(); // no preference: the running core
  });

  it("with host support: PyTorch fixtures of every cell pass at the usual tolerances; GEMM within rounding of the reference", () => {
    const out = JSON.parse(
      execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd",
        new URL("../helpers/relaxed-child.mjs", import.meta.url).pathname], { encoding: "utf8" }).trim().split("\n")
        .pop()!,
    );
    expect(out.relaxedSimd).toBe(true);
    expect(out.cases).toBe(28); // every case of elman.json, lstm.json, gru.json (full and truncated)
    expect(out.failures).toEqual([]);
    expect(out.gemmMaxRelErr).toBeGreaterThan(0); // it really is a different (fused) summation
    expect(out.gemmMaxRelErr).toBeLessThan(1e-6);
    expect(out.selftest).toBe(0); // selftest_gemm: 0 = pass in the relaxed build too (it was 1809 when it compared bitwise)
  });
});
