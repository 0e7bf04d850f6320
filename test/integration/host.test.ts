// A host that is not JavaScript: examples/host/train.py (Python on wasmtime, written from
// docs/ABI.md and include/recurrent.h) checks the header's signatures against the module's exports,
// runs the self-tests of the standalone, threads (on a shared memory of its own) and relaxed-SIMD
// builds, trains an Elman RNN through the raw ABI and compares it with the JavaScript bindings bit
// for bit. .ci/run installs wasmtime (examples/host/requirements.txt); without it this test fails.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("examples/host/train.py: Python on wasmtime", () => {
  it("matches the header, passes every build's self-test and trains bit for bit like the JavaScript bindings", () => {
    const r = spawnSync("python3", ["examples/host/train.py"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.error, out).toBeUndefined();
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/include\/recurrent\.h: all \d+ function exports have the signatures the module declares/);
    expect(out).toContain("selftest_gemm 0;");
    expect(out).toMatch(
      /every loss and all 112 parameters equal the JavaScript bindings bit for bit; threads and relaxed builds pass their self-tests/,
    );
  });
});
