// The formatter: dprint's TypeScript formatter (a WebAssembly plugin, run in-process; no binary, no
// download) over every TypeScript and JavaScript file of the repository, lines up to 120 columns.
//   node scripts/format.mjs            rewrite the files that are not formatted
//   node scripts/format.mjs --check    list them and exit 1 (the test suite runs this)
//   node scripts/format.mjs FILE...    only these files
// AssemblyScript's decorators on functions (@inline, …) are not TypeScript: they are masked as
// comments before formatting and restored after, so that the formatter neither rejects nor drops
// them (the compiled wasm is byte for byte the same before and after formatting).
import { createFromBuffer } from "@dprint/formatter";
import { getPath } from "@dprint/typescript";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const check = args.includes("--check");
const named = args.filter((a) => !a.startsWith("--"));

/** The files to format: named ones, or every tracked and new TypeScript/JavaScript file but the
 *  generated ones (bindings/core/exports.ts is scripts/gen-abi.mjs's output, checked as such). */
function files() {
  if (named.length) return named;
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.mts", "*.mjs",
    "*.cjs", "*.js"], { cwd: root, encoding: "utf8" });
  return out.split("\n").filter((f) =>
    f && !f.endsWith(".d.ts") && !f.startsWith("test/fixtures/") && !f.includes("node_modules/")
    && !/(^|\/)(dist|build|site\/dist)\//.test(f) && !f.endsWith("bindings/core/wasm-inline.ts")
    && !f.endsWith("bindings/core/exports.ts")
  );
}

const formatter = createFromBuffer(readFileSync(getPath()));
formatter.setConfig({ lineWidth: 120, indentWidth: 2, useTabs: false, newLineKind: "lf" }, { quoteStyle: "preferDouble",
  semiColons: "prefer", trailingCommas: "onlyMultiLine", preferHanging: true, preferSingleLine: true,
  "arrowFunction.useParentheses": "maintain", "typeAssertion.spaceBeforeExpression": false,
  "memberExpression.linePerExpression": false, "module.sortImportDeclarations": "maintain",
  "module.sortExportDeclarations": "maintain", "importDeclaration.sortNamedImports": "maintain",
  "exportDeclaration.sortNamedExports": "maintain", bracePosition: "sameLine",
  "constructorType.spaceAfterNewKeyword": true });

const DECORATOR =
  /^(\s*)@(inline|lazy|global|unsafe|final|unmanaged|external(?:\([^)]*\))?|operator(?:\.\w+)?(?:\([^)]*\))?)(?=\s)/gm;
const mask = (text) => text.replace(DECORATOR, "$1/*@@$2@@*/");
const unmask = (text) => text.replace(/\/\*@@(.*?)@@\*\//g, "@$1");

/** The formatted text of a file: formatted again until it no longer changes (a long object
 *  literal can take two passes to settle). */
export function format(file, text) {
  const asc = /(^|\/)assembly\//.test(file);
  let out = asc ? mask(text) : text;
  for (let pass = 0; pass < 4; pass++) {
    const next = formatter.formatText({ filePath: file, fileText: out });
    if (next === out) break;
    out = next;
  }
  return asc ? unmask(out) : out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bad = [];
  for (const f of files()) {
    const path = named.length ? f : root + f;
    const text = readFileSync(path, "utf8");
    let out;
    try {
      out = format(f, text);
    } catch (e) {
      console.error(`${f}: ${String(e.message ?? e).split("\n")[0]}`);
      process.exitCode = 2;
      continue;
    }
    if (out === text) continue;
    bad.push(f);
    if (!check) writeFileSync(path, out);
  }
  if (check && bad.length) {
    console.error(`not formatted (node scripts/format.mjs rewrites them):\n  ${bad.join("\n  ")}`);
    process.exitCode = 1;
  } else if (!check) console.log(`formatted ${bad.length} file(s)`);
}
