import { defineConfig } from "vitest/config";

export default defineConfig({ test: {
  include: ["test/**/*.test.ts"],
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // the browser test starts Chromium; keep files in parallel but on our two cores
  maxWorkers: 2,
} });
