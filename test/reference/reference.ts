// An independent float64 implementation of the model (RNN/LSTM/GRU stack + linear readout + loss,
// zero / learned / per-class initial states, given dropout masks), written from the equations, one
// sequence at a time, for finite-difference gradient checks.
export interface RefConfig {
  cell?: "rnn" | "lstm" | "gru";
  /** GRU: false for the reset gate before the recurrent product (ONNX's default GRU) */
  resetAfter?: boolean;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  nonlinearity?: "tanh" | "relu" | "linear";
  outputSize: number;
  readout: "last" | "sequence";
  loss: "mse" | "crossentropy";
  initialState?: "zeros" | "learned" | { perClass: number };
}
const sig = (v: number) => 1 / (1 + Math.exp(-v));
export type Params = Record<string, Float64Array>;

function matvec(W: Float64Array, rows: number, cols: number, x: ArrayLike<number>, out: Float64Array, add = false) {
  for (let i = 0; i < rows; i++) {
    let s = add ? out[i] : 0;
    for (let j = 0; j < cols; j++) s += W[i * cols + j] * x[j];
    out[i] = s;
  }
}

/** Dropout masks of one batch (Model's layout, nn/model/dropout.ts; T the longest sequence): dropout
 *  [B, L−1, T, D·H] multiplies the output of layer l < L − 1 before layer l + 1 reads it, input
 *  [B, T, I] the input, readout [B or B·T, D·H] the readout's features. */
export interface RefMasks {
  dropout?: Float32Array;
  input?: Float32Array;
  readout?: Float32Array;
}

/** Loss of the model on sequences xs (each [len·I]) with targets ys (and class ids); with per-step
 *  weights (readout "sequence"), Σ w·ℓ / Σ w, ℓ a step's mean squared error over its outputs or its
 *  cross-entropy; with the dropout masks given (none: no dropout). */
export function refLoss(cfg: RefConfig, p: Params, xs: Float32Array[], ys: any, classes?: Int32Array,
  weights?: Float32Array[], masks: RefMasks = {}): number {
  const { inputSize: I, hiddenSize: H, numLayers: L, outputSize: O } = cfg;
  const D = cfg.bidirectional ? 2 : 1, cell = cfg.cell ?? "rnn";
  const act = cfg.nonlinearity ?? "tanh";
  const phi = act === "tanh" ? Math.tanh : act === "linear" ? (v: number) => v : (v: number) => Math.max(v, 0);
  const G = cell === "lstm" ? 4 : cell === "gru" ? 3 : 1;
  const init = (name: string, n: number, ld: number) => {
    const t = p[name];
    if (!t || (cfg.initialState ?? "zeros") === "zeros") return new Float64Array(H);
    const k = classes ? classes[n] : 0;
    return Float64Array.from(t.subarray((k * L * D + ld) * H, (k * L * D + ld + 1) * H));
  };
  let total = 0, count = 0;
  const TB = Math.max(...xs.map((x) => x.length / I)), F = D * H;
  xs.forEach((x, n) => {
    const T = x.length / I;
    let seq: Float64Array[] = Array.from({ length: T }, (_, t) => Float64Array.from(x.subarray(t * I, t * I + I)));
    if (masks.input) seq.forEach((v, t) => v.forEach((e, i) => (v[i] = e * masks.input![(n * TB + t) * I + i])));
    const hn: Float64Array[] = [];
    for (let l = 0; l < L; l++) {
      const In = l === 0 ? I : D * H;
      const out = Array.from({ length: T }, () => new Float64Array(D * H));
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? "_reverse" : ""}`;
        const wih = p["rnn.weight_ih" + sfx], whh = p["rnn.weight_hh" + sfx], bih = p["rnn.bias_ih" + sfx],
          bhh = p["rnn.bias_hh" + sfx];
        let h = init("h0", n, l * D + d), c = init("c0", n, l * D + d);
        for (let s = 0; s < T; s++) {
          const t = d ? T - 1 - s : s;
          const gi = new Float64Array(G * H), gh = new Float64Array(G * H);
          matvec(wih, G * H, In, seq[t], gi);
          matvec(whh, G * H, H, h, gh);
          for (let i = 0; i < G * H; i++) {
            gi[i] += bih[i];
            gh[i] += bhh[i];
          }
          const hNew = new Float64Array(H), cNew = new Float64Array(H);
          // GRU, reset before: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)
          const rh = new Float64Array(H), wrh = new Float64Array(H);
          if (cell === "gru" && cfg.resetAfter === false) {
            for (let i = 0; i < H; i++) rh[i] = sig(gi[i] + gh[i]) * h[i];
            matvec(whh.subarray(2 * H * H), H, H, rh, wrh);
          }
          for (let i = 0; i < H; i++) {
            if (cell === "rnn") hNew[i] = phi(gi[i] + gh[i]);
            else if (cell === "lstm") {
              const a = (g: number) => gi[g * H + i] + gh[g * H + i];
              cNew[i] = sig(a(1)) * c[i] + sig(a(0)) * Math.tanh(a(2));
              hNew[i] = sig(a(3)) * Math.tanh(cNew[i]);
            } else if (cfg.resetAfter === false) {
              const z = sig(gi[H + i] + gh[H + i]);
              const nn = Math.tanh(gi[2 * H + i] + wrh[i] + bhh[2 * H + i]);
              hNew[i] = (1 - z) * nn + z * h[i];
            } else {
              const r = sig(gi[i] + gh[i]), z = sig(gi[H + i] + gh[H + i]);
              const nn = Math.tanh(gi[2 * H + i] + r * gh[2 * H + i]);
              hNew[i] = (1 - z) * nn + z * h[i];
            }
          }
          h = hNew;
          c = cNew;
          out[t].set(h, d * H);
        }
        if (l === L - 1) hn.push(h);
      }
      if (masks.dropout && l < L - 1) {
        out.forEach((v, t) => v.forEach((e, j) => (v[j] = e * masks.dropout![((n * (L - 1) + l) * TB + t) * F + j])));
      }
      seq = out;
    }
    const rows = cfg.readout === "last" ? [Float64Array.from(hn.flatMap((h) => Array.from(h)))] : seq;
    rows.forEach((f, r) => {
      const row = cfg.readout === "last" ? n : n * TB + r;
      if (masks.readout) f = f.map((e, j) => e * masks.readout![row * F + j]);
      const y = new Float64Array(O);
      matvec(p["readout.weight"], O, D * H, f, y);
      for (let o = 0; o < O; o++) y[o] += p["readout.bias"][o];
      if (cfg.loss === "mse") {
        const tgt = cfg.readout === "last"
          ? (ys as Float32Array).subarray(n * O, n * O + O)
          : (ys as Float32Array[])[n].subarray(r * O, r * O + O);
        const w = weights ? weights[n][r] : 1;
        for (let o = 0; o < O; o++) total += w * (y[o] - tgt[o]) ** 2;
        count += w * O;
      } else {
        const label = cfg.readout === "last" ? (ys as Int32Array)[n] : (ys as Int32Array[])[n][r];
        const m = Math.max(...y);
        const lse = m + Math.log(y.reduce((s, v) => s + Math.exp(v - m), 0));
        const w = weights ? weights[n][r] : 1;
        total += w * (lse - y[label]);
        count += w;
      }
    });
  });
  return total / count;
}
