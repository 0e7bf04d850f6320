// The API reference: typedoc over the public entry points (typedoc.json) into docs/api/.
//   node scripts/docs.mjs            write docs/api/ (npm run docs)
//   node scripts/docs.mjs --check    no output; exit 1 on any typedoc warning: an undocumented
//                                    public symbol, a broken link, a type referenced but not
//                                    exported (run by the tests)
// "recurrent-wasm/core", the raw ABI, is documented by docs/ABI.md and include/recurrent.h.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const check = process.argv.includes("--check");
const run = spawnSync(process.execPath, [root + "node_modules/typedoc/bin/typedoc",
  ...(check ? ["--emit", "none"] : [])], { cwd: root, encoding: "utf8" });
const out = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
const warnings = out.split("\n").filter((l) => l.includes("[warning]") && !/Found \d+ errors and \d+ warnings/.test(l));
if (run.status !== 0 || warnings.length) {
  console.error(warnings.length ? warnings.join("\n") : out);
  process.exit(1);
}
console.log(check ? "typedoc: no warnings" : "docs/api/index.html written");
