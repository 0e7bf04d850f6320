// Finite differences on the full training loss, readout included: the WASM model's gradients
// against central differences of an independent float64 reference (test/reference/reference.ts), for every
// parameter of small models — learned and per-class initial-state tables included. Tolerance: |g − g_fd| ≤ 1e-4 + 2e-3·|g_fd| (f32 model vs f64 truth).
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model } from "../../dist/index.js";
import { expectClose, lcg } from "../helpers";
import { RefConfig, refLoss } from "./reference";

beforeAll(async () => {
  await init();
});

const configs: (RefConfig & { name: string; cell?: "rnn" | "lstm" | "gru"; weighted?: boolean })[] = [{
  name: "tanh, 1 layer, last state, MSE",
  inputSize: 3,
  hiddenSize: 5,
  numLayers: 1,
  bidirectional: false,
  nonlinearity: "tanh",
  outputSize: 2,
  readout: "last",
  loss: "mse",
}, { name: "tanh, 2 layers bidirectional, last state, MSE", inputSize: 3, hiddenSize: 4, numLayers: 2,
  bidirectional: true, nonlinearity: "tanh", outputSize: 1, readout: "last", loss: "mse" }, {
  name: "relu, 1 layer bidirectional, every step, cross-entropy",
  inputSize: 2,
  hiddenSize: 5,
  numLayers: 1,
  bidirectional: true,
  nonlinearity: "relu",
  outputSize: 3,
  readout: "sequence",
  loss: "crossentropy",
}, { name: "tanh, 2 layers, every step, MSE", inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: false,
  nonlinearity: "tanh", outputSize: 2, readout: "sequence", loss: "mse" }, {
  name: "linear (identity φ), 2 layers bidirectional, last state, MSE",
  inputSize: 3,
  hiddenSize: 4,
  numLayers: 2,
  bidirectional: true,
  nonlinearity: "linear",
  outputSize: 2,
  readout: "last",
  loss: "mse",
}, { name: "tanh, 1 layer, last state, cross-entropy", inputSize: 3, hiddenSize: 9, numLayers: 1, bidirectional: false,
  nonlinearity: "tanh", outputSize: 4, readout: "last", loss: "crossentropy" }, {
  name: "LSTM, 2 layers bidirectional, last state, MSE",
  cell: "lstm",
  inputSize: 3,
  hiddenSize: 5,
  numLayers: 2,
  bidirectional: true,
  outputSize: 1,
  readout: "last",
  loss: "mse",
}, { name: "LSTM, 1 layer, every step, cross-entropy, learned h0/c0", cell: "lstm", inputSize: 2, hiddenSize: 6,
  numLayers: 1, bidirectional: false, outputSize: 3, readout: "sequence", loss: "crossentropy",
  initialState: "learned" }, { name: "GRU, 2 layers bidirectional, every step, MSE", cell: "gru", inputSize: 3,
  hiddenSize: 5, numLayers: 2, bidirectional: true, outputSize: 2, readout: "sequence", loss: "mse" }, {
  name: "GRU resetAfter false, 2 layers bidirectional, every step, MSE",
  cell: "gru",
  resetAfter: false,
  inputSize: 3,
  hiddenSize: 5,
  numLayers: 2,
  bidirectional: true,
  outputSize: 2,
  readout: "sequence",
  loss: "mse",
}, { name: "GRU resetAfter false, 1 layer, last state, cross-entropy, learned h0", cell: "gru", resetAfter: false,
  inputSize: 2, hiddenSize: 6, numLayers: 1, bidirectional: false, outputSize: 3, readout: "last", loss: "crossentropy",
  initialState: "learned" }, { name: "GRU, 1 layer, last state, MSE, per-class h0 (3 classes)", cell: "gru",
  inputSize: 2, hiddenSize: 7, numLayers: 1, bidirectional: false, outputSize: 1, readout: "last", loss: "mse",
  initialState: { perClass: 3 } }, {
  name: "RNN relu, 2 layers bidirectional, last state, cross-entropy, per-class h0 (2 classes)",
  cell: "rnn",
  nonlinearity: "relu",
  inputSize: 2,
  hiddenSize: 4,
  numLayers: 2,
  bidirectional: true,
  outputSize: 2,
  readout: "last",
  loss: "crossentropy",
  initialState: { perClass: 2 },
}, { name: "LSTM, 1 layer bidirectional, last state, MSE, per-class h0/c0 (2 classes)", cell: "lstm", inputSize: 2,
  hiddenSize: 3, numLayers: 1, bidirectional: true, outputSize: 1, readout: "last", loss: "mse",
  initialState: { perClass: 2 } }, { name: "GRU, 1 layer, every step, MSE, per-step weights (a zero warm-up)",
  cell: "gru", inputSize: 2, hiddenSize: 4, numLayers: 1, bidirectional: false, outputSize: 2, readout: "sequence",
  loss: "mse", weighted: true }, { name: "LSTM, 2 layers bidirectional, every step, cross-entropy, per-step weights",
  cell: "lstm", inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, outputSize: 3, readout: "sequence",
  loss: "crossentropy", weighted: true }];

