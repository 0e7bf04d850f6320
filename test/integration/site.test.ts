// The playground (npm run site → site/dist/) in headless Chromium, served as static files without
// and with COOP/COEP: no console errors; training in the Worker lowers the loss; the curves and the
// gradient heatmap are drawn (pixels read back); the main thread's longest frame gap while training
// stays under 100 ms; predict answers; cancel stops training. The isolated run's screenshot goes
// to a temporary folder (its path is printed), or to PLAYGROUND_PNG when set:
// `PLAYGROUND_PNG=reports/playground.png npx vitest run test/integration/site.test.ts` refreshes the README's.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, Browser, Page } from "playwright-core";

const root = fileURLToPath(new URL("../..", import.meta.url));
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
let server: Server, browser: Browser, base = "", out = "";

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "rw-site-"));
  execFileSync(process.execPath, [join(root, "scripts/build-site.mjs"), "--out", out], { stdio: "pipe" });
  // /plain/… as files are served by any static server; /isolated/… with COOP + COEP
  server = createServer((req, res) => {
    const isolated = req.url!.startsWith("/isolated/");
    const file = req.url!.replace(/^\/(plain|isolated)\//, "").replace(/\?.*$/, "") || "index.html";
    try {
      const body = readFileSync(join(out, file));
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", ...(isolated
        ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" }
        : {}) });
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
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(mode: "plain" | "isolated"): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  await page.goto(`${base}/${mode}/`);
  return { page, errors };
}
/** Non-white pixels of a canvas. */
const inked = (page: Page, id: string) =>
  page.evaluate((id) => {
    const c = document.getElementById(id) as HTMLCanvasElement,
      d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++;
    return n;
  }, id);

