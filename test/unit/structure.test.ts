// The structure the bindings keep: a typed ABI generated from the core and checked against the
// module, layers that import only downwards, small files, and public types without pointers.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SIGNATURES, CELL_COUNT, core, init } from "../../dist/core.js";
import { CELLS, CELL_TYPES, cellId, cellIds, cellOf } from "../../bindings/core/cells.ts";
import * as K from "../../assembly/constants.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const files = (dir: string, ext: string): string[] => readdirSync(dir).flatMap((n) => {
  const p = join(dir, n);
  return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
});

describe("the typed ABI", () => {
  it("SIGNATURES names every function export of recurrent.wasm with its arity, and nothing else", () => {
    for (const build of ["recurrent.wasm", "recurrent.threads.wasm"]) {
      const mod = new WebAssembly.Module(readFileSync(join(root, "build", build)));
      const fns = WebAssembly.Module.exports(mod).filter((e) => e.kind === "function").map((e) => e.name).sort();
      expect(Object.keys(SIGNATURES).sort(), build).toEqual(fns);
      const inst = new WebAssembly.Instance(mod, build.includes("threads")
        ? {
          env: { abort() {},
            memory: new WebAssembly.Memory(
              { initial: 16, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor,
            ) },
        }
        : { env: { abort() {} } });
      for (const [name, sig] of Object.entries(SIGNATURES)) {
        expect((inst.exports[name] as Function).length, name).toBe(sig.params.length);
      }
    }
  });
  it("bindings/core/exports.ts and include/recurrent.h are what scripts/gen-abi.mjs generates now", () => {
    execFileSync(process.execPath, [join(root, "scripts/gen-abi.mjs"), "--check"], { stdio: "pipe" });
  });
  it("CELLS (bindings/core/cells.ts) names every cell id of the core once, with the core's gate count", async () => {
    await init();
    const ids = CELL_TYPES.flatMap((t) => cellIds(t)).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: CELL_COUNT }, (_, i) => i));
    // the gate counts of assembly/constants.ts
    expect([CELLS.rnn.gates.length, CELLS.lstm.gates.length, CELLS.gru.gates.length]).toEqual([K.GATES_RNN,
      K.GATES_LSTM, K.GATES_GRU]);
    for (const t of CELL_TYPES) {
      expect(CELLS[t].ids.tanh, `${t}: the id of its default nonlinearity`).toBeDefined();
      for (const id of cellIds(t)) {
        expect(cellOf(id), `cell id ${id}`).toBe(CELLS[t]);
        // one layer, one direction, I = H = 1: G·H·(I + H) weights and 2·G·H biases
        expect(core().rnn_param_count(id, 1, 1, 1, 1), `${t} (id ${id}): 4·G floats`).toBe(4 * CELLS[t].gates.length);
      }
    }
    expect(cellId("rnn", "relu")).toBe(CELLS.rnn.ids.relu);
    expect(cellId("gru", "tanh", false)).toBe(K.CELL_GRU_RESET_BEFORE);
    expect(cellId("lstm", "tanh", false)).toBe(K.CELL_LSTM);
    expect(cellOf(CELL_COUNT)).toBeUndefined();
  });
  it("include/recurrent.h compiles as C", () => {
    execFileSync("cc", ["-fsyntax-only", "-Wall", "-Werror", "-x", "c", join(root, "include/recurrent.h")], {
      stdio: "pipe",
    });
  });
});

/** The relative imports of a file under bindings/ (import, import type, export … from, bare import),
 *  resolved to the .ts files they name. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^"';]*?(?:from\s*)?["'](\.[^"']+)["']/gm)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s).replace(/\.js$/, ".ts"));
}

/** Every cycle of the import graph of `src` (one per strongly connected component of two or more
 *  files, or a file importing itself), each as the path a → b → … → a, relative to bindings/. */
