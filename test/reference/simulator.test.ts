// Simulator gradients against float64 central differences of an independent reference: the
// encoder (a GRU or LSTM layer over the window's [u, y], written here from PyTorch's equations)
// gives each subsequence's initial state, which the float64 model of reference.ts (initial states
// as a per-sequence table) runs over the rest; the loss is the mean squared error over the steps
// after the window. Burn-in: the reference runs over window + steps with weight 0 on the window.
import { beforeAll, describe, it } from "vitest";
import { init, Simulator } from "../../dist/index.js";
import { expectClose, f32of, lcg } from "../helpers/index.js";
import { Params, refLoss } from "./reference.js";

beforeAll(async () => {
  await init();
});

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** Final (h, c) of one layer of cell over the rows x [n, I] from zero, float64 (PyTorch's GRU/LSTM). */
function encode(cell: "gru" | "lstm", p: Params, x: Float64Array[], H: number): { h: Float64Array; c: Float64Array } {
  const G = cell === "gru" ? 3 : 4, I = x[0].length;
  let h = new Float64Array(H), c = new Float64Array(H);
  for (const xt of x) {
    const gi = new Float64Array(G * H), gh = new Float64Array(G * H);
    for (let r = 0; r < G * H; r++) {
      gi[r] = p["encoder.bias_ih_l0"][r];
      gh[r] = p["encoder.bias_hh_l0"][r];
      for (let j = 0; j < I; j++) gi[r] += p["encoder.weight_ih_l0"][r * I + j] * xt[j];
      for (let j = 0; j < H; j++) gh[r] += p["encoder.weight_hh_l0"][r * H + j] * h[j];
    }
    const hn = new Float64Array(H), cn = new Float64Array(H);
    for (let i = 0; i < H; i++) {
      if (cell === "gru") {
        const r = sig(gi[i] + gh[i]), z = sig(gi[H + i] + gh[H + i]);
        hn[i] = (1 - z) * Math.tanh(gi[2 * H + i] + r * gh[2 * H + i]) + z * h[i];
      } else {
        const a = (g: number) => gi[g * H + i] + gh[g * H + i];
        cn[i] = sig(a(1)) * c[i] + sig(a(0)) * Math.tanh(a(2));
        hn[i] = sig(a(3)) * Math.tanh(cn[i]);
      }
    }
    h = hn;
    c = cn;
  }
  return { h, c };
}

/** The training loss in float64 for the subsequences at starts (window n, then T steps). */
function reference(cell: "gru" | "lstm", mode: "encoder" | "burnin", p: Params, u: Float32Array, y: Float32Array,
  starts: number[], n: number, T: number, H: number): number {
  const cfg = { cell, inputSize: 1, hiddenSize: H, numLayers: 1, bidirectional: false, outputSize: 1,
    readout: "sequence" as const, loss: "mse" as const };
  const sim: Params = {};
  for (const [k, v] of Object.entries(p)) if (k.startsWith("simulator.")) sim[k.slice(10)] = v;
  if (mode === "burnin") {
    const xs = starts.map((s) => u.slice(s, s + n + T)), ys = starts.map((s) => y.slice(s, s + n + T));
    const w = starts.map(() => new Float32Array(n + T).fill(1).fill(0, 0, n));
    return refLoss(cfg, sim, xs, ys, undefined, w);
  }
  const h0 = new Float64Array(starts.length * H), c0 = new Float64Array(starts.length * H);
  starts.forEach((s, b) => {
    const rows = Array.from({ length: n }, (_, t) => Float64Array.of(u[s + t], y[s + t]));
    const e = encode(cell, p, rows, H);
    h0.set(e.h, b * H);
    c0.set(e.c, b * H);
  });
  const xs = starts.map((s) => u.slice(s + n, s + n + T)), ys = starts.map((s) => y.slice(s + n, s + n + T));
  return refLoss({ ...cfg, initialState: { perClass: starts.length } }, { ...sim, h0, c0 }, xs, ys,
    Int32Array.from(starts, (_, b) => b));
}

describe("Simulator.computeGradients against float64 central differences", () => {
  const cases = [["gru", "encoder"], ["lstm", "encoder"], ["gru", "burnin"]] as const;
  for (const [cell, mode] of cases) {
    it(`${cell}, init "${mode}": every parameter gradient (simulator and encoder) within 1e-4 + 2e-3·|g|`, () => {
      const H = 3, n = 4, T = 5, N = 16, starts = [0, 3, 7];
      const rnd = lcg(cell === "gru" ? 11 : 12);
      const u = f32of(N, rnd, 2), y = f32of(N, rnd, 2);
      const sim = new Simulator({ inputs: 1, outputs: 1, cell, hiddenSize: H, window: n, init: mode, seed: 5 });
      const loss = sim.computeGradients({ u, y }, { starts, steps: T });
      const g = sim.grads(), sd = sim.stateDict();
      const p: Params = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, Float64Array.from(v)]));
      expectClose("loss", [loss], [reference(cell, mode, p, u, y, starts, n, T, H)], 1e-6, 1e-5);
      if (mode === "encoder") {
        expectClose("encoder present", [Object.keys(g).filter((k) => k.startsWith("encoder.")).length], [4], 0, 0);
      }
      for (const [name, v] of Object.entries(p)) {
        const fd = new Float64Array(v.length), eps = 1e-6;
        for (let i = 0; i < v.length; i++) {
          const keep = v[i];
          v[i] = keep + eps;
          const a = reference(cell, mode, p, u, y, starts, n, T, H);
          v[i] = keep - eps;
          const b = reference(cell, mode, p, u, y, starts, n, T, H);
          v[i] = keep;
          fd[i] = (a - b) / (2 * eps);
        }
        expectClose(name, g[name], fd, 1e-4, 2e-3);
      }
      sim.dispose();
    });
  }
});
