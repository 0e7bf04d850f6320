// The playground's reactor data: data/reactor-playground.csv, a smaller view of
// data/reactor-cstr.csv for the page to load quickly. Every 4th sample (one every 0.8 ms: rows
// with step % 4 === 3, the state at the end of each 4-sample block and the feed held over its last
// sample) and only the columns the page uses: split, schedule, phi, tau_ms, T_in_K, T_K, each
// value copied as the source writes it. Schedules 0-10 only (8 train, 3 test; 250 samples each): the
// further training schedules of the source are left out so the page's file stays about 100 KB.
// Usage: node scripts/make-reactor-playground.mjs [--out FILE]
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Every `every`-th sample of the first `schedules` schedules of the reactor CSV's text, with the
 *  playground's columns, as CSV text. */
export function reactorPlayground(csv, every = 4, schedules = 11) {
  const [head, ...lines] = csv.trimEnd().split("\n"), names = head.split(",");
  const keep = ["split", "schedule", "phi", "tau_ms", "T_in_K", "T_K"].map((n) => {
    const i = names.indexOf(n);
    if (i < 0) throw new Error(`make-reactor-playground: the reactor CSV has no column ${n}`);
    return i;
  });
  const step = names.indexOf("step"), schedule = names.indexOf("schedule"), out = [keep.map((i) => names[i]).join(",")];
  for (const line of lines) {
    const c = line.split(",");
    if (Number(c[schedule]) < schedules && Number(c[step]) % every === every - 1) {
      out.push(keep.map((i) => c[i]).join(","));
    }
  }
  return out.join("\n") + "\n";
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const at = process.argv.indexOf("--out");
  const out = resolve(at > 0 ? process.argv[at + 1] : root + "data/reactor-playground.csv");
  const text = reactorPlayground(readFileSync(root + "data/reactor-cstr.csv", "utf8"));
  writeFileSync(out, text);
  console.log(`${out}: ${text.trimEnd().split("\n").length - 1} rows, ${(text.length / 1024).toFixed(0)} KB`);
}
