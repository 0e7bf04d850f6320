// The package as a user installs it: `npm pack`'s tarball unpacked into a fresh app's
// node_modules. Its contents are the intended list; CommonJS `require` and ESM `import` both train
// a model (sharing one core across the entry points); TypeScript projects (strict, skipLibCheck
// false, no DOM lib) type-check a program using every entry point under the bundler, node16 (ESM
// and CommonJS files) and node10 resolutions.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { packedApp, root } from "../helpers/packed";

let app = "", files: string[] = [];

beforeAll(() => {
  ({ app, files } = packedApp());
}, 120_000);

describe("the packed package", () => {
  it("holds exactly the intended files: the builds, their maps and types, the shipped data and docs, no generated pages, no GPL data", () => {
    const intended = [/^CHANGELOG\.md$/, /^LICENSE$/, /^README\.md$/, /^package\.json$/,
      /^build\/recurrent(\.standalone|\.relaxed|\.threads|\.threads-relaxed)?\.wasm$/,
      /^data\/(SOURCES\.md|esol-delaney\.csv|reactor-playground\.csv|protein-ss\.(train|test))$/, /^docs\/ABI\.md$/,
      /^include\/recurrent\.h$/, /^types\/global\.d\.ts$/,
      /^dist\/(index|core|worker|worker-entry|cli|chunk-[A-Z0-9]+|recurrent\.(trainer|url|iife))\.js(\.map)?$/,
      /^dist\/index\.cjs(\.map)?$/, /^dist\/(core|worker)\.cjs$/, /^dist\/types\/(bindings|assembly)\/[\w/.-]+\.d\.ts$/,
      /^dist\/cjs-types\/package\.json$/, /^dist\/cjs-types\/(bindings|assembly)\/[\w/.-]+\.d\.ts$/];
    const stray = files.filter((f) => !intended.some((p) => p.test(f)));
    expect(stray).toEqual([]);
    for (const need of ["LICENSE", "CHANGELOG.md", "dist/index.cjs", "dist/index.js.map",
      "build/recurrent.threads-relaxed.wasm", "data/esol-delaney.csv", "data/reactor-playground.csv"]) {
      expect(files).toContain(need);
    }
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
  const resolutions: [string, Record<string, unknown>, string][] = [["bundler", { module: "esnext",
    moduleResolution: "bundler" }, "program.ts"], ["node16 (ESM)", { module: "node16", moduleResolution: "node16" },
    "program.mts"], ["node16 (CommonJS)", { module: "node16", moduleResolution: "node16" }, "program.cts"], ["node10", {
    module: "commonjs",
    moduleResolution: "node10",
  }, "program.ts"]];
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
