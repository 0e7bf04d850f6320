// A/B of two builds in one process: training step and forward pass on the bench configurations,
// one sample of A then one of B in turn, so that the machine's drift hits both alike. Prints the
// medians, B/A of the medians, and the median of the per-round ratios (paired: each round's B
// against the A measured just before it). This is how the speed changes quoted in RESULTS.md's
// notes and the README were measured.
//   git worktree add /tmp/a <commit> && cd /tmp/a && npm ci && npm run build     (likewise /tmp/b)
//   node bench/tools/ab.mjs /tmp/a /tmp/b [rnn,lstm,gru] [--no-small] [--no-medium] [--no-large]
//        [--rounds N] [--reps K]    N rounds (default 41; 15 for large), K calls per sample (default 1)
//   BENCH_CLOCK=cpu node bench/tools/ab.mjs …   CPU time instead of wall time (a busy machine)
// Each directory needs dist/index.js and the build/ it loads (either layout: before or after the
// layered bindings; only the public API is used).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { alternate, median } from "./timing.mjs";

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? +args[i + 1] : undefined;
};
const [dirA, dirB] = args;
if (!dirA || !dirB) {
  console.error(
    "usage: node bench/tools/ab.mjs DIR_A DIR_B [cells] [--no-small|--no-medium|--no-large] [--rounds N] [--reps K]",
  );
  process.exit(2);
}
const mods = [];
for (const d of [dirA, dirB]) mods.push(await import(pathToFileURL(resolve(d, "dist/index.js")).href));
for (const m of mods) await m.init();
const cellArg = args[2] && !args[2].startsWith("--") ? args[2] : "rnn,lstm,gru";
const reps = flag("--reps") ?? 1;
const CONFIGS = [{ name: "small", B: 32, T: 50, I: 16, H: 64 }, { name: "medium", B: 32, T: 100, I: 32, H: 128 }, {
  name: "large",
  B: 64,
  T: 100,
  I: 64,
  H: 256,
}].filter((c) => !args.includes("--no-" + c.name));
const rng = () => {
  let s = 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
};
const times = (f) => () => {
  for (let i = 0; i < reps; i++) f();
};

console.log(
  `A = ${dirA}, B = ${dirB}; median ms, alternating samples${
    reps > 1 ? ` of ${reps} calls` : ""
  }; paired = median of per-round B/A`,
);
for (const cell of cellArg.split(",")) {
  for (const cfg of CONFIGS) {
    const { B, T, I, H } = cfg;
    const runs = mods.map((m) => {
      const rnd = rng();
      const data = { x: Array.from({ length: B }, () => Float32Array.from({ length: T * I }, rnd)),
        y: Float32Array.from({ length: B }, rnd) };
      const Layer = { rnn: m.RNN, lstm: m.LSTM, gru: m.GRU }[cell];
      return { model: new m.Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 }),
        opt: new m.Adam({ learningRate: 1e-4 }), data, layer: new Layer({ inputSize: I, hiddenSize: H, seed: 1 }),
        x: Float32Array.from({ length: B * T * I }, rnd) };
    });
    const n = flag("--rounds") ?? (cfg.name === "large" ? 15 : 41);
    const t = await alternate(
      runs.flatMap((
        r,
      ) => [times(() => r.model.trainBatch(r.data, r.opt)), times(() => r.layer.forward(r.x, { batch: B, steps: T }))]),
      { rounds: n, warmup: 2 },
    );
    const row = (k) => {
      const a = t[k], b = t[k + 2];
      const paired = median(b.all.map((v, i) => v / a.all[i]));
      return `${(a.ms / reps).toFixed(2)} / ${(b.ms / reps).toFixed(2)} (B/A ${(b.ms / a.ms).toFixed(3)}, paired ${
        paired.toFixed(3)
      })`;
    };
    console.log(`${cell} ${cfg.name}: train ${row(0)}, forward ${row(1)}`);
    for (const r of runs) {
      r.model.dispose();
      r.layer.dispose();
    }
  }
}
