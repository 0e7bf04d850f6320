// The exported module under torch.distributed for real: two processes on loopback (a gloo process
// group, MASTER_ADDR 127.0.0.1 and a free port), each training the module of model.toPyTorch()
// under DistributedDataParallel on half of a batch, end where one process on the whole batch ends
// (to 1e-6 in every weight; rank 0 also trains alone, outside the group), and what rank 0 saves
// loads back into Model with the module's predictions. Then the shipped recipe,
// examples/scale/train_ddp.py, runs under torchrun (python3 -m torch.distributed.run) with 2
// processes on a small CSV, and its model file loads into Model, trained. Needs torch and
// safetensors for python3 (test/requirements.txt, installed by .ci/run).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, Model } from "../../dist/index.js";
import type { ModelConfig, SequenceData } from "../../dist/index.js";
import { expectClose, lcg } from "../helpers/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "rw-ddp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await init();
});
/** gloo picks its interface by the host name unless told: loopback, as the test's two processes are. */
const env = { ...process.env, GLOO_SOCKET_IFNAME: "lo", OMP_NUM_THREADS: "1" };

/** A port no one listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Run a command to its end: exit status and output. */
function run(cmd: string, args: string[],
  extra: Record<string, string> = {}): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: dir, env: { ...env, ...extra } });
    let out = "", err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 120_000);
    p.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, out, err });
    });
  });
}

const CASES: { name: string; config: ModelConfig }[] = [{
  name: "lstm, 2 layers, bidirectional, learned h0 and c0, head",
  config: { cell: "lstm", inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, outputSize: 2,
    initialState: "learned", head: { hidden: [5] } },
}, { name: "gru resetAfter false, tokens, per-class h0, crossentropy",
  config: { cell: "gru", resetAfter: false, vocabSize: 6, embeddingSize: 3, hiddenSize: 4, outputSize: 3,
    loss: "crossentropy", initialState: { perClass: 2 } } }];
const LENGTHS = [5, 2, 4, 1, 5, 3], T = 5;

describe("DistributedDataParallel: two gloo processes on halves of a batch equal one on the whole", () => {
  it("every weight to 1e-6 after 3 SGD steps; rank 0's save() loads into Model with the module's predictions", async () => {
    const data: SequenceData[] = [], manifest: Record<string, unknown>[] = [];
    const initial: Record<string, Float32Array>[] = [];
    CASES.forEach((c, i) => {
      const rnd = lcg(50 + i), m = new Model({ seed: 11 + i, ...c.config }), cfg = m.config;
      try {
        const sd = m.stateDict();
        for (const k of ["h0", "c0"]) if (sd[k]) sd[k] = sd[k].map(() => rnd());
        m.loadStateDict(sd);
        initial.push(m.stateDict());
        const tokens = cfg.vocabSize !== undefined, O = cfg.outputSize;
        const x = LENGTHS.map((n) =>
          tokens
            ? Int32Array.from({ length: n }, () => Math.floor((rnd() + 0.5) * 6) % 6)
            : Float32Array.from({ length: 3 * n }, () => 2 * rnd())
        ) as Float32Array[] | Int32Array[];
        const d: SequenceData = { x };
        const ce = cfg.loss === "crossentropy";
        d.y = ce ? Int32Array.from(LENGTHS, (_, b) => b % O) : Float32Array.from({ length: LENGTHS.length * O }, rnd);
        if (typeof cfg.initialState === "object") d.classes = Int32Array.from(LENGTHS, (_, b) => (b >> 1) % 2);
        data.push(d);
        const folder = join(dir, `case${i}`), files = m.toPyTorch();
        mkdirSync(folder);
        writeFileSync(join(folder, "model.py"), files["model.py"]);
        writeFileSync(join(folder, "model.safetensors"), files["model.safetensors"]);
        const e: Record<string, unknown> = { name: c.name, dir: folder, lengths: LENGTHS,
          x: x.map((s) =>
            Array.from({ length: T }, (_, t) =>
              tokens
                ? (t < s.length ? s[t] : 0)
                : Array.from({ length: 3 }, (_, j) => (3 * t < s.length ? s[3 * t + j] : 0)))
          ),
          y: ce
            ? Array.from(d.y as Int32Array)
            : LENGTHS.map((_, b) => Array.from((d.y as Float32Array).subarray(b * O, b * O + O))) };
        if (d.classes) e.classes = Array.from(d.classes);
        manifest.push(e);
      } finally {
        m.dispose();
      }
    });
    const cases = join(dir, "cases.json"), script = join(root, "test/integration/pytorch/ddp_check.py");
    writeFileSync(cases, JSON.stringify(manifest));
    const port = String(await freePort()), group = { MASTER_ADDR: "127.0.0.1", MASTER_PORT: port };
    const [r0, r1] = await Promise.all([run("python3", [script, cases, "0", "2"], group),
      run("python3", [script, cases, "1", "2"], group)]);
    expect(r0.status, r0.err).toBe(0);
    expect(r1.status, r1.err).toBe(0);
    const [p0, p1] = [r0, r1].map((r) => JSON.parse(r.out));
    expect([p0.world, p1.world]).toEqual([2, 2]);
    CASES.forEach((c, i) => {
      expect([p0[c.name].module, p1[c.name].module]).toEqual(["DistributedDataParallel", "DistributedDataParallel"]);
      // the halves are different batches: their own losses differ
      expect(Math.abs(p0[c.name].losses[0] - p1[c.name].losses[0])).toBeGreaterThan(1e-4);
      const load = (f: string) => Model.load(readFileSync(join(dir, `case${i}`, f)));
      const ddp = load("ddp.safetensors"), single = load("single.safetensors");
      try {
        const a = ddp.stateDict(), b = single.stateDict();
        let moved = 0, worst = 0;
        for (const k of Object.keys(b)) {
          worst = Math.max(worst, expectClose(`${c.name}: ${k} (DDP vs one process)`, a[k], b[k], 1e-6, 0));
          moved = Math.max(moved, ...b[k].map((v, j) => Math.abs(v - initial[i][k][j])));
        }
        console.log(`DDP ${c.name}: max |Δ weight| two processes vs one ${worst}; largest move ${moved}`);
        expect(moved, "training moved the weights").toBeGreaterThan(1e-2);
        const pred = ddp.predict(data[i].x, data[i].classes ? { classes: data[i].classes } : {});
        expectClose(`${c.name}: Model.load(rank 0's file).predict vs the module`, p0[c.name].pred, pred, 1e-5, 0);
      } finally {
        ddp.dispose();
        single.dispose();
      }
    });
  });
});

