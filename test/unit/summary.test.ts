// Model.summary(): the table of modules, output shapes and parameter counts, exactly, on known
// models (the counts worked out by hand from PyTorch's shapes).
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

describe("Model.summary", () => {
  it("GRU + head + learned h0: every row and the total", () => {
    // GRU: 3·5·3 (W_ih) + 3·5·5 (W_hh) + 2·15 (biases) = 150; head.0: 4·5 + 4 = 24; readout: 2·4 + 2 = 10; h0: 5
    const m = new Model({ cell: "gru", inputSize: 3, hiddenSize: 5, outputSize: 2, head: { hidden: [4] },
      initialState: "learned" });
    expect(m.summary()).toBe(
      ['Model: cell "gru", readout "last", loss "mse"', "─────────────────────────────────────────────────────",
        "Layer    Type                   Output shape  Param #",
        "═════════════════════════════════════════════════════",
        "rnn      GRU                    (batch, 5)        150",
        "head.0   Linear                 (batch, 4)         24",
        "head.1   ReLU                   (batch, 4)          0",
        "readout  Linear                 (batch, 2)         10",
        "h0       learned initial state  [1, 5]              5",
        "═════════════════════════════════════════════════════", "Total params: 189 (756 bytes as float32)",
        "Trainable params: 189"].join("\n"),
    );
    expect(m.numParams).toBe(189);
    m.dispose();
    expect(() => m.summary()).toThrow(/Model.summary: the module was disposed/);
  });

  it("LSTM, 2 layers bidirectional, every step: thousands separated, per-step shapes", () => {
    // layer 0: 2 directions × (4·128·(30 + 128) + 2·512) = 163,840; layer 1: 2 × (4·128·(256 + 128) + 1024) = 395,264
    const m = new Model({ cell: "lstm", inputSize: 30, hiddenSize: 128, numLayers: 2, bidirectional: true,
      outputSize: 10, readout: "sequence", loss: "crossentropy", head: { hidden: [64, 32], activation: "tanh" } });
    const rows = m.summary().split("\n");
    expect(rows[4]).toBe("rnn      LSTM, 2 layers, bidirectional  (batch, steps, 256)  559,104");
    expect(rows.slice(5, 10)).toEqual(["head.0   Linear                         (batch, steps, 64)    16,448",
      "head.1   Tanh                           (batch, steps, 64)         0",
      "head.2   Linear                         (batch, steps, 32)     2,080",
      "head.3   Tanh                           (batch, steps, 32)         0",
      "readout  Linear                         (batch, steps, 10)       330"]);
    expect(rows[11]).toBe(
      `Total params: ${(559104 + 16448 + 2080 + 330).toLocaleString("en-US")} (${
        (4 * m.numParams).toLocaleString("en-US")
      } bytes as float32)`,
    );
    expect(m.numParams).toBe(559104 + 16448 + 2080 + 330);
    m.dispose();
  });
});
