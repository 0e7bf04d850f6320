// Writes bench/RESULTS.md from a run's results (bench/results.json, written by bench/run.mjs) and
// the hand-kept prose of bench/NOTES.md. Run alone to re-render: node bench/report.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GATES } from "./suites/common.mjs";
import { odeSection } from "./ode-report.mjs";
import { hmmSection } from "./hmm-report.mjs";
import { streamSection } from "./stream-report.mjs";
import { torchSection } from "./torch-report.mjs";

const f = (v, d = 2) => v.toFixed(d);
const MiB = (floats) => (4 * floats / 2 ** 20);

/** The "## @name" sections of NOTES.md with {{name}} replaced from vars. */
function notes(vars) {
  const text = readFileSync(new URL("./NOTES.md", import.meta.url), "utf8");
  const out = {};
  for (const part of text.split(/^## @/m).slice(1)) {
    const nl = part.indexOf("\n");
    out[part.slice(0, nl).trim()] = part.slice(nl + 1).trim().replace(/\{\{(\w+)\}\}/g, (_, k) => {
      if (!(k in vars)) throw new Error(`bench/NOTES.md: no value for {{${k}}}`);
      return String(vars[k]);
    });
  }
  return out;
}

/** Rows whose two rounds differ by more than 15% (one of them was disturbed). */
function roundNote(rounds) {
  if (!rounds?.length) return "";
  const off = [];
  const chk = (what, v) => { if (v && Math.max(...v) / Math.min(...v) > 1.15) off.push(`${what} ${v.map((x) => x.toFixed(2)).join(" / ")}`); };
  for (const r of rounds) { chk(r.row.startsWith("GEMM") ? r.row : `${r.row} train`, r.train); chk(`${r.row} forward`, r.fwd); chk(`${r.row} PyTorch train`, r.torchTrain); chk(`${r.row} PyTorch forward`, r.torchFwd); }
  return `Our single-thread rows, PyTorch's and the GEMM peak were measured twice, minutes apart (the peers
and the other sections ran in between); every such number here is the lower of the two medians. Rounds
that differed by more than 15% (ms, first / second): ${off.length ? off.join("; ") : "none"}.
`;
}

/** The targets of the speed issue, each computed from the run: met or not, and the best ratio
 *  possible at 100% of the measured GEMM peak. */
function targets(res, N) {
  const { rows, threaded } = res, peak = res.gemm.peak;
  const flops = (r, train) => (train ? 3 : 1) * 2 * r.B * r.T * GATES[r.cellName] * (r.I * r.H + r.H * r.H);
  const atPeak = (r, train) => flops(r, train) / (peak * 1e9) * 1e3; // ms
  const ok = (v) => (v ? "**met**" : "not met");
  const pct = (r, k) => 100 * r[k] / peak;
  const ml = rows.filter((r) => r.name !== "small"), sm = rows.filter((r) => r.name === "small");
  const peer = (r, key, k) => { const p = r.peers?.[key]; return p && !p.error ? p[k] : null; };
  const lines = [];
  const list = (rs, fn) => rs.map((r) => `${r.cellName} ${r.name} ${fn(r)}`).join(", ");
  for (const [k, label] of [["trainGflops", "training step"], ["fwdGflops", "forward"]]) {
    const v = ml.map((r) => pct(r, k));
    lines.push(`| ≥ 80% of the GEMM peak on medium and large, ${label} | ${list(ml, (r) => `${pct(r, k).toFixed(0)}%`)} | ${ok(Math.min(...v) >= 80)} | 100% |`);
  }
  for (const [k, label, msk] of [["train", "training step", "trainMs"], ["forward", "forward", "fwdMs"]]) {
    const have = rows.filter((r) => peer(r, "tfwasm", k) != null);
    if (have.length) {
      const ratios = have.map((r) => peer(r, "tfwasm", k) / r[msk]);
      lines.push(`| ≥ 8× faster than TF.js wasm everywhere, ${label} | ${list(have, (r) => `${(peer(r, "tfwasm", k) / r[msk]).toFixed(1)}×`)} | ${ok(Math.min(...ratios) >= 8)} | ${list(have, (r) => `${(peer(r, "tfwasm", k) / atPeak(r, k === "train")).toFixed(0)}×`)} |`);
    }
    const hs = sm.filter((r) => peer(r, "torch", k) != null);
    if (hs.length) {
      const ratios = hs.map((r) => peer(r, "torch", k) / r[msk]);
      lines.push(`| faster than PyTorch on small, ${label} (PyTorch / ours) | ${list(hs, (r) => `${(peer(r, "torch", k) / r[msk]).toFixed(2)}×`)} | ${ok(Math.min(...ratios) > 1)} | ${list(hs, (r) => `${(peer(r, "torch", k) / atPeak(r, k === "train")).toFixed(1)}×`)} |`);
    }
    const hm = ml.filter((r) => peer(r, "torch", k) != null);
    if (hm.length) {
      const ratios = hm.map((r) => r[msk] / peer(r, "torch", k));
      lines.push(`| ≤ 2× PyTorch's time on medium and large, ${label} (ours / PyTorch) | ${list(hm, (r) => `${(r[msk] / peer(r, "torch", k)).toFixed(2)}×`)} | ${ok(Math.max(...ratios) <= 2)} | ${list(hm, (r) => `${(atPeak(r, k === "train") / peer(r, "torch", k)).toFixed(2)}×`)} |`);
    }
  }
  if (threaded) {
    const sp = ml.map((r) => { const i = rows.indexOf(r); return [rows[i].trainMs / threaded.rows[i].trainMs, rows[i].fwdMs / threaded.rows[i].fwdMs]; });
    lines.push(`| ≥ 1.7× on 2 threads, medium and large (train / forward) | ${ml.map((r, j) => `${r.cellName} ${r.name} ${sp[j][0].toFixed(2)}× / ${sp[j][1].toFixed(2)}×`).join(", ")} | ${ok(Math.min(...sp.flat()) >= 1.7)} | 2× |`);
    const med = rows.map((r, i) => [r, i]).filter(([r]) => r.name === "medium" && peer(r, "torch", "train") != null);
    if (med.length) {
      const q = med.map(([r, i]) => threaded.rows[i].trainMs / peer(r, "torch", "train"));
      lines.push(`| 2 threads within 1.1× of PyTorch (1 thread) on medium, training (ours / PyTorch) | ${med.map(([r], j) => `${r.cellName} ${q[j].toFixed(2)}×`).join(", ")} | ${ok(Math.max(...q) <= 1.1)} | |`);
    }
  }
  const lg = rows.filter((r) => r.name === "large" && peer(r, "torch", "train") != null).map((r) => atPeak(r, true) / peer(r, "torch", "train"));
  const largeAtPeak = lg.length ? `${Math.min(...lg).toFixed(1)}–${Math.max(...lg).toFixed(1)}×` : "(PyTorch not measured)";
  return { table: lines.join("\n"), largeAtPeak };
}

function peerTables(res, on, text) {
  if (!on.length) return "No peers were installed for this run (`npm run bench:peers` installs them).\n";
  const cellOf = (p, k) => (p ? (p.error ? (/NaN/.test(p.error) ? "NaN error" : "error") : p[k].toFixed(p[k] < 10 ? 2 : p[k] < 100 ? 1 : 0)) : "—");
  const ratio = (a, b) => (b && !b.error ? (b[a.k] / a.v).toFixed(2) + "×" : "—");
  const table = (k) => `| cell | config | ours | ${on.map((p) => p.name).join(" | ")} | ${on.map((p) => `${p.name} / ours`).join(" | ")} |
|---|---|---|${on.map(() => "---|").join("")}${on.map(() => "---|").join("")}
${res.rows.map((r) => `| ${r.cellName} | ${r.name} | ${(k === "train" ? r.trainMs : r.fwdMs).toFixed(2)} | ${on.map((p) => cellOf(r.peers[p.key], k)).join(" | ")} | ${on.map((p) => ratio({ k, v: k === "train" ? r.trainMs : r.fwdMs }, r.peers[p.key])).join(" | ")} |`).join("\n")}`;
  return `## Against the peers, same run (median ms; ratio > 1: the peer is slower)
${text}

### Training step
${table("train")}

### Forward only
${table("forward")}
`;
}

/** The whole report. */
export function report(res) {
  const { rows, threaded, threadedRelaxed, relaxed, gemm } = res, peak = gemm.peak;
  const gf = (ms) => (2 * 128 ** 3) / (ms * 1e-3) / 1e9;
  const units = res.scaling.map((r) => 1e6 * r.ms / (r.T * (32 * r.H + r.H * r.H)));
  const unitMean = units.reduce((a, b) => a + b, 0) / units.length;
  const unitSpread = 100 * Math.max(...units.map((u) => Math.abs(u / unitMean - 1)));
  const tg = targets(res);
  const torchVersion = rows.find((r) => r.peers.torch && !r.peers.torch.error)?.peers.torch.torch ?? "";
  const n = notes({ peak: f(peak, 1), relaxedPeak: relaxed ? f(relaxed.peak, 1) : "—", unitSpread: f(unitSpread, 0), unitMean: f(unitMean, 1), largeAtPeak: tg.largeAtPeak, torchVersion, budget: res.quick ? 2 : 6 });
  const torchOf = (r) => (r.peers.torch && !r.peers.torch.error ? r.peers.torch.train : null);
  return `# Benchmark results

Command: \`npm run bench\` (bench/run.mjs, timing by bench/timing.mjs; median of ≥ 20 samples per row).
Machine: ${res.cpu}, ${res.cores} cores, Node ${res.node}, single thread.
Date: ${res.date}.

${n.intro}

${roundNote(res.rounds)}
GEMM 128×128×128: \`gemm_f32_4x8_wasmsimd\` (B row-major) ${f(gemm.rowMs, 4)} ms = ${f(gf(gemm.rowMs), 1)} GFLOP/s;
\`gemm_f32_4x8_packed\` (B in K×8 panels, the kernel of the recurrences) ${f(gemm.packedMs, 4)} ms = ${f(gf(gemm.packedMs), 1)} GFLOP/s.
**Peak = ${f(peak, 1)} GFLOP/s**, the faster of the two.

## Single thread
| cell | config (B,T,I,H) | train step ms | GFLOP/s | % of peak | forward ms | GFLOP/s | % of peak |
|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.cellName} | ${r.name} ${r.B},${r.T},${r.I},${r.H} | ${f(r.trainMs)} | ${f(r.trainGflops, 1)} | ${f(100 * r.trainGflops / peak, 0)}% | ${f(r.fwdMs)} | ${f(r.fwdGflops, 1)} | ${f(100 * r.fwdGflops / peak, 0)}% |`).join("\n")}

