// The built module: its only import is env.abort, it exports its memory, the no-import build runs
// with no imports at all, and the hot loops are f32x4 code.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const wasmFile = (n: string) => readFileSync(new URL(`../build/${n}`, import.meta.url));

function funcBody(wat: string, name: string): string {
  const start = wat.indexOf(`(func ${name} `);
  expect(start, `function ${name} in the .wat`).toBeGreaterThanOrEqual(0);
  const next = wat.indexOf("\n (func ", start + 1);
  return wat.slice(start, next < 0 ? undefined : next);
}

describe("recurrent.wasm", () => {
  it("imports only env.abort and exports memory and the documented ABI", () => {
    const m = new WebAssembly.Module(wasmFile("recurrent.wasm"));
    expect(WebAssembly.Module.imports(m)).toEqual([{ module: "env", name: "abort", kind: "function" }]);
    const ex = WebAssembly.Module.exports(m).map((e) => e.name);
    for (const name of ["memory", "alloc", "free", "rnn_forward", "rnn_backward", "init_state_gather", "init_state_scatter_add", "rnn_param_count", "rnn_workspace_bytes", "memory_bytes", "gemm_f32_4x8_wasmsimd", "adam_step", "clip_grad_norm"]) {
      expect(ex).toContain(name);
    }
    // every export is documented in docs/ABI.md
    const doc = readFileSync(new URL("../docs/ABI.md", import.meta.url), "utf8");
    for (const name of ex) expect(doc, `docs/ABI.md documents ${name}`).toContain("`" + name);
  });
  it("the standalone build needs no imports at all and passes its self-test", async () => {
    const bytes = wasmFile("recurrent.standalone.wasm");
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([]);
    const { instance } = await WebAssembly.instantiate(bytes, {});
    expect((instance.exports.selftest_gemm as () => number)()).toBe(0);
  });
  it("the GEMM micro-kernel, tanh, sigmoid and Adam are f32x4 code; every cell's time loop calls the packed SIMD GEMM", () => {
    const wat = readFileSync(new URL("../build/recurrent.wat", import.meta.url), "utf8");
    // the exported GEMM loops over K blocks and calls the register-blocked micro-kernel
    expect(funcBody(wat, "$assembly/linalg/gemm/gemm_f32_4x8_wasmsimd")).toContain("call $assembly/linalg/gemm/gemm_block");
    // the packed variant (the recurrences' per-step GEMMs) runs the same micro-kernel on contiguous panels
    const packed = funcBody(wat, "$assembly/linalg/gemm/gemm_f32_4x8_packed");
    expect(packed).toContain("v128.load32_splat");
    expect(packed).toContain("f32x4.mul");
    const gemm = funcBody(wat, "$assembly/linalg/gemm/gemm_block");
    expect(gemm).toContain("f32x4.mul");
    expect(gemm).toContain("v128.load32_splat");
    expect(funcBody(wat, "$assembly/nn/activations/tanh_f32_wasmsimd")).toContain("f32x4.div");
    expect(funcBody(wat, "$assembly/optim/optim/adam_step")).toContain("f32x4.sqrt");
    expect(funcBody(wat, "$assembly/nn/activations/sigmoid_f32_wasmsimd")).toContain("f32x4.div");
    for (const cell of ["elman/elman", "lstm/lstm", "gru/gru"]) {
      for (const dir of ["forward", "backward"]) {
        // binaryen may inline a time loop into its caller (segment_forward, rnn_backward)
        const name = `$assembly/rnn/${cell}_steps_${dir}`;
        const caller = dir === "forward" ? "$assembly/rnn/stack/segment_forward" : "$assembly/rnn/stack/rnn_backward";
        const body = wat.includes(`(func ${name} `) ? funcBody(wat, name) : funcBody(wat, caller);
        expect(body, `${cell} ${dir}`).toContain("call $assembly/linalg/gemm/gemm_f32_4x8_packed");
        if (cell !== "elman/elman") expect(body, `${cell} ${dir} element-wise code`).toContain("f32x4.mul");
      }
    }
  });
});
