// The readout head (Model's `head`: hidden Linear layers with an activation before the output layer)
// against PyTorch: a GRU, nn.Sequential(Linear, Act, Linear, Act) and nn.Linear in float64 by
// autograd (test/fixtures/head.json, make-fixtures.py --only head): the state_dict's names and
// order, the predictions, the loss and every parameter's gradient, for readout "last" and
// "sequence", mse and crossentropy, relu and tanh.
// Tolerances: predictions and loss 1e-5 abs + 1e-4 rel; gradients 1e-4 abs + 1e-3 rel.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model } from "../../dist/index.js";
import { expectClose } from "../helpers";

const fx = JSON.parse(readFileSync(new URL("../fixtures/head.json", import.meta.url), "utf8"));

beforeAll(async () => {
  await init();
});

describe(`readout head vs PyTorch ${fx.torch}`, () => {
  for (const cs of fx.cases) {
    it(cs.name, () => {
      const { B, T, I, O, lengths } = cs;
      const m = new Model({ cell: "gru", inputSize: I, hiddenSize: cs.H, numLayers: cs.numLayers,
        bidirectional: cs.bidirectional, outputSize: O, readout: cs.readout, loss: cs.loss,
        head: { hidden: cs.hidden, activation: cs.activation } });
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(cs.params));
      const sd: Record<string, Float32Array> = {};
      for (const [k, v] of Object.entries(cs.params)) sd[k] = Float32Array.from(v as number[]);
      m.loadStateDict(sd);
      const x = Array.from({ length: B }, (_, b) => Float32Array.from(cs.x.slice(b * T * I, (b * T + lengths[b]) * I)));
      const last = cs.readout === "last", ce = cs.loss === "crossentropy";
      let y: any;
      if (last) y = ce ? Int32Array.from(cs.y) : Float32Array.from(cs.y);
      else {
        y = Array.from({ length: B }, (_, b) => {
          const rows = cs.y.slice(b * T * (ce ? 1 : O), (b * T + lengths[b]) * (ce ? 1 : O));
          return ce ? Int32Array.from(rows) : Float32Array.from(rows);
        });
      }
      const loss = m.computeGradients({ x, y });
      expect(Math.abs(loss - cs.lossValue)).toBeLessThan(1e-5 + 1e-4 * Math.abs(cs.lossValue));
      const g = m.grads();
      for (const k of Object.keys(cs.grads)) expectClose(`${cs.name}: ${k}`, g[k], cs.grads[k], 1e-4, 1e-3);
      const p = m.predict(x);
      if (last) expectClose(`${cs.name}: predictions`, p as Float32Array, cs.pred, 1e-5, 1e-4);
      else {
        for (let b = 0; b < B; b++) {
          expectClose(`${cs.name}: predictions of sequence ${b}`, (p as Float32Array[])[b],
            cs.pred.slice(b * T * O, (b * T + lengths[b]) * O), 1e-5, 1e-4);
        }
      }
      m.dispose();
    });
  }
});
