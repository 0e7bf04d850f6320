// The speed rows of `npm run bench`, every comparison alternated in one run (issue 18). On this VM a
// core's speed drifts by a third within minutes, so nothing here compares numbers taken apart:
// every peer, and each of our other builds, runs as a persistent child process (bench/peers/*_worker,
// one JSON command per line), and each sample of a peer follows a sample of ours, taken right
// before it on the same configuration (ours, peer A, ours, peer B, …, round after round). A row
// keeps the median of its per-round ratios (ours ÷ peer, time: > 1 means the peer is faster), their
// range, and marks the rounds disagreeing by more than 15%. Our own time is the median of all our
// samples in the row; its share of our GEMM peak is the median over rounds of its speed ÷ a GEMM
// sample taken right after it. The GEMM peaks (ours, the relaxed-SIMD build's, torch.mm's) alternate the same
// way, so the bound the SIMD width sets, native peak ÷ ours, comes from one run.
import { spawn, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { median, perCall } from "../../tools/timing.mjs";
import { forwardFlops, oursSteps, repsFor, SAMPLE_MS } from "./common.mjs";

const PEERS_DIR = new URL("../../peers/", import.meta.url);
const peerPath = (f) => fileURLToPath(new URL(f, PEERS_DIR));
const ONE_THREAD = { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";

const pyHasTorch = (py) => {
  try {
    execFileSync(py, ["-c", "import torch"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const npmPeer = (dir) => existsSync(new URL(`node_modules/${dir}/package.json`, PEERS_DIR));
const large = (cfg) => cfg.name === "large";

/** Everything `npm run bench` can alternate with, in round order. `whats`: which steps it runs;
 *  `skip(cfg)`: configurations it leaves out (minutes per step); `mm`: answers the GEMM-peak
 *  command; `available()`: installed here. */
export const PEERS = [{ key: "threads2", name: "ours, 2 threads", ours: true, argv: [peerPath("ours_worker.mjs"), "2"],
  available: () => true }, { key: "relaxed", name: "ours, relaxed SIMD", ours: true, mm: true,
  argv: [RELAXED_FLAG, peerPath("ours_worker.mjs"), "1", "relaxed"], available: () => true }, { key: "torch2",
  name: "PyTorch 2", native: true, mm: true, python: peerPath(".venv/bin/python"), available() {
  return existsSync(this.python) && pyHasTorch(this.python);
} }, { key: "torch113", name: "PyTorch 1.13", native: true, mm: true, python: "/usr/bin/python3", available() {
  return pyHasTorch(this.python);
} }, { key: "tfwasm", name: "TF.js wasm", argv: [peerPath("tfjs_worker.mjs"), "wasm"],
  available: () => npmPeer("@tensorflow/tfjs-backend-wasm") }, { key: "tfcpu", name: "TF.js cpu",
  argv: [peerPath("tfjs_worker.mjs"), "cpu"], skip: large, available: () => npmPeer("@tensorflow/tfjs") }, {
  key: "brain",
  name: "brain.js",
  argv: [peerPath("brain_worker.mjs")],
  skip: large,
  available: () => npmPeer("brain.js"),
}, { key: "ort", name: "ONNX Runtime Web", whats: ["forward"], argv: [peerPath("ort_worker.mjs")],
  available: () => npmPeer("onnxruntime-web") && pyHasTorch("/usr/bin/python3") }];

/** Start the peers that are installed (and in `only`, when given): each { ...spec, ask, close, info }.
 *  A peer that cannot start the build it was asked for (relaxed SIMD on an engine without it)
 *  is left out with a message. */
export async function startPeers(only) {
  const started = [];
  for (const spec of PEERS) {
    if (only && !only.includes(spec.key)) continue;
    if (!spec.available()) {
      console.log(`  (${spec.name}: not installed; npm run bench:peers)`);
      continue;
    }
    const [bin, argv] = spec.python ? [spec.python, [peerPath("torch_worker.py")]] : [process.execPath, spec.argv];
    const child = spawn(bin, argv, { env: { ...process.env, ...ONE_THREAD }, stdio: ["pipe", "pipe", "inherit"] });
    const waiting = [];
    createInterface({ input: child.stdout }).on("line", (l) => waiting.shift()?.resolve(JSON.parse(l)));
    child.on("exit", (code) => {
      for (const w of waiting.splice(0)) w.resolve({ error: `${spec.name} exited (${code})` });
    });
    const p = { ...spec, whats: spec.whats ?? ["train", "forward"],
      ask: (o) =>
        new Promise((resolve) => {
          waiting.push({ resolve });
          child.stdin.write(JSON.stringify(o) + "\n");
        }), close: () => child.stdin.end() };
    p.info = await p.ask({ cmd: "info" });
    if (p.info.error) {
      console.log(`  (${spec.name}: ${p.info.error}; left out)`);
      p.close();
      continue;
    }
    started.push(p);
  }
  return started;
}

/** { ms, ratio, min, max, disagree } from paired samples: ratio = ours ÷ theirs per round. */
function pairStats(mine, theirs) {
  const ratios = mine.map((m, i) => m / theirs[i]);
  const ratio = median(ratios), min = Math.min(...ratios), max = Math.max(...ratios);
  return { ms: median(theirs), ratio, min, max, rounds: ratios.length, disagree: (max - min) / ratio > 0.15 };
}

/** GEMM peaks, alternated: ours (gemmSampler) against every peer that answers "mm" (torch.mm
 *  1024³; the relaxed build's own packed GEMM at 128³). { ours, peers: { key: { gflops, ratio,
 *  min, max, disagree } } } with ratio = theirs ÷ ours per round (a speed ratio). */
export async function gemmPeaks(gemm, peers, rounds) {
  const withMm = peers.filter((p) => p.mm), mine = [],
    theirs = Object.fromEntries(withMm.map((p) => [p.key, { mine: [], g: [] }]));
  for (let r = 0; r < rounds; r++) {
    if (!withMm.length) mine.push(gemm.sample());
    for (const p of withMm) {
      const m = gemm.sample(), t = await p.ask({ cmd: "mm", n: p.native ? 1024 : 128, reps: 20 });
      mine.push(m);
      if (t.error) {
        theirs[p.key].error = t.error;
        continue;
      }
      theirs[p.key].mine.push(m);
      theirs[p.key].g.push(t.gflops);
    }
  }
  const out = { ours: median(mine), samples: mine.length, peers: {} };
  for (const p of withMm) {
    const t = theirs[p.key];
    if (t.error) {
      out.peers[p.key] = { error: t.error };
      continue;
    }
    const s = pairStats(t.g, t.mine);
    out.peers[p.key] = { gflops: median(t.g), ratio: s.ratio, min: s.min, max: s.max, disagree: s.disagree };
  }
  return out;
}

/** One cell on one configuration: our training step and forward pass (bench/passes/suites/common.mjs
 *  oursSteps), each alternated with every peer that runs it. */
export async function alternatedRow(cell, cellName, G, cfg, peers, { rounds, gemm, sampleMs = SAMPLE_MS }) {
  const { B, T, I, H } = cfg;
  const ours = oursSteps(cell, cfg);
  ours.train();
  ours.forward();
  const row = { cellName, name: cfg.name, B, T, I, H, flops: forwardFlops(B, T, I, H, G) };
  const active = [], errors = {};
  for (const p of peers) {
    if (p.skip?.(cfg)) continue;
    const r = await p.ask({ cmd: "setup", cell, B, T, I, H });
    if (r.error) errors[p.key] = r.error;
    else active.push(p);
  }
  for (const what of ["train", "forward"]) {
    const reps = repsFor(perCall(ours[what], 1), sampleMs);
    const ps = [], peerReps = {}, out = { peers: {} };
    for (const p of active.filter((q) => q.whats.includes(what))) {
      const t = await p.ask({ cmd: "time", what, reps: 1 });
      if (t.error) {
        out.peers[p.key] = { error: t.error };
        continue;
      }
      peerReps[p.key] = repsFor(t.ms, sampleMs);
      ps.push(p);
    }
    for (const [k, e] of Object.entries(errors)) {
      if (peers.find((p) => p.key === k).whats.includes(what)) out.peers[k] = { error: e };
    }
    const all = [], pairs = Object.fromEntries(ps.map((p) => [p.key, { mine: [], theirs: [] }])), pct = [];
    const flops = (what === "train" ? 3 : 1) * row.flops;
    for (let r = 0; r < rounds; r++) {
      const m0 = perCall(ours[what], reps); // and our GEMM peak right after: the row's % of peak, per round
      all.push(m0);
      pct.push((100 * flops) / (m0 * 1e6) / gemm.sample());
      for (const p of ps) {
        const m = perCall(ours[what], reps), t = await p.ask({ cmd: "time", what, reps: peerReps[p.key] });
        all.push(m);
        if (t.error) {
          out.peers[p.key] = { error: t.error };
          continue;
        }
        pairs[p.key].mine.push(m);
        pairs[p.key].theirs.push(t.ms);
      }
    }
    for (const p of ps) if (!out.peers[p.key]) out.peers[p.key] = pairStats(pairs[p.key].mine, pairs[p.key].theirs);
    out.ms = median(all);
    out.samples = all.length;
    out.gflops = flops / (out.ms * 1e6);
    out.pctOfPeak = median(pct);
    out.pctMin = Math.min(...pct);
    out.pctMax = Math.max(...pct);
    row[what] = out;
  }
  ours.dispose();
  return row;
}
