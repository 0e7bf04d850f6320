// A/B of two builds in one process: training step and forward pass on the bench configurations,
// one sample of A then one of B in turn, so that the machine's drift hits both alike. Prints the
// medians and B/A. This is how the speed changes quoted in RESULTS.md's notes were measured.
//   git worktree add /tmp/a <commit> && cd /tmp/a && npm ci && npm run build     (likewise /tmp/b)
//   node bench/ab.mjs /tmp/a /tmp/b [rnn,lstm,gru] [--no-small] [--no-medium] [--no-large]
// Each directory needs dist/index.js and the build/ it loads.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { alternate } from "./timing.mjs";

const [dirA, dirB] = process.argv.slice(2, 4);
if (!dirA || !dirB) { console.error("usage: node bench/ab.mjs DIR_A DIR_B [cells] [--no-small|--no-medium|--no-large]"); process.exit(2); }
const mods = [];
for (const d of [dirA, dirB]) mods.push(await import(pathToFileURL(resolve(d, "dist/index.js")).href));
for (const m of mods) await m.init();
const cellArg = process.argv[4] && !process.argv[4].startsWith("--") ? process.argv[4] : "rnn,lstm,gru";
const CONFIGS = [
  { name: "small", B: 32, T: 50, I: 16, H: 64 },
  { name: "medium", B: 32, T: 100, I: 32, H: 128 },
  { name: "large", B: 64, T: 100, I: 64, H: 256 },
].filter((c) => !process.argv.includes("--no-" + c.name));
const rng = () => { let s = 1; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5; };

console.log(`A = ${dirA}, B = ${dirB}; median ms, alternating samples`);
for (const cell of cellArg.split(",")) for (const cfg of CONFIGS) {
  const { B, T, I, H } = cfg;
  const runs = mods.map((m) => {
    const rnd = rng();
    const data = { x: Array.from({ length: B }, () => Float32Array.from({ length: T * I }, rnd)), y: Float32Array.from({ length: B }, rnd) };
    const Layer = { rnn: m.RNN, lstm: m.LSTM, gru: m.GRU }[cell];
    return {
      model: new m.Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 }), opt: new m.Adam({ learningRate: 1e-4 }), data,
      layer: new Layer({ inputSize: I, hiddenSize: H, seed: 1 }), x: Float32Array.from({ length: B * T * I }, rnd),
    };
  });
  const n = cfg.name === "large" ? 15 : 41;
  const t = await alternate(runs.flatMap((r) => [() => r.model.trainBatch(r.data, r.opt), () => r.layer.forward(r.x, { batch: B, steps: T })]), { rounds: n, warmup: 2 });
  const [a, b] = [0, 1].map((k) => ({ train: t[2 * k].ms, fwd: t[2 * k + 1].ms }));
  console.log(`${cell} ${cfg.name}: train ${a.train.toFixed(2)} / ${b.train.toFixed(2)} (B/A ${(b.train / a.train).toFixed(3)}), forward ${a.fwd.toFixed(2)} / ${b.fwd.toFixed(2)} (B/A ${(b.fwd / a.fwd).toFixed(3)})`);
  for (const r of runs) { r.model.dispose(); r.layer.dispose(); }
}
