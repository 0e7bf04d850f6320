// An independent float64 implementation of the model (Elman stack + linear readout + loss), written
// from the equations, one sequence at a time, for finite-difference gradient checks.
export interface RefConfig {
  inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean;
  nonlinearity: "tanh" | "relu"; outputSize: number; readout: "last" | "sequence"; loss: "mse" | "crossentropy";
}
export type Params = Record<string, Float64Array>;

function matvec(W: Float64Array, rows: number, cols: number, x: ArrayLike<number>, out: Float64Array, add = false) {
  for (let i = 0; i < rows; i++) {
    let s = add ? out[i] : 0;
    for (let j = 0; j < cols; j++) s += W[i * cols + j] * x[j];
    out[i] = s;
  }
}

/** Loss of the model on sequences xs (each [len·I]) with targets ys. */
export function refLoss(cfg: RefConfig, p: Params, xs: Float32Array[], ys: any): number {
  const { inputSize: I, hiddenSize: H, numLayers: L, outputSize: O } = cfg;
  const D = cfg.bidirectional ? 2 : 1;
  const phi = cfg.nonlinearity === "tanh" ? Math.tanh : (v: number) => Math.max(v, 0);
  let total = 0, count = 0;
  xs.forEach((x, n) => {
    const T = x.length / I;
    let seq: Float64Array[] = Array.from({ length: T }, (_, t) => Float64Array.from(x.subarray(t * I, t * I + I)));
    const hn: Float64Array[] = [];
    for (let l = 0; l < L; l++) {
      const In = l === 0 ? I : D * H;
      const out = Array.from({ length: T }, () => new Float64Array(D * H));
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? "_reverse" : ""}`;
        const wih = p["rnn.weight_ih" + sfx], whh = p["rnn.weight_hh" + sfx], bih = p["rnn.bias_ih" + sfx], bhh = p["rnn.bias_hh" + sfx];
        let h = new Float64Array(H);
        for (let s = 0; s < T; s++) {
          const t = d ? T - 1 - s : s;
          const a = new Float64Array(H);
          matvec(wih, H, In, seq[t], a);
          matvec(whh, H, H, h, a, true);
          const hNew = new Float64Array(H);
          for (let i = 0; i < H; i++) hNew[i] = phi(a[i] + bih[i] + bhh[i]);
          h = hNew;
          out[t].set(h, d * H);
        }
        if (l === L - 1) hn.push(h);
      }
      seq = out;
    }
    const rows = cfg.readout === "last" ? [Float64Array.from(hn.flatMap((h) => Array.from(h)))] : seq;
    rows.forEach((f, r) => {
      const y = new Float64Array(O);
      matvec(p["readout.weight"], O, D * H, f, y);
      for (let o = 0; o < O; o++) y[o] += p["readout.bias"][o];
      if (cfg.loss === "mse") {
        const tgt = cfg.readout === "last" ? (ys as Float32Array).subarray(n * O, n * O + O) : (ys as Float32Array[])[n].subarray(r * O, r * O + O);
        for (let o = 0; o < O; o++) total += (y[o] - tgt[o]) ** 2;
        count += O;
      } else {
        const label = cfg.readout === "last" ? (ys as Int32Array)[n] : (ys as Int32Array[])[n][r];
        const m = Math.max(...y);
        const lse = m + Math.log(y.reduce((s, v) => s + Math.exp(v - m), 0));
        total += lse - y[label];
        count += 1;
      }
    });
  });
  return total / count;
}
