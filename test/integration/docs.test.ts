// The README and the guides in docs/ as a reader uses them: every ```js and ```ts block of README.md
// and of every docs/*.md (found by listing the folder, so a new page is covered without a change
// here), and every TSDoc @example of bindings/ (the API reference's), is a complete ES module
// importing "recurrent-wasm"; each runs with Node in an app that has
// the packed tarball installed (TypeScript blocks transpiled by esbuild first), and all of them
// type-check together in strict mode (bundler and node16 resolutions). ```sh, ```text, ```python
// and the other fences are shown, not run; the README's browser page is type-checked here and run
// in Chromium by browser.test.ts. Also: the README's length, that every relative link and anchor
// resolves, that no page speaks of issue numbers or dates, and that the stated package sizes are
// what scripts/sizes.mjs measures.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { transformSync } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { packedApp, root } from "../helpers/packed";

/** README.md and every markdown page of docs/ (not the generated docs/api/), as paths from the root. */
const pages = ["README.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const text = (page: string) => readFileSync(join(root, page), "utf8");

interface Block {
  page: string;
  line: number;
  lang: string;
  code: string;
}
/** Every fenced block of a page: its language (the word after the fence), its first line, its text. */
function blocksOf(page: string): Block[] {
  const lines = text(page).split("\n"), out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length, body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) body.push(lines[j++].slice(indent));
    out.push({ page, line: i + 1, lang: open[2], code: body.join("\n") + "\n" });
    i = j;
  }
  return out;
}
const all = pages.flatMap(blocksOf);
/** The TSDoc `@example` blocks of the bindings (the API reference's examples), as blocks of their files. */
function examplesOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n"), out: Block[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!/^\s*\*\s*@example\s*$/.test(lines[i])) continue;
    const open = /^\s*\*\s*```(\S+)\s*$/.exec(lines[i + 1]);
    if (!open) throw new Error(`${file}:${i + 1}: an @example must be a fenced block naming its language`);
    const body: string[] = [];
    let j = i + 2;
    while (j < lines.length && !/^\s*\*\s*```\s*$/.test(lines[j])) body.push(lines[j++].replace(/^\s*\* ?/, ""));
    out.push({ page: file, line: i + 1, lang: open[1], code: body.join("\n") + "\n" });
    i = j;
  }
  return out;
}
const sources = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : []
  );
const examples = sources("bindings").flatMap(examplesOf);
const runnable = [...all, ...examples].filter((b) => b.lang === "js" || b.lang === "ts");
/** Fences that are shown, not run by this file (html: browser.test.ts runs the README's page). */
const SHOWN = ["sh", "bash", "console", "text", "python", "html", "c", "json", "csv", "yaml", "diff"];
const fileOf = (b: Block, i: number) =>
  `${b.page.replace(/\W+/g, "-")}-${b.line}-${i}.${b.lang === "ts" ? "mts" : "mjs"}`;

let app = "";
beforeAll(() => {
  ({ app } = packedApp());
}, 120_000);

describe("the README", () => {
  it("is at most 250 lines", () => {
    expect(text("README.md").split("\n").length - 1).toBeLessThanOrEqual(250);
  });
  it("shows the two set-up commands first, the second exactly as .ci/run runs the tests", () => {
    const first = blocksOf("README.md")[0];
    expect(first.lang).toBe("sh");
    const commands = first.code.split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
    expect(commands).toEqual(["npm ci && npm start", "npm ci && npm test"]);
    expect(readFileSync(join(root, ".ci/run"), "utf8")).toMatch(/^npm ci && npm test$/m);
  });
});

