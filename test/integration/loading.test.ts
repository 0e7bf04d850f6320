// Loading the core from a URL (init's wasmUrl; the "recurrent-wasm/url" build, which inlines
// nothing) and bundling: in Node over http, in Chromium, and a tiny app bundled with esbuild from
// the package as installed (node_modules/recurrent-wasm). Every way trains bitwise like Node.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, Browser } from "playwright-core";
import { build } from "esbuild";
import * as R from "../../dist/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

// Runs in Node and in pages: self-contained.
async function tiny(R: any, options: Record<string, unknown> = {}) {
  await R.init(options);
  const rng = new R.Rng(9), x: Float32Array[] = [], y: number[] = [];
  for (let i = 0; i < 16; i++) {
    const a = new Float32Array(2 * (2 + rng.int(5)));
    for (let k = 0; k < a.length; k++) a[k] = rng.uniform() - 0.5;
    x.push(a);
    y.push(a[0] + a[1]);
  }
  const m = new R.Model({ cell: "lstm", inputSize: 2, hiddenSize: 6, outputSize: 1, seed: 2 });
  const h = await m.fit({ x, y: Float32Array.from(y) }, { epochs: 3, batchSize: 4, learningRate: 0.01, seed: 1 });
  const out = { loss: h.loss, pred: Array.from(m.predict(x) as Float32Array) };
  m.dispose();
  return out;
}

let server: Server, browser: Browser, base = "", app = "";
const requests: string[] = [];
beforeAll(async () => {
  // a tiny app bundled by esbuild from the package as a dependency would see it
  app = mkdtempSync(join(tmpdir(), "rw-app-"));
  mkdirSync(join(app, "node_modules"));
  symlinkSync(root, join(app, "node_modules/recurrent-wasm"), "dir");
  // esbuild leaves new URL("../build/…", import.meta.url) alone: the app names where it serves the wasm
  writeFileSync(join(app, "main.js"),
    `import * as R from "recurrent-wasm";\nglobalThis.run = () => (${tiny.toString()})(R, { wasmUrl: "/build/" });\n`);
  writeFileSync(join(app, "main-url.js"),
    `import * as R from "recurrent-wasm/url";\nglobalThis.run = () => (${tiny.toString()})(R, { wasmUrl: "/build/" });\n`);
  for (const f of ["main", "main-url"]) {
    await build({ entryPoints: [join(app, f + ".js")], bundle: true, format: "esm", platform: "browser",
      outfile: join(app, "out", f + ".js"), logLevel: "error" });
  }
  server = createServer((req, res) => {
    const url = req.url!.replace(/\?.*$/, "");
    requests.push(url);
    const file = url.startsWith("/app/")
      ? join(app, "out", url.slice(5))
      : url.startsWith("/build/") || url.startsWith("/dist/")
      ? join(root, url)
      : null;
    if (url === "/" || url === "/page") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><link rel="icon" href="data:,"><script src="/dist/recurrent.iife.js"></script>`);
      return;
    }
    try {
      const body = readFileSync(file!);
      res.writeHead(200, { "content-type": TYPES[extname(file!)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as any).port}`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", headless: true,
    args: FLAGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  server?.close();
});

/** tiny() in this process's default build: a child process, since this file's core loads from a URL. */
function reference() {
  return JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e",
      `import * as R from ${
        JSON.stringify(join(root, "dist/index.js"))
      }; console.log(JSON.stringify(await (${tiny.toString()})(R)));`], { encoding: "utf8" }),
  );
}

describe("loading the core from a URL", () => {
  it("Node: init({ wasmUrl }) compiles the build streamed over http (only the one that runs); a failed load can be retried", async () => {
    await expect(R.init({ wasmUrl: 7 as any })).rejects.toThrow(
      "init: options.wasmUrl must be a string or a URL (the folder holding recurrent.wasm), got 7",
    );
    await expect(R.init({ wasmUrl: `${base}/nowhere/` })).rejects.toThrow(
      `recurrent-wasm: fetching ${base}/nowhere/recurrent.wasm failed: HTTP 404`,
    );
    requests.length = 0;
    const got = await tiny(R, { wasmUrl: new URL(`${base}/build/`) });
    expect(requests).toEqual(["/build/recurrent.wasm"]);
    expect(got).toEqual(reference());
    await expect(R.init({ wasmUrl: `${base}/other/` })).rejects.toThrow(/already initialized with wasmUrl/);
  });

  it("Chromium: the url build (dist/recurrent.url.js) fetches ../build/recurrent.wasm beside it; the <script> bundle takes init({ wasmUrl })", async () => {
    const want = reference();
    for (const [how, expr] of [["url build", `import("/dist/recurrent.url.js").then((R) => (${tiny.toString()})(R))`], [
      "<script> bundle + wasmUrl",
      `(${tiny.toString()})(globalThis.Recurrent, { wasmUrl: "/build/" })`,
    ]]) {
      const page = await browser.newPage(), errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(base + "/page");
      requests.length = 0;
      const got = await page.evaluate(expr);
      expect(errors, how).toEqual([]);
      expect(requests.filter((r) => r.endsWith(".wasm")), how).toEqual(["/build/recurrent.wasm"]);
      expect(got, how).toEqual(want);
      await page.close();
    }
  });
});

describe("bundlers", () => {
  it('esbuild bundles an app importing "recurrent-wasm" (the browser condition) or "recurrent-wasm/url": the same build, no wasm inlined, fetched from wasmUrl; both train bitwise like Node in Chromium', async () => {
    const want = reference();
    const size = readFileSync(join(app, "out/main.js")).length,
      urlSize = readFileSync(join(app, "out/main-url.js")).length;
    expect(Math.abs(size - urlSize)).toBeLessThan(100); // the same build (the specifiers differ)
    // no base64 copies of the builds: no wasm header ("\0asm" is "AGFzbQ" in base64) and less than
    // the library (about 330 kB unminified) plus one copy (a build is about 139 kB in base64)
    for (const f of ["main.js", "main-url.js"]) {
      expect(readFileSync(join(app, "out", f), "latin1"), f).not.toContain("AGFzbQ");
    }
    expect(size).toBeLessThan(450_000);
    for (const f of ["main.js", "main-url.js"]) {
      const page = await browser.newPage(), errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(base + "/page");
      await page.addScriptTag({ url: `/app/${f}`, type: "module" });
      await page.waitForFunction(() => typeof (globalThis as any).run === "function");
      requests.length = 0;
      const got = await page.evaluate(() => (globalThis as any).run());
      expect(errors, f).toEqual([]);
      expect(requests.filter((r) => r.endsWith(".wasm")), f).toEqual(["/build/recurrent.wasm"]);
      expect(got, f).toEqual(want);
      await page.close();
    }
  });
});
