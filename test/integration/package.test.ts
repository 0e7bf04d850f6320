// The package as a user installs it: `npm pack`'s tarball unpacked into a fresh app's
// node_modules. Its contents are the intended list; CommonJS `require` and ESM `import` both train
// a model (sharing one core across the entry points); TypeScript projects (strict, skipLibCheck
// false, no DOM lib) type-check a program using every entry point under the bundler, node16 (ESM
// and CommonJS files) and node10 resolutions.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
let app = "", files: string[] = [];

beforeAll(() => {
  const out = mkdtempSync(join(tmpdir(), "rw-pack-"));
  // the build ran before the tests (npm test); --ignore-scripts skips prepack's second build
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", out], { cwd: root,
      encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
  );
  files = packed[0].files.map((f: { path: string }) => f.path).sort();
  app = join(out, "app");
  mkdirSync(join(app, "node_modules/@types"), { recursive: true });
  execFileSync("tar", ["-xzf", join(out, packed[0].filename), "-C", out]);
  renameSync(join(out, "package"), join(app, "node_modules/recurrent-wasm"));
  symlinkSync(join(root, "node_modules/@types/node"), join(app, "node_modules/@types/node"), "dir");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
}, 120_000);

describe("the packed package", () => {
  it("holds exactly the intended files: the builds, their maps and types, the shipped data and docs, no generated pages, no GPL data", () => {
    const intended = [/^CHANGELOG\.md$/, /^LICENSE$/, /^README\.md$/, /^package\.json$/,
      /^build\/recurrent(\.standalone|\.relaxed|\.threads|\.threads-relaxed)?\.wasm$/,
      /^data\/(SOURCES\.md|esol-delaney\.csv|protein-ss\.(train|test))$/, /^docs\/ABI\.md$/, /^include\/recurrent\.h$/,
      /^types\/global\.d\.ts$/,
      /^dist\/(index|core|worker|worker-entry|cli|chunk-[A-Z0-9]+|recurrent\.(trainer|url|iife))\.js(\.map)?$/,
      /^dist\/index\.cjs(\.map)?$/, /^dist\/(core|worker)\.cjs$/, /^dist\/types\/(bindings|assembly)\/[\w/.-]+\.d\.ts$/,
      /^dist\/cjs-types\/package\.json$/, /^dist\/cjs-types\/(bindings|assembly)\/[\w/.-]+\.d\.ts$/];
    const stray = files.filter((f) => !intended.some((p) => p.test(f)));
    expect(stray).toEqual([]);
    for (const need of ["LICENSE", "CHANGELOG.md", "dist/index.cjs", "dist/index.js.map",
      "build/recurrent.threads-relaxed.wasm", "data/esol-delaney.csv"]) expect(files).toContain(need);
    expect(files.filter((f) => f.startsWith("docs/api") || f.includes("theoph"))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(app, "node_modules/recurrent-wasm/package.json"), "utf8"));
    expect(pkg.license).toBe("MIT");
    expect(readFileSync(join(app, "node_modules/recurrent-wasm/LICENSE"), "utf8")).toMatch(/^MIT License/);
    expect(pkg.sideEffects).toBeDefined();
    for (const sub of ["./package.json", "./recurrent.wasm", "./recurrent.standalone.wasm", "./recurrent.relaxed.wasm",
      "./recurrent.threads.wasm", "./recurrent.threads-relaxed.wasm", "./recurrent.h"]) {
      expect(Object.keys(pkg.exports)).toContain(sub);
    }
  });

  it("the README's size figures are those scripts/sizes.mjs measures (within 10%)", async () => {
    const { sizes } = await import("../../scripts/sizes.mjs");
    const s = sizes();
    const readme = readFileSync(join(root, "README.md"), "utf8").replace(/\s+/g, " ");
    const m =
      /Sizes \(`node scripts\/sizes\.mjs`.*?\): (\d+) kB packed, ([\d.]+) MB unpacked, each WebAssembly build ([\d.]+) kB\./
        .exec(readme);
    expect(m, "README: the Sizes sentence").not.toBeNull();
    const near = (stated: number, measured: number) =>
      expect(Math.abs(stated / measured - 1), `${stated} vs ${measured}`).toBeLessThan(0.1);
    near(Number(m![1]) * 1e3, s.packed);
    near(Number(m![2]) * 1e6, s.unpacked);
    for (const n of Object.values(s.wasm) as number[]) near(Number(m![3]) * 1e3, n);
  });

  const program = `
    const R = require("recurrent-wasm");
    const { coreInfo, core } = require("recurrent-wasm/core");
    const { WorkerModel } = require("recurrent-wasm/worker");
    const { version } = require("recurrent-wasm/package.json");
    (async () => {
      await R.init();
      const rng = new R.Rng(3), x = [], y = [];
      for (let i = 0; i < 24; i++) { const a = Float32Array.from({ length: 2 * (2 + rng.int(4)) }, () => rng.normal()); x.push(a); y.push(a[0] - a[1]); }
      const m = new R.Model({ cell: "gru", inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 1 });
      const h = await m.fit({ x, y: Float32Array.from(y) }, { epochs: 4, batchSize: 8, learningRate: 0.02 });
      const w = await WorkerModel.create({ cell: "gru", inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 1 });
      const hw = await w.fit({ x, y: Float32Array.from(y) }, { epochs: 4, batchSize: 8, learningRate: 0.02 });
      await w.dispose();
      console.log(JSON.stringify({ version, loss: h.loss, worker: hw.loss, shared: coreInfo().memoryBytes > 0 && core().memory.buffer.byteLength > 0, Worker: typeof WorkerModel }));
    })();`;

  it("CommonJS: require() of every entry point trains a model here and in a Worker, with one core", () => {
    writeFileSync(join(app, "main.cjs"), program);
    const r = spawnSync(process.execPath, ["main.cjs"], { cwd: app, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.version).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
    expect(got.shared).toBe(true);
    expect(got.loss[3]).toBeLessThan(got.loss[0]);
    expect(got.worker).toEqual(got.loss); // the Worker trains bit for bit like this thread
  });

  it("ESM: import of the same program gives the same losses", () => {
    const esm = program.replace(/const (\{[^}]*\}|R) = require\(("[^"]+")\);/g,
      (_, what, from) =>
        `import ${what.startsWith("{") ? what : "* as R"} from ${from}${
          from.endsWith('json"') ? ' with { type: "json" }' : ""
        };`).replace('import { version } from "recurrent-wasm/package.json" with { type: "json" };',
        'import pkg from "recurrent-wasm/package.json" with { type: "json" };\nconst { version } = pkg;');
    writeFileSync(join(app, "main.mjs"), esm);
    const r = spawnSync(process.execPath, ["main.mjs"], { cwd: app, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const cjs = spawnSync(process.execPath, ["main.cjs"], { cwd: app, encoding: "utf8", timeout: 60_000 });
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(cjs.stdout));
  });

  const tsc = join(root, "node_modules/typescript/bin/tsc");
  it("the README's browser page type-checks against recurrent-wasm/global (checkJs, strict but for the implicit-any and null checks a plain-JS page does not meet, DOM lib): no casts needed", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const html = /## In the browser[\s\S]*?```html\n([\s\S]*?)```/.exec(readme)![1];
    const script = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join("\n");
    expect(script).toContain("Recurrent.WorkerModel.create");
    const dir = mkdtempSync(join(app, "page-"));
    writeFileSync(join(dir, "page.js"), `/// <reference types="recurrent-wasm/global" />\n${script}`);
    writeFileSync(join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "es2022", lib: ["es2022", "dom"], types: [], module: "esnext",
          moduleResolution: "bundler", allowJs: true, checkJs: true, strict: true, noImplicitAny: false,
          strictNullChecks: false, skipLibCheck: false, noEmit: true },
        files: ["page.js"],
      }));
    const r = spawnSync(process.execPath, [tsc, "-p", dir], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
  const resolutions: [string, Record<string, unknown>, string][] = [["bundler", { module: "esnext",
    moduleResolution: "bundler" }, "program.ts"], ["node16 (ESM)", { module: "node16", moduleResolution: "node16" },
    "program.mts"], ["node16 (CommonJS)", { module: "node16", moduleResolution: "node16" }, "program.cts"], ["node10", {
    module: "commonjs",
    moduleResolution: "node10",
  }, "program.ts"]];
  // the README's Node samples, each a module; a name a sample uses but does not define is declared
  // first, as the text around the sample describes it
  const FREE: Record<string, string> = { seqs: "Float32Array[]", targets: "Float32Array", x: "Float32Array",
    x1: "Float32Array", g: "Float32Array", B: "number", T: "number", model: 'import("recurrent-wasm").Model' };
  const prelude = (b: string) =>
    Object.entries(FREE).filter(([n]) =>
      new RegExp(`\\b${n}\\b`).test(b) && !new RegExp(`\\b(const|let)\\s+${n}\\b`).test(b)
    ).map(([n, t]) => `declare const ${n}: ${t};\n`).join("");
  for (const [name, options] of [resolutions[0], resolutions[1]] as const) {
    it(`TypeScript, moduleResolution ${name}: the README's Node samples type-check (strict)`, () => {
      const readme = readFileSync(join(root, "README.md"), "utf8");
      const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) =>
        /from "recurrent-wasm/.test(b)
      );
      expect(blocks.length).toBeGreaterThanOrEqual(2);
      const dir = mkdtempSync(join(app, "readme-"));
      const names = blocks.map((b, i) => {
        const f = `sample${i}.mts`;
        writeFileSync(join(dir, f), prelude(b) + b + "\nexport {};\n");
        return f;
      });
      writeFileSync(join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { target: "es2022", lib: ["es2022"], types: ["node"], strict: true, skipLibCheck: false,
            noEmit: true, noUnusedLocals: false, ...options },
          files: names,
        }));
      const r = spawnSync(process.execPath, [tsc, "-p", dir], { cwd: dir, encoding: "utf8", timeout: 120_000 });
      expect(r.stdout + r.stderr).toBe("");
      expect(r.status).toBe(0);
    });
  }
  for (const [name, options, file] of resolutions) {
    it(`TypeScript, moduleResolution ${name}: every entry point type-checks (strict, skipLibCheck false, no DOM lib)`, () => {
      const dir = mkdtempSync(join(app, "ts-"));
      let src = readFileSync(join(root, "test/integration/package/node-program.ts"), "utf8");
      // "recurrent-wasm/url" is an ESM browser build: a CommonJS file has nothing to require there
      if (file.endsWith(".cts")) src = src.replace(/^import \* as Url .*\n/m, "").replace(/,\s*Url\.init/, "");
      writeFileSync(join(dir, file), src);
      writeFileSync(join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { target: "es2022", lib: ["es2022"], types: ["node"], strict: true, skipLibCheck: false,
            noEmit: true, ...options },
          files: [file],
        }));
      const r = spawnSync(process.execPath, [tsc, "-p", dir], { cwd: dir, encoding: "utf8", timeout: 120_000 });
      expect(r.stdout + r.stderr).toBe("");
      expect(r.status).toBe(0);
    });
  }
});
