// A/B of the packed GEMM of two builds' .wasm files in one process, samples alternated: per shape
// M×N×K (A row-major, B packed by pack_panels), the medians, the median of per-round A/B time
// ratios (> 1: B faster) and whether both give the same bits. This is how the GEMM changes of
// issue 17 were measured (the 1×N×K rows of a stream step). With `act` for the shapes: tanh and
// sigmoid over 8192 values (uniform in [−4, 4]; tanh also in [−0.5, 0.5] and normal) (the activations
// of issue 18), ns per value; with `act
// --all-bits`, every one of the 2^32 f32 bit patterns through both builds' tanh and sigmoid
// instead, counting results that differ in any bit (NaN against NaN counts as equal; 2 minutes).
//   git worktree add /tmp/a <commit> && (cd /tmp/a && npm ci && npm run build)
//   node bench/tools/kernel-ab.mjs /tmp/a/build/recurrent.wasm build/recurrent.wasm [1x512x128,32x512x128,...|act] [--acc]
import { readFileSync } from "node:fs";
import { alternate, median } from "./timing.mjs";

const [fa, fb, list] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (!fa || !fb) {
  console.error("usage: node bench/tools/kernel-ab.mjs A.wasm B.wasm [MxNxK,...] [--acc]");
  process.exit(2);
}
const acc = process.argv.includes("--acc");
const mods = [];
for (const f of [fa, fb]) {
  mods.push((await WebAssembly.instantiate(readFileSync(f), { env: { abort() {
    throw new Error("abort");
  } } })).instance.exports);
}
if (list === "act" && process.argv.includes("--all-bits")) {
  const N = 1 << 20, bufs = mods.map((e) => ({ e, x: e.alloc(4 * N), y: e.alloc(4 * N) }));
  let differ = 0;
  for (let hi = 0; hi < 4096; hi++) {
    for (const b of bufs) {
      const u = new Uint32Array(b.e.memory.buffer, b.x, N);
      for (let i = 0; i < N; i++) u[i] = hi * N + i;
    }
    for (const fn of ["tanh_f32_wasmsimd", "sigmoid_f32_wasmsimd"]) {
      for (const b of bufs) b.e[fn](N, b.x, b.y);
      const [ua, ub] = bufs.map((b) => new Uint32Array(b.e.memory.buffer, b.y, N)),
        [fa, fb] = bufs.map((b) => new Float32Array(b.e.memory.buffer, b.y, N));
      for (let i = 0; i < N; i++) {
        if (ua[i] !== ub[i] && !(fa[i] !== fa[i] && fb[i] !== fb[i]) && differ++ < 5) {
          console.log(`${fn}(bits 0x${(hi * N + i).toString(16)}): ${fa[i]} vs ${fb[i]}`);
        }
      }
    }
  }
  console.log(`every f32 bit pattern through tanh and sigmoid: ${differ} results differ`);
  process.exit(differ ? 1 : 0);
}
if (list === "act") {
  const n = 8192;
  for (const [fn, w] of [["tanh_f32_wasmsimd", 4], ["tanh_f32_wasmsimd", 0.5], ["tanh_f32_wasmsimd", -1], [
    "sigmoid_f32_wasmsimd",
    4,
  ]]) {
    const runs = mods.map((e) => {
      const x = e.alloc(4 * n), y = e.alloc(4 * n), v = new Float32Array(e.memory.buffer, x, n);
      let s = 7;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216;
      // w > 0: uniform in [−w, w]; −1: normal, σ = 1 (a mix of both tanh paths in most vectors)
      for (let i = 0; i < n; i++) {
        v[i] = w > 0 ? w * (2 * rnd() - 1) : Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
      }
      return { run: () => e[fn](n, x, y), out: () => new Float32Array(e.memory.buffer, y, n).slice() };
    });
    const r = await alternate(runs.map((x) => x.run), { rounds: 41, minSampleMs: 3 });
    const o1 = runs[1].out(), same = runs[0].out().every((v, i) => Object.is(v, o1[i]));
    console.log(
      `${fn} ${w > 0 ? `U(−${w}, ${w})` : "N(0, 1)"}: A ${(r[0].ms * 1e6 / n).toFixed(3)} ns/value, B ${
        (r[1].ms * 1e6 / n).toFixed(3)
      }; A/B paired ${median(r[0].all.map((t, i) => t / r[1].all[i])).toFixed(2)}; bitwise ${same}`,
    );
  }
  process.exit(0);
}
const shapes = (list ?? "1x512x128,1x384x128,1x128x128,5x512x128,3x512x130,1x512x300,32x512x128,100x512x128").split(",")
  .map((s) => s.split("x").map(Number));
for (const [M, N, K] of shapes) {
  const runs = mods.map((e) => {
    const a = e.alloc(4 * M * K), b = e.alloc(4 * K * N), bp = e.alloc(4 * K * N), c = e.alloc(4 * M * N);
    const f = new Float32Array(e.memory.buffer);
    let s = 1;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
    for (let i = 0; i < M * K; i++) f[a / 4 + i] = rnd();
    for (let i = 0; i < K * N; i++) f[b / 4 + i] = rnd();
    e.pack_panels(K, N, b, N, 1, bp);
    return { run: () => e.gemm_f32_4x8_packed(M, N, K, a, K, 1, bp, c, N, acc),
      out: () => new Float32Array(e.memory.buffer, c, M * N).slice() };
  });
  const r = await alternate(runs.map((x) => x.run), { rounds: 21, minSampleMs: 3 });
  // bitwise check only without --acc (accumulating runs differ by how often each side ran)
  const o1 = runs[1].out(), same = acc || runs[0].out().every((v, i) => Object.is(v, o1[i]));
  const gf = (ms) => (2 * M * N * K / ms / 1e6).toFixed(1);
  console.log(
    `${M}x${N}x${K}: A ${(r[0].ms * 1e3).toFixed(2)} µs (${gf(r[0].ms)} GFLOP/s), B ${(r[1].ms * 1e3).toFixed(2)} µs (${
      gf(r[1].ms)
    }); A/B paired ${median(r[0].all.map((t, i) => t / r[1].all[i])).toFixed(2)}${acc ? "" : `; bitwise ${same}`}`,
  );
}
