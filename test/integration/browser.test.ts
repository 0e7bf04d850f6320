// The <script> bundle in real headless Chromium (Debian's, driven by playwright-core): it loads
// from a page served on localhost, trains a tiny model, and gets bitwise the same losses and
// predictions as Node running the ESM build.
import { readFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, Browser } from "playwright-core";
import * as Recurrent from "../../dist/index.js";

// Runs in both Node and the page: must be self-contained.
async function trainTiny(R: any) {
  await R.init();
  const rng = new R.Rng(42);
  const xs: Float32Array[] = [], ys: number[] = [];
  for (let i = 0; i < 24; i++) {
    const T = 3 + rng.int(8);
    const x = new Float32Array(T * 2);
    let s = 0;
    for (let t = 0; t < T; t++) {
      x[2 * t] = rng.uniform() - 0.5;
      x[2 * t + 1] = rng.uniform();
      s += x[2 * t];
    }
    xs.push(x);
    ys.push(s);
  }
  const m = new R.Model({ inputSize: 2, hiddenSize: 8, numLayers: 2, bidirectional: true, outputSize: 1, seed: 5 });
  const h = await m.fit({ x: xs, y: Float32Array.from(ys) }, { epochs: 5, batchSize: 8, learningRate: 0.01, clipNorm: 1,
    seed: 3, validationSplit: 0.25 });
  const p = Array.from(m.predict(xs) as Float32Array);
  m.dispose();
  return { loss: h.loss, valLoss: h.valLoss, pred: p };
}

// An ODE-RNN (cell "odegru": dopri5 between irregular steps, a GRU at each, missing values).
async function trainTinyOde(R: any) {
  await R.init();
  const rng = new R.Rng(7);
  const x: Float32Array[] = [], y: Float32Array[] = [], times: Float64Array[] = [], mask: Float32Array[] = [];
  for (let i = 0; i < 12; i++) {
    const T = 3 + rng.int(6), t = new Float64Array(T), xi = new Float32Array(T), m = new Float32Array(T);
    let c = 0;
    for (let k = 0; k < T; k++) {
      c += 0.1 + rng.uniform();
      t[k] = c;
      xi[k] = rng.uniform() - 0.5;
      m[k] = rng.uniform() < 0.8 ? 1 : 0;
    }
    x.push(xi);
    times.push(t);
    mask.push(m);
    y.push(Float32Array.from(xi, (v, k) => v * 0.5 + t[k] * 0.1));
  }
  const m = new R.Model({ cell: "odegru", inputSize: 1, hiddenSize: 6, outputSize: 1, readout: "sequence",
    inputMask: true, ode: { hidden: [8] }, seed: 2 });
  const h = await m.fit({ x, y, times, mask }, { epochs: 3, batchSize: 4, learningRate: 0.01, seed: 1 });
  const p = (m.predict(x, { times, mask }) as Float32Array[]).flatMap((a) => Array.from(a));
  m.dispose();
  return { loss: h.loss, pred: p };
}

// A categorical HMM: sample, fit by Baum–Welch, score, decode, save and load (the file's bytes).
async function tinyHmm(R: any) {
  await R.init();
  const truth = new R.CategoricalHMM({ nComponents: 2, nFeatures: 3 });
  truth.setParams({ startprob: Float64Array.of(0.6, 0.4), transmat: Float64Array.of(0.9, 0.1, 0.2, 0.8),
    emissionprob: Float64Array.of(0.7, 0.2, 0.1, 0.1, 0.3, 0.6) });
  const { X } = truth.sample(400, { seed: 3 });
  const hmm = new R.CategoricalHMM({ nComponents: 2, nFeatures: 3, nIter: 20, seed: 4 });
  const r = hmm.fit(X, Int32Array.of(200, 200));
  const file = hmm.save(), back = R.CategoricalHMM.load(file);
  const out = { ll: r.logLikelihood, score: hmm.score(X), path: Array.from(hmm.decode(X).states.subarray(0, 40)),
    file: Array.from(file), loadedScore: back.score(X) };
  truth.dispose();
  hmm.dispose();
  back.dispose();
  return out;
}

