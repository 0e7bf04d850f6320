// Sections of bench/RESULTS.md that a benchmark other than `npm run bench` renders: each lives
// between its two markers, so that bench/tools/report.mjs (the recurrent rows) and each benchmark can
// rewrite its own part.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** Replace the text between begin and end (markers included in sec), or append it. */
export function writeSection(begin, end, sec) {
  const url = new URL("../RESULTS.md", import.meta.url);
  const text = existsSync(url) ? readFileSync(url, "utf8") : "# Benchmark results\n";
  const i = text.indexOf(begin), j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + sec + text.slice(j + end.length) : `${text.trimEnd()}\n\n${sec}\n`;
  writeFileSync(url, next);
}
