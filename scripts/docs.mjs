// The API reference: typedoc over the public entry points (typedoc.json) into docs/api/.
//   node scripts/docs.mjs            write docs/api/ (npm run docs)
//   node scripts/docs.mjs --check    no output; exit 1 on any typedoc warning other than an
//                                    undocumented symbol, or when the undocumented symbols are not
//                                    exactly those listed in docs/undocumented.txt (run by the tests:
//                                    a new public symbol must come with its documentation)
//   node scripts/docs.mjs --update   rewrite docs/undocumented.txt (after documenting some)
// "recurrent-wasm/core", the raw ABI, is documented by docs/ABI.md and include/recurrent.h.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const check = process.argv.includes("--check"), update = process.argv.includes("--update");
const bin = root + "node_modules/typedoc/bin/typedoc";
const run = spawnSync(process.execPath, [bin, ...(check || update ? ["--emit", "none"] : [])], { cwd: root, encoding: "utf8" });
const out = `${run.stdout}${run.stderr}`;
if (!/Found 0 errors/.test(out) && run.status !== 0) { console.error(out); process.exit(1); }
const lines = out.replace(/\x1b\[[0-9;]*m/g, "").split("\n").filter((l) => l.includes("[warning]") && !/Found \d+ errors and \d+ warnings/.test(l));
const undocumented = [], other = [];
for (const l of lines) {
  const m = l.match(/\[warning\] (\S+) \((\w+)\), defined in .* does not have any documentation/);
  if (m) undocumented.push(`${m[1]} (${m[2]})`); else other.push(l.trim());
}
undocumented.sort();
const listFile = root + "docs/undocumented.txt";
if (update) {
  writeFileSync(listFile, "# Public symbols typedoc finds without documentation (node scripts/docs.mjs --update). Shrinks, never grows.\n" + undocumented.join("\n") + "\n");
  console.log(`docs/undocumented.txt: ${undocumented.length} symbols`);
}
if (check) {
  const listed = existsSync(listFile) ? readFileSync(listFile, "utf8").split("\n").filter((l) => l && !l.startsWith("#")) : [];
  const added = undocumented.filter((s) => !listed.includes(s)), gone = listed.filter((s) => !undocumented.includes(s));
  const problems = [...other.map((l) => `typedoc: ${l}`), ...added.map((s) => `undocumented: ${s}`), ...gone.map((s) => `documented now, drop it from docs/undocumented.txt (node scripts/docs.mjs --update): ${s}`)];
  if (problems.length) { console.error(problems.join("\n")); process.exit(1); }
  console.log(`typedoc: no warnings beyond the ${undocumented.length} listed undocumented symbols`);
}
if (!check && !update) console.log(`docs/api/index.html written (${undocumented.length} public symbols still undocumented: docs/undocumented.txt)`);