// Generation: a GRU next-token model with seeded random weights, sampled with temperature, top-k
// and top-p.
async function tinyGenerate(R: any) {
  await R.init();
  const V = 9,
    m = new R.Model({ cell: "gru", inputSize: V + 1, hiddenSize: 12, numLayers: 2, outputSize: V, readout: "sequence",
      loss: "crossentropy", seed: 6 });
  const sd = m.stateDict(), rng = new R.Rng(8);
  for (const k of Object.keys(sd)) sd[k] = sd[k].map(() => 1.5 * rng.normal());
  m.loadStateDict(sd);
  const out = { a: Array.from(m.generate({ prime: [V], length: 300, temperature: 0.8, topK: 6, topP: 0.9, seed: 4 })),
    b: Array.from(m.generate({ prime: [V, 2], length: 100, temperature: 1.3, seed: 5 })) };
  m.dispose();
  return out;
}

// A token model: a Vocabulary's ids through an embedding and an LSTM, trained, then its
// predictions' bits and generated ids.
async function tinyTokens(R: any) {
  await R.init();
  const text = "the cat sat on the mat and the rat ate the hat; ", vocab = R.Vocabulary.fromText(text);
  const ids = vocab.encode(text.repeat(4)), x: Int32Array[] = [], y: Int32Array[] = [];
  for (let i = 0; i + 13 < ids.length; i += 9) {
    x.push(ids.slice(i, i + 5 + (i % 8)));
    y.push(ids.slice(i + 1, i + 6 + (i % 8)));
  }
  const m = new R.Model({ cell: "lstm", vocabSize: vocab.size, embeddingSize: 6, hiddenSize: 16, outputSize: vocab.size,
    readout: "sequence", loss: "crossentropy", seed: 3 });
  const h = await m.fit({ x, y }, { epochs: 3, batchSize: 4, learningRate: 0.02, seed: 1 });
  const p = m.predict(x.slice(0, 3)) as Float32Array[];
  const out = { loss: h.loss, pred: p.map((a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length))),
    text: vocab.decode(m.generate({ prime: vocab.encode("the "), length: 40, temperature: 0.7, seed: 2 })) };
  m.dispose();
  return out;
}

// A WorkerModel: the bundle starts itself in a dedicated Worker and trains there.
async function tinyWorker(R: any, threads = 1) {
  await R.init();
  const rng = new R.Rng(11), x: Float32Array[] = [], y: number[] = [];
  for (let i = 0; i < 32; i++) {
    const T = 2 + rng.int(6), a = new Float32Array(T * 2);
    for (let k = 0; k < a.length; k++) a[k] = rng.uniform() - 0.5;
    x.push(a);
    y.push(a[0] - a[1]);
  }
  const test = x.map((a) => a.slice());
  const w = await R.WorkerModel.create({ cell: "gru", inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 5 },
    threads > 1 ? { threads } : {});
  const epochs: number[] = [];
  const yy = Float32Array.from(y);
  const h = await w.fit({ x, y: yy }, { epochs: 4, batchSize: 8, learningRate: 0.01, seed: 2, transfer: true,
    onEpochEnd: (e: number) => {
      epochs.push(e);
    } });
  const pred = Array.from(await w.predict(test) as Float32Array);
  // the moved arrays are empty now: a second call on them is refused by name, before any posting
  const again = await w.fit({ x, y: yy }, { epochs: 1, transfer: true }).then(() => "resolved",
    (e: Error) => `${e.name}: ${e.message}`);
  const copied = test.map((a) => a.slice());
  await w.predict(copied); // copied by default: the caller keeps its arrays
  const out = { loss: h.loss, pred, epochs: epochs.length, threads: w.info.threads, transferred: x[0].length === 0,
    again, kept: copied[0].length > 0 };
  await w.dispose();
  return out;
}
/** The first html block of docs/browser.md (its copy-paste Worker example). */
function readmeExample(): string {
  const page = readFileSync(new URL("../../docs/browser.md", import.meta.url), "utf8");
  const m = page.match(/```html\n([\s\S]*?)```/);
  if (!m) throw new Error("docs/browser.md: no html block");
  return m[1];
}
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];
// playwright launches Chromium with a fresh temporary profile of its own (--user-data-dir is its job)
let server: Server, browser: Browser, base = "";

