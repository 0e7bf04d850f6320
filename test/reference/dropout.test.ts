// Dropout's gradients with the masks held fixed: the WASM model's loss and gradients of a training
// pass against the float64 reference (test/reference/reference.ts) run with that pass's masks, and
// its gradients against central differences of that reference (masks fixed). Tolerance as in
// gradcheck.test.ts: |g − g_fd| ≤ 1e-4 + 2e-3·|g_fd| (f32 model vs f64 truth). And torch.nn.LSTM /
// GRU / RNN(dropout=p) in training mode with torch's own masks (dropout.json, make-fixtures.py
// --only dropout), given to the model: loss 1e-5 rel, gradients 1e-4 abs + 1e-3 rel.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model } from "../../dist/index.js";
import { expectClose, lcg } from "../helpers";
import { RefConfig, refLoss } from "./reference";

beforeAll(async () => {
  await init();
});

type Cfg = RefConfig & { name: string; cell: "rnn" | "lstm" | "gru"; checkpoint?: boolean };
const rates = { dropout: 0.5, inputDropout: 0.25, readoutDropout: 0.3 };
const configs: Cfg[] = [{ name: "tanh, 2 layers bidirectional, last state, MSE", cell: "rnn", inputSize: 3,
  hiddenSize: 4, numLayers: 2, bidirectional: true, nonlinearity: "tanh", outputSize: 2, readout: "last", loss: "mse" },
  { name: "LSTM, 3 layers, every step, cross-entropy", cell: "lstm", inputSize: 2, hiddenSize: 5, numLayers: 3,
    bidirectional: false, outputSize: 3, readout: "sequence", loss: "crossentropy" }, {
  name: "GRU, 2 layers bidirectional, every step, MSE, checkpointed",
  cell: "gru",
  inputSize: 3,
  hiddenSize: 5,
  numLayers: 2,
  bidirectional: true,
  outputSize: 2,
  readout: "sequence",
  loss: "mse",
  checkpoint: true,
}];

function batch(cfg: Cfg) {
  const rnd = lcg(cfg.hiddenSize * 17 + cfg.numLayers);
  const lens = [5, 2, 4];
  const xs = lens.map((T) => Float32Array.from({ length: T * cfg.inputSize }, () => 2 * rnd() - 0.5));
  const ys = cfg.readout === "last"
    ? Float32Array.from({ length: lens.length * cfg.outputSize }, () => rnd())
    : lens.map((T) =>
      cfg.loss === "mse"
        ? Float32Array.from({ length: T * cfg.outputSize }, () => rnd())
        : Int32Array.from({ length: T }, (_, t) => (t * 7 + T) % cfg.outputSize)
    );
  return { x: xs, y: ys as any };
}

describe("dropout: gradients with fixed masks vs the float64 reference", () => {
  for (const cfg of configs) {
    it(cfg.name, () => {
      const { name, ...mc } = cfg;
      const model = new Model({ ...mc, ...rates, seed: 5 });
      const drop = (model as any).dropoutState;
      drop.record = true;
      const data = batch(cfg);
      const loss = model.computeGradients(data);
      const masks = drop.last;
      expect(Object.keys(masks).sort()).toEqual(["dropout", "input", "readout"]);
      const sd = model.stateDict(), g = model.grads();
      const p64: Record<string, Float64Array> = {};
      for (const [k, v] of Object.entries(sd)) p64[k] = Float64Array.from(v);
      const ref = refLoss(cfg, p64, data.x, data.y, undefined, undefined, masks);
      expect(Math.abs(loss - ref)).toBeLessThan(1e-5 * (1 + Math.abs(ref)));
      // the masks matter: without them the loss differs
      expect(Math.abs(refLoss(cfg, p64, data.x, data.y) - ref)).toBeGreaterThan(1e-3);
      const eps = 1e-6;
      for (const k of Object.keys(sd)) {
        const fd = new Float64Array(sd[k].length);
        for (let i = 0; i < fd.length; i++) {
          const v = p64[k][i];
          p64[k][i] = v + eps;
          const lp = refLoss(cfg, p64, data.x, data.y, undefined, undefined, masks);
          p64[k][i] = v - eps;
          const lm = refLoss(cfg, p64, data.x, data.y, undefined, undefined, masks);
          p64[k][i] = v;
          fd[i] = (lp - lm) / (2 * eps);
        }
        expectClose(`${name}: ${k}`, g[k], fd, 1e-4, 2e-3);
      }
      // the same masks given back (held fixed) give the same loss and gradients, bitwise, in the
      // other checkpointing mode too
      drop.fixed = masks;
      model.checkpoint = !cfg.checkpoint;
      expect(model.computeGradients(data)).toBe(loss);
      const g2 = model.grads();
      for (const k of Object.keys(g)) expect(Array.from(g2[k]), k).toEqual(Array.from(g[k]));
      model.dispose();
    });
  }
});

