// The code model's references: interpolated Kneser–Ney character n-grams of every order up to
// maxOrder (kn.mjs), the order chosen on the validation part; and xz -9 conditioned on the
// training text (bits of training + held-out minus bits of training: long repeats are copied).
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kneserNeyFamily } from "./kn.mjs";

/**
 * The n-gram baselines. Returns { orders: [{ order, validation, heldOut }], best: order chosen on
 * validation, kn5 (order 5's held-out bits/char), positions (held-out bits and top-1 of the best
 * order at the positions `topAt` marks), buildSeconds, memoryMB }.
 */
export function ngramBaselines(data, { maxOrder = 12, topAt = null, log = () => {} } = {}) {
  const kn = kneserNeyFamily(data.train, { maxOrder, vocab: data.V });
  log(`Kneser–Ney orders 1..${maxOrder} on ${data.train.length} characters: built in ${kn.seconds.toFixed(1)} s`);
  const t0 = performance.now();
  const v = kn.evaluate(data.valid);
  let best = 1;
  for (let k = 1; k <= maxOrder; k++) if (v.bits[k - 1] < v.bits[best - 1]) best = k;
  const h = kn.evaluate(data.held, { positions: [best], argmax: topAt ? { order: best, at: topAt } : null });
  const orders = v.bits.map((b, i) => ({ order: i + 1, validation: b, heldOut: h.bits[i] }));
  const seconds = (performance.now() - t0) / 1000;
  log(
    `n-grams evaluated in ${seconds.toFixed(1)} s; validation picks order ${best} (${
      v.bits[best - 1].toFixed(3)
    } bits/char)`,
  );
  return { orders, best, bestHeldOut: h.bits[best - 1], kn5: maxOrder >= 5 ? h.bits[4] : null,
    positions: { bits: h.positions[best], argmax: h.argmax }, discounts: kn.discounts, buildSeconds: kn.seconds,
    evaluateSeconds: seconds, memoryMB: process.memoryUsage().rss / 1e6 };
}

/** xz -9 bits per held-out character given the training text (NaN without xz on the PATH): a
 *  promise; the two compressions run in child processes from and to temporary files, so they go
 *  on while the caller computes synchronously. */
export async function xzBits(trainText, heldText, heldChars) {
  const dir = mkdtempSync(join(tmpdir(), "rw-code-xz-"));
  const bytes = (name, s) => {
    const src = join(dir, name), dst = join(dir, `${name}.xz`);
    writeFileSync(src, s);
    const input = openSync(src, "r"), output = openSync(dst, "w");
    return new Promise((resolve, reject) => {
      const p = spawn("xz", ["-9", "-c", "-T1"], { stdio: [input, output, "ignore"] });
      p.on("error", reject);
      p.on("close", (code) => (code === 0 ? resolve(statSync(dst).size) : reject(new Error(`xz exited with ${code}`))));
    }).finally(() => {
      closeSync(input);
      closeSync(output);
    });
  };
  try {
    const [both, train] = await Promise.all([bytes("both", trainText + heldText), bytes("train", trainText)]);
    return (both - train) * 8 / heldChars;
  } catch {
    return NaN;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
