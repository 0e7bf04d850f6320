// ONNX Runtime Web (wasm backend, one thread) as a peer process of bench/passes/suites/alternated.mjs
// (protocol: serve.mjs), forward only (it is an inference engine): one ONNX RNN / LSTM / GRU layer
// exported from PyTorch (export_onnx.py batched, run here on first use with Debian's torch and
// kept in bench/peers/onnx/), x [B, T, I] → y [B, T, H] from a zero state, as RNN.forward.
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { lcg } from "../passes/suites/common.mjs";
import { serve } from "./serve.mjs";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-web");
ort.env.wasm.numThreads = 1;
const version =
  JSON.parse(readFileSync(new URL("./node_modules/onnxruntime-web/package.json", import.meta.url), "utf8")).version;
await serve({ info: () => ({ version }),
  setup: async ({ cell, B, T, I, H }) => {
    const file = new URL(`./onnx/batched-${cell}-${I}-${H}.onnx`, import.meta.url);
    if (!existsSync(file)) {
      execFileSync("/usr/bin/python3", [fileURLToPath(new URL("./export_onnx.py", import.meta.url)), "batched", cell,
        String(I), String(H)], { stdio: ["ignore", "ignore", "ignore"] });
    }
    const session = await ort.InferenceSession.create(readFileSync(file), { executionProviders: ["wasm"],
      graphOptimizationLevel: "all" });
    const x = new ort.Tensor("float32", Float32Array.from({ length: B * T * I }, lcg(1)), [B, T, I]);
    return { forward: async () => {
      const r = await session.run({ x });
      if (r.y.dims[2] !== H) throw new Error(`ORT output ${r.y.dims}`);
    }, dispose: () => session.release() };
  } });
