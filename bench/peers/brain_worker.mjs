// brain.js as a peer process of bench/passes/suites/alternated.mjs (protocol: serve.mjs).
// recurrent.RNNTimeStep / LSTMTimeStep / GRUTimeStep have no minibatches, so one training step is
// one pass over the B sequences (each T steps of I inputs → one output), as train(data,
// { iterations: 1 }) does it, and forward is run() on each of the B sequences. Its time-step nets
// require outputSize = inputSize, so the readout is I wide instead of 1 (a negligible difference).
import { readFileSync } from "node:fs";
import brain from "brain.js";
import { lcg } from "../passes/suites/common.mjs";
import { serve } from "./serve.mjs";

const version =
  JSON.parse(readFileSync(new URL("./node_modules/brain.js/package.json", import.meta.url), "utf8")).version;
await serve({ info: () => ({ version }),
  setup: ({ cell, B, T, I, H }) => {
    const Net =
      { rnn: brain.recurrent.RNNTimeStep, lstm: brain.recurrent.LSTMTimeStep, gru: brain.recurrent.GRUTimeStep }[cell];
    const net = new Net({ inputSize: I, hiddenLayers: [H], outputSize: I }), rnd = lcg(1);
    const data = Array.from({ length: B },
      () => ({ input: Array.from({ length: T }, () => Array.from({ length: I }, rnd)),
        output: [Array.from({ length: I }, rnd)] }));
    return { train: () => {
      net.train(data, { iterations: 1, errorThresh: 0, log: false });
    },
      forward: () => {
        for (const d of data) net.run(d.input);
      } };
  } });
