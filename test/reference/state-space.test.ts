// NeuralStateSpace, dx/dt = f(x, u) with u held over each sample interval, y_k = C x(t_{k+1}) + d:
// the simulation against an independent float64 reference (its own zero-order-hold Runge–Kutta loop
// below, f from ode-reference.ts's MLP with the row [x, u]), and every gradient (f's parameters,
// C, d and x0) against central finite differences of that reference in float64. Every fixed-step
// method and activation, 1 and 3 substeps, sample times 1 and 0.25, with and without a gradient
// on the states.
import { beforeAll, describe, expect, it } from "vitest";
import { init, NeuralStateSpace } from "../../dist/index.js";
import { expectClose, lcg } from "../helpers";
import { OdeRef, field } from "./ode-reference";

beforeAll(async () => {
  await init();
});

type Method = "euler" | "midpoint" | "rk4";
const TABLEAU = { euler: { c: [0], b: [1], a: [[]] as number[][] },
  midpoint: { c: [0, 0.5], b: [0, 1], a: [[], [0.5]] },
  rk4: { c: [0, 0.5, 0.5, 1], b: [1 / 6, 1 / 3, 1 / 3, 1 / 6], a: [[], [0.5], [0, 0.5], [0, 0, 1]] } };

interface Ref {
  cfg: OdeRef;
  B: number;
  T: number;
  D: number;
  M: number;
  Y: number;
  Ts: number;
}

/** states [B][T + 1][D] and outputs [B][T][Y] in float64; p: f's parameters, then C [Y, D], d [Y]. */
function simulateRef(r: Ref, p: ArrayLike<number>, x0: number[][], u: ArrayLike<number>) {
  const { cfg, B, T, D, M, Y, Ts } = r, { c, b, a } = TABLEAU[cfg.method];
  const fp = Array.from(p).slice(0, p.length - Y * (D + 1)), ro = Array.from(p).slice(p.length - Y * (D + 1));
  const states: number[][][] = [], outputs: number[][][] = [];
  for (let bi = 0; bi < B; bi++) {
    let x = x0[bi].slice();
    const xs = [x.slice()], ys: number[][] = [];
    for (let k = 0; k < T; k++) {
      const uk = Array.from({ length: M }, (_, m) => u[(bi * T + k) * M + m]);
      const dt = Ts / cfg.substeps;
      for (let j = 0; j < cfg.substeps; j++) {
        const ks: number[][] = [];
        for (let i = 0; i < c.length; i++) {
          const y = x.map((v, d) => v + a[i].reduce((acc, aij, jj) => acc + dt * aij * ks[jj][d], 0));
          ks.push(field(cfg, fp, 0, [...y, ...uk]));
        }
        x = x.map((v, d) => v + b.reduce((acc, bw, i) => acc + dt * bw * ks[i][d], 0));
      }
      xs.push(x.slice());
      ys.push(Array.from({ length: Y }, (_, j) => ro[Y * D + j] + x.reduce((s, v, i) => s + ro[j * D + i] * v, 0)));
    }
    states.push(xs);
    outputs.push(ys);
  }
  return { states, outputs };
}

function objective(r: Ref, p: ArrayLike<number>, x0: number[][], u: ArrayLike<number>, gy: Float32Array,
  gx: Float32Array | undefined): number {
  const { states, outputs } = simulateRef(r, p, x0, u);
  let v = 0;
  outputs.flat(2).forEach((y, i) => (v += y * gy[i]));
  if (gx) states.flat(2).forEach((x, i) => (v += x * gx[i]));
  return v;
}

type Case = { method: Method; act: "tanh" | "relu" | "softplus"; substeps: number; hidden: number[]; Ts: number;
  stateGrad: boolean };
const CASES: Case[] = [];
for (const method of ["euler", "midpoint", "rk4"] as const) {
  for (const act of ["tanh", "relu", "softplus"] as const) {
    CASES.push({ method, act, substeps: act === "relu" ? 3 : 1, hidden: act === "tanh" ? [6, 5] : [7],
      Ts: act === "softplus" ? 0.25 : 1, stateGrad: act !== "tanh" });
  }
}
CASES.push({ method: "rk4", act: "tanh", substeps: 2, hidden: [], Ts: 0.5, stateGrad: true });

