// Do two builds train bit for bit alike? Each trains the same models (every cell; one layer, two
// bidirectional layers, checkpointed, H = 256; sequences of unequal lengths) for three Adam steps,
// and every parameter is compared bit for bit. How the kernel changes of issue 18 were checked.
//   node bench/same-bits.mjs /tmp/a .      (directories with dist/index.js, as for bench/ab.mjs)
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
const [A, B] = await Promise.all(process.argv.slice(2, 4).map((d) => import(pathToFileURL(resolve(d, "dist/index.js")).href)));
await A.init(); await B.init();
let s = 1; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
const cases = [];
for (const cell of ["rnn", "lstm", "gru"]) for (const [I, H, L, bi, ck, T] of [[16, 64, 1, false, false, 50], [32, 128, 2, true, false, 30], [5, 20, 1, false, true, 37], [8, 256, 1, false, false, 12]]) cases.push({ cell, I, H, L, bi, ck, T });
let bad = 0;
for (const c of cases) {
  const Bn = 7;
  const data = { x: Array.from({ length: Bn }, (_, b) => Float32Array.from({ length: (c.T - (b % 3)) * c.I }, rnd)), y: Float32Array.from({ length: Bn }, rnd) };
  const sd = [];
  for (const M of [A, B]) {
    const m = new M.Model({ cell: c.cell, inputSize: c.I, hiddenSize: c.H, outputSize: 1, numLayers: c.L, bidirectional: c.bi, checkpoint: c.ck, seed: 3 });
    const opt = new M.Adam({ learningRate: 1e-3 });
    for (let i = 0; i < 3; i++) m.trainBatch(data, opt);
    sd.push(m.stateDict()); m.dispose(); opt.dispose();
  }
  let same = true;
  for (const k of Object.keys(sd[0])) { const a = new Uint32Array(sd[0][k].buffer, sd[0][k].byteOffset, sd[0][k].length), b = new Uint32Array(sd[1][k].buffer, sd[1][k].byteOffset, sd[1][k].length); for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { same = false; break; } }
  if (!same) bad++;
  console.log(JSON.stringify(c), Object.keys(sd[0]).length, "tensors", same ? "bitwise equal" : "DIFFER");
}
process.exit(bad ? 1 : 0);
