// An independent float64 reference of the ODE-RNN (Rubanova et al. 2019) as a Model computes it,
// written from the equations: between steps the state follows the Neural ODE (the fixed-step
// reference of ode-reference.ts), at each step with something observed PyTorch's GRU cell reads
// the input [x ⊙ m, m], a linear readout, and Model's mse loss (the mean over valid steps and
// outputs). Parameters by state_dict name.
import { OdeRef, solve } from "./ode-reference";

export interface OdeRnnRef {
  I: number;
  H: number;
  O: number;
  inputMask: boolean;
  readout: "last" | "sequence";
  learnedH0: boolean;
  ode: Omit<OdeRef, "widths"> & { widths: number[] };
}
export interface RefSeq {
  x: ArrayLike<number>;
  times: ArrayLike<number>;
  mask?: ArrayLike<number>;
}
type P = Record<string, ArrayLike<number>>;

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** PyTorch's GRU cell (gates r, z, n; the reset gate applied after the recurrent product). */
export function gruCell(p: P, H: number, x: number[], h: number[]): number[] {
  const I = x.length, wi = p["rnn.weight_ih_l0"], wh = p["rnn.weight_hh_l0"], bi = p["rnn.bias_ih_l0"],
    bh = p["rnn.bias_hh_l0"];
  const gi = (g: number, j: number) => {
    let s = bi[g * H + j];
    for (let c = 0; c < I; c++) s += wi[(g * H + j) * I + c] * x[c];
    return s;
  };
  const gh = (g: number, j: number) => {
    let s = bh[g * H + j];
    for (let c = 0; c < H; c++) s += wh[(g * H + j) * H + c] * h[c];
    return s;
  };
  return h.map((hj, j) => {
    const r = sig(gi(0, j) + gh(0, j)), z = sig(gi(1, j) + gh(1, j)), n = Math.tanh(gi(2, j) + r * gh(2, j));
    return (1 - z) * n + z * hj;
  });
}

/** The ODE's flat parameters (nn.Sequential order) from a state dict. */
function odeFlat(cfg: OdeRnnRef, p: P): number[] {
  const out: number[] = [];
  for (let l = 0; l + 1 < cfg.ode.widths.length; l++) {
    out.push(...Array.from(p[`ode.net.${2 * l}.weight`]), ...Array.from(p[`ode.net.${2 * l}.bias`]));
  }
  return out;
}

/** The states h_s after every step of one sequence. */
export function states(cfg: OdeRnnRef, p: P, seq: RefSeq): number[][] {
  const { I, H } = cfg, len = seq.times.length, flat = odeFlat(cfg, p);
  let h = cfg.learnedH0 ? Array.from(p["h0"]).slice(0, H) : new Array(H).fill(0);
  const out: number[][] = [];
  for (let s = 0; s < len; s++) {
    if (s > 0 && seq.times[s] > seq.times[s - 1]) {
      h = solve(cfg.ode, flat, [h], [[seq.times[s - 1], seq.times[s]]])[0][1];
    }
    const m = seq.mask ? Array.from({ length: I }, (_, j) => seq.mask![s * I + j]) : null;
    if (!m || m.some((v) => v !== 0)) {
      const x = Array.from({ length: I }, (_, j) => (m && m[j] === 0 ? 0 : seq.x[s * I + j]));
      h = gruCell(p, H, cfg.inputMask ? [...x, ...m!] : x, h);
    }
    out.push(h);
  }
  return out;
}

/** Predictions: [len·O] per sequence (sequence readout) or [O] (last). */
export function predict(cfg: OdeRnnRef, p: P, seq: RefSeq): number[] {
  const hs = states(cfg, p, seq), w = p["readout.weight"], b = p["readout.bias"];
  const ro = (h: number[]) =>
    Array.from({ length: cfg.O }, (_, o) => {
      let s = b[o];
      for (let j = 0; j < cfg.H; j++) s += w[o * cfg.H + j] * h[j];
      return s;
    });
  return cfg.readout === "last" ? ro(hs[hs.length - 1]) : hs.flatMap(ro);
}

/** Model's mse: the mean of (pred − y)² over every valid step (or sequence) and output. */
export function loss(cfg: OdeRnnRef, p: P, seqs: RefSeq[], ys: ArrayLike<number>[]): number {
  let sum = 0, n = 0;
  seqs.forEach((q, i) => {
    predict(cfg, p, q).forEach((v, k) => {
      sum += (v - ys[i][k]) ** 2;
      n++;
    });
  });
  return sum / n;
}
