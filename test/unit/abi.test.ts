// The built module: its only import is env.abort, it exports its memory, the no-import build runs
// with no imports at all, and the hot loops are f32x4 code.
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as C from "../../assembly/constants.ts";

const wasmFile = (n: string) => readFileSync(new URL(`../../build/${n}`, import.meta.url));

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
    for (const name of ["memory", "alloc", "free", "rnn_forward", "rnn_backward", "init_state_gather",
      "init_state_scatter_add", "rnn_param_count", "rnn_workspace_bytes", "memory_bytes", "gemm_f32_4x8_wasmsimd",
      "adam_step", "clip_grad_norm"]) {
      expect(ex).toContain(name);
    }
    // every export is documented in docs/ABI.md
    const doc = readFileSync(new URL("../../docs/ABI.md", import.meta.url), "utf8");
    for (const name of ex) expect(doc, `docs/ABI.md documents ${name}`).toContain("`" + name);
  });
  it("the standalone build needs no imports at all and passes its self-test", async () => {
    const bytes = wasmFile("recurrent.standalone.wasm");
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([]);
    const { instance } = await WebAssembly.instantiate(bytes, {});
    expect((instance.exports.selftest_gemm as () => number)()).toBe(0);
  });
  it("the GEMM micro-kernel, tanh, sigmoid and Adam are f32x4 code; every cell's time loop calls the packed SIMD GEMM", () => {
    const wat = readFileSync(new URL("../../build/recurrent.wat", import.meta.url), "utf8");
    // the exported GEMM loops over K blocks and calls the register-blocked micro-kernel
    expect(funcBody(wat, "$assembly/linalg/gemm/gemm_f32_4x8_wasmsimd")).toContain(
      "call $assembly/linalg/gemm/gemm_block",
    );
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

// ---- the raw exports of a plain instance (no bindings) ---------------------------------------------
const K = { OK: 0, ERR_BOUNDS: -6, ERR_NO_FORWARD: -7, OD_METHOD: 0, OD_ACT: 1, OD_TIME_INPUT: 2, OD_D: 3, OD_LAYERS: 4,
  OD_WIDTHS: 5, OD_B: 6, OD_S: 7, OD_TIMES: 8, OD_PER_SEQ: 9, OD_SUBSTEPS: 10, OD_RTOL: 11, OD_ATOL: 12,
  OD_MAX_STEPS: 13, OD_PARAMS: 14, OD_GRADS: 15, OD_WS: 16, OD_WS_BYTES: 17, OD_H0: 18, OD_STATES: 19, OD_DSTATES: 20,
  OD_DH0: 21, OD_STATS: 22, OD_GRADIENT: 23, OD_ADJ_NORM: 24, OD_INPUT_MAP: 25, OD_INPUTS: 26, OD_U: 27, OD_FIELDS: 28,
  ODE_RK4: 2, ODE_DOPRI5: 3, ERR_SIZE: -2, ERR_ARGUMENT: -8 };

/** The build the raw tests instantiate: build/recurrent.wasm, or ABI_RAW_WASM (to run them against
 *  another build, an older one say). */
const rawBytes = () => (process.env.ABI_RAW_WASM ? readFileSync(process.env.ABI_RAW_WASM) : wasmFile("recurrent.wasm"));

async function rawCore() {
  const { instance } = await WebAssembly.instantiate(rawBytes(), { env: { abort: () => {
    throw new Error("abort");
  } } });
  const e = instance.exports as any;
  const mem = e.memory as WebAssembly.Memory;
  const alloc = (bytes: number) => e.alloc(bytes) >>> 0;
  return { e, mem, alloc, f64: (p: number, n: number) => new Float64Array(mem.buffer, p, n),
    f32: (p: number, n: number) => new Float32Array(mem.buffer, p, n),
    i32: (p: number, n: number) => new Int32Array(mem.buffer, p, n) };
}

/** A small ODE solve laid out in a raw instance: S = 3, hidden width `hidden`, B and D 2 unless told. */
function odeSolve(r: Awaited<ReturnType<typeof rawCore>>, method: number, hidden: number,
  o: { wsBytes?: number; maxSteps?: number; B?: number; D?: number } = {}) {
  const B = o.B ?? 2, D = o.D ?? 2, S = 3, widths = [D, hidden, D];
  const P = hidden * D + hidden + D * hidden + D;
  const desc = r.alloc(8 * K.OD_FIELDS), wp = r.alloc(4 * widths.length);
  r.i32(wp, widths.length).set(widths);
  const d = r.f64(desc, K.OD_FIELDS);
  d.fill(0);
  Object.assign(d, { [K.OD_METHOD]: method, [K.OD_D]: D, [K.OD_LAYERS]: 2, [K.OD_WIDTHS]: wp, [K.OD_B]: B, [K.OD_S]: S,
    [K.OD_SUBSTEPS]: 2, [K.OD_RTOL]: 1e-5, [K.OD_ATOL]: 1e-7, [K.OD_MAX_STEPS]: o.maxSteps ?? 1000 });
  const need = r.e.ode_workspace_bytes(desc);
  expect(need).toBeGreaterThan(0);
  expect(o.wsBytes ?? need).toBeLessThan(2 ** 30); // alloc's largest block
  const wsBytes = o.wsBytes ?? need;
  const [params, grads, times, h0, states, dstates, dh0, stats, ws] = [4 * P, 4 * P, 8 * S, 4 * B * D, 4 * B * S * D,
    4 * B * S * D, 4 * B * D, 32, wsBytes].map(r.alloc);
  r.f32(params, P).forEach((_, i, a) => {
    a[i] = Math.sin(i + 1) * 0.5;
  });
  r.f64(times, S).set([0, 0.3, 0.7]);
  r.f32(h0, B * D).forEach((_, i, a) => {
    a[i] = Math.cos(3 * i) * 0.6;
  });
  r.f32(dstates, B * S * D).fill(1);
  const dv = r.f64(desc, K.OD_FIELDS);
  Object.assign(dv, { [K.OD_PARAMS]: params, [K.OD_GRADS]: grads, [K.OD_TIMES]: times, [K.OD_H0]: h0,
    [K.OD_STATES]: states, [K.OD_DSTATES]: dstates, [K.OD_DH0]: dh0, [K.OD_STATS]: stats, [K.OD_WS]: ws,
    [K.OD_WS_BYTES]: wsBytes });
  return { desc, need, ws, wsBytes, grads, P };
}

describe("the raw ODE exports", () => {
  for (const [name, method] of [["rk4", K.ODE_RK4], ["dopri5", K.ODE_DOPRI5]] as const) {
    it(`${name}: ode_backward refuses a workspace whose forward had other MLP widths, activation or input map`, async () => {
      const r = await rawCore();
      const big = odeSolve(r, method, 64);
      const small = odeSolve(r, method, 4, { wsBytes: big.need });
      // the small forward in a workspace large enough for the wide MLP, the wide backward over it
      expect(r.e.ode_forward(small.desc)).toBe(K.OK);
      const dv = r.f64(big.desc, K.OD_FIELDS);
      dv[K.OD_WS] = small.ws;
      dv[K.OD_WS_BYTES] = small.wsBytes;
      expect(r.e.ode_backward(big.desc)).toBe(K.ERR_NO_FORWARD);
      if (method === K.ODE_DOPRI5) expect(r.e.ode_steps(big.desc, 0, 0, 0)).toBe(K.ERR_NO_FORWARD);
      // the same shape otherwise: activation and input map also shape the computation
      for (const [field, value] of [[K.OD_ACT, 1], [K.OD_INPUT_MAP, 1]]) {
        const sv = r.f64(small.desc, K.OD_FIELDS);
        sv[field] = value;
        expect(r.e.ode_backward(small.desc), `field ${field}`).toBe(K.ERR_NO_FORWARD);
        sv[field] = 0;
      }
      expect(r.e.ode_backward(small.desc)).toBe(K.OK);
    });
  }

  it("dopri5: max_steps is stamped exactly (2^24 and 2^24 + 1 differ)", async () => {
    const r = await rawCore();
    const a = odeSolve(r, K.ODE_DOPRI5, 3, { maxSteps: 2 ** 24 + 1, B: 1, D: 1 }); // a 470 MB workspace
    expect(r.e.ode_forward(a.desc)).toBe(K.OK);
    const dv = r.f64(a.desc, K.OD_FIELDS);
    dv[K.OD_MAX_STEPS] = 2 ** 24; // its workspace is smaller: the larger one passes the size check
    expect(r.e.ode_backward(a.desc)).toBe(K.ERR_NO_FORWARD);
    dv[K.OD_MAX_STEPS] = 2 ** 24 + 1;
    expect(r.e.ode_backward(a.desc)).toBe(K.OK);
  });

  it("inputs: widths[0] must be D + M; only fixed-step with backprop; u inside memory; a stamped M", async () => {
    const r = await rawCore();
    // a raw rk4 solve with M = 1 input: widths [D + 1, 3, D], u [B, S − 1, 1]
    const B = 2, D = 2, S = 3, M = 1, widths = [D + M, 3, D], P = 3 * (D + M) + 3 + D * 3 + D;
    const desc = r.alloc(8 * K.OD_FIELDS), wp = r.alloc(4 * widths.length);
    r.i32(wp, widths.length).set(widths);
    const dv = r.f64(desc, K.OD_FIELDS);
    dv.fill(0);
    Object.assign(dv, { [K.OD_METHOD]: K.ODE_RK4, [K.OD_D]: D, [K.OD_LAYERS]: 2, [K.OD_WIDTHS]: wp, [K.OD_B]: B,
      [K.OD_S]: S, [K.OD_SUBSTEPS]: 1, [K.OD_MAX_STEPS]: 1, [K.OD_INPUTS]: M });
    const need = r.e.ode_workspace_bytes(desc);
    expect(need).toBeGreaterThan(0);
    const [params, grads, times, h0, states, dstates, stats, ws, u] = [4 * P, 4 * P, 8 * S, 4 * B * D, 4 * B * S * D,
      4 * B * S * D, 32, need, 4 * B * (S - 1) * M].map(r.alloc);
    r.f32(params, P).forEach((_, i, a) => (a[i] = Math.sin(i + 1) * 0.5));
    r.f64(times, S).set([0, 0.5, 1]);
    r.f32(u, B * (S - 1) * M).set([1, -1, 2, 0.5]);
    r.f32(grads, P).fill(0);
    Object.assign(dv, { [K.OD_PARAMS]: params, [K.OD_GRADS]: grads, [K.OD_TIMES]: times, [K.OD_H0]: h0,
      [K.OD_STATES]: states, [K.OD_DSTATES]: dstates, [K.OD_STATS]: stats, [K.OD_WS]: ws, [K.OD_WS_BYTES]: need,
      [K.OD_U]: u });
    expect(r.e.ode_forward(desc)).toBe(K.OK);
    const first = Array.from(r.f32(states, B * S * D));
    // the input reaches the solution: another u, other states
    r.f32(u, 1)[0] = 3;
    expect(r.e.ode_forward(desc)).toBe(K.OK);
    expect(Array.from(r.f32(states, B * S * D))).not.toEqual(first);
    // u is required when B·(S − 1)·M > 0, and must lie inside memory
    dv[K.OD_U] = 0;
    expect(r.e.ode_forward(desc)).toBe(K.ERR_BOUNDS);
    dv[K.OD_U] = r.mem.buffer.byteLength - 8;
    expect(r.e.ode_forward(desc)).toBe(K.ERR_BOUNDS);
    dv[K.OD_U] = u;
    // widths[0] must be D + M
    dv[K.OD_INPUTS] = 2;
    expect(r.e.ode_forward(desc)).toBe(K.ERR_SIZE);
    dv[K.OD_INPUTS] = 1.5;
    expect(r.e.ode_forward(desc)).toBe(K.ERR_SIZE);
    dv[K.OD_INPUTS] = M;
    // dopri5 and the adjoint do not take inputs
    dv[K.OD_METHOD] = K.ODE_DOPRI5;
    Object.assign(dv, { [K.OD_RTOL]: 1e-5, [K.OD_ATOL]: 1e-7, [K.OD_MAX_STEPS]: 100 });
    expect(r.e.ode_workspace_bytes(desc)).toBe(K.ERR_ARGUMENT);
    expect(r.e.ode_forward(desc)).toBe(K.ERR_ARGUMENT);
    Object.assign(dv, { [K.OD_METHOD]: K.ODE_RK4, [K.OD_MAX_STEPS]: 1, [K.OD_GRADIENT]: 1 });
    expect(r.e.ode_forward(desc)).toBe(K.ERR_ARGUMENT);
    dv[K.OD_GRADIENT] = 0;
    expect(r.e.ode_forward(desc)).toBe(K.OK);
    expect(r.e.ode_backward(desc)).toBe(K.OK);
    // the input count is part of the stamp: a backward of another M finds no forward
    widths[0] = D;
    r.i32(wp, widths.length).set(widths);
    dv[K.OD_INPUTS] = 0;
    expect(r.e.ode_backward(desc)).toBe(K.ERR_NO_FORWARD);
  });

  it("ode_steps writes nothing but its output and reads no parameters", async () => {
    const r = await rawCore();
    const a = odeSolve(r, K.ODE_DOPRI5, 5);
    expect(r.e.ode_forward(a.desc)).toBe(K.OK);
    const ws = Uint8Array.from(new Uint8Array(r.mem.buffer, a.ws, a.wsBytes));
    const n = r.e.ode_steps(a.desc, 1, 0, 0);
    expect(n).toBeGreaterThan(0);
    const out = r.alloc(16 * n);
    expect(r.e.ode_steps(a.desc, 1, out, n)).toBe(n);
    expect(Buffer.compare(ws, new Uint8Array(r.mem.buffer, a.ws, a.wsBytes))).toBe(0);
    // the parameters' pointer is not followed: at the end of memory it is no trap
    r.f64(a.desc, K.OD_FIELDS)[K.OD_PARAMS] = r.mem.buffer.byteLength - 4;
    expect(r.e.ode_steps(a.desc, 1, out, n)).toBe(n);
  });

  it("a descriptor at or near the end of memory, or past 4 GiB, is ERR_BOUNDS, not a trap", async () => {
    const r = await rawCore();
    const end = r.mem.buffer.byteLength;
    for (const d of [end - 8, end - 8 * K.OD_FIELDS + 8, end, 0xfffffff8 | 0, 0]) {
      expect(r.e.ode_forward(d), `ode_forward(${d})`).toBe(K.ERR_BOUNDS);
      expect(r.e.ode_backward(d), `ode_backward(${d})`).toBe(K.ERR_BOUNDS);
      expect(r.e.ode_workspace_bytes(d), `ode_workspace_bytes(${d})`).toBe(K.ERR_BOUNDS);
      expect(r.e.ode_steps(d, 0, 0, 0), `ode_steps(${d})`).toBe(K.ERR_BOUNDS);
      if (d !== end - 8 * K.OD_FIELDS + 8) expect(r.e.rnn_forward(d), `rnn_forward(${d})`).toBe(K.ERR_BOUNDS); // as the RNN passes do
    }
    // the widths pointer of ode_param_count likewise (0 is absent, not address 0)
    expect(r.e.ode_param_count(2, end - 8)).toBe(K.ERR_BOUNDS);
    expect(r.e.ode_param_count(2, 0)).toBe(K.ERR_BOUNDS);
  });
});

describe("the raw exports refuse a write over what steers them (ERR_OVERLAP)", () => {
  const ERR_OVERLAP = -12;
  it("ode_forward / ode_backward: states, gradients or the workspace over the descriptor or the widths", async () => {
    const r = await rawCore();
    for (const method of [0, K.ODE_RK4, K.ODE_DOPRI5]) {
      const a = odeSolve(r, method, 3);
      const dv = r.f64(a.desc, K.OD_FIELDS), keep = Float64Array.from(dv);
      for (const [field, at] of [[K.OD_STATES, a.desc], [K.OD_STATES, dv[K.OD_WIDTHS]], [K.OD_STATS, a.desc + 8 * 20], [
        K.OD_WS,
        a.desc,
      ]]) {
        dv.set(keep);
        dv[field] = at;
        expect(r.e.ode_forward(a.desc), `method ${method}, field ${field}`).toBe(ERR_OVERLAP);
      }
      dv.set(keep);
      expect(r.e.ode_forward(a.desc)).toBe(K.OK);
      for (const [field, at] of [[K.OD_GRADS, a.desc + 8], [K.OD_DH0, dv[K.OD_WIDTHS]]]) {
        dv.set(keep);
        dv[field] = at;
        expect(r.e.ode_backward(a.desc), `method ${method}, field ${field}`).toBe(ERR_OVERLAP);
      }
      dv.set(keep);
      if (method === K.ODE_DOPRI5) {
        expect(r.e.ode_steps(a.desc, 0, a.desc, 4)).toBe(ERR_OVERLAP);
        expect(r.e.ode_steps(a.desc, 0, a.ws + 64, 4)).toBe(ERR_OVERLAP);
      }
      expect(r.e.ode_backward(a.desc)).toBe(K.OK);
    }
  });

  it("rnn_forward / rnn_backward: an output over the descriptor or the lengths", async () => {
    const r = await rawCore();
    const B = 2, T = 3, I = 2, H = 4, P = r.e.rnn_param_count(3, I, H, 1, 1);
    const desc = r.alloc(4 * C.RD_FIELDS), d = r.i32(desc, C.RD_FIELDS);
    d.set([3, B, T, I, H, 1, 1]);
    const wsb = r.e.rnn_workspace_bytes(desc);
    const [params, grads, ws, x, lengths, out, hn, dx] = [4 * P, 4 * P, wsb, 4 * B * T * I, 4 * B, 4 * B * T * H,
      4 * B * H, 4 * B * T * I].map(r.alloc);
    r.i32(lengths, B).set([3, 1]);
    const set = (f: Record<number, number>) => {
      const v = r.i32(desc, C.RD_FIELDS);
      v.fill(0);
      v.set([3, B, T, I, H, 1, 1]);
      Object.assign(v, { 9: params, 10: grads, 11: ws, 12: wsb, 13: x, 14: lengths, 17: out, 18: hn, 23: dx }, f);
      return desc;
    };
    expect(r.e.rnn_forward(set({ 17: lengths - 4 }))).toBe(ERR_OVERLAP); // out over the lengths
    expect(r.e.rnn_forward(set({ 18: desc + 8 }))).toBe(ERR_OVERLAP); // hn over the descriptor
    expect(r.e.rnn_forward(set({}))).toBe(K.OK);
    expect(r.e.rnn_backward(set({ 23: lengths }))).toBe(ERR_OVERLAP); // dx over the lengths
    expect(r.e.rnn_backward(set({ 10: desc }))).toBe(ERR_OVERLAP);
    expect(r.e.rnn_backward(set({}))).toBe(K.OK);
  });

  it("rnn_forward / rnn_backward: an output over the workspace's header (its layout and loop records), whole or in part", async () => {
    const r = await rawCore();
    const B = 2, T = 3, I = 2, H = 4, P = r.e.rnn_param_count(C.CELL_GRU_RESET_BEFORE, I, H, 1, 1);
    const desc = r.alloc(4 * C.RD_FIELDS);
    const shape = [C.CELL_GRU_RESET_BEFORE, B, T, I, H, 1, 1];
    r.i32(desc, C.RD_FIELDS).set(shape);
    const wsb = r.e.rnn_workspace_bytes(desc);
    // a workspace big enough that an output can sit inside it, past the header
    const [params, grads, ws, x] = [4 * P, 4 * P, wsb + 4096, 4 * B * T * I].map(r.alloc);
    const set = (f: Record<number, number>) => {
      const v = r.i32(desc, C.RD_FIELDS);
      v.fill(0);
      v.set(shape);
      Object.assign(v, { [C.RD_PARAMS]: params, [C.RD_GRADS]: grads, [C.RD_WS]: ws, [C.RD_WS_BYTES]: wsb, [C.RD_X]: x,
        [C.RD_OUT]: ws + wsb, [C.RD_HN]: ws + wsb + 512 }, f);
      return desc;
    };
    const header = 512; // bytes: the stamp, the layout, the loops' arguments (assembly/rnn/layout.ts)
    expect(r.e.rnn_forward(set({ [C.RD_OUT]: ws }))).toBe(ERR_OVERLAP);
    expect(r.e.rnn_forward(set({ [C.RD_HN]: ws + header - 4 }))).toBe(ERR_OVERLAP); // its last word
    expect(r.e.rnn_forward(set({ [C.RD_OUT]: ws - 4 * B * T * H + 4 }))).toBe(ERR_OVERLAP); // its first word
    expect(r.e.rnn_forward(set({}))).toBe(K.OK);
    expect(r.e.rnn_backward(set({ [C.RD_GRADS]: ws + 64 }))).toBe(ERR_OVERLAP);
    expect(r.e.rnn_backward(set({ [C.RD_DX]: ws + 256 }))).toBe(ERR_OVERLAP);
    expect(r.e.rnn_backward(set({}))).toBe(K.OK);
  });

  it("rnn_forward / rnn_backward: the dropout mask inside memory, and no output over it", async () => {
    const r = await rawCore();
    const B = 2, T = 3, I = 2, H = 4, L = 2, D = 2, P = r.e.rnn_param_count(C.CELL_GRU, I, H, L, D);
    const desc = r.alloc(4 * C.RD_FIELDS), shape = [C.CELL_GRU, B, T, I, H, L, D];
    r.i32(desc, C.RD_FIELDS).set(shape);
    const wsb = r.e.rnn_workspace_bytes(desc), maskBytes = 4 * B * (L - 1) * T * D * H;
    const [params, grads, ws, x, out, hn, dx, mask] = [4 * P, 4 * P, wsb, 4 * B * T * I, 4 * B * T * D * H,
      4 * L * D * B * H, 4 * B * T * I, maskBytes].map(r.alloc);
    r.f32(mask, maskBytes / 4).fill(2);
    const set = (f: Record<number, number>) => {
      const v = r.i32(desc, C.RD_FIELDS);
      v.fill(0);
      v.set(shape);
      Object.assign(v, { [C.RD_PARAMS]: params, [C.RD_GRADS]: grads, [C.RD_WS]: ws, [C.RD_WS_BYTES]: wsb, [C.RD_X]: x,
        [C.RD_OUT]: out, [C.RD_HN]: hn, [C.RD_DX]: dx, [C.RD_DROPOUT]: mask }, f);
      return desc;
    };
    const end = r.mem.buffer.byteLength;
    expect(r.e.rnn_forward(set({ [C.RD_DROPOUT]: end - maskBytes + 4 }))).toBe(K.ERR_BOUNDS); // past the end
    expect(r.e.rnn_forward(set({ [C.RD_DROPOUT]: end - maskBytes }))).toBe(K.OK); // its last word the memory's
    expect(r.e.rnn_forward(set({ [C.RD_OUT]: mask + maskBytes - 4 }))).toBe(ERR_OVERLAP);
    expect(r.e.rnn_forward(set({ [C.RD_DROPOUT]: ws + wsb - 4 }))).toBe(ERR_OVERLAP); // the workspace is written
    expect(r.e.rnn_forward(set({}))).toBe(K.OK);
    expect(r.e.rnn_backward(set({ [C.RD_DX]: mask - 4 * B * T * I + 4 }))).toBe(ERR_OVERLAP);
    expect(r.e.rnn_backward(set({}))).toBe(K.OK);
    // one layer: no hidden layer, no mask to read; the pointer is ignored
    const one = [C.CELL_GRU, B, T, I, H, 1, D];
    r.i32(desc, C.RD_FIELDS).set(one);
    const v = r.i32(desc, C.RD_FIELDS);
    v.fill(0);
    v.set(one);
    Object.assign(v, { [C.RD_PARAMS]: params, [C.RD_WS]: ws, [C.RD_WS_BYTES]: wsb, [C.RD_X]: x, [C.RD_OUT]: out,
      [C.RD_HN]: hn, [C.RD_DROPOUT]: end });
    expect(r.e.rnn_forward(desc)).toBe(K.OK);
  });

  it("hmm_forward_backward, hmm_viterbi, hmm_label_counts: an output over the lengths or the state path", async () => {
    const r = await rawCore();
    const Kn = 2, N = 5, nSeq = 2;
    const [lengths, logE, start, trans, gamma, work, out, states, first, bad] = [8, 8 * N * Kn, 8 * Kn, 8 * Kn * Kn,
      8 * N * Kn, 4096, 16, 4 * N, 8 * Kn, 4].map(r.alloc);
    r.i32(lengths, 2).set([3, 2]);
    r.f64(start, 2).set([0.5, 0.5]);
    r.f64(trans, 4).set([0.9, 0.1, 0.2, 0.8]);
    r.f64(logE, N * Kn).fill(-1);
    expect(r.e.hmm_forward_backward(Kn, N, nSeq, lengths, logE, start, trans, lengths, 0, 0, work, 4096, out)).toBe(
      ERR_OVERLAP,
    );
    expect(r.e.hmm_forward_backward(Kn, N, nSeq, lengths, logE, start, trans, gamma, 0, 0, work, 4096, lengths)).toBe(
      ERR_OVERLAP,
    );
    expect(r.e.hmm_forward_backward(Kn, N, nSeq, lengths, logE, start, trans, gamma, 0, 0, work, 4096, out)).toBe(K.OK);
    expect(r.e.hmm_viterbi(Kn, N, nSeq, lengths, logE, start, trans, lengths - 8, work, 4096, out)).toBe(ERR_OVERLAP);
    expect(r.e.hmm_viterbi(Kn, N, nSeq, lengths, logE, start, trans, states, work, 4096, out)).toBe(K.OK);
    expect(r.e.hmm_label_counts(Kn, N, nSeq, lengths, states, states, first, trans, bad)).toBe(ERR_OVERLAP); // gamma over the states
    expect(r.e.hmm_label_counts(Kn, N, nSeq, lengths, states, gamma, first, lengths, bad)).toBe(ERR_OVERLAP);
    expect(r.e.hmm_label_counts(Kn, N, nSeq, lengths, states, gamma, first, trans, bad)).toBe(K.OK);
  });
});

describe("rnn_workspace_bytes returns for every T (the segment length in 64 bits)", () => {
  it("T = 2^31 − 1 with checkpointing: a size, not an endless loop", () => {
    // in a child with a timeout: the old code looped for ever (46341² passes 2^31)
    const script = `const { readFileSync } = require("node:fs");
      WebAssembly.instantiate(readFileSync(process.argv[1]), { env: { abort() {} } }).then(({ instance: { exports: e } }) => {
        const d = e.alloc(112) >>> 0; new Int32Array(e.memory.buffer, d, 28).set([3, 2, 0x7fffffff, 1, 4, 2, 2, 1]);
        console.log(e.rnn_workspace_bytes(d), e.rnn_forward(d));
      });`;
    const file = process.env.ABI_RAW_WASM ?? new URL("../../build/recurrent.wasm", import.meta.url).pathname;
    const r = spawnSync(process.execPath, ["-e", script, file], { encoding: "utf8", timeout: 20_000 });
    expect(r.signal, "the child was killed: rnn_workspace_bytes did not return").toBeNull();
    const [bytes, code] = r.stdout.trim().split(" ").map(Number);
    expect(bytes).toBeGreaterThan(2 ** 32);
    expect(code).toBe(-3); // ERR_TOO_LARGE
  });
});
