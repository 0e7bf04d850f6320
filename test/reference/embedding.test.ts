// Token models (Model with vocabSize: nn.Embedding → GRU/LSTM → Linear) against PyTorch
// (test/fixtures/embedding.json, make-fixtures.py --only embedding, float64 autograd): predictions,
// the crossentropy loss and every gradient, on sequences of unequal lengths with repeated ids and
// ids absent from the batch, whose rows of ∂L/∂embedding.weight must be exactly 0. Then the same
// model against two float models: fed the embedding rows by hand (bitwise the same predictions and
// recurrent and readout gradients), and fed one-hot rows through weight_ih·embeddingᵀ (the
// embedding's gradient is weight_ihᵀ times that model's weight_ih gradient).
// Tolerances as test/reference/torch-fixtures.test.ts: forward 1e-5 abs + 1e-4 rel; gradients
// 1e-4 abs + 1e-3 rel.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model } from "../../dist/index.js";
import { expectClose } from "../helpers";

const fx = JSON.parse(readFileSync(new URL("../fixtures/embedding.json", import.meta.url), "utf8"));
const F32 = (a: number[]) => Float32Array.from(a);

beforeAll(async () => {
  await init();
});

function tokenModel(cs: any) {
  const m = new Model({ cell: cs.mode, vocabSize: cs.vocabSize, embeddingSize: cs.embeddingSize,
    hiddenSize: cs.hiddenSize, numLayers: cs.numLayers, outputSize: cs.outputSize, readout: cs.readout,
    loss: "crossentropy" });
  const sd: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(cs.params)) sd[k] = F32(v as number[]);
  m.loadStateDict(sd);
  return m;
}

function data(cs: any) {
  const x = cs.x.map((s: number[]) => Int32Array.from(s));
  const y = cs.readout === "last" ? Int32Array.from(cs.y) : cs.y.map((s: number[]) => Int32Array.from(s));
  return { x, y };
}

describe(`token models vs PyTorch ${fx.torch} (nn.Embedding → RNN → Linear, crossentropy)`, () => {
  for (const cs of fx.cases) {
    it(cs.name, () => {
      const m = tokenModel(cs), d = data(cs);
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(cs.params));
      const pred = m.predict(d.x);
      if (cs.readout === "last") expectClose(`${cs.name} pred`, pred as Float32Array, cs.pred, 1e-5, 1e-4);
      else (pred as Float32Array[]).forEach((p, b) => expectClose(`${cs.name} pred[${b}]`, p, cs.pred[b], 1e-5, 1e-4));
      const loss = m.computeGradients(d);
      expectClose(`${cs.name} loss`, [loss], [cs.loss], 1e-5, 1e-4);
      expectClose(`${cs.name} evaluate`, [m.evaluate(d).loss], [cs.loss], 1e-5, 1e-4);
      const g = m.grads();
      expect(Object.keys(g)).toEqual(Object.keys(cs.grads));
      for (const k of Object.keys(cs.grads)) expectClose(`${cs.name} grad ${k}`, g[k], cs.grads[k], 1e-4, 1e-3);
      // the rows of ids that occur nowhere (padded steps held one of them in PyTorch's batch): exactly 0
      const E = cs.embeddingSize, ge = g["embedding.weight"];
      for (const id of cs.absent) expect(Array.from(ge.subarray(id * E, id * E + E))).toEqual(new Array(E).fill(0));
      m.dispose();
    });
  }
});

describe("a token model against float models", () => {
  for (const cs of fx.cases) {
    it(`${cs.name}: fed its embedding rows by hand, the same bits; fed one-hot rows, the same gradients`, () => {
      const m = tokenModel(cs), d = data(cs), V = cs.vocabSize, E = cs.embeddingSize;
      const sd = m.stateDict(), table = sd["embedding.weight"];
      const { "embedding.weight": _, ...rest } = sd;
      const base = { cell: cs.mode, hiddenSize: cs.hiddenSize, numLayers: cs.numLayers, outputSize: cs.outputSize,
        readout: cs.readout, loss: "crossentropy" as const };
      // the rows by hand
      const f = new Model({ ...base, inputSize: E });
      f.loadStateDict(rest);
      const rows = d.x.map((ids: Int32Array) => {
        const r = new Float32Array(ids.length * E);
        ids.forEach((id, t) => r.set(table.subarray(id * E, id * E + E), t * E));
        return r;
      });
      const p1 = m.predict(d.x), p2 = f.predict(rows);
      expect(p1).toEqual(p2);
      expect(m.computeGradients(d)).toBe(f.computeGradients({ x: rows, y: d.y }));
      const g1 = m.grads(), g2 = f.grads();
      for (const k of Object.keys(g2)) expect(g1[k], k).toEqual(g2[k]);
      // one-hot rows through W' = weight_ih_l0 · embeddingᵀ [G·H, V]
      const w = rest["rnn.weight_ih_l0"], GH = w.length / E, wp = new Float32Array(GH * V);
      for (let i = 0; i < GH; i++) {
        for (let v = 0; v < V; v++) {
          let s = 0;
          for (let j = 0; j < E; j++) s += w[i * E + j] * table[v * E + j];
          wp[i * V + v] = s;
        }
      }
      const o = new Model({ ...base, inputSize: V });
      o.loadStateDict({ ...rest, "rnn.weight_ih_l0": wp });
      const onehot = d.x.map((ids: Int32Array) => {
        const r = new Float32Array(ids.length * V);
        ids.forEach((id, t) => (r[t * V + id] = 1));
        return r;
      });
      const loss = o.computeGradients({ x: onehot, y: d.y });
      expectClose(`${cs.name} one-hot loss`, [loss], [cs.loss], 1e-5, 1e-4);
      const go = o.grads()["rnn.weight_ih_l0"], want = new Float64Array(V * E);
      for (let v = 0; v < V; v++) {
        for (let j = 0; j < E; j++) {
          let s = 0;
          for (let i = 0; i < GH; i++) s += w[i * E + j] * go[i * V + v];
          want[v * E + j] = s;
        }
      }
      expectClose(`${cs.name} embedding grad vs one-hot`, g1["embedding.weight"], want, 1e-4, 1e-3);
      for (const k of ["rnn.weight_hh_l0", "rnn.bias_ih_l0", "readout.weight"]) {
        expectClose(`${cs.name} ${k} vs one-hot`, g1[k], o.grads()[k], 1e-4, 1e-3);
      }
      for (const x of [m, f, o]) x.dispose();
    });
  }
});
