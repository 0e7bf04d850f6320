// Layers, models and optimizers that are never disposed give their WebAssembly memory back once
// they are garbage-collected (FinalizationRegistry); dispose() stays the way to free it now.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("garbage collection frees what dispose() was not called on", () => {
  it("60 rounds of undisposed layers, models and optimizers keep memory far below what they held", () => {
    const out = execFileSync(process.execPath, ["--expose-gc",
      new URL("../helpers/finalize-child.mjs", import.meta.url).pathname], { encoding: "utf8" });
    const { before, after, held, collected } = JSON.parse(out.trim().split("\n").pop()!);
    // the objects were collected (a closure sharing a constructor's context once kept them alive)
    for (const kind of ["layer", "model", "optimizer"]) expect(collected[kind], kind).toBeGreaterThan(40);
    expect(held).toBeGreaterThan(200 * 2 ** 20); // what would stay allocated without finalization
    // memory grows by doubling, so its size is coarse; without finalization it would pass `held`
    expect(after - before).toBeLessThan(held / 2);
  });
});
