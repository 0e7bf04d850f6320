// Apps built for production with Vite, webpack 5 and esbuild from the packed tarball, as a user
// builds them: a Model trains on the page's thread and a WorkerModel created with no options
// trains in its Worker (Vite and webpack emit the trainer and the wasm as files of their own;
// with esbuild docs/browser.md's commands bundle the app and copy them), in Chromium, served with and
// without COOP/COEP, with no console error. Vite and webpack are installed in
// test/integration/bundlers from its own lockfile (npm ci), not as dependencies of the package;
// esbuild is the package's devDependency (test/integration/bundlers/build.mjs).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, Browser } from "playwright-core";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tools = join(root, "test/integration/bundlers");
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

/** The app: the same training on the page's thread and in a default WorkerModel. */
const MAIN = `import { init, Model, WorkerModel, Rng } from "recurrent-wasm";
const data = () => {
  const rng = new Rng(5), x = [], y = [];
  for (let i = 0; i < 32; i++) { const a = Float32Array.from({ length: 2 * (2 + rng.int(6)) }, () => rng.uniform() - 0.5); x.push(a); y.push(a[0] - a[1]); }
  return { x, y: Float32Array.from(y) };
};
const config = { cell: "gru", inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 3 };
const options = { epochs: 4, batchSize: 8, learningRate: 0.02, seed: 1 };
globalThis.result = (async () => {
  await init();
  const m = new Model(config);
  const here = (await m.fit(data(), options)).loss;
  m.dispose();
  const w = await WorkerModel.create(config);
  const there = (await w.fit(data(), options)).loss;
  await w.dispose();
  return { here, there };
})().catch((e) => ({ error: String(e && e.message || e) }));
`;
const TOOLS = { vite: "Vite", webpack: "webpack 5", esbuild: "esbuild" }; // as docs/browser.md names them
const HTML =
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module" src="/main.js"></script></body></html>`;

let app = "", browser: Browser;
const builds: Record<string, { dir: string; files: Record<string, number> }> = {};
const servers: Server[] = [];

beforeAll(async () => {
  if (!existsSync(join(tools, "node_modules/vite")) || !existsSync(join(tools, "node_modules/webpack"))) {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: tools, stdio: "pipe",
      timeout: 300_000 });
  }
  const out = mkdtempSync(join(tmpdir(), "rw-bundlers-"));
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", out], { cwd: root,
      encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
  );
  app = join(out, "app");
  mkdirSync(join(app, "node_modules"), { recursive: true });
  execFileSync("tar", ["-xzf", join(out, packed.filename), "-C", out]);
  renameSync(join(out, "package"), join(app, "node_modules/recurrent-wasm"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  writeFileSync(join(app, "main.js"), MAIN);
  writeFileSync(join(app, "index.html"), HTML);
  for (const tool of Object.keys(TOOLS)) {
    const dir = join(out, `dist-${tool}`);
    const files = JSON.parse(
      execFileSync(process.execPath, [join(tools, "build.mjs"), tool, app, dir], { cwd: tools, encoding: "utf8",
        timeout: 300_000 }).trim().split("\n").pop()!,
    );
    builds[tool] = { dir, files };
    const sum = (ext: string) =>
      Object.entries(files).filter(([f]) => f.endsWith(ext)).reduce((a, [, n]) => a + (n as number), 0);
    console.log(
      `${tool} production build: ${(sum(".js") / 1e3).toFixed(1)} kB of JavaScript, ${
        (sum(".wasm") / 1e3).toFixed(1)
      } kB of wasm (${Object.keys(files).join(", ")})`,
    );
  }
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", headless: true,
    args: FLAGS });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  for (const s of servers) s.close();
});

/** Serve a build's folder as static files (isolated: with COOP + COEP); its base URL. */
async function serve(dir: string, isolated: boolean): Promise<string> {
  const server = createServer((req, res) => {
    const file = join(dir, (req.url ?? "/").replace(/\?.*$/, "").replace(/^\/$/, "/index.html"));
    const headers = isolated
      ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" }
      : {};
    try {
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", ...headers });
      res.end(body);
    } catch {
      res.writeHead(404, headers);
      res.end();
    }
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as any).port}/`;
}

describe("apps built with bundlers", () => {
  for (const tool of Object.keys(TOOLS)) {
    for (const isolated of [false, true]) {
      it(`${tool} production build${isolated ? " (COOP/COEP)" : ""}: a Model trains on the page, a default WorkerModel in its Worker, the same losses, no console error`, async () => {
        const { dir, files } = builds[tool];
        const js = Object.entries(files).filter(([f]) => f.endsWith(".js")),
          wasm = Object.keys(files).filter((f) => f.endsWith(".wasm"));
        expect(wasm.length, JSON.stringify(files)).toBeGreaterThanOrEqual(1); // the core as an asset, not inlined
        expect(js.length, JSON.stringify(files)).toBeGreaterThanOrEqual(2); // the app and the trainer worker
        for (const [f, n] of js) expect(n, `${f} holds no inlined wasm`).toBeLessThan(400_000);
        const page = await browser.newPage(), errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        page.on("console", (m) => {
          if (m.type() === "error") errors.push(m.text());
        });
        await page.goto(await serve(dir, isolated));
        await page.waitForFunction(() => (globalThis as any).result !== undefined, undefined, { timeout: 60_000 });
        const got = await page.evaluate(() => (globalThis as any).result);
        expect(got.error, "the app's error").toBeUndefined();
        expect(errors).toEqual([]);
        expect(got.here[3]).toBeLessThan(got.here[0]);
        expect(got.there).toEqual(got.here);
        expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(isolated);
        await page.close();
      });
    }
  }

  it("docs/browser.md states each app's bundle size as this file measures and prints it (within 10%)", () => {
    const readme = readFileSync(join(root, "docs/browser.md"), "utf8").replace(/\s+/g, " ");
    for (const [tool, name] of Object.entries(TOOLS)) {
      const js = Object.entries(builds[tool].files).filter(([f]) => f.endsWith(".js")).reduce((a, [, n]) => a + n, 0);
      const m = new RegExp(`${name} production build of that app: ([\\d.]+) kB of JavaScript`).exec(readme);
      expect(m, `docs/browser.md: the ${tool} size`).not.toBeNull();
      expect(Math.abs(Number(m![1]) * 1e3 / js - 1), `${m![1]} kB vs ${js} bytes`).toBeLessThan(0.1);
    }
  });
});