beforeAll(async () => {
  const bundle = readFileSync(new URL("../../dist/recurrent.iife.js", import.meta.url));
  // /isolated/ serves the same page cross-origin isolated (COOP + COEP), which SharedArrayBuffer
  // and so the threaded build need
  server = createServer((req, res) => {
    const isolated = req.url?.startsWith("/isolated/")
      ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" }
      : {};
    if (req.url?.endsWith("/recurrent.iife.js")) {
      res.writeHead(200, { "content-type": "text/javascript", ...isolated });
      res.end(bundle);
    } else if (req.url === "/readme/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(readmeExample());
    } else {
      res.writeHead(200, { "content-type": "text/html", ...isolated });
      res.end(`<!doctype html><script src="recurrent.iife.js"></script>`);
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

describe("<script> bundle in headless Chromium", () => {
  it("defines the global Recurrent, trains, and matches Node bitwise", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(base + "/");
    const version = await page.evaluate(() => navigator.userAgent);
    expect(await page.evaluate(() => typeof (globalThis as any).Recurrent?.Model)).toBe("function");
    const inBrowser = await page.evaluate(`(${trainTiny.toString()})(globalThis.Recurrent)`) as Awaited<
      ReturnType<typeof trainTiny>
    >;
    const inNode = await trainTiny(Recurrent);
    expect(errors).toEqual([]);
    expect(inNode.loss.every(Number.isFinite)).toBe(true);
    expect(inNode.loss[4]).toBeLessThan(inNode.loss[0]);
    expect(inBrowser).toEqual(inNode); // numbers compare exactly
    console.log(
      `Chromium (${version.match(/Chrome\/[\d.]+/)?.[0]}) and Node agree bitwise: losses ${
        inNode.loss.map((v) => v.toFixed(5)).join(", ")
      }`,
    );
    await page.close();
  });

  /** Run fn in a fresh page and in Node; the page must log no error. */
  async function inPageAndNode<T>(fn: (R: any) => Promise<T>): Promise<{ inBrowser: T; inNode: T }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(base + "/");
    const inBrowser = await page.evaluate(`(${fn.toString()})(globalThis.Recurrent)`) as T;
    const inNode = await fn(Recurrent);
    expect(errors).toEqual([]);
    await page.close();
    return { inBrowser, inNode };
  }

  it("trains an ODE-RNN (odegru) and matches Node bitwise", async () => {
    const { inBrowser, inNode } = await inPageAndNode(trainTinyOde);
    expect(inNode.loss.every(Number.isFinite)).toBe(true);
    expect(inBrowser).toEqual(inNode);
  });

  it("fits a CategoricalHMM and matches Node bitwise", async () => {
    const { inBrowser, inNode } = await inPageAndNode(tinyHmm);
    expect(inNode.ll.length).toBeGreaterThan(1);
    expect(inNode.loadedScore).toBe(inNode.score);
    expect(inBrowser).toEqual(inNode);
  });

  it("generates the same tokens as Node from the same seed", async () => {
    const { inBrowser, inNode } = await inPageAndNode(tinyGenerate);
    expect(inNode.a.length).toBe(300);
    expect(new Set(inNode.a).size).toBeGreaterThan(2);
    expect(inBrowser).toEqual(inNode);
  });

  it("trains a token model (Vocabulary, embedding), predicts and generates as Node does, bitwise", async () => {
    const { inBrowser, inNode } = await inPageAndNode(tinyTokens);
    expect(inNode.loss.every(Number.isFinite)).toBe(true);
    expect(inNode.text.length).toBe(40);
    expect(inBrowser).toEqual(inNode);
  });

  it("the browser guide's Worker page (docs/browser.md), as written, trains in a Worker and prints its result", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(base + "/readme/");
    await page.waitForFunction(() => document.getElementById("log")?.textContent?.includes("done:"), undefined, {
      timeout: 60_000,
    });
    const log = await page.evaluate(() => document.getElementById("log")!.textContent!);
    expect(errors).toEqual([]);
    expect(log.match(/^epoch \d+:/gm)?.length).toBe(30);
    const [, rmse, zero] = log.match(/test RMSE ([\d.]+) \(predicting 0 gives ([\d.]+)\)/)!.map(Number);
    expect(rmse).toBeLessThan(0.5 * zero); // it learned the sum
    console.log(`docs/browser.md example in Chromium: ${log.split("\n").pop()}`);
    await page.close();
  });
  it("WorkerModel: the bundle trains in a dedicated Worker it starts from its own URL, bitwise like Node's WorkerModel", async () => {
    const { inBrowser, inNode } = await inPageAndNode(tinyWorker);
    expect(inNode).toMatchObject({ epochs: 4, threads: 1, transferred: true, kept: true });
    expect(inNode.again).toMatch(
      /^RangeError: WorkerModel\.fit: data\.x\[0\] has 0 elements, .*was it transferred to a Worker\?/,
    );
    expect(inNode.loss[3]).toBeLessThan(inNode.loss[0]);
    expect(inBrowser).toEqual(inNode);
  });
  it("WorkerModel with 2 threads on a cross-origin isolated page: workers nested in the trainer, training close to 1 thread's", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(base + "/isolated/");
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const two = await page.evaluate(`(${tinyWorker.toString()})(globalThis.Recurrent, 2)`) as Awaited<
      ReturnType<typeof tinyWorker>
    >;
    const one = await tinyWorker(Recurrent);
    expect(errors).toEqual([]);
    expect(two.threads).toBe(2);
    two.loss.forEach((v, i) => expect(Math.abs(v - one.loss[i])).toBeLessThan(1e-5 * Math.abs(one.loss[i])));
    await page.close();
  });
  it("runs the relaxed-SIMD build when asked (Chromium has relaxed SIMD on), close to the default build", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(base + "/");
    const info = await page.evaluate(
      `globalThis.Recurrent.init({ relaxedSimd: true }).then(() => globalThis.Recurrent.coreInfo())`,
    );
    expect(info).toMatchObject({ relaxedSimd: true, threads: 1 });
    const relaxed = await page.evaluate(`(${trainTiny.toString()})(globalThis.Recurrent)`) as Awaited<
      ReturnType<typeof trainTiny>
    >;
    const plain = await trainTiny(Recurrent);
    expect(errors).toEqual([]);
    // fused multiply-adds round differently: equal to a few ulps per operation, not bitwise
    relaxed.loss.forEach((v, i) => expect(Math.abs(v - plain.loss[i])).toBeLessThan(1e-4 * Math.abs(plain.loss[i])));
    relaxed.pred.forEach((v, i) =>
      expect(Math.abs(v - plain.pred[i])).toBeLessThan(1e-4 + 1e-4 * Math.abs(plain.pred[i]))
    );
    await page.close();
  });

  it("runs on 2 threads (Web Workers, shared memory) in a cross-origin-isolated page, like one thread in Node", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(base + "/isolated/");
    expect(await page.evaluate("globalThis.crossOriginIsolated")).toBe(true);
    const info = await page.evaluate(
      `globalThis.Recurrent.init({ threads: 2 }).then(() => globalThis.Recurrent.coreInfo())`,
    );
    expect(info).toMatchObject({ relaxedSimd: false, threads: 2, threadsFallback: null, relaxedSimdFallback: null });
    // and the combination, in a second isolated page
    const page2 = await browser.newPage();
    await page2.goto(base + "/isolated/");
    expect(
      await page2.evaluate(
        `globalThis.Recurrent.init({ threads: 2, relaxedSimd: true }).then(() => globalThis.Recurrent.coreInfo())`,
      ),
    ).toMatchObject({ relaxedSimd: true, threads: 2 });
    const both = await page2.evaluate(`(${trainTiny.toString()})(globalThis.Recurrent)`) as Awaited<
      ReturnType<typeof trainTiny>
    >;
    await page2.close();
    const threaded = await page.evaluate(`(${trainTiny.toString()})(globalThis.Recurrent)`) as Awaited<
      ReturnType<typeof trainTiny>
    >;
    const plain = await trainTiny(Recurrent);
    expect(errors).toEqual([]);
    threaded.loss.forEach((v, i) => expect(Math.abs(v - plain.loss[i])).toBeLessThan(1e-5 * Math.abs(plain.loss[i])));
    threaded.pred.forEach((v, i) =>
      expect(Math.abs(v - plain.pred[i])).toBeLessThan(1e-5 + 1e-5 * Math.abs(plain.pred[i]))
    );
    both.loss.forEach((v, i) => expect(Math.abs(v - plain.loss[i])).toBeLessThan(1e-4 * Math.abs(plain.loss[i])));
    await page.close();
  });

  it("falls back to one thread without cross-origin isolation", async () => {
    const page = await browser.newPage();
    const warnings: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "warning") warnings.push(m.text());
    });
    await page.goto(base + "/");
    expect(await page.evaluate("globalThis.crossOriginIsolated")).toBe(false);
    const info = await page.evaluate(
      `globalThis.Recurrent.init({ threads: 2 }).then(() => globalThis.Recurrent.init()).then(() => globalThis.Recurrent.coreInfo())`,
    );
    expect(info).toMatchObject({ relaxedSimd: false, threads: 1,
      threadsFallback: "page is not cross-origin isolated" });
    expect(warnings).toEqual([
      "recurrent-wasm: running on 1 thread instead of 2: page is not cross-origin isolated (see coreInfo())",
    ]);
    await page.close();
  });
});