describe("dropout: finite differences of the WASM model's own loss, masks held fixed", () => {
  it("GRU, 2 layers, every step, MSE: a few weights of each layer and the readout", () => {
    const cfg = configs[2];
    const { name: _, ...mc } = cfg;
    const model = new Model({ ...mc, ...rates, seed: 9 });
    const drop = (model as any).dropoutState;
    drop.record = true;
    const data = batch(cfg);
    model.computeGradients(data);
    drop.fixed = drop.last;
    const g = model.grads(), sd = model.stateDict();
    // a step this large keeps the f32 loss's rounding (~1e-7) below 1e-5 in the quotient; the
    // second-order error of central differences is smaller still for these smooth cells
    const eps = 1e-2;
    for (const k of ["rnn.weight_ih_l0", "rnn.weight_hh_l1_reverse", "rnn.weight_ih_l1", "readout.weight"]) {
      const got: number[] = [], want: number[] = [];
      for (const i of [0, 3, 7]) {
        const v = sd[k][i], at = (x: number) => {
          const d = { ...sd, [k]: Float32Array.from(sd[k]) };
          d[k][i] = x;
          model.loadStateDict(d);
          return model.computeGradients(data);
        };
        want.push((at(v + eps) - at(v - eps)) / (2 * eps));
        got.push(g[k][i]);
      }
      expectClose(k, got, want, 3e-5, 2e-2);
    }
    model.dispose();
  });
});

describe("inputDropout on a token model: the embedding's rows are dropped, forward and backward", () => {
  it("GRU with vocabSize: the training loss differs from no dropout, and the embedding's gradient is the finite difference of the loss with the masks held fixed", () => {
    const cfg = { cell: "gru" as const, vocabSize: 7, embeddingSize: 4, hiddenSize: 5, outputSize: 3,
      readout: "sequence" as const, loss: "crossentropy" as const, seed: 4 };
    const x = [Int32Array.of(1, 2, 2, 5, 0), Int32Array.of(3, 1, 6)],
      y = [Int32Array.of(0, 1, 2, 1, 0), Int32Array.of(2, 2, 1)];
    const plain = new Model(cfg), model = new Model({ ...cfg, inputDropout: 0.5 });
    model.loadStateDict(plain.stateDict());
    const drop = (model as any).dropoutState;
    drop.record = true;
    const loss = model.computeGradients({ x, y });
    expect(loss).not.toBe(plain.computeGradients({ x, y })); // the mask reached the rows the stack reads
    drop.fixed = drop.last;
    const g = model.grads(), sd = model.stateDict(), eps = 1e-2, got: number[] = [], want: number[] = [];
    for (const i of [1 * 4, 2 * 4 + 1, 5 * 4 + 3, 6 * 4 + 2]) {
      const at = (v: number) => {
        const d = { ...sd, "embedding.weight": Float32Array.from(sd["embedding.weight"]) };
        d["embedding.weight"][i] = v;
        model.loadStateDict(d);
        return model.computeGradients({ x, y });
      };
      want.push((at(sd["embedding.weight"][i] + eps) - at(sd["embedding.weight"][i] - eps)) / (2 * eps));
      got.push(g["embedding.weight"][i]);
    }
    expectClose("embedding.weight", got, want, 3e-5, 2e-2);
    model.dispose();
    plain.dispose();
  });
});

describe("dropout vs PyTorch: torch.nn.RNN / LSTM / GRU(dropout=p) in training mode, with torch's masks", () => {
  const fx = JSON.parse(readFileSync(new URL("../fixtures/dropout.json", import.meta.url), "utf8"));
  for (const cs of fx.cases) {
    it(`${cs.name} (PyTorch ${fx.torch})`, () => {
      const F32 = (a: number[]) => Float32Array.from(a);
      const model = new Model({ cell: cs.cell, inputSize: cs.I, hiddenSize: cs.H, numLayers: cs.numLayers,
        bidirectional: cs.bidirectional, outputSize: cs.O, readout: "sequence", loss: "mse", dropout: cs.p });
      const sd: Record<string, Float32Array> = {};
      for (const [k, v] of Object.entries(cs.params)) sd[k] = F32(v as number[]);
      model.loadStateDict(sd);
      const drop = (model as any).dropoutState;
      drop.fixed = { dropout: F32(cs.mask) };
      const x = F32(cs.x), y = F32(cs.y), seq = cs.T * cs.I, out = cs.T * cs.O;
      const data = { x: Array.from({ length: cs.B }, (_, b) => x.subarray(b * seq, (b + 1) * seq)),
        y: Array.from({ length: cs.B }, (_, b) => y.subarray(b * out, (b + 1) * out)) };
      const loss = model.computeGradients(data);
      expect(Math.abs(loss - cs.loss)).toBeLessThan(1e-5 * Math.abs(cs.loss));
      const g = model.grads();
      for (const [k, v] of Object.entries(cs.grads)) expectClose(`${cs.name}: ${k}`, g[k], v as number[], 1e-4, 1e-3);
      // without the masks, the same weights give another loss: the fixture's masks matter
      drop.fixed = null;
      expect(Math.abs(model.evaluate(data).loss - cs.loss)).toBeGreaterThan(1e-4);
      model.dispose();
    });
  }
});