${threaded ? `## Two threads (\`init({ threads: 2 })\`)
${n.threads}

| cell | config | train ms 1 / 2 threads | speed-up | forward ms 1 / 2 threads | speed-up | PyTorch (1 thread) / ours on 2 threads, train |${threadedRelaxed ? " 2 threads + relaxed SIMD (also twice): train ms (PyTorch / ours) |" : ""}
|---|---|---|---|---|---|---|${threadedRelaxed ? "---|" : ""}
${rows.map((r, i) => { const x = threaded.rows[i], torch = torchOf(r), z = threadedRelaxed?.rows[i]; return `| ${r.cellName} | ${r.name} | ${f(r.trainMs)} / ${f(x.trainMs)} | ${f(r.trainMs / x.trainMs)}× | ${f(r.fwdMs)} / ${f(x.fwdMs)} | ${f(r.fwdMs / x.fwdMs)}× | ${torch ? f(torch / x.trainMs) + "×" : "—"} |${z ? ` ${f(z.trainMs)} (${torch ? f(torch / z.trainMs) + "×" : "—"}) |` : ""}`; }).join("\n")}

` : ""}${relaxed ? `## Relaxed SIMD (opt-in: \`init({ relaxedSimd: true })\`)
${n.relaxed}

| cell | config | train ms default / relaxed | speed-up | forward ms default / relaxed | speed-up |
|---|---|---|---|---|---|
${rows.map((r, i) => { const x = relaxed.rows[i]; return `| ${r.cellName} | ${r.name} | ${f(r.trainMs)} / ${f(x.trainMs)} | ${f(r.trainMs / x.trainMs)}× | ${f(r.fwdMs)} / ${f(x.fwdMs)} | ${f(r.fwdMs / x.fwdMs)}× |`; }).join("\n")}

` : ""}## Diagnostics and initialization (median ms, at least 5 samples)
| what | ms |
|---|---|
${res.diag.map((d) => `| ${d[0]} | ${d.slice(1).map((v) => f(v)).join(" / ")} |`).join("\n")}

