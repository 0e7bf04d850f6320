// The playground (npm run site → site/dist/) in headless Chromium, served as static files without
// and with COOP/COEP: no console errors or warnings; placeholders on the canvases before training;
// every task (preset) trains at its defaults in the Worker, its loss falls, its three plots are
// drawn (pixels read back) and its validation result beats a naive baseline; no main-thread task
// over 100 ms while it trains; the code the page shows runs in Node and prints the losses the page
// drew; the downloaded model loads in Node and predicts what the page predicts; keyboard use and a
// 360 px wide screen; predict, the generator, a dropped CSV, cancel, bad settings.
// Screenshots of every task go to reports/site/ (gitignored); PLAYGROUND_PNG=reports/playground.png
// refreshes the README's (the sunspots task trained with 2 threads).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, Browser, Page } from "playwright-core";

const root = fileURLToPath(new URL("../..", import.meta.url));
const shots = join(root, "reports/site");
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
const PRESETS = ["sine", "sunspots", "text", "shapes", "smiles", "reactor"];
let server: Server, browser: Browser, base = "", out = "";

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "rw-site-"));
  mkdirSync(shots, { recursive: true });
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

async function open(mode: "plain" | "isolated", viewport = { width: 1000, height: 900 }) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  await page.goto(`${base}/${mode}/`);
  // the main thread's long tasks (Chromium's Long Tasks API: tasks over 50 ms). Frame gaps (the
  // page's own monitor) also grow when the machine is busy; a long task is the page's own work
  await page.evaluate(() => {
    (globalThis as any).longTasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) (globalThis as any).longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  return { page, errors };
}
type Box = { x: number; y: number; w: number; h: number };
/** Non-white pixels of a canvas (or of a rectangle of it). */
const inked = (page: Page, id: string, box?: Box) =>
  page.evaluate(([id, box]) => {
    const c = document.getElementById(id as string) as HTMLCanvasElement,
      b = (box as Box | undefined) ?? { x: 0, y: 0, w: c.width, h: c.height };
    // read from a copy: the page's own canvases are never read back (Chromium warns about repeated reads)
    const copy = document.createElement("canvas");
    copy.width = c.width;
    copy.height = c.height;
    const g = copy.getContext("2d", { willReadFrequently: true })!;
    g.drawImage(c, 0, 0);
    const d = g.getImageData(Math.ceil(b.x), Math.ceil(b.y), Math.floor(b.w), Math.floor(b.h)).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++;
    return n;
  }, [id, box] as const);
const playground = (page: Page) => page.evaluate(() => (globalThis as any).playground);

/** Pick a task, optionally change settings, train and wait for the end; the page's report. */
async function train(page: Page, preset: string, fields: Record<string, string> = {}) {
  await page.check(`#preset-${preset}`);
  for (const [id, v] of Object.entries(fields)) {
    if (id === "cell") await page.selectOption("#cell", v);
    else await page.fill(`#${id}`, v);
  }
  await page.evaluate(() => (globalThis as any).longTasks.splice(0)); // count only the tasks while it trains
  await page.click("#train");
  await page.waitForFunction(() => (globalThis as any).playground.done || (globalThis as any).playground.error,
    undefined, { timeout: 180_000 });
  const r = await playground(page);
  expect(r.error).toBeNull();
  expect(r.preset).toBe(preset);
  return r;
}
const longestTask = async (page: Page) =>
  Math.max(0, ...await page.evaluate(() => (globalThis as any).longTasks as number[]));

let app = "";
/** An app folder with the package installed as a link, as `npm install recurrent-wasm` would. */
function codeApp() {
  if (!app) {
    app = mkdtempSync(join(tmpdir(), "rw-site-code-"));
    mkdirSync(join(app, "node_modules"));
    symlinkSync(root, join(app, "node_modules/recurrent-wasm"), "dir");
  }
  return app;
}
/** Run the page's shown code in Node; the largest relative difference between the losses (and the
 *  validation metric) it prints and those of the page's report r. */
