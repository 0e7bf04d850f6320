// Issue 14, init: the first call fixes the options (defaults included) for the process; a later
// call asking for something else rejects, whatever the option; unknown options and null reject;
// coreInfo() says why a requested feature fell back, and the first fallback warns once.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { init, coreInfo } from "../../dist/index.js";

describe("init", () => {
  it("rejects bad options before anything is fixed", async () => {
    await expect(init({ thread: 4 } as any)).rejects.toThrow(
      'init: unknown option "thread" (did you mean "threads"?); expected one of relaxedSimd, threads',
    );
    await expect(init(null as any)).rejects.toThrow("init: options must be an object, got null");
    await expect(init({ threads: 0 })).rejects.toThrow("init: options.threads must be an integer in 1..64, got 0");
    await expect(init({ relaxedSimd: 1 } as any)).rejects.toThrow("init: options.relaxedSimd must be a boolean, got 1");
  });
  it("init() fixes the defaults: init({ threads: 2 }) and init({ relaxedSimd: true }) afterwards reject", async () => {
    const info = await init();
    expect(info).toMatchObject({ threads: 1, relaxedSimd: false, threadsFallback: null, relaxedSimdFallback: null });
    await expect(init({ threads: 2 })).rejects.toThrow(
      "init: the core was already initialized with threads: 1 (the default); a later init() cannot change it (one process or page runs one build): pass the options to the first init()",
    );
    await expect(init({ relaxedSimd: true })).rejects.toThrow(
      "init: the core was already initialized with relaxedSimd: false (the default)",
    );
    // the same options, or none, resolve to the running core
    expect(await init({ threads: 1, relaxedSimd: false })).toEqual(coreInfo());
    expect(await init()).toEqual(coreInfo());
  });
  it("concurrent first calls with different options: the second rejects", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `
      import { init } from ${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)};
      const a = init({ threads: 1 }), b = init({ threads: 2 });
      const r = await Promise.allSettled([a, b]);
      console.log(JSON.stringify(r.map((x) => x.status === "fulfilled" ? x.value.threads : x.reason.message)));
    `], { encoding: "utf8" });
    const [a, b] = JSON.parse(out.trim());
    expect(a).toBe(1);
    expect(b).toMatch(/already initialized with threads: 1 \(the default\)/);
  });
  it("without SharedArrayBuffer, threads fall back to 1 with a reason and one warning", () => {
    const r = execFileSync(process.execPath, ["--input-type=module", "-e", `
      delete globalThis.SharedArrayBuffer;
      const { init, coreInfo } = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)});
      await init({ threads: 2 });
      await init();
      console.log(JSON.stringify(coreInfo()));
    `], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const info = JSON.parse(r.trim().split("\n").pop()!);
    expect(info).toMatchObject({ threads: 1, threadsFallback: "SharedArrayBuffer is not available in this host",
      relaxedSimdFallback: null });
  });
  it("the warning is printed once, on stderr", () => {
    const p = spawnSync(process.execPath, ["--input-type=module", "-e", `
      delete globalThis.SharedArrayBuffer;
      const { init } = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)});
      await init({ threads: 2, relaxedSimd: true }); await init();
    `], { encoding: "utf8" });
    expect(p.status).toBe(0);
    const lines = p.stderr.trim().split("\n").filter((l) => l.startsWith("recurrent-wasm:"));
    expect(lines).toEqual([
      "recurrent-wasm: running on 1 thread instead of 2: SharedArrayBuffer is not available in this host (see coreInfo())",
    ]);
  });
});