## Memory of a training step (one layer, one direction; MiB of WebAssembly memory)
${n.memory}

| cell | config | parameters | gradients | Adam state | BPTT workspace, stored | floats per step·sequence | BPTT workspace, checkpointed |
|---|---|---|---|---|---|---|---|
${res.memory.map((m) => `| ${m.cellName} | ${m.cfg.name} | ${f(MiB(m.P), 3)} | ${f(MiB(m.P), 3)} | ${f(MiB(2 * m.P), 3)} | ${f(MiB(m.ws), 1)} | ${f(m.perStep, 0)} | ${f(MiB(m.wsCk), 2)} |`).join("\n")}

## Gradient checkpointing (B = 32, I = 32, H = 128; training step, one thread)
${n.checkpoint}

| cell | T | stored ms | checkpointed ms | time ratio | workspace stored MiB | checkpointed MiB | memory ratio |
|---|---|---|---|---|---|---|---|
${res.checkpoint.map((r) => `| ${r.cellName} | ${r.T} | ${f(r.ms[0])} | ${f(r.ms[1])} | ${f(r.ms[1] / r.ms[0])} | ${f(MiB(r.ws[0]), 1)} | ${f(MiB(r.ws[1]), 2)} | ${f(r.ws[0] / r.ws[1], 1)} |`).join("\n")}

## Scaling of a GRU training step (B = 32, I = 32)
| T | H | ms | GFLOP/s | ms / (T·(I·H + H²)) ×10⁶ |
|---|---|---|---|---|
${res.scaling.map((r) => `| ${r.T} | ${r.H} | ${f(r.ms)} | ${f(r.gflops, 1)} | ${f(1e6 * r.ms / (r.T * (32 * r.H + r.H * r.H)), 3)} |`).join("\n")}

${n.scaling}

## The targets of the speed issue, from this run
${n.targets}

| target | measured | | at 100% of peak |
|---|---|---|---|
${tg.table}

${n.gaps}

${peerTables(res, res.peers, n.peers)}

${odeSection()}

${hmmSection()}

${streamSection()}

${torchSection()}
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const res = JSON.parse(readFileSync(new URL("./results.json", import.meta.url), "utf8"));
  writeFileSync(new URL("./RESULTS.md", import.meta.url), report(res));
  console.log("wrote bench/RESULTS.md from bench/results.json");
}
