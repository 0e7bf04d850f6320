// The report writer of the experiments: plots (Vega-Lite rendered to SVG headless, no browser),
// and reports/experiments.md and reports/experiments.json from what the claims recorded.
import { mkdirSync, writeFileSync } from "node:fs";
import * as vega from "vega";
import * as vl from "vega-lite";

export function reportWriter(outDir) {
  mkdirSync(outDir, { recursive: true });
  return {
    /** Render a Vega-Lite spec to <outDir>/<name>.svg; returns the markdown image. */
    async plot(name, spec) {
      const full = { $schema: "https://vega.github.io/schema/vega-lite/v5.json", width: 460, height: 260,
        config: { font: "sans-serif", legend: { labelLimit: 360, titleLimit: 360 } }, ...spec };
      const view = new vega.View(vega.parse(vl.compile(full).spec), { renderer: "none" });
      writeFileSync(new URL(`${name}.svg`, outDir), await view.toSVG());
      await view.finalize();
      return `![${spec.title?.text ?? spec.title ?? name}](${name}.svg)`;
    },
    /** experiments.json (the key numbers) and experiments.md (the sections in order). */
    write(json, md, seconds) {
      json.meta = { seconds, node: process.version, date: new Date().toISOString().slice(0, 10) };
      writeFileSync(new URL("experiments.json", outDir), JSON.stringify(json, null, 1) + "\n");
      writeFileSync(new URL("experiments.md", outDir), `# Experiments: why recurrent networks forget, and what helps

Produced by \`npm run experiments\` (experiments/run.mjs) in ${
  seconds.toFixed(0)
} s on ${json.meta.date}, Node ${process.version}.
Each section states a claim from the introductions to RNNs, the setup, the numbers and a plot.
Every number is seeded and reproducible; the key numbers are also in [experiments.json](experiments.json).
Notation: h_t is the hidden state after reading input t, L the loss, T the last step, σ a singular value.

${md.join("\n")}`);
    },
  };
}