async function runShownCode(page: Page, id: string, r: any) {
  writeFileSync(join(codeApp(), `${id}.mjs`), (await page.textContent("#code"))!);
  const stdout = execFileSync(process.execPath, [`${id}.mjs`], { cwd: codeApp(), encoding: "utf8", timeout: 120_000 });
  const epochs = [...stdout.matchAll(/^epoch (\d+) loss ([\d.e+-]+)(?: validation loss ([\d.e+-]+))?$/gm)];
  expect(epochs.length, stdout).toBe(r.train.length);
  let worst = 0;
  epochs.forEach((m, i) => {
    worst = Math.max(worst, Math.abs(+m[2] - r.train[i]) / r.train[i]);
    if (r.val.length) worst = Math.max(worst, Math.abs(+m[3] - r.val[i]) / r.val[i]);
  });
  if (r.metric) {
    const m = stdout.match(new RegExp(`^${r.metric.name} ([\\d.e+-]+)$`, "m"));
    expect(m, stdout).not.toBeNull();
    worst = Math.max(worst, Math.abs(+m![1] - r.metric.value) / r.metric.value);
  }
  return { stdout, worst };
}

describe("playground (site/dist)", () => {
  it("before training: a placeholder on every canvas, a plain-language threading line with a link, the code", async () => {
    const { page, errors } = await open("plain");
    for (const id of ["curves", "heatmap", "results"]) {
      const n = await inked(page, id);
      expect(n, id).toBeGreaterThan(300); // the dashed frame and its message
      expect(n, id).toBeLessThan(0.1 * 460 * 280);
    }
    const mode = (await page.textContent("#mode"))!;
    expect(mode).toContain("on 1 thread");
    expect(mode).not.toMatch(/COOP|COEP|header/);
    expect(await page.getAttribute("#mode a", "href")).toMatch(/^https:\/\/developer\.mozilla\.org\//);
    expect(await page.textContent("#code")).toContain(`from "recurrent-wasm"`);
    expect(await page.isDisabled("#download")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it(
    "every task trains at its defaults in the Worker: the loss falls, the plots are drawn, the result beats a baseline, no main-thread task over 100 ms",
    async () => {
      const { page, errors } = await open("plain");
      for (const id of PRESETS) {
        const r = await train(page, id);
        const epochs = +(await page.inputValue("#epochs"));
        expect(r.train.length, id).toBe(epochs);
        expect(r.train.at(-1), id).toBeLessThan(0.5 * r.train[0]); // the loss falls
        expect(r.heat.length, id).toBe(epochs);
        expect(await inked(page, "curves"), id).toBeGreaterThan(1500);
        // the heatmap's plot area is filled (every epoch a column)
        expect(await inked(page, "heatmap", r.heatBox.box), id).toBeGreaterThan(
          0.9 * r.heatBox.box.w * r.heatBox.box.h * r.heatBox.filled,
        );
        const note = (await page.textContent(id === "text" ? "#written" : "#resultsNote"))!;
        if (id === "text") {
          expect(r.written.startsWith("The river")).toBe(true);
          expect(r.written.length).toBeGreaterThan(150);
        } else {
          expect(await inked(page, "results"), id).toBeGreaterThan(3000);
          const baseline = +note.match(/(?:repeating the last value|the mean): (\d+(?:\.\d+)?)/)?.[1]!;
          if (id === "shapes") expect(r.metric.value).toBeGreaterThan(0.6); // of 3 balanced classes
          else expect(r.metric.value, `${id}: ${note}`).toBeLessThan(baseline);
        }
        expect(r.longestGapMs, id).toBeGreaterThan(0); // the page's frame monitor ran
        expect(await page.isVisible("#valLegend"), id).toBe(id !== "text"); // no validation line for the text task
        const longest = await longestTask(page);
        expect(longest, id).toBeLessThan(100);
        await page.screenshot({ path: join(shots, `${id}.png`), fullPage: true });
        console.log(
          `playground ${id}: ${r.train.length} epochs in ${r.seconds.toFixed(1)} s (1 thread), loss ${
            r.train[0].toFixed(3)
          } → ${r.train.at(-1).toFixed(3)}${
            r.metric ? `, ${r.metric.name} ${r.metric.value.toPrecision(3)}` : ""
          }; longest main-thread task ${longest.toFixed(0)} ms. ${id === "text" ? JSON.stringify(r.written) : note}`,
        );
      }
      expect(errors).toEqual([]);
      await page.close();
    },
    900_000,
  );

  it(
    "the reactor task: its shipped schedules load, a few epochs train, the free-run temperature of a held-out schedule is plotted in K over ms, and its code runs in Node",
    async () => {
      const { page, errors } = await open("plain");
      await page.check("#preset-reactor");
      expect(await page.textContent("#summary")).toContain("Cantera");
      expect(await page.textContent("#resultsTitle")).toBe("Measured and emulated (held-out schedule, free run)");
      expect(await inked(page, "results")).toBeGreaterThan(300); // its placeholder
      const code = (await page.textContent("#code"))!;
      expect(code).toContain("function reactorSchedules(csv)");
      expect(code).toContain(`readFileSync("node_modules/recurrent-wasm/data/reactor-playground.csv", "utf8")`);
      expect(code).toContain(`readout: "sequence"`);
      const r = await train(page, "reactor", { epochs: "4" });
      expect(r.train.length).toBe(4);
      expect(r.train[3]).toBeLessThan(r.train[0]);
      expect(r.resultsAxes).toEqual({ x: "time (ms)", y: "temperature (K)" });
      expect(await inked(page, "results", r.resultsBox)).toBeGreaterThan(1000); // two curves in the plot area
      // what the plot shows: the first held-out schedule, 250 samples every 0.8 ms; 3 held-out, 8 training schedules
      const shape = await page.evaluate(`({ time: trained.d.time, val: trained.d.val.y.map((y) => y.length),
        train: trained.d.train.x.map((x) => x.length) })`) as { time: number[]; val: number[]; train: number[] };
      expect([shape.time.length, shape.time[0], shape.time.at(-1)]).toEqual([250, 0.8, 200]);
      expect(shape.val).toEqual([250, 250, 250]);
      expect(shape.train).toEqual(Array(8).fill(250 * 3));
      const note = (await page.textContent("#resultsNote"))!;
      expect(note).toMatch(
        /Temperature RMSE \d+ K over the 3 held-out schedules; always predicting the mean: \d+ K\.$/,
      );
      expect(+note.match(/RMSE (\d+) K/)![1]).toBeCloseTo(r.metric.value, -1);
      expect(await longestTask(page)).toBeLessThan(100);
      const { worst } = await runShownCode(page, "reactor", r);
      expect(worst).toBeLessThan(1e-5);
      console.log(
        `playground reactor, 4 epochs: loss ${r.train[0].toFixed(3)} → ${
          r.train[3].toFixed(3)
        }; ${note} The shown code in Node: within ${worst.toExponential(1)} (relative)`,
      );
      expect(errors).toEqual([]);
      await page.close();
    },
    180_000,
  );

  it("with COOP/COEP: 2 threads in the Worker; predict, the generator and its ✓/✗ legend; the README's screenshot",
    async () => {
      const { page, errors } = await open("isolated", { width: 1280, height: 1000 });
      expect(await page.textContent("#mode")).toContain("on 2 threads");
      let r = await train(page, "smiles", { epochs: "4" });
      expect(r.threads).toBe(2);
      expect(r.train[3]).toBeLessThan(r.train[0]);
      await page.fill("#smiles", "CCO");
      await page.click("#predict");
      await page.waitForFunction(() => /: -?\d+\.\d\d/.test(document.getElementById("prediction")!.textContent!));
      // the generator: a next-character model in its own Worker, sampled through WorkerModel.generate
      await page.fill("#genEpochs", "3");
      await page.click("#genTrain");
      await page.waitForFunction(() => {
        const g = (globalThis as any).playground.generator;
        return g.trained || g.error;
      }, undefined, { timeout: 120_000 });
      expect((await playground(page)).generator.error).toBeNull();
      await page.click("#genSample");
      await page.waitForFunction(() => (globalThis as any).playground.generator.samples.length === 10, undefined, {
        timeout: 60_000,
      });
      const lines = (await page.textContent("#samples"))!.split("\n");
      expect(lines.length).toBe(10);
      for (const l of lines) expect(l).toMatch(/^(✓ in data|✓ novel|✗) /);
      expect(await page.textContent("#marks")).toMatch(/✓.*grammar check.*in data.*novel.*✗/s);
      r = await train(page, "sunspots");
      expect(r.threads).toBe(2);
      const { worst } = await runShownCode(page, "sunspots", r);
      console.log(
        `playground (2 threads) sunspots: ${r.train.length} epochs in ${
          r.seconds.toFixed(1)
        } s; the shown code in Node (1 thread) prints losses within ${worst.toExponential(1)} (relative) of the page's`,
      );
      expect(worst).toBeLessThan(1e-5);
      const png = process.env.PLAYGROUND_PNG
        ? resolve(root, process.env.PLAYGROUND_PNG)
        : join(shots, "playground.png");
      // the page down to its plots (three side by side at this width)
      const bottom = await page.evaluate(() => document.querySelector(".grid")!.getBoundingClientRect().bottom);
      await page.screenshot({ path: png, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom) + 8 } });
      console.log(`playground screenshot: ${png}`);
      expect(errors).toEqual([]);
      await page.close();
    }, 300_000);

  it("the code it shows runs in Node and prints the losses the page drew (every task, a few epochs)", async () => {
    const { page, errors } = await open("plain");
    for (const id of PRESETS) {
      await page.check(`#preset-${id}`);
      if (id === "text") await page.fill("#paragraph", "A cat sat on a mat. A cat ate a rat. A rat sat on a hat.");
      // settings other than the defaults: an LSTM of 2 layers of 12
      const r = await train(page, id, { epochs: "3", cell: "lstm", layers: "2", hidden: "12" });
      const code = (await page.textContent("#code"))!;
      expect(code).toContain(`new Model({ cell: "lstm"`);
      expect(code).toContain(`numLayers: 2`);
      const { stdout, worst } = await runShownCode(page, id, r);
      expect(worst, `${id}: Node ${stdout}\npage ${r.train} ${r.val}`).toBeLessThan(1e-5);
      if (id === "text") expect(stdout).toContain("A cat");
      expect(readFileSync(join(codeApp(), "model.safetensors")).length).toBeGreaterThan(1000);
      console.log(`playground code ${id}: Node's losses equal the page's to ${worst.toExponential(1)} (relative)`);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);

  it("the downloaded model (safetensors) loads with Model.load in Node and predicts what the page predicts",
    async () => {
      const { page, errors } = await open("plain");
      const { init, Model } = await import("../../dist/index.js");
      await init();
      for (const id of ["shapes", "text", "reactor"]) {
        await train(page, id, { epochs: "2" });
        const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
        expect(download.suggestedFilename()).toBe(`${id}-gru.safetensors`);
        const bytes = new Uint8Array(readFileSync((await download.path())!));
        const m = Model.load(bytes);
        // what the page's model predicts for a few training sequences, and what the file's model does
        // (the page's `trained` and `model` are its script's top-level bindings)
        const { x, y } = await page.evaluate(`(async () => {
        const xs = trained.d.train.x.slice(0, 5), p = await model.predict(xs);
        return { x: xs.map((a) => Array.from(a)), y: Array.isArray(p) ? p.map((a) => Array.from(a)) : Array.from(p) };
      })()`) as { x: number[][]; y: number[] | number[][] };
        const ours = m.predict(
          id === "text" ? x.map((a: number[]) => Int32Array.from(a)) : x.map((a: number[]) => Float32Array.from(a)),
        );
        expect((Array.isArray(ours) ? ours.map((a) => Array.from(a)) : Array.from(ours as Float32Array)).flat())
          .toEqual(y.flat());
        if (id === "text") expect(m.vocabulary!.tokens.join("")).toContain("abcdefghi");
        if (id === "reactor") expect(JSON.parse(m.metadata.inputStd).length).toBe(3); // the feed's statistics
        expect(m.metadata.task).toBe(id);
        m.dispose();
      }
      expect(await page.textContent("#downloadNote")).toMatch(/^Saved reactor-gru\.safetensors \(\d+ KB\)/);
      expect(errors).toEqual([]);
      await page.close();
    }, 300_000);

  it("keyboard and a 360 px wide screen: labelled controls in order, a visible focus ring, no sideways scrolling",
    async () => {
      const { page, errors } = await open("plain", { width: 360, height: 780 });
      // every task's panels (and the code, opened) fit the width
      await page.click("#codeBox summary");
      for (const id of [...PRESETS].reverse()) {
        await page.check(`#preset-${id}`);
        expect(await page.evaluate(() => document.documentElement.scrollWidth), id).toBeLessThanOrEqual(360);
      }
      await page.click("h1"); // Tab starts from the top again
      // every visible control has a name a screen reader reads
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll("input, select, textarea, button")].filter((e) => {
          const el = e as HTMLInputElement;
          if (el.offsetParent === null) return false;
          return !(el.labels?.length || el.getAttribute("aria-label")
            || (el.tagName === "BUTTON" && el.textContent!.trim()));
        }).map((e) => e.id)
      );
      expect(unnamed).toEqual([]);
      // Tab goes through the task, then the settings in reading order, then Train
      const order: string[] = [];
      while (order.length < 20 && order.at(-1) !== "train") {
        await page.keyboard.press("Tab");
        order.push(await page.evaluate(() => document.activeElement!.id));
      }
      const want = ["preset-sine", "cell", "layers", "hidden", "epochs", "lr", "batch", "train"];
      const first = order.indexOf(want[0]);
      expect(first, order.join(" ")).toBeGreaterThanOrEqual(0);
      expect(order.slice(first, first + want.length), order.join(" ")).toEqual(want);
      const ring = await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement!);
        return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
      expect(ring.style).not.toBe("none");
      expect(ring.width).toBeGreaterThanOrEqual(2);
      // arrow keys change the task; Enter on Train trains it
      await page.focus("#preset-sine");
      await page.keyboard.press("ArrowRight");
      expect(await page.evaluate(() => (globalThis as any).playground.preset)).toBe("sunspots");
      await page.fill("#epochs", "3");
      await page.focus("#train");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => (globalThis as any).playground.done, undefined, { timeout: 60_000 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await page.screenshot({ path: join(shots, "narrow-360.png"), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);

  it("Copy puts the shown code on the clipboard; the code follows the settings", async () => {
    const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => (m.type() === "error" || m.type() === "warning") && errors.push(m.text()));
    await page.goto(`${base}/plain/`);
    await page.check("#preset-shapes");
    await page.selectOption("#cell", "rnn");
    await page.fill("#hidden", "20");
    await page.click("#codeBox summary");
    await page.click("#copy");
    await page.waitForFunction(() => document.getElementById("copied")!.textContent === "Copied.");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await page.textContent("#code"));
    expect(copied).toContain(`new Model({ cell: "rnn", inputSize: 1, hiddenSize: 20, numLayers: 1, outputSize: 3`);
    expect(copied).toContain("function waveShapes(n, seed)");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("bad settings: a message naming the field and its range, nothing trains", async () => {
    const { page, errors } = await open("plain");
    await page.fill("#epochs", "0");
    await page.click("#train");
    expect(await page.textContent("#status")).toBe(`epochs must be a whole number from 1 to 500, got "0"`);
    expect((await playground(page)).epochs).toBe(0);
    await page.fill("#epochs", "2");
    await page.fill("#lr", "-1");
    await page.click("#train");
    expect(await page.textContent("#status")).toBe(`learning rate must be a number from 0.0001 to 1, got "-1"`);
    await page.check("#preset-text");
    await page.fill("#paragraph", "too short");
    await page.click("#train");
    expect(await page.textContent("#status")).toBe("The paragraph is too short: write at least 20 characters.");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a dropped CSV becomes the data set (its sequence and last numeric columns) and trains", async () => {
    const { page, errors } = await open("plain");
    await page.check("#preset-smiles");
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
    expect(await page.textContent("#dataset")).toBe("toy.csv: 60 sequences (name) → score");
    expect(await page.textContent("#code")).toContain(
      `// toy.csv: its column "name" as the strings, "score" as the targets`,
    );
    const r = await train(page, "smiles", { epochs: "3" });
    expect(r.train.length).toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("cancel stops training between batches and leaves a usable model", async () => {
    const { page, errors } = await open("plain");
    await page.check("#preset-smiles");
    await page.fill("#epochs", "300");
    await page.click("#train");
    await page.waitForFunction(() => (globalThis as any).playground.epochs >= 1, undefined, { timeout: 60_000 });
    await page.click("#cancel");
    await page.waitForFunction(() => (globalThis as any).playground.cancelled, undefined, { timeout: 30_000 });
    const r = await playground(page);
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
