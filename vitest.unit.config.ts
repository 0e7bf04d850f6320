// `npm run test:unit`: the fast part of the suite, without Chromium, Python, npm pack, bundler
// apps, the examples, the experiments or the fuzzing — test/unit, test/reference and test/faults,
// against the current build (it does not rebuild: run `npm run build` after changing assembly/ or
// bindings/; test/helpers/built.ts warns when the build is older than the sources).
// `npm test` (vitest.config.ts) builds and runs everything, these included.
import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

export default defineConfig({ ...base,
  test: { ...base.test, include: ["test/unit/**/*.test.ts", "test/reference/**/*.test.ts", "test/faults/**/*.test.ts"],
    globalSetup: ["test/helpers/built.ts"] } });
