// Does this machine slow a core down when the other one is busy? The two-thread speed-up can only
// be judged against that. For an LSTM medium training step (T 100, I 32, H 128) it measures, in
// rounds: one B = 16 step alone on one thread; two independent processes doing that at the same
// time (no shared memory, no threads of ours); the B = 32 step on two threads (each thread runs a
// B = 16 half); the B = 32 step on one thread. Median ms of 40 steps each.
// Run: npm run build && node bench/contention.mjs [rounds]
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
if (process.argv[2] === "--child") {
  const { init, Model, Adam } = await import("../dist/index.js");
  const { measure } = await import("./timing.mjs");
  const threads = +process.argv[3], B = +process.argv[4], T = 100, I = 32, H = 128;
  await init({ threads });
  let s = 1;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
  const data = { x: Array.from({ length: B }, () => Float32Array.from({ length: T * I }, rnd)), y: Float32Array.from({ length: B }, rnd) };
  const model = new Model({ cell: "lstm", inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 });
  const opt = new Adam({ learningRate: 1e-4 });
  const r = await measure(() => model.trainBatch(data, opt), { warmup: 5, minSamples: 40, maxSamples: 40, minSampleMs: 0 });
  console.log(r.ms.toFixed(1));
  process.exit(0);
}

const child = (threads, B) => +execFileSync(process.execPath, [self, "--child", String(threads), String(B)], { encoding: "utf8" }).trim();
const childAsync = (threads, B) => new Promise((resolve, reject) => {
  const p = spawn(process.execPath, [self, "--child", String(threads), String(B)]);
  let out = "";
  p.stdout.on("data", (d) => { out += d; });
  p.on("error", reject);
  p.on("close", (code) => (code === 0 ? resolve(+out.trim()) : reject(new Error(`child exited with ${code}`))));
});

const rounds = +(process.argv[2] ?? 4);
console.log("LSTM medium training step, median ms of 40 steps");
console.log("| round | B 16 alone | two B 16 processes at once | B 32 on 2 threads | B 32 on 1 thread | speed-up of 2 threads |");
console.log("|---|---|---|---|---|---|");
for (let r = 1; r <= rounds; r++) {
  const alone = child(1, 16);
  const pair = await Promise.all([childAsync(1, 16), childAsync(1, 16)]);
  const two = child(2, 32), one = child(1, 32);
  console.log(`| ${r} | ${alone} | ${pair.join(" and ")} | ${two} | ${one} | ${(one / two).toFixed(2)}× |`);
}
