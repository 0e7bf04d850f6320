// A/B of two builds' ODE passes in one process, samples alternated (A, B, A, B, ...): NeuralODE
// forward and forward + backward (fixed-step and dopri5, backprop and adjoint) and an ODE-RNN
// training step. Prints the medians and the median of the per-round ratios B/A (paired).
//   node bench/tools/ode-ab.mjs DIR_A DIR_B [--rounds N]    (directories with dist/index.js, as for ab.mjs)
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
const args = process.argv.slice(2);
// CPU time of this process (user + system), so that time the machine gives to other processes
// (2 cores shared by several jobs) is not counted: timing.mjs's clock with BENCH_CLOCK=cpu
process.env.BENCH_CLOCK ??= "cpu";
const { alternate, median } = await import("./timing.mjs");
const rounds = args.includes("--rounds") ? +args[args.indexOf("--rounds") + 1] : 25;
const mods = [];
for (const d of args.slice(0, 2)) mods.push(await import(pathToFileURL(resolve(d, "dist/index.js")).href));
for (const m of mods) await m.init();
const rng = () => {
  let s = 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
};

const cases = [{ name: "rk4 spiral B20 H50 x2", o: { method: "rk4", substeps: 2, hidden: [50] }, B: 20, S: 10, D: 2,
  reps: 10 }, { name: "rk4 B20 H200 x2", o: { method: "rk4", substeps: 2, hidden: [200] }, B: 20, S: 10, D: 2,
  reps: 4 }, { name: "euler B64 D16 H64x64 x4", o: { method: "euler", substeps: 4, hidden: [64, 64] }, B: 64, S: 8,
  D: 16, reps: 2 }, { name: "dopri5 B20 H50", o: { method: "dopri5", hidden: [50], rtol: 1e-6, atol: 1e-8 }, B: 20,
  S: 10, D: 2, reps: 2 }, { name: "dopri5 B32 D8 H64", o: { method: "dopri5", hidden: [64], rtol: 1e-5, atol: 1e-7 },
  B: 32, S: 6, D: 8, reps: 2 }, { name: "rk4 adjoint B20 H50 x2",
  o: { method: "rk4", substeps: 2, hidden: [50], gradient: "adjoint" }, B: 20, S: 10, D: 2, reps: 4 }, {
  name: "dopri5 adjoint B20 H50",
  o: { method: "dopri5", hidden: [50], rtol: 1e-6, atol: 1e-8, gradient: "adjoint" },
  B: 20,
  S: 10,
  D: 2,
  reps: 1,
}];
console.log(
  `A = ${args[0]}, B = ${args[1]}; median CPU ms per call; paired = median of per-round B/A; ${rounds} rounds`,
);
const filter = args.includes("--only") ? new RegExp(args[args.indexOf("--only") + 1]) : null;
for (const c of cases.filter((c) => !filter || filter.test(c.name))) {
  const runs = mods.map((M) => {
    const rnd = rng();
    const m = new M.NeuralODE({ stateSize: c.D, seed: 3, ...c.o });
    const times = Float64Array.from({ length: c.S }, (_, i) => (i * 25) / 99 / (c.o.method === "dopri5" ? 5 : 1));
    const h0 = Float32Array.from({ length: c.B * c.D }, () => rnd());
    const g = Float32Array.from({ length: c.B * c.S * c.D }, () => rnd() * 0.1);
    return { fwd: () => {
      for (let i = 0; i < c.reps; i++) m.forward(h0, times, { batch: c.B });
    },
      bwd: () => {
        if (!m.done) {
          m.forward(h0, times, { batch: c.B });
          m.done = true;
        }
        for (let i = 0; i < c.reps; i++) m.backward({ states: g });
      },
      both: () => {
        for (let i = 0; i < c.reps; i++) {
          m.forward(h0, times, { batch: c.B });
          m.backward({ states: g });
        }
      } };
  });
  for (const what of ["fwd", "bwd", "both"]) {
    const r = await alternate([runs[0][what], runs[1][what]], { rounds, warmup: 2, minSampleMs: 25 });
    const ratios = r[0].all.map((a, i) => r[1].all[i] / a);
    console.log(
      `${c.name.padEnd(28)} ${what.padEnd(5)} A ${r[0].ms.toFixed(3)}  B ${r[1].ms.toFixed(3)}  paired B/A ${
        median(ratios).toFixed(3)
      }`,
    );
  }
}
// ODE-RNN training step
if (!filter || filter.test("odegru")) {
  const I = 3, O = 1, lens = Array.from({ length: 16 }, (_, i) => 10 + (i % 5));
  for (const ode of [{ method: "rk4", hidden: [32] }, { method: "dopri5", hidden: [32], rtol: 1e-4, atol: 1e-6 }, {
    method: "rk4",
    hidden: [32],
    gradient: "adjoint",
  }]) {
    const runs = mods.map((M) => {
      const rnd = rng();
      const x = lens.map((l) => Float32Array.from({ length: l * I }, rnd));
      const times = lens.map((l) => Float64Array.from({ length: l }, (_, k) => k * 0.3 + 0.1 * rnd()));
      const y = Float32Array.from({ length: lens.length * O }, rnd);
      const m = new M.Model({ cell: "odegru", inputSize: I, hiddenSize: 24, outputSize: O, seed: 2, ode });
      const opt = new M.Adam({ learningRate: 1e-4 });
      return () => m.trainBatch({ x, times, y }, opt);
    });
    const r = await alternate(runs, { rounds, warmup: 2, minSampleMs: 25 });
    const ratios = r[0].all.map((a, i) => r[1].all[i] / a);
    console.log(
      `${("odegru " + ode.method + (ode.gradient ? " adjoint" : "")).padEnd(28)} train A ${r[0].ms.toFixed(3)}  B ${
        r[1].ms.toFixed(3)
      }  paired B/A ${median(ratios).toFixed(3)}`,
    );
  }
}