function importCycles(src: string[]): string[] {
  const inside = new Set(src), graph = new Map(src.map((f) => [f, importsOf(f).filter((t) => inside.has(t))]));
  // Tarjan's strongly connected components
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [],
    onStack = new Set<string>(), comps: string[][] = [];
  let n = 0;
  const visit = (v: string): void => {
    index.set(v, n);
    low.set(v, n);
    n++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || graph.get(v)!.includes(v)) comps.push(c);
    }
  };
  for (const f of src) if (!index.has(f)) visit(f);
  // name each component by one cycle through it: a shortest path back to its first file
  const rel = (f: string) => relative(join(root, "bindings"), f);
  return comps.map((c) => {
    const inC = new Set(c), start = c.sort()[0], prev = new Map<string, string>([[start, ""]]), queue = [start];
    let end = "";
    for (let i = 0; i < queue.length && !end; i++) {
      for (const w of graph.get(queue[i])!) {
        if (w === start) {
          end = queue[i];
          break;
        }
        if (inC.has(w) && !prev.has(w)) {
          prev.set(w, queue[i]);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = end; v !== start; v = prev.get(v)!) path.splice(1, 0, v);
    const others = c.filter((f) => !path.includes(f)).map(rel);
    return [...path, start].map(rel).join(" → ") + (others.length ? ` (in one knot with ${others.join(", ")})` : "");
  });
}

describe("the layers", () => {
  const LAYERS = ["core", "functional", "nn", "train", "io", "export", "sysid", "worker", "cli"];
  const src = files(join(root, "bindings"), ".ts").filter((f) => !f.endsWith("wasm-inline.ts"));
  it("no import cycle anywhere under bindings/ (relative imports, import type included)", () => {
    expect(importCycles(src)).toEqual([]);
  });
  it("the cycle check sees a cycle: a → b → a through import type", () => {
    const dir = mkdtempSync(join(tmpdir(), "rw-cycle-"));
    writeFileSync(join(dir, "a.ts"), 'import type { B } from "./b.js";\nexport interface A { b?: B }\n');
    writeFileSync(join(dir, "b.ts"),
      'import { x } from "./c.js";\nexport type { A } from "./a.js";\nexport interface B { x: typeof x }\n');
    writeFileSync(join(dir, "c.ts"), "export const x = 1;\n");
    expect(importCycles([join(dir, "a.ts"), join(dir, "b.ts"), join(dir, "c.ts")]).length).toBe(1);
  });
  it("no file under bindings/ has more than 500 lines (formatted)", () => {
    for (const f of src) expect(readFileSync(f, "utf8").split("\n").length, relative(root, f)).toBeLessThanOrEqual(500);
  });
  it("each layer imports only from itself and the layers below it (core → functional → nn → train → io → export → sysid → worker → cli)", () => {
    for (const f of src) {
      const rel = relative(join(root, "bindings"), f);
      const layer = rel.includes("/") ? rel.split("/")[0] : null; // null: index.ts and model.ts, the top
      if (layer === null) continue;
      const rank = LAYERS.indexOf(layer);
      for (const m of readFileSync(f, "utf8").matchAll(/^\s*(?:import|export)[^"']*from\s+["']([^"']+)["']/gm)) {
        const spec = m[1];
        if (!spec.startsWith(".")) {
          expect(spec.startsWith("node:"), `${rel} imports ${spec}`).toBe(true);
          continue;
        }
        const target = relative(join(root, "bindings"), resolve(dirname(f), spec));
        if (target.startsWith("../assembly/")) {
          expect(target, rel).toBe("../assembly/constants.js");
          continue;
        }
        const tl = target.includes("/") ? target.split("/")[0] : "top";
        // cli runs the public API; worker serves the top-level Model (train and io joined)
        const ok = tl !== "top" && LAYERS.indexOf(tl) <= rank || (layer === "cli" && target === "index.js")
          || (layer === "worker" && target === "model.js");
        expect(ok, `${rel} (layer ${layer}) imports ${target}`).toBe(true);
      }
    }
  });
  it("inside nn/, the families (rnn/, ode/, hmm/) import only nn/'s shared files and their own folder; model/ builds on them", () => {
    // rank of an nn/ file: 0 the shared files (params.ts), 1 a family, 2 the sequence model
    const RANK: Record<string, number> = { "": 0, rnn: 1, ode: 1, hmm: 1, model: 2 };
    const folder = (rel: string) => {
      const p = rel.split("/");
      return p.length > 2 ? p[1] : "";
    };
    for (const f of src) {
      const rel = relative(join(root, "bindings"), f);
      if (!rel.startsWith("nn/")) continue;
      const from = folder(rel);
      expect(RANK[from], `${rel}: a folder of nn/ the rule does not know`).toBeDefined();
      for (const t of importsOf(f)) {
        const target = relative(join(root, "bindings"), t);
        if (!target.startsWith("nn/")) continue;
        const to = folder(target);
        expect(to === from || RANK[to] < RANK[from], `${rel} (nn/${from || "."}) imports ${target}`).toBe(true);
      }
    }
  });
  it("the public declarations mention no pointer, Ptr( or Storage", () => {
    // every .d.ts reachable from the package's main types entry
    const seen = new Set<string>(), todo = [join(root, "dist/types/bindings/index.d.ts")];
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const text = readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      expect(text, relative(root, f)).not.toMatch(/Ptr\(|Storage|\bptr\b|pointer|paramsAt|gradsAt|\bcore\(\)/i);
      for (const m of text.matchAll(/from\s+["'](\.[^"']+)["']/g)) {
        const dts = resolve(dirname(f), m[1]).replace(/\.js$/, "") + ".d.ts";
        todo.push(dts);
      }
    }
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe("formatting", () => {
  it("every TypeScript and JavaScript file is as scripts/format.mjs writes it (npm run format rewrites them)", () => {
    const r = spawnSync(process.execPath, [join(root, "scripts/format.mjs"), "--check"], { cwd: root,
      encoding: "utf8" });
    expect(r.stderr, "node scripts/format.mjs --check").toBe("");
    expect(r.status).toBe(0);
  });
});

describe("packaging", () => {
  it("types/global.d.ts types the <script> global Recurrent", () => {
    const dir = mkdtempSync(join(tmpdir(), "rw-global-"));
    writeFileSync(join(dir, "page.ts"), `/// <reference path="${join(root, "types/global.d.ts")}" />
const info: Promise<{ memoryBytes: number }> = Recurrent.init();
const m = new Recurrent.Model({ inputSize: 3, hiddenSize: 8, outputSize: 1 });
const p: Promise<unknown> = m.fit({ x: [new Float32Array(6)], y: new Float32Array(1) }, { epochs: 1 });
// @ts-expect-error: not a public name
Recurrent.allocAll;
export { info, p };
`);
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--target",
      "es2022", "--module", "es2022", "--moduleResolution", "bundler", "--lib", "es2022,dom,esnext.disposable",
      "--skipLibCheck", join(dir, "page.ts")], { stdio: "pipe" });
  });
  it("package.json maps the browser condition to the ESM browser build, core to its own entry, require to the CommonJS build", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.exports["."].import.browser).toBe("./dist/recurrent.url.js");
    expect(pkg.exports["."].require.default).toBe("./dist/index.cjs");
    expect(pkg.exports["./core"].import.default).toBe("./dist/core.js");
    expect(pkg.scripts.prepack).toBe("npm run build");
    for (const f of ["recurrent.url.js", "recurrent.trainer.js"]) {
      expect(readFileSync(join(root, "dist", f), "utf8")).not.toMatch(/node:fs/);
    }
  });
});

describe("API reference", () => {
  it(
    "typedoc (typedoc.json) runs with no warning: every public symbol documented, no broken link, nothing referenced but not exported",
    () => {
      execFileSync(process.execPath, [join(root, "scripts/docs.mjs"), "--check"], { stdio: "pipe" });
    },
    120_000,
  );
});
