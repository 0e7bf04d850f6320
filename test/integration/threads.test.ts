// The threaded build (init({ threads })): the batch of every forward and backward pass is split
// across worker threads over one shared memory. Runs in child processes (one core per process):
// two threads against the PyTorch fixtures, and against one thread on a trained model — equal up
// to the summation order of the weight gradients. Chromium with cross-origin isolation: see
// browser.test.ts.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const run = (threads: number, relaxed = false) =>
  JSON.parse(
    execFileSync(process.execPath, [...(relaxed ? ["--experimental-wasm-relaxed-simd"] : []),
      new URL("../helpers/threads-child.mjs", import.meta.url).pathname, String(threads),
      ...(relaxed ? ["relaxed"] : [])], { encoding: "utf8" }).trim().split("\n").pop()!,
  );

describe("threads", () => {
  it("two threads: every PyTorch fixture passes at the usual tolerances; training equals one thread up to summation order", () => {
    const two = run(2), one = run(1);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.cases).toBe(28);
    expect(two.failures).toEqual([]);
    expect(one.failures).toEqual([]);
    two.losses.forEach((v: number, i: number) =>
      expect(Math.abs(v - one.losses[i])).toBeLessThan(1e-5 * Math.abs(one.losses[i]))
    );
    two.pred.forEach((v: number, i: number) =>
      expect(Math.abs(v - one.pred[i])).toBeLessThan(1e-5 + 1e-5 * Math.abs(one.pred[i]))
    );
    // dropout between layers: each thread's part of the masks
    two.dropout.forEach((v: number, i: number) =>
      expect(Math.abs(v - one.dropout[i])).toBeLessThan(1e-5 * Math.abs(one.dropout[i]))
    );
    // gradient checkpointing on two threads: bitwise the same as storing every step
    expect(two.dropoutCheckpointed).toEqual(two.dropout);
    expect(two.lossesCheckpointed).toEqual(two.losses);
    expect(two.predCheckpointed).toEqual(two.pred);
  });

  it("two threads with the relaxed-SIMD build: fixtures pass; training close to one thread's", () => {
    const both = run(2, true), one = run(1);
    expect(both.threads).toBe(2);
    expect(both.relaxedSimd).toBe(true);
    expect(both.failures).toEqual([]);
    both.losses.forEach((v: number, i: number) =>
      expect(Math.abs(v - one.losses[i])).toBeLessThan(1e-4 * Math.abs(one.losses[i]))
    );
  });

  it("three threads split batches unevenly and still agree", () => {
    const three = run(3), one = run(1);
    expect(three.threads).toBe(3);
    expect(three.failures).toEqual([]);
    three.losses.forEach((v: number, i: number) =>
      expect(Math.abs(v - one.losses[i])).toBeLessThan(1e-5 * Math.abs(one.losses[i]))
    );
  });
});
