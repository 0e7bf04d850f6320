// Truncated BPTT(k) with a loss on the final state only: ∂L/∂x[b][t] is EXACTLY zero for
// t < len_b − k and non-zero for the last k steps; full BPTT reaches t = 0.
import { beforeAll, describe, expect, it } from "vitest";
import { init, RNN, LSTM, GRU } from "../../dist/index.js";
import { f32of, lcg } from "../helpers";

beforeAll(async () => {
  await init();
});

describe("truncated BPTT(k), loss on h_n", () => {
  const B = 4, T = 30, I = 3, H = 8;
  const lengths = Int32Array.from([30, 17, 11, 1]);
  for (const [label, nonlinearity] of [["RNN tanh", "tanh"], ["RNN relu", "relu"], ["LSTM", "tanh"], ["GRU",
    "tanh"]] as const) {
    for (const numLayers of [1, 2]) {
      it(`${label}, ${numLayers} layer(s): exact zeros beyond k, non-zero within k, full BPTT reaches t=0`, () => {
        const o = { inputSize: I, hiddenSize: H, numLayers, seed: 7 };
        const rnn = label === "LSTM" ? new LSTM(o) : label === "GRU" ? new GRU(o) : new RNN({ ...o, nonlinearity });
        const rnd = lcg(5);
        const x = f32of(B * T * I, rnd, 2);
        const gH = f32of(numLayers * B * H, rnd);
        for (const k of [1, 3, 10, 30]) {
          rnn.forward(x, { batch: B, steps: T, lengths });
          const { x: dx } = rnn.backward({ hN: gH }, { truncate: k });
          for (let b = 0; b < B; b++) {
            for (let t = 0; t < T; t++) {
              const norm = Math.hypot(...dx.subarray((b * T + t) * I, (b * T + t + 1) * I));
              if (t < lengths[b] - k || t >= lengths[b]) expect(norm, `k=${k} b=${b} t=${t}`).toBe(0);
              // relu can zero a step by chance (a dead unit); tanh never does
              else if (nonlinearity === "tanh") expect(norm, `k=${k} b=${b} t=${t}`).toBeGreaterThan(0);
            }
          }
        }
        rnn.forward(x, { batch: B, steps: T, lengths });
        const { x: full } = rnn.backward({ hN: gH });
        for (let b = 0; b < B; b++) {
          expect(Math.hypot(...full.subarray(b * T * I, b * T * I + I)), `full BPTT, b=${b}, t=0`).toBeGreaterThan(0);
        }
        rnn.dispose();
      });
    }
  }
  it("bidirectional: the reverse direction truncates in its own step order (from t = 0)", () => {
    const rnn = new RNN({ inputSize: I, hiddenSize: H, bidirectional: true, seed: 2 });
    const rnd = lcg(9), x = f32of(B * T * I, rnd);
    rnn.forward(x, { batch: B, steps: T, lengths });
    // gradient only on the reverse direction's h_n (index 1): reaches t = 0..k−1
    const gH = new Float32Array(2 * B * H);
    gH.set(f32of(B * H, rnd), B * H);
    const k = 4;
    const { x: dx } = rnn.backward({ hN: gH }, { truncate: k });
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const norm = Math.hypot(...dx.subarray((b * T + t) * I, (b * T + t + 1) * I));
        if (t < Math.min(k, lengths[b])) expect(norm).toBeGreaterThan(0);
        else expect(norm).toBe(0);
      }
    }
    rnn.dispose();
  });
});
