// Writes bench/RESULTS.md from a run's results (bench/results/results.json, written by bench/passes/run.mjs) and
// the hand-kept prose of bench/results/prose.md. Run alone to re-render: node bench/tools/report.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { odeSection } from "./ode-report.mjs";
import { hmmSection } from "./hmm-report.mjs";
import { streamSection } from "./stream-report.mjs";

const f = (v, d = 2) => v.toFixed(d);
const MiB = (floats) => (4 * floats / 2 ** 20);

/** The "## @name" sections of NOTES.md with {{name}} replaced from vars. */
function notes(vars) {
  const text = readFileSync(new URL("../results/prose.md", import.meta.url), "utf8");
  const out = {};
  for (const part of text.split(/^## @/m).slice(1)) {
    const nl = part.indexOf("\n");
    out[part.slice(0, nl).trim()] = part.slice(nl + 1).trim().replace(/\{\{(\w+)\}\}/g, (_, k) => {
      if (!(k in vars)) throw new Error(`bench/results/prose.md: no value for {{${k}}}`);
      return String(vars[k]);
    });
  }
  return out;
}

const KEYS = { torch2: "PyTorch 2", torch113: "PyTorch 1.13", tfwasm: "TF.js wasm", tfcpu: "TF.js cpu",
  brain: "brain.js", ort: "ONNX Runtime Web" };
const JS_PEERS = ["tfwasm", "tfcpu", "brain", "ort"];
const WHATS = [["train", "training step"], ["forward", "forward"]];
const ok = (v) => (v ? "**met**" : "**not met**");
/** met / not met over a goal's measured cases; "not measured" when there are none (a partial run). */
const verdict = (cases, pred) => (cases.length ? ok(cases.every(pred)) : "not measured");
const range = (x, inv = false) => (inv ? `${f(1 / x.max)}–${f(1 / x.min)}` : `${f(x.min)}–${f(x.max)}`);
/** A ratio cell: the median, its range, ⚠ when the rounds disagree by more than 15%; inv: peer ÷
 *  ours instead of ours ÷ peer. */
const ratioCell = (x,
  inv =
    false) => (!x
    ? "—"
    : x.error
    ? (/NaN/i.test(x.error) ? "NaN error" : "error")
    : `${f(inv ? 1 / x.ratio : x.ratio)} (${range(x, inv)})${x.disagree ? " ⚠" : ""}`);
const goalRowsOf = (rows) => rows.filter((r) => r.name !== "small");
const label = (res, key) => {
  const p = res.peers.find((q) => q.key === key), name = KEYS[key] ?? p?.name ?? key;
  return p?.version ? `${name.startsWith("PyTorch") ? "PyTorch" : name} ${p.version}` : name;
};
const has = (res, key) => res.peers.some((p) => p.key === key);

/** The native reference's bound for a row: what ours ÷ PyTorch would be at 100% of our GEMM peak
 *  if PyTorch ran at its own torch.mm peak (the SIMD width's bound), or at the GFLOP/s it measured
 *  on that row if that is higher (a fused kernel beyond its GEMM: oneDNN's LSTM). */
function rowBound(res, r, what, native) {
  const peakBound = res.gemm.peers[native].ratio, x = r[what].peers[native];
  if (!x || x.error) return null;
  const theirGflops = ((what === "train" ? 3 : 1) * r.flops) / (x.ms * 1e6);
  const fused = theirGflops / res.gemm.peers[native].gflops;
  return fused > 1 ? { bound: theirGflops / res.gemm.ours, fused: true } : { bound: peakBound, fused: false };
}

/** The goals of issue 18 (and the earlier speed issue's), each computed from the run's ratios. */
function targets(res) {
  const { rows } = res, ml = goalRowsOf(rows), lines = [], list = (xs) => xs.join(", ");
  const named = (r) => `${r.cellName} ${r.name}`;
  for (const [what, lbl, goal] of [["train", "training steps", 90], ["forward", "forward passes", 85]]) {
    lines.push(
      `| ${lbl} ≥ ${goal}% of our GEMM peak, medium and large | ${
        list(ml.map((r) => `${named(r)} ${f(r[what].pctOfPeak, 0)}%`))
      } | ${verdict(ml, (r) => r[what].pctOfPeak >= goal)} |`,
    );
  }
  const native = has(res, "torch2") ? "torch2" : has(res, "torch113") ? "torch113" : null;
  if (native && !res.gemm.peers[native]?.error) {
    for (const [what, lbl] of WHATS) {
      const cells = ml.map((r) => ({ r, b: rowBound(res, r, what, native), x: r[what].peers[native] })).filter((c) =>
        c.b
      );
      lines.push(
        `| ${lbl}: ours ÷ ${label(res, native)} ≤ 1.15 × bound, medium and large (bound: its torch.mm peak ÷ ours = ${
          f(res.gemm.peers[native].ratio)
        }, or †: its own GFLOP/s on the row ÷ our peak) | ${
          list(
            cells.map((c) =>
              `${named(c.r)} ${f(c.x.ratio)} ≤ ${f(1.15 * c.b.bound)}${c.b.fused ? "†" : ""}${
                c.x.ratio <= 1.15 * c.b.bound ? "" : " ✗"
              }`
            ),
          )
        } | ${verdict(cells, (c) => c.x.ratio <= 1.15 * c.b.bound)} |`,
      );
    }
  }
  if (has(res, "threads2")) {
    const sp = ml.flatMap((r) => WHATS.map(([w]) => [r, w, r[w].peers.threads2])).filter(([, , x]) => x && !x.error);
    lines.push(
      `| 2 threads ≥ 1.85× on medium and large (train / forward, 1 thread's time ÷ 2 threads') | ${
        list(
          ml.map((r) =>
            `${named(r)} ${f(r.train.peers.threads2?.ratio ?? NaN)}× / ${f(r.forward.peers.threads2?.ratio ?? NaN)}×`
          ),
        )
      } | ${verdict(sp, ([, , x]) => x.ratio >= 1.85)} |`,
    );
  }
  const js = JS_PEERS.filter((k) => has(res, k));
  if (js.length) {
    const cells = rows.flatMap((r) => WHATS.flatMap(([w]) => js.map((k) => [r, w, k, r[w].peers[k]]))).filter((
      [, , , x],
    ) => x && !x.error);
    const behind = cells.filter(([, , , x]) => x.ratio >= 1);
    const slowest = js.map((k) => {
      const v = cells.filter((c) => c[2] === k).map((c) => 1 / c[3].ratio);
      return v.length ? `${label(res, k)} ${f(Math.min(...v), 1)}–${f(Math.max(...v), 0)}×` : null;
    }).filter(Boolean);
    lines.push(
      `| every WebAssembly and JavaScript peer behind us on every row (peer's time ÷ ours: ${list(slowest)}) | ${
        behind.length
          ? `ahead of us: ${
            list(behind.map(([r, w, k, x]) => `${label(res, k)} on ${named(r)} ${w} (${f(1 / x.ratio)}×)`))
          }`
          : "behind on every row"
      } | ${verdict(cells, ([, , , x]) => x.ratio < 1)} |`,
    );
  }
  const t113 = has(res, "torch113");
  const earlier = [];
  if (has(res, "tfwasm")) {
    for (const [w, lbl] of WHATS) {
      const v = rows.filter((r) => r[w].peers.tfwasm && !r[w].peers.tfwasm.error);
      earlier.push(
        `| ≥ 8× faster than TF.js wasm everywhere, ${lbl} | ${
          list(v.map((r) => `${named(r)} ${f(1 / r[w].peers.tfwasm.ratio, 1)}×`))
        } | ${verdict(v, (r) => 1 / r[w].peers.tfwasm.ratio >= 8)} |`,
      );
    }
  }
  if (t113) {
    for (const [w, lbl] of WHATS) {
      const sm = rows.filter((r) => r.name === "small" && r[w].peers.torch113 && !r[w].peers.torch113.error);
      earlier.push(
        `| faster than PyTorch 1.13 on small, ${lbl} (ours ÷ PyTorch) | ${
          list(sm.map((r) => `${r.cellName} ${f(r[w].peers.torch113.ratio)}`))
        } | ${verdict(sm, (r) => r[w].peers.torch113.ratio < 1)} |`,
      );
      const big = ml.filter((r) => r[w].peers.torch113 && !r[w].peers.torch113.error);
      earlier.push(
        `| ≤ 2× PyTorch 1.13's time on medium and large, ${lbl} (ours ÷ PyTorch) | ${
          list(big.map((r) => `${named(r)} ${f(r[w].peers.torch113.ratio)}`))
        } | ${verdict(big, (r) => r[w].peers.torch113.ratio <= 2)} |`,
      );
    }
  }
  return { table: lines.join("\n"), earlier: earlier.join("\n") };
}

/** The peers' tables: peer's time ÷ ours per row (> 1: we are faster), medians of the per-round
 *  ratios with their range. */
function peerTables(res) {
  const ps = Object.keys(KEYS).filter((k) => has(res, k));
  if (!ps.length) return "No peers were installed for this run (`npm run bench:peers` installs them).\n";
  const table = (w) => {
    const cols = ps.filter((k) => res.rows.some((r) => r[w].peers[k]));
    return `| cell | config | ours ms | ${cols.map((k) => `${KEYS[k]} ms`).join(" | ")} | ${
      cols.map((k) => `${KEYS[k]} ÷ ours`).join(" | ")
    } |
|---|---|---|${cols.map(() => "---|").join("")}${cols.map(() => "---|").join("")}
${
  res.rows.map((r) =>
    `| ${r.cellName} | ${r.name} | ${f(r[w].ms)} | ${
      cols.map((k) => {
        const x = r[w].peers[k];
        return !x ? "—" : x.error ? "error" : f(x.ms, x.ms < 10 ? 2 : x.ms < 100 ? 1 : 0);
      }).join(" | ")
    } | ${cols.map((k) => ratioCell(r[w].peers[k], true)).join(" | ")} |`
  ).join("\n")
}`;
  };
  const errs = [
    ...new Set(
      res.rows.flatMap((r) =>
        WHATS.flatMap(([w]) =>
          ps.filter((k) => r[w].peers[k]?.error).map((k) => `${KEYS[k]} (${r.cellName}): ${r[w].peers[k].error}`)
        )
      ),
    ),
  ];
  return `### Training step
${table("train")}

### Forward only
${table("forward")}
${errs.length ? `\nErrors reported by peers: ${errs.join("; ")}.\n` : ""}`;
}

/** The whole report. */
export function report(res) {
  const { rows, gemm } = res, peak = gemm.ours;
  const units = res.scaling.map((r) => 1e6 * r.ms / (r.T * (32 * r.H + r.H * r.H)));
  const unitMean = units.reduce((a, b) => a + b, 0) / units.length;
  const unitSpread = 100 * Math.max(...units.map((u) => Math.abs(u / unitMean - 1)));
  const tg = targets(res);
  const peerList = res.peers.map((p) => label(res, p.key)).join(", ");
  const n = notes({ peak: f(peak, 1), unitSpread: f(unitSpread, 0), unitMean: f(unitMean, 1), rounds: res.rounds });
  const mm = Object.entries(gemm.peers).filter(([, v]) => !v.error);
  const gemmLine = mm.map(([k, v]) =>
    `${k === "relaxed" ? "our relaxed-SIMD build (its packed GEMM at 128³)" : `${label(res, k)} (torch.mm 1024³)`} ${
      f(v.gflops, 1)
    }, ${f(v.ratio)}× ours (${range(v)})${v.disagree ? " ⚠" : ""}`
  ).join("; ");
  const byKey = (k) => rows.some((r) => r.train.peers[k]);
  const speedupTable = (k) => `| cell | config | train ms, 1 thread | speed-up | forward ms, 1 thread | speed-up |
|---|---|---|---|---|---|
${
  rows.map((r) =>
    `| ${r.cellName} | ${r.name} | ${f(r.train.ms)} | ${ratioCell(r.train.peers[k])} | ${f(r.forward.ms)} | ${
      ratioCell(r.forward.peers[k])
    } |`
  ).join("\n")
}`;
  return `# Benchmark results

Command: \`npm run bench\` (bench/passes/run.mjs; alternation in bench/passes/suites/alternated.mjs, timing helpers in
bench/tools/timing.mjs). ${
  res.seconds ? `The run took ${f(res.seconds / 60, 0)} minutes. ` : ""
}Machine: ${res.cpu}, ${res.cores} cores, Node ${res.node}.
Date: ${res.date.slice(0, 10)}. Alternated with: ${
  peerList || "nothing (no peers installed)"
}; ${res.rounds} rounds per row.

${n.intro}

**GEMM peak**, alternated: ours ${
  f(peak, 1)
} GFLOP/s (the packed f32x4 GEMM on 128³, median of ${gemm.samples} samples)${gemmLine ? `; ${gemmLine}` : ""}.${
  gemm.peers.torch2 && !gemm.peers.torch2.error
    ? ` The bound the SIMD width sets against the native reference, PyTorch 2's peak ÷ ours: **${
      f(gemm.peers.torch2.ratio)
    }**.`
    : ""
}

## Single thread
GFLOP/s from the median time; % of peak: the median over rounds of the row's speed ÷ a GEMM sample
taken right after it (with its range).

| cell | config (B,T,I,H) | train step ms | GFLOP/s | % of peak | forward ms | GFLOP/s | % of peak |
|---|---|---|---|---|---|---|---|
${
  rows.map((r) =>
    `| ${r.cellName} | ${r.name} ${r.B},${r.T},${r.I},${r.H} | ${f(r.train.ms)} | ${f(r.train.gflops, 1)} | ${
      f(r.train.pctOfPeak, 0)
    }% (${f(r.train.pctMin, 0)}–${f(r.train.pctMax, 0)}) | ${f(r.forward.ms)} | ${f(r.forward.gflops, 1)} | ${
      f(r.forward.pctOfPeak, 0)
    }% (${f(r.forward.pctMin, 0)}–${f(r.forward.pctMax, 0)}) |`
  ).join("\n")
}

## The goals of the speed issues, from this run
${n.targets}

| goal (issue 18) | measured | |
|---|---|---|
${tg.table}
${
  tg.earlier
    ? `
| earlier goal (the first speed issue; ratios from this run) | measured | |
|---|---|---|
${tg.earlier}
`
    : ""
}
${n.gaps}

## Against the peers, alternated (peer's time ÷ ours: > 1, we are faster)
${n.peers}

${peerTables(res)}
${
  byKey("threads2")
    ? `## Two threads (\`init({ threads: 2 })\`)
${n.threads}

${speedupTable("threads2")}

`
    : ""
}${
  byKey("relaxed")
    ? `## Relaxed SIMD (opt-in: \`init({ relaxedSimd: true })\`)
${n.relaxed}

${speedupTable("relaxed")}

`
    : ""
}## Diagnostics and initialization (median ms, at least 5 samples)
| what | ms |
|---|---|
${res.diag.map((d) => `| ${d[0]} | ${d.slice(1).map((v) => f(v)).join(" / ")} |`).join("\n")}

## Memory of a training step (one layer, one direction; MiB of WebAssembly memory)
${n.memory}

| cell | config | parameters | gradients | Adam state | BPTT workspace, stored | floats per step·sequence | BPTT workspace, checkpointed |
|---|---|---|---|---|---|---|---|
${
  res.memory.map((m) =>
    `| ${m.cellName} | ${m.cfg.name} | ${f(MiB(m.P), 3)} | ${f(MiB(m.P), 3)} | ${f(MiB(2 * m.P), 3)} | ${
      f(MiB(m.ws), 1)
    } | ${f(m.perStep, 0)} | ${f(MiB(m.wsCk), 2)} |`
  ).join("\n")
}

## Gradient checkpointing (B = 32, I = 32, H = 128; training step, one thread)
${n.checkpoint}

| cell | T | stored ms | checkpointed ms | time ratio | workspace stored MiB | checkpointed MiB | memory ratio |
|---|---|---|---|---|---|---|---|
${
  res.checkpoint.map((r) =>
    `| ${r.cellName} | ${r.T} | ${f(r.ms[0])} | ${f(r.ms[1])} | ${f(r.ms[1] / r.ms[0])} | ${f(MiB(r.ws[0]), 1)} | ${
      f(MiB(r.ws[1]), 2)
    } | ${f(r.ws[0] / r.ws[1], 1)} |`
  ).join("\n")
}

## Scaling of a GRU training step (B = 32, I = 32)
| T | H | ms | GFLOP/s | ms / (T·(I·H + H²)) ×10⁶ |
|---|---|---|---|---|
${
  res.scaling.map((r) =>
    `| ${r.T} | ${r.H} | ${f(r.ms)} | ${f(r.gflops, 1)} | ${f(1e6 * r.ms / (r.T * (32 * r.H + r.H * r.H)), 3)} |`
  ).join("\n")
}

${n.scaling}

${odeSection()}

${hmmSection()}

${streamSection()}
${n.ab ? `\n${n.ab}\n` : ""}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const res = JSON.parse(readFileSync(new URL("../results/results.json", import.meta.url), "utf8"));
  writeFileSync(new URL("../RESULTS.md", import.meta.url), report(res));
  console.log("wrote bench/RESULTS.md from bench/results/results.json");
}
