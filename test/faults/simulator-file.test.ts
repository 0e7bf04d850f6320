// Simulator.load on damaged files: each damage is named in the error, nothing is allocated for a
// file whose settings the tensors do not bear out, and a live simulator in the same memory
// simulates bit for bit as before.
import { beforeAll, describe, expect, it } from "vitest";
import { init, safetensors, Simulator } from "../../dist/index.js";
import { twoTanks } from "../helpers/two-tanks.js";

beforeAll(async () => {
  await init();
});

type Tensors = Record<string, { dtype: "F32" | "I32"; shape: number[]; data: Float32Array | Int32Array }>;

describe("Simulator.load rejects damaged files", () => {
  it("names the damage and leaves a live simulator as it was", async () => {
    const rec = twoTanks(300, 1);
    const live = new Simulator({ inputs: 1, outputs: 1, hiddenSize: 6, window: 5, seed: 2 });
    await live.fit(rec, { steps: 30, epochs: 2 });
    const before = live.simulate(rec.u, { y: rec.y });
    const { tensors, metadata } = safetensors.read(live.save());
    const base = (): Tensors => {
      const t: Tensors = {};
      for (const [k, v] of Object.entries(tensors)) t[k] = { dtype: "F32", shape: [...v.shape], data: v.data.slice() };
      return t;
    };
    const cases: [string, (t: Tensors, m: Record<string, string>) => void, RegExp][] = [["missing tensor",
      (t) => delete t["simulator.readout.weight"], /Simulator\.load: missing tensor "simulator\.readout\.weight"/], [
      "extra tensor",
      (t) => t.extra = { dtype: "F32", shape: [1], data: new Float32Array(1) },
      /unexpected tensor "extra"/,
    ], ["wrong shape", (t) => t["simulator.readout.weight"].shape = [6, 1],
      /"simulator\.readout\.weight" has shape \[6,1\], expected \[1,6\]/], ["NaN weight",
      (t) => (t["simulator.readout.weight"].data as Float32Array)[2] = NaN,
      /"simulator\.readout\.weight"\[2\] is NaN; it must be finite/], ["integer tensor",
      (t) => t["simulator.readout.bias"] = { dtype: "I32", shape: [1], data: new Int32Array(1) },
      /has dtype I32, expected a float type/], ["zero std",
      (t) => (t["normalization.y_std"].data as Float32Array)[0] = 0, /normalization\.y_std must be > 0/], [
      "settings the tensors do not bear out",
      (_t, m) => m.config = JSON.stringify({ ...JSON.parse(m.config), hiddenSize: 7 }),
      /Simulator\.load: tensor "simulator\.rnn\.weight_ih_l0" has shape \[18,1\], expected \[21,1\]/,
    ], ["huge settings", (_t, m) => m.config = JSON.stringify({ ...JSON.parse(m.config), hiddenSize: 1 << 20 }),
      /Simulator\.load: the file's settings are invalid/], ["not a simulator", (_t, m) => m.format = "something",
      /Simulator\.load: __metadata__ has no simulator settings/], ["config not JSON", (_t, m) => m.config = "{",
      /Simulator\.load: the file's settings are invalid/]];
    for (const [name, damage, message] of cases) {
      const t = base(), m = { ...metadata };
      damage(t, m);
      expect(() => Simulator.load(safetensors.write(t, m)), name).toThrow(message);
    }
    const after = live.simulate(rec.u, { y: rec.y });
    expect(Buffer.from(after.buffer).equals(Buffer.from(before.buffer))).toBe(true);
    const back = Simulator.load(live.save());
    expect(Buffer.from(back.simulate(rec.u, { y: rec.y }).buffer).equals(Buffer.from(before.buffer))).toBe(true);
    back.dispose();
    live.dispose();
  }, 60_000);
});