describe("the pages", () => {
  it("every fenced block names its language, and every language is run here or listed as shown", () => {
    const odd = all.filter((b) => !["js", "ts", ...SHOWN].includes(b.lang)).map((b) =>
      `${b.page}:${b.line} "${b.lang}"`
    );
    expect(odd).toEqual([]);
  });
  it("every guide has a sample that runs", () => {
    for (const page of ["README.md", "docs/getting-started.md", "docs/models-and-training.md", "docs/streaming.md",
      "docs/continuous-time.md", "docs/hmm.md", "docs/browser.md", "docs/hosts.md"]) {
      expect(runnable.filter((b) => b.page === page).length, page).toBeGreaterThan(0);
    }
  });
  it("every relative link names a file that exists, and every #anchor a heading of its page", () => {
    const slug = (h: string) => h.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
    const anchors = (file: string) =>
      new Set(
        readFileSync(file, "utf8").split("\n").filter((l) => /^#{1,6} /.test(l)).map((l) =>
          slug(l.replace(/^#+ /, ""))
        ),
      );
    const bad: string[] = [];
    for (const page of pages) {
      const prose = text(page).replace(/```[\s\S]*?```/g, "");
      for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue; // http(s), mailto
        const [path, anchor] = target.split("#");
        const file = path ? resolve(dirname(join(root, page)), path) : join(root, page);
        if (!existsSync(file)) bad.push(`${page}: ${target} (no such file)`);
        else if (anchor && file.endsWith(".md") && !anchors(file).has(anchor)) {
          bad.push(`${page}: ${target} (no heading #${anchor} in ${relative(root, file)})`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
  it("speak of the code, not its history: no issue numbers, dates or commit hashes", () => {
    const bad: string[] = [];
    for (const page of pages) {
      text(page).split("\n").forEach((l, i) => {
        const m = /\bissues? #?\d+|\b20\d\d-\d\d-\d\d\b|\bcommit [0-9a-f]{7,}\b/i.exec(l);
        if (m) bad.push(`${page}:${i + 1}: ${m[0]}`);
      });
    }
    expect(bad).toEqual([]);
  });
  it("state the package's sizes as scripts/sizes.mjs measures them (within 10%)", async () => {
    const { sizes } = await import("../../scripts/sizes.mjs");
    const s = sizes();
    const re =
      /Sizes \(`node scripts\/sizes\.mjs`.*?\): (\d+) kB packed, ([\d.]+) MB unpacked, each WebAssembly build ([\d.]+) kB\./;
    const found = pages.map((p) => re.exec(text(p).replace(/\s+/g, " "))).filter((m) => m !== null);
    expect(found, "one page states the sizes").toHaveLength(1);
    const m = found[0]!;
    const near = (stated: number, measured: number) =>
      expect(Math.abs(stated / measured - 1), `${stated} vs ${measured}`).toBeLessThan(0.1);
    near(Number(m[1]) * 1e3, s.packed);
    near(Number(m[2]) * 1e6, s.unpacked);
    for (const n of Object.values(s.wasm) as number[]) near(Number(m[3]) * 1e3, n);
  });
});

describe("the figures of docs/browser.md", () => {
  it("the <script> bundle's and the browser module's sizes are the built files' (within 10%)", () => {
    const page = text("docs/browser.md").replace(/\s+/g, " ");
    const kB = (n: number) => n / 1e3;
    const near = (label: string, stated: string | undefined, measured: number) => {
      expect(stated, `docs/browser.md: ${label}`).toBeDefined();
      expect(Math.abs(Number(stated) / kB(measured) - 1), `${label}: ${stated} KB vs ${measured} bytes`).toBeLessThan(
        0.1,
      );
    };
    const iife = readFileSync(join(root, "dist/recurrent.iife.js"));
    const m1 = /threaded \+ relaxed\): (\d+) KB, (\d+) KB gzipped/.exec(page);
    near("the <script> bundle", m1?.[1], iife.length);
    near("the <script> bundle gzipped", m1?.[2], gzipSync(iife, { level: 9 }).length);
    const url = readFileSync(join(root, "dist/recurrent.url.js"));
    const m2 = /inlines no build: (\d+) KB \((\d+) KB gzipped; (\d+) KB minified and gzipped/.exec(page);
    near("the browser module", m2?.[1], url.length);
    near("the browser module gzipped", m2?.[2], gzipSync(url, { level: 9 }).length);
    const minified = transformSync(url.toString("utf8"), { minify: true, format: "esm" }).code;
    near("the browser module minified and gzipped", m2?.[3], gzipSync(minified, { level: 9 }).length);
    const m3 = /`build\/recurrent\.wasm`, (\d+) KB gzipped/.exec(page);
    near("the default build gzipped", m3?.[1],
      gzipSync(readFileSync(join(root, "build/recurrent.wasm")), { level: 9 }).length);
  });
});

describe("the API reference's examples", () => {
  it("every main class has a TypeScript @example (run and type-checked with the pages' blocks below)", () => {
    const of = (name: string) =>
      examples.some((b) => {
        const lines = readFileSync(join(root, b.page), "utf8").split("\n").slice(b.line);
        return b.lang === "ts"
          && lines.find((l) => /^export (abstract )?class /.test(l))?.startsWith(`export class ${name}`);
      });
    for (const name of ["Model", "RNN", "LSTM", "GRU", "NeuralODE", "CategoricalHMM", "GaussianHMM", "Vocabulary",
      "WorkerModel"]) expect(of(name), name).toBe(true);
  });
});

describe("every js and ts block runs as written against the packed package", () => {
  it("there are blocks, each a complete module importing recurrent-wasm", () => {
    expect(runnable.length).toBeGreaterThan(10);
    for (const b of runnable) expect(b.code, `${b.page}:${b.line}`).toMatch(/from "recurrent-wasm(\/[\w-]+)?";/);
  });
  runnable.forEach((b) => {
    it(`${b.page}:${b.line} (${b.lang})`, () => {
      const dir = mkdtempSync(join(app, "run-"));
      const code = b.lang === "ts" ? transformSync(b.code, { loader: "ts", format: "esm" }).code : b.code;
      writeFileSync(join(dir, "sample.mjs"), code);
      const r = spawnSync(process.execPath, ["sample.mjs"], { cwd: dir, encoding: "utf8", timeout: 90_000 });
      expect(r.status, `${b.page}:${b.line} exited ${r.status} ${r.signal ?? ""}\n${r.stdout}\n${r.stderr}`).toBe(0);
    }, 120_000);
  });
});

// TypeScript blocks, and the README's (which says so), type-check as .mts files in full strict mode;
// the other JavaScript blocks as .mjs files with checkJs, strict but for noImplicitAny (a JavaScript
// callback's parameters have no annotations): every call, option and result they use is checked.
const strictTs = (b: Block) => b.lang === "ts" || b.page === "README.md";
describe("every js and ts block type-checks (strict, skipLibCheck false, Node's types, no DOM)", () => {
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const resolutions: [string, Record<string, unknown>][] = [["bundler", { module: "esnext",
    moduleResolution: "bundler" }], ["node16", { module: "node16", moduleResolution: "node16" }]];
  for (const [name, options] of resolutions) {
    // JavaScript blocks once (bundler): the resolutions differ in how declarations are found, which
    // the strict TypeScript pass checks under both
    for (const ts of name === "bundler" ? [true, false] : [true]) {
      it(`moduleResolution ${name}: ${ts ? "TypeScript and the README's, strict" : "JavaScript (checkJs)"}`, () => {
        const dir = mkdtempSync(join(app, "check-"));
        const names = runnable.map((b, i) => [b, i] as const).filter(([b]) => strictTs(b) === ts).map(([b, i]) => {
          const f = fileOf(b, i).replace(/\.m[jt]s$/, ts ? ".mts" : ".mjs");
          writeFileSync(join(dir, f), b.code + "\nexport {};\n");
          return f;
        });
        expect(names.length).toBeGreaterThan(0);
        writeFileSync(join(dir, "tsconfig.json"),
          JSON.stringify({
            compilerOptions: { target: "es2022", lib: ["es2022"], types: ["node"], strict: true, skipLibCheck: false,
              noEmit: true, ...(ts ? {} : { allowJs: true, checkJs: true, noImplicitAny: false }), ...options },
            files: names,
          }));
        const r = spawnSync(process.execPath, [tsc, "-p", dir], { cwd: dir, encoding: "utf8", timeout: 180_000 });
        // name each failing file after its page and line
        const out = (r.stdout + r.stderr).replace(/([\w-]+)-(\d+)-\d+\.m[jt]s/g, "$1:$2");
        expect(out).toBe("");
        expect(r.status).toBe(0);
      }, 200_000);
    }
  }
});

describe("the browser page of docs/browser.md", () => {
  it("type-checks against recurrent-wasm/global (checkJs, strict but for the implicit-any and null checks a plain-JS page does not meet, DOM lib): no casts needed", () => {
    const html = blocksOf("docs/browser.md").find((b) => b.lang === "html" && b.code.includes("WorkerModel.create"));
    expect(html, "docs/browser.md: the Worker page").toBeDefined();
    const script = [...html!.code.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join("\n");
    const dir = mkdtempSync(join(app, "page-"));
    writeFileSync(join(dir, "page.js"), `/// <reference types="recurrent-wasm/global" />\n${script}`);
    writeFileSync(join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "es2022", lib: ["es2022", "dom"], types: [], module: "esnext",
          moduleResolution: "bundler", allowJs: true, checkJs: true, strict: true, noImplicitAny: false,
          strictNullChecks: false, skipLibCheck: false, noEmit: true },
        files: ["page.js"],
      }));
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", dir], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