describe("examples/scale/train_ddp.py under torchrun", () => {
  it("trains an exported model with 2 processes on a CSV; the saved file loads into Model with a lower loss", async () => {
    // every column the recipe reads: features with a mask (a missing value left empty), times, the group
    const m = new Model({ cell: "gru", inputSize: 2, hiddenSize: 6, outputSize: 1, initialState: { perClass: 2 },
      inputMask: true, timeGap: true, seed: 5 });
    const rnd = lcg(9), folder = join(dir, "recipe");
    const x: Float32Array[] = [], y: number[] = [], groups: number[] = [], mask: Float32Array[] = [];
    const times: Float64Array[] = [];
    let csv = "seq,x0,x1,m0,m1,time,y0,group\n";
    for (let s = 0; s < 24; s++) {
      const n = 2 + (s % 4), q = Float32Array.from({ length: 2 * n }, () => 2 * rnd());
      const mk = Float32Array.from({ length: 2 * n }, (_, k) => ((k + s) % 5 === 3 ? 0 : 1));
      const tt = Float64Array.from({ length: n }, (_, t) => t * (1 + (s % 3)));
      const target = q.reduce((a, v, k) => a + v * mk[k], 0) / n + (s % 2) * 0.5;
      x.push(q);
      y.push(target);
      groups.push(s % 2);
      mask.push(mk);
      times.push(tt);
      const cell = (k: number) => (mk[k] ? String(q[k]) : "");
      for (let t = 0; t < n; t++) {
        csv += `s${s},${cell(2 * t)},${cell(2 * t + 1)},${mk[2 * t]},${mk[2 * t + 1]},${tt[t]},${
          t === n - 1 ? target : ""
        },${s % 2}\n`;
      }
    }
    const data: SequenceData = { x, y: Float32Array.from(y), classes: Int32Array.from(groups), mask, times };
    let before: number;
    try {
      before = m.evaluate(data).loss;
      const files = m.toPyTorch();
      mkdirSync(folder);
      writeFileSync(join(folder, "model.py"), files["model.py"]);
      writeFileSync(join(folder, "model.safetensors"), files["model.safetensors"]);
    } finally {
      m.dispose();
    }
    writeFileSync(join(dir, "train.csv"), csv);
    const out = join(dir, "trained.safetensors");
    const r = await run("python3", ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
      join(root, "examples/scale/train_ddp.py"), "--export", folder, "--data", join(dir, "train.csv"), "--out", out,
      "--epochs", "5", "--batch-size", "4", "--lr", "0.02"]);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/^epoch 1: loss [\d.]+ \(24 sequences, 2 processes, [\d.]+ s\)$/m);
    expect(r.out).toMatch(/^epoch 5: loss [\d.]+ /m);
    expect(r.out).toContain(`saved ${out}`);
    const trained = Model.load(readFileSync(out));
    try {
      expect(trained.metadata.trainedWith).toBe("train_ddp.py, 2 processes");
      const after = trained.evaluate(data).loss;
      console.log(`train_ddp.py (2 processes, 5 epochs): loss ${before} -> ${after}`);
      expect(after).toBeLessThan(0.9 * before);
    } finally {
      trained.dispose();
    }
  });
});
