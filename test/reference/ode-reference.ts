// An independent float64 reference of the Neural ODE's fixed-step solves (euler, midpoint, classic
// rk4) with an MLP vector field, written from the equations (not from the core's code): the
// forward solve, and ⟨states, g⟩ as a scalar for finite differences.
export interface OdeRef {
  widths: number[];
  act: "tanh" | "relu" | "softplus";
  timeInput: boolean;
  inputMap?: "identity" | "cube";
  method: "euler" | "midpoint" | "rk4";
  substeps: number;
}

const act = (a: OdeRef["act"],
  x: number) => (a === "tanh" ? Math.tanh(x) : a === "relu" ? Math.max(0, x) : x > 20 ? x : Math.log1p(Math.exp(x)));

/** f(t, h) for one row; params in nn.Sequential order (W1, b1, W2, b2, ...). */
export function field(cfg: OdeRef, params: ArrayLike<number>, t: number, h: number[]): number[] {
  const hin = cfg.inputMap === "cube" ? h.map((v) => v * v * v) : h;
  let x = cfg.timeInput ? [...hin, t] : [...hin];
  let off = 0;
  const K = cfg.widths.length - 1;
  for (let l = 1; l <= K; l++) {
    const o = cfg.widths[l], i = cfg.widths[l - 1];
    const y = new Array(o).fill(0);
    for (let r = 0; r < o; r++) {
      let s = params[off + o * i + r];
      for (let c = 0; c < i; c++) s += params[off + r * i + c] * x[c];
      y[r] = l < K ? act(cfg.act, s) : s;
    }
    off += o * i + o;
    x = y;
  }
  return x;
}

const TABLEAU = { euler: { c: [0], b: [1], a: [[]] as number[][] },
  midpoint: { c: [0, 0.5], b: [0, 1], a: [[], [0.5]] },
  rk4: { c: [0, 0.5, 0.5, 1], b: [1 / 6, 1 / 3, 1 / 3, 1 / 6], a: [[], [0.5], [0, 0.5], [0, 0, 1]] } };

/** states [B][S][D] from h0 [B][D] and times [B][S] (one grid per row). */
export function solve(cfg: OdeRef, params: ArrayLike<number>, h0: number[][], times: number[][]): number[][][] {
  const { c, b, a } = TABLEAU[cfg.method];
  return h0.map((h0b, bi) => {
    const tb = times[bi], out = [h0b.slice()];
    let h = h0b.slice();
    for (let s = 0; s + 1 < tb.length; s++) {
      const dt = (tb[s + 1] - tb[s]) / cfg.substeps;
      for (let j = 0; j < cfg.substeps; j++) {
        const t = tb[s] + j * dt, k: number[][] = [];
        for (let i = 0; i < c.length; i++) {
          const y = h.map((v, d) => v + a[i].reduce((acc, aij, jj) => acc + dt * aij * k[jj][d], 0));
          k.push(field(cfg, params, t + c[i] * dt, y));
        }
        h = h.map((v, d) => v + b.reduce((acc, bi2, i) => acc + dt * bi2 * k[i][d], 0));
      }
      out.push(h.slice());
    }
    return out;
  });
}

/** ⟨states, g⟩ with g [B][S][D]. */
export function objective(cfg: OdeRef, params: ArrayLike<number>, h0: number[][], times: number[][],
  g: number[][][]): number {
  const st = solve(cfg, params, h0, times);
  let v = 0;
  st.forEach((sb, bi) =>
    sb.forEach((ss, si) =>
      ss.forEach((x, d) => {
        v += x * g[bi][si][d];
      })
    )
  );
  return v;
}

// dopri5's solution map: the 6-stage explicit RK whose weights are a's 7th row (FSAL's k7 only
// feeds the error estimate and the next step's k1, which is f at the same point).
const DP = { c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1],
  a: [[], [1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9], [19372 / 6561, -25360 / 2187, 64448 / 6561,
    -212 / 729], [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]],
  b: [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84] };

/** One row through a given list of dopri5 steps (t_k, dt_k); the state after a step that ends on a
 *  requested time is that time's state. Returns [S][D]. */
export function solveSteps(cfg: Omit<OdeRef, "method" | "substeps">, params: ArrayLike<number>, h0: number[],
  times: number[], steps: { t: ArrayLike<number>; dt: ArrayLike<number> }): number[][] {
  const out = [h0.slice()];
  let h = h0.slice(), s = 1;
  for (let k = 0; k < steps.t.length; k++) {
    const t = steps.t[k], dt = steps.dt[k], kk: number[][] = [];
    for (let i = 0; i < 6; i++) {
      const y = h.map((v, d) => v + DP.a[i].reduce((acc, aij, j) => acc + dt * aij * kk[j][d], 0));
      kk.push(field({ ...cfg, method: "rk4", substeps: 1 }, params, t + DP.c[i] * dt, y));
    }
    h = h.map((v, d) => v + DP.b.reduce((acc, bi, i) => acc + dt * bi * kk[i][d], 0));
    if (s < times.length && Math.abs(t + dt - times[s]) <= 1e-9 * Math.max(1, Math.abs(times[s]))) {
      out.push(h.slice());
      s++;
    }
  }
  return out;
}