describe("playground (site/dist)", () => {
  for (const mode of ["plain", "isolated"] as const) {
    it(`${mode === "plain" ? "without" : "with"} COOP/COEP: trains in the Worker, draws, no main-thread task over 100 ms, predicts`, async () => {
      const { page, errors } = await open(mode);
      // the main thread's long tasks while it trains (Chromium's Long Tasks API: tasks over 50 ms).
      // Frame gaps (the page's own monitor) also grow when the machine is busy and the renderer waits
      // for a core; a long task is the page's own work blocking it, which training in a Worker avoids
      await page.evaluate(() => {
        (globalThis as any).longTasks = [];
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) (globalThis as any).longTasks.push(e.duration);
        }).observe({ type: "longtask", buffered: true });
      });
      expect(await page.textContent("#mode")).toContain(
        mode === "plain"
          ? "1 thread in the Worker (the page is served without COOP/COEP headers"
          : "2 threads in the Worker (the page is cross-origin isolated",
      );
      await page.fill("#epochs", "8");
      await page.fill("#hidden", "32");
      await page.click("#train");
      await page.waitForFunction(() => (globalThis as any).playground.done || (globalThis as any).playground.error,
        undefined, { timeout: 120_000 });
      const r = await page.evaluate(() => (globalThis as any).playground);
      expect(r.error).toBeNull();
      expect(r.threads).toBe(mode === "plain" ? 1 : 2);
      expect(r.train.length).toBe(8);
      expect(r.train[7]).toBeLessThan(0.8 * r.train[0]); // the loss falls
      expect(r.heat.length).toBe(8);
      expect(await inked(page, "curves")).toBeGreaterThan(500);
      expect(await inked(page, "heatmap")).toBeGreaterThan(0.7 * 420 * 260 * 8 / 10); // 8 of its 10 columns filled
      expect(r.longestGapMs).toBeGreaterThan(0); // the monitor ran
      const longTasks: number[] = await page.evaluate(() => (globalThis as any).longTasks);
      expect(Math.max(0, ...longTasks), `long tasks (ms): ${longTasks.map((t) => t.toFixed(0)).join(", ")}`)
        .toBeLessThan(100);
      await page.fill("#smiles", "CCO");
      await page.click("#predict");
      await page.waitForFunction(() => /: -?\d+\.\d\d/.test(document.getElementById("prediction")!.textContent!));
      expect(errors).toEqual([]);
      console.log(
        `playground (${mode}): ${r.threads} thread(s), loss ${r.train[0].toFixed(3)} → ${
          r.train[7].toFixed(3)
        }, longest frame gap ${r.longestGapMs.toFixed(0)} ms, longest main-thread task ${
          Math.max(0, ...longTasks).toFixed(0)
        } ms; ${await page.textContent("#prediction")}`,
      );
      // generation: a next-character model in its own Worker, sampled through WorkerModel.generate
      await page.fill("#genEpochs", "3");
      await page.click("#genTrain");
      await page.waitForFunction(
        () => (globalThis as any).playground.generator.trained || (globalThis as any).playground.generator.error,
        undefined,
        { timeout: 120_000 },
      );
      expect(await page.evaluate(() => (globalThis as any).playground.generator.error)).toBeNull();
      await page.click("#genSample");
      await page.waitForFunction(() => (globalThis as any).playground.generator.samples.length === 10, undefined, {
        timeout: 60_000,
      });
      const samples = await page.evaluate(() => (globalThis as any).playground.generator.samples);
      expect(samples.some((x: { s: string }) => x.s.length > 0)).toBe(true);
      expect((await page.textContent("#samples"))!.split("\n").length).toBe(10);
      expect(errors).toEqual([]);
      if (mode === "isolated") {
        const png = process.env.PLAYGROUND_PNG
          ? resolve(root, process.env.PLAYGROUND_PNG)
          : join(out, "playground.png");
        await page.screenshot({ path: png, fullPage: true });
        console.log(`playground screenshot: ${png}`);
      }
      await page.close();
    });
  }

  it("a dropped CSV becomes the data set (its sequence and last numeric columns) and trains", async () => {
    const { page, errors } = await open("plain");
    await page.evaluate(() => {
      const rows = ["name,seq,score"];
      for (let i = 0; i < 60; i++) {
        const s = "AB".repeat(1 + (i % 5)) + "C".repeat(i % 3);
        rows.push(`m${i},${s},${(s.length / 10).toFixed(2)}`);
      }
      const dt = new DataTransfer();
      dt.items.add(new File([rows.join("\n")], "toy.csv", { type: "text/csv" }));
      document.getElementById("drop")!.dispatchEvent(
        new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
    });
    await page.waitForFunction(() => document.getElementById("dataset")!.textContent!.startsWith("toy.csv"));
    // no smiles column: the first column is taken as the sequences, the last numeric one as the target
    expect(await page.textContent("#dataset")).toBe("toy.csv: 60 sequences (name, 11 tokens) → score");
    await page.fill("#epochs", "3");
    await page.click("#train");
    await page.waitForFunction(() => (globalThis as any).playground.done || (globalThis as any).playground.error,
      undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => (globalThis as any).playground.error)).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("cancel stops training between batches and leaves a usable model", async () => {
    const { page, errors } = await open("plain");
    await page.fill("#epochs", "300");
    await page.click("#train");
    await page.waitForFunction(() => (globalThis as any).playground.epochs >= 1, undefined, { timeout: 60_000 });
    await page.click("#cancel");
    await page.waitForFunction(() => (globalThis as any).playground.cancelled, undefined, { timeout: 30_000 });
    const r = await page.evaluate(() => (globalThis as any).playground);
    expect(r.done).toBe(false);
    expect(r.epochs).toBeLessThan(300);
    expect(await page.textContent("#status")).toMatch(/^Cancelled after \d+ epoch\(s\)\.$/);
    expect(await page.isEnabled("#train")).toBe(true);
    await page.click("#predict");
    await page.waitForFunction(() => /: -?\d+\.\d\d/.test(document.getElementById("prediction")!.textContent!));
    expect(errors).toEqual([]);
    await page.close();
  });
});