describe("gradients of the whole training loss vs float64 finite differences", () => {
  for (const cfg of configs) {
    it(cfg.name, () => {
      const rnd = lcg(cfg.hiddenSize * 31 + cfg.outputSize);
      const lens = [5, 2, 4];
      const xs = lens.map((T) => Float32Array.from({ length: T * cfg.inputSize }, () => 2 * rnd()));
      let ys: any;
      if (cfg.readout === "last") {
        ys = cfg.loss === "mse"
          ? Float32Array.from({ length: lens.length * cfg.outputSize }, () => rnd())
          : Int32Array.from(lens, (_, i) => i % cfg.outputSize);
      } else {
        ys = lens.map((T) =>
          cfg.loss === "mse"
            ? Float32Array.from({ length: T * cfg.outputSize }, () => rnd())
            : Int32Array.from({ length: T }, (_, t) => (t * 7 + T) % cfg.outputSize)
        );
      }
      // per-step weights: 0 over a warm-up of 2 steps, otherwise in [0.25, 1.25)
      const weights = cfg.weighted
        ? lens.map((T) => Float32Array.from({ length: T }, (_, t) => (t < 2 ? 0 : 0.25 + 2 * Math.abs(rnd()))))
        : undefined;
      const { name, weighted: _, ...mc } = cfg;
      const model = new Model({ ...mc, seed: 3 });
      const perClass = typeof cfg.initialState === "object" ? cfg.initialState.perClass : 0;
      const classes = perClass ? Int32Array.from(lens, (_, i) => (i + 1) % perClass) : undefined;
      if (cfg.initialState && cfg.initialState !== "zeros") {
        // learned states start at zero; give them values so their gradients are generic
        const sd0 = model.stateDict();
        for (const k of ["h0", "c0"]) if (sd0[k]) sd0[k] = sd0[k].map(() => rnd());
        model.loadStateDict(sd0);
      }
      const data = { x: xs, y: ys, ...(classes ? { classes } : {}), ...(weights ? { weights } : {}) };
      const loss = model.computeGradients(data);
      const sd = model.stateDict(), g = model.grads();
      if (cfg.initialState && cfg.initialState !== "zeros") expect(Object.keys(sd)).toContain("h0");
      const p64: Record<string, Float64Array> = {};
      for (const [k, v] of Object.entries(sd)) p64[k] = Float64Array.from(v);
      const ref = refLoss(cfg, p64, xs, ys, classes, weights);
      expect(Math.abs(loss - ref)).toBeLessThan(1e-5 * (1 + Math.abs(ref)));
      const eps = 1e-6;
      for (const k of Object.keys(sd)) {
        const fd = new Float64Array(sd[k].length);
        for (let i = 0; i < fd.length; i++) {
          const v = p64[k][i];
          p64[k][i] = v + eps;
          const lp = refLoss(cfg, p64, xs, ys, classes, weights);
          p64[k][i] = v - eps;
          const lm = refLoss(cfg, p64, xs, ys, classes, weights);
          p64[k][i] = v;
          fd[i] = (lp - lm) / (2 * eps);
        }
        expectClose(`${name}: ${k}`, g[k], fd, 1e-4, 2e-3);
      }
      model.dispose();
    });
  }
});