/** f(t, h) and its vector–Jacobian products for one row: vᵀ∂f/∂h [D] and vᵀ∂f/∂θ [P] (params in
 *  nn.Sequential order), by reverse mode written out layer by layer. */
export function fieldVjp(cfg: Pick<OdeRef, "widths" | "act" | "timeInput" | "inputMap">, params: ArrayLike<number>,
  t: number, h: number[], v: number[]): { f: number[]; dh: number[]; dtheta: number[] } {
  const cube = cfg.inputMap === "cube", hin = cube ? h.map((x) => x * x * x) : h;
  const K = cfg.widths.length - 1, xs: number[][] = [cfg.timeInput ? [...hin, t] : [...hin]], pre: number[][] = [];
  const offs: number[] = [];
  let off = 0;
  for (let l = 1; l <= K; l++) {
    const o = cfg.widths[l], i = cfg.widths[l - 1], x = xs[l - 1];
    offs.push(off);
    const a = Array.from({ length: o }, (_, r) => {
      let s = params[off + o * i + r];
      for (let c = 0; c < i; c++) s += params[off + r * i + c] * x[c];
      return s;
    });
    pre.push(a);
    xs.push(l < K ? a.map((s) => act(cfg.act, s)) : a);
    off += o * i + o;
  }
  const dtheta = new Array(off).fill(0);
  let g = v.slice();
  for (let l = K; l >= 1; l--) {
    const o = cfg.widths[l], i = cfg.widths[l - 1], x = xs[l - 1], po = offs[l - 1];
    if (l < K) g = g.map((gj, j) => gj * dact(cfg.act, pre[l - 1][j], xs[l][j]));
    for (let r = 0; r < o; r++) {
      dtheta[po + o * i + r] += g[r];
      for (let c = 0; c < i; c++) dtheta[po + r * i + c] += g[r] * x[c];
    }
    g = Array.from({ length: i }, (_, c) => {
      let s = 0;
      for (let r = 0; r < o; r++) s += g[r] * params[po + r * i + c];
      return s;
    });
  }
  return { f: xs[K], dh: g.slice(0, h.length).map((gd, d) => (cube ? gd * 3 * h[d] * h[d] : gd)), dtheta };
}

function dact(a: OdeRef["act"], pre: number, post: number): number {
  return a === "tanh" ? 1 - post * post : a === "relu" ? (pre > 0 ? 1 : 0) : pre > 20 ? 1 : 1 / (1 + Math.exp(-pre));
}

/** The adjoint method with a fixed-step scheme, from the equations: per row, from t_{S−1} down to
 *  t_0, solve d[y, a, aθ]/dt = [f, −aᵀ∂f/∂y, −aᵀ∂f/∂θ] over each interval in `substeps` equal steps
 *  of the same tableau, the state reset to the forward's y(t_s) and g(t_s) added to a at every
 *  requested time. states, g: [B][S][D]. Returns ∂L/∂h0 [B][D] and ∂L/∂θ [P] summed over rows. */
export function adjointFixed(cfg: OdeRef, params: ArrayLike<number>, states: number[][][], times: number[][],
  g: number[][][]): { dh0: number[][]; dtheta: number[] } {
  const { c, b, a } = TABLEAU[cfg.method];
  let P = 0;
  for (let l = 1; l < cfg.widths.length; l++) P += cfg.widths[l] * cfg.widths[l - 1] + cfg.widths[l];
  const dtheta = new Array(P).fill(0);
  const F = (t: number, z: number[][]) => {
    const r = fieldVjp(cfg, params, t, z[0], z[1].map((x) => -x));
    return [r.f, r.dh, r.dtheta];
  };
  const dh0 = states.map((sb, bi) => {
    const tb = times[bi], S = tb.length;
    let z: number[][] = [sb[S - 1].slice(), g[bi][S - 1].slice(), new Array(P).fill(0)];
    for (let s = S - 1; s >= 1; s--) {
      const dt = (tb[s - 1] - tb[s]) / cfg.substeps;
      for (let j = 0; j < cfg.substeps; j++) {
        const t = tb[s] + j * dt, k: number[][][] = [];
        for (let i = 0; i < c.length; i++) {
          const y = z.map((part, p) =>
            part.map((v, d) => v + a[i].reduce((acc, aij, jj) => acc + dt * aij * k[jj][p][d], 0))
          );
          k.push(F(t + c[i] * dt, y));
        }
        z = z.map((part, p) => part.map((v, d) => v + b.reduce((acc, bi2, i) => acc + dt * bi2 * k[i][p][d], 0)));
      }
      z[0] = sb[s - 1].slice();
      z[1] = z[1].map((v, d) => v + g[bi][s - 1][d]);
    }
    z[2].forEach((v, i) => {
      dtheta[i] += v;
    });
    return z[1];
  });
  return { dh0, dtheta };
}
