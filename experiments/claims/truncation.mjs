// 3. Truncated BPTT
// One claim of the experiments (experiments/run.mjs runs them all and writes the report): it
// records its key numbers in json, a section of the report in md, and its plot.
import { RNN, Rng } from "../../dist/index.js";
import { normals, fmt } from "../lib.mjs";

export default async function({ json, md, plot, progress }) {
  progress("3/8 truncated BPTT");
  const T = 50, k = 10, H = 32, I = 3, B = 4;
  const rnn = new RNN({ inputSize: I, hiddenSize: H, seed: 3, init: { recurrent: "orthogonal" } });
  const rng = new Rng(11);
  const x = normals(B * T * I, rng), g = normals(B * H, rng);
  const norms = (dx) => Array.from({ length: T }, (_, t) => {
    let s = 0;
    for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) s += dx[(b * T + t) * I + i] ** 2;
    return Math.sqrt(s);
  });
  rnn.forward(x, { batch: B, steps: T });
  const full = norms(rnn.backward({ hN: g }).x);
  rnn.forward(x, { batch: B, steps: T });
  const trunc = norms(rnn.backward({ hN: g }, { truncate: k }).x);
  rnn.dispose();
  const byTau = (a) => Array.from({ length: T }, (_, tau) => a[T - 1 - tau]); // tau = T−1−t, 0 = last input
  const f = byTau(full), tr = byTau(trunc);
  // τ counts steps back from the end: x_{T−τ} in the claim's notation is index T−τ (1-based τ = 1..T)
  const zerosBeyond = tr.slice(k).every((v) => v === 0), nonzeroWithin = tr.slice(0, k).every((v) => v > 0);
  json.truncation = { T, k, zerosBeyondK: zerosBeyond, nonzeroWithinK: nonzeroWithin,
    exactZeros: tr.filter((v) => v === 0).length, truncatedNorms: tr, fullNorms: f };
  const values = [];
  f.forEach((v, i) => values.push({ tau: i + 1, v, series: "full BPTT" }));
  tr.forEach((v, i) => {
    if (v > 0) values.push({ tau: i + 1, v, series: `BPTT(${k}); exactly 0 beyond τ = ${k} (not drawn)` });
  });
  const img = await plot("truncation", { title: `Gradient reaching each input: full BPTT and BPTT(${k})`,
    data: { values },
    layer: [{ transform: [{ filter: "datum.series == 'full BPTT'" }], mark: { type: "line", clip: true },
      encoding: {
        x: { field: "tau", type: "quantitative", title: "τ: the τ-th input counted back from the last (τ = 1 is x_T)" },
        y: { field: "v", type: "quantitative", scale: { type: "log" }, title: "‖∂L/∂x‖ over the batch",
          axis: { format: ".0e" } },
        color: { field: "series", type: "nominal", title: null, legend: { orient: "bottom", direction: "vertical" } },
      } }, { transform: [{ filter: "datum.series != 'full BPTT'" }], mark: { type: "point", filled: true, size: 60 },
      encoding: { x: { field: "tau", type: "quantitative" }, y: { field: "v", type: "quantitative" },
        color: { field: "series", type: "nominal", title: null } } }, {
      mark: { type: "rule", strokeDash: [4, 3], color: "gray" },
      encoding: { x: { datum: k + 0.5 } },
    }] });
  md.push(`## 3. Truncated backpropagation through time

**Claim.** BPTT(k) stops the backward pass k steps before the loss: inputs more than k steps back
get exactly zero gradient, those within k get a non-zero one.

**Setup.** Elman tanh, H = 32, T = 50, k = ${k}, a batch of 4 with N(0, 1) inputs, loss ⟨h_T, g⟩;
\`backward({ hN: g }, { truncate: ${k} })\` against full BPTT on the same forward pass. The definition
(docs/models-and-training.md, "Truncated backpropagation through time"): the recurrence is cut every k steps counted back from each
sequence's own end.

| | τ = 1…${k} (the last ${k} inputs) | τ = ${k + 1}…${T} |
|---|---|---|
| BPTT(${k}): gradient exactly zero | ${tr.slice(0, k).filter((v) => v === 0).length} of ${k} | ${
  tr.slice(k).filter((v) => v === 0).length
} of ${T - k} |
| BPTT(${k}) equals full BPTT (bitwise) | ${tr.slice(0, k).every((v, i) => v === f[i]) ? "yes" : "no"} | — |
| full BPTT: ‖∂L/∂x‖ at τ = ${k + 1} and τ = ${T} | — | ${fmt(f[k])} and ${fmt(f[T - 1])} |

${img}

**Reading.** ${
  zerosBeyond && nonzeroWithin
    ? `The claim holds exactly: all ${T - k} inputs beyond k get 0.0, all ${k} within get a non-zero gradient`
    : "THE CLAIM FAILED"
}, and inside the window
the truncated gradient is the full one bit for bit (the cut only removes paths longer than k).
What truncation throws away is visible in the full curve: the gradient at τ = ${k + 1} is still
${fmt(f[k] / f[0])} of the one at τ = 1 — dependencies longer than k steps cannot be learned with BPTT(${k}).
`);
}
