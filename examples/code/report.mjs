// The code model's report: reports/code.json (every figure and the training curve), the one line,
// samples, and the plots: code-closers.svg (loss and top-1 on closing characters by distance to
// the opener), code-parse.svg (parse rate by temperature), code-curve.svg (training curve; Vega-
// Lite rendered headless by experiments/report.mjs) and code-cells-*.svg (a hidden unit over a
// code excerpt, one colour per character, written here directly).
import { writeFileSync, mkdirSync } from "node:fs";

const esc = (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c] ?? c;

/**
 * An SVG of text with each character's background coloured by value (blue −1 … white 0 … red +1,
 * scaled by the largest |value|): the hidden unit over a code excerpt.
 */
export function unitSvg(text, values, title) {
  const cw = 7.2, lh = 15, pad = 8, lines = text.split("\n"),
    cols = Math.min(120, Math.max(...lines.map((l) => l.length)));
  let scale = 0;
  for (const v of values) scale = Math.max(scale, Math.abs(v));
  scale ||= 1;
  const colour = (v) => {
    const a = Math.max(-1, Math.min(1, v / scale)), k = Math.round(255 * (1 - Math.abs(a)));
    return a >= 0 ? `rgb(255,${k},${k})` : `rgb(${k},${k},255)`;
  };
  const parts = [];
  let i = 0;
  lines.forEach((line, r) => {
    for (let c = 0; c <= line.length; c++, i++) {
      if (c >= cols) continue;
      const x = pad + c * cw, y = pad + 20 + r * lh;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${cw}" height="${lh}" fill="${colour(values[i])}"/>`);
      if (c < line.length && line[c] !== " ") {
        parts.push(`<text x="${(x + cw / 2).toFixed(1)}" y="${y + lh - 4}">${esc(line[c])}</text>`);
      }
    }
  });
  const w = 2 * pad + cols * cw, h = 2 * pad + 20 + lines.length * lh;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w.toFixed(0)}" height="${h}" viewBox="0 0 ${
    w.toFixed(0)
  } ${h}"><rect width="100%" height="100%" fill="white"/><text x="${pad}" y="${
    pad + 12
  }" font-family="sans-serif" font-size="12">${
    [...title].map(esc).join("")
  }</text><g font-family="monospace" font-size="12" text-anchor="middle">${parts.join("")}</g></svg>\n`;
}

/** Vega-Lite specs of the three plots made from the report's figures. */
export function plotSpecs(json) {
  const bucket = (r) => (r.to === null ? `> ${r.from - 1}` : `${r.from}–${r.to}`);
  const names = Object.keys(json.closers.predictors);
  const closerRows = json.closers.rows.filter((r) => r.count > 0).flatMap((r) =>
    names.flatMap((
      k,
    ) => [{ bucket: bucket(r), order: r.from, predictor: json.closers.predictors[k],
      metric: "bits per closing character", value: r[k].bits, count: r.count }, { bucket: bucket(r), order: r.from,
      predictor: json.closers.predictors[k], metric: "top-1 accuracy", value: r[k].top1, count: r.count }]
    )
  );
  const sort = json.closers.rows.filter((r) => r.count > 0).map(bucket);
  const parseRows = json.parse.byTemperature.flatMap((
    t,
  ) => [{ temperature: t.temperature, share: t.parsedShare, what: "parses" }, { temperature: t.temperature,
    share: t.closedShare, what: "braces close" }]
  );
  const curveRows = json.training
    ? json.training.curve.flatMap((
      c,
    ) => [{ seconds: c.seconds, bits: c.train, part: "training (since the previous check)" }, { seconds: c.seconds,
      bits: c.valid, part: "validation prefix" }]
    ).filter((r) => r.bits !== null)
    : [];
  return [["code-closers", { title: "Closing characters by distance to their opener (held-out)",
    data: { values: closerRows }, facet: { column: { field: "metric", title: null } },
    resolve: { scale: { y: "independent" } },
    spec: { width: 380, height: 240, mark: { type: "line", point: true },
      encoding: { x: { field: "bucket", type: "ordinal", sort, title: "distance to the opener (characters)" },
        y: { field: "value", type: "quantitative", title: null }, color: { field: "predictor", type: "nominal" } } } }],
    ...(parseRows.length
      ? [["code-parse", { title: "Generated functions by sampling temperature (validation primes)",
        data: { values: parseRows }, mark: { type: "line", point: true },
        encoding: { x: { field: "temperature", type: "quantitative", scale: { zero: false } },
          y: { field: "share", type: "quantitative", axis: { format: "%" }, scale: { domain: [0, 1] } },
          color: { field: "what", type: "nominal", title: null } } }]]
      : []),
    ...(curveRows.length
      ? [["code-curve", { title: "Training curve", data: { values: curveRows }, mark: { type: "line", point: true },
        encoding: { x: { field: "seconds", type: "quantitative" },
          y: { field: "bits", type: "quantitative", title: "bits/char", scale: { zero: false } },
          color: { field: "part", type: "nominal", title: null } } }]]
      : [])];
}

/** Write code.json, the samples and (unless noPlot) the plots to the directory URL dir. */
export async function writeReport(dir, json, { samples, cellPlots = [], noPlot = false, log = () => {} }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("code.json", dir), JSON.stringify(json, null, 1) + "\n");
  writeFileSync(new URL("code-samples.txt", dir),
    samples.map((s, i) =>
      `// sample ${i} (${
        s.ok
          ? "parses"
          : s.closed
          ? `does not parse: ${s.error.message} on line ${s.error.line}${
            s.error.unbalanced ? "; unbalanced ( ) or [ ]" : ""
          }`
          : "braces never close"
      })\n${s.src}\n`
    ).join("\n"));
  for (const [name, svg] of cellPlots) writeFileSync(new URL(`${name}.svg`, dir), svg);
  if (noPlot) return;
  const { reportWriter } = await import("../../experiments/report.mjs");
  const w = reportWriter(dir);
  for (const [name, spec] of plotSpecs(json)) {
    await w.plot(name, spec);
    log(`wrote ${name}.svg`);
  }
}

/** The one line (the parse share to 0.1%: a 200-sample share moves in steps of 0.5%, never rounded up to a goal). */
export function headline(j) {
  const f = (x) => (x === null || x === undefined || Number.isNaN(x) ? "NaN" : x.toFixed(3));
  return `code: held-out ${f(j.heldOutBitsPerChar)} bits/char (best n-gram ${
    f(j.ngram.bestHeldOut)
  } at order ${j.ngram.best}, KN-5 ${f(j.ngram.kn5)}, xz -9 ${f(j.xzBitsPerChar)}); ${
    j.parse.headline.parsedPercent.toFixed(1)
  }% of ${j.parse.headline.samples} samples parse`;
}