describe("NeuralStateSpace: zero-order-hold simulation", () => {
  for (const c of CASES) {
    const label = `${c.method} ${c.act} substeps=${c.substeps} hidden=[${c.hidden}] Ts=${c.Ts}${
      c.stateGrad ? " (+∂states)" : ""
    }`;
    it(`${label}: forward vs float64 reference; every gradient vs finite differences`, () => {
      const rnd = lcg(11 + CASES.indexOf(c)), B = 2, T = 5, D = 3, M = 2, Y = 2;
      const m = new NeuralStateSpace({ inputSize: M, stateSize: D, outputSize: Y, hidden: c.hidden, activation: c.act,
        method: c.method, substeps: c.substeps, sampleTime: c.Ts, seed: 5 });
      const u = Float32Array.from({ length: B * T * M }, () => rnd() * 2);
      const x0 = Float32Array.from({ length: B * D }, () => rnd());
      const x0r = Array.from({ length: B }, (_, b) => Array.from(x0.subarray(b * D, b * D + D)));
      const r: Ref = {
        cfg: { widths: [...m.widths], act: c.act, timeInput: false, method: c.method, substeps: c.substeps },
        B,
        T,
        D,
        M,
        Y,
        Ts: c.Ts,
      };
      const p = m.parameters.flat();
      const got = m.simulate(u, { batch: B, x0 });
      const want = simulateRef(r, p, x0r, u);
      expectClose("states", got.states, want.states.flat(2), 1e-5, 1e-4);
      expectClose("outputs", got.outputs, want.outputs.flat(2), 1e-5, 1e-4);
      const stages = { euler: 1, midpoint: 2, rk4: 4 }[c.method];
      expect(got.stats.nfe).toBe(stages * T * c.substeps);
      const gy = Float32Array.from({ length: B * T * Y }, () => rnd());
      const gx = c.stateGrad ? Float32Array.from({ length: B * (T + 1) * D }, () => rnd()) : undefined;
      m.zeroGrad();
      const d = m.backward(gx ? { outputs: gy, states: gx } : { outputs: gy });
      const p64 = Float64Array.from(p), eps = 1e-6;
      const fdP = Array.from(p64, (_, i) => {
        const up = p64.slice(), dn = p64.slice();
        up[i] += eps;
        dn[i] -= eps;
        return (objective(r, up, x0r, u, gy, gx) - objective(r, dn, x0r, u, gy, gx)) / (2 * eps);
      });
      const grads = m.grads();
      const gotP = Float32Array.from(m.parameterSlots().flatMap((s) => Array.from(grads[s.name])));
      expectClose("∂θ (f, C, d)", gotP, fdP, 1e-4, 1e-3);
      const fdX = x0r.flatMap((row, b) => row.map((_, k) => {
        const up = x0r.map((v) => v.slice()), dn = x0r.map((v) => v.slice());
        up[b][k] += eps;
        dn[b][k] -= eps;
        return (objective(r, p64, up, u, gy, gx) - objective(r, p64, dn, u, gy, gx)) / (2 * eps);
      }));
      expectClose("∂x0", d.x0, fdX, 1e-4, 1e-3);
      m.dispose();
    });
  }

  it("the input steers the state: a held u is what f sees over its whole interval", () => {
    // f(x, u) = u (one Linear layer: W = [0, 1], b = 0): x(t_{k+1}) = x(t_k) + Ts·u_k, exact in
    // float32 with Euler's steps of 0.125
    const m = new NeuralStateSpace({ inputSize: 1, stateSize: 1, outputSize: 1, hidden: [], method: "euler",
      substeps: 4, sampleTime: 0.5 });
    m.loadStateDict({ "f.net.0.weight": Float32Array.of(0, 1), "f.net.0.bias": Float32Array.of(0),
      "output.weight": Float32Array.of(2), "output.bias": Float32Array.of(1) });
    const r = m.simulate(Float32Array.of(1, -2, 4), { batch: 1 });
    expect(Array.from(r.states)).toEqual([0, 0.5, -0.5, 1.5]);
    expect(Array.from(r.outputs)).toEqual([2, 0, 4]);
    m.dispose();
  });

  it("save/load: the same simulation bit for bit, the configuration kept", () => {
    const m = new NeuralStateSpace({ inputSize: 2, stateSize: 4, outputSize: 3, hidden: [8], activation: "softplus",
      method: "midpoint", substeps: 2, sampleTime: 0.1, seed: 9 });
    const u = Float32Array.from({ length: 2 * 7 * 2 }, (_, i) => Math.sin(i));
    const a = m.simulate(u, { batch: 2 });
    const m2 = NeuralStateSpace.load(m.save());
    expect(m2.config()).toEqual(m.config());
    const b = m2.simulate(u, { batch: 2 });
    expect(Array.from(b.outputs)).toEqual(Array.from(a.outputs));
    expect(Array.from(b.states)).toEqual(Array.from(a.states));
    m.dispose();
    m2.dispose();
  });
});
