// The recurrent stack's input of a float model as ONNX nodes, as the model stages it
// (nn/model/data.ts): the features "x"; for inputMask models [x ⊙ mask, mask] (a missing value,
// NaN too, becomes 0); for timeGap models then the time since the last step with an observation
// (0 before any), from "times" in float64 and rounded to float32.
import type { ModelSettings } from "../nn/model/config.js";
import type { Builder } from "./onnx-graph.js";
import { FLOAT, INT64 } from "./onnx-proto.js";

/** The [B, T, width] input of the first recurrent layer (width: recurrentInputSize). */
export function recurrentInput(g: Builder, cfg: ModelSettings): string {
  if (!cfg.inputMask && !cfg.timeGap) return "x";
  const axis = (i: number) => [{ name: "axis", i }];
  const parts = ["x"];
  if (cfg.inputMask) {
    const observed = g.one("Not", [g.one("Equal", ["mask", g.scalar(FLOAT, 0)])]);
    parts[0] = g.one("Where", [observed, "x", g.scalar(FLOAT, 0)]);
    parts.push("mask");
  }
  if (cfg.timeGap) {
    let gap: string;
    if (!cfg.inputMask) {
      // every step is an observation: t[k] − t[k − 1], and t[0] − t[0] = 0 at the first step
      const first = g.one("Slice", ["times", g.ints([0]), g.ints([1]), g.ints([1])]);
      const before = g.one("Slice", ["times", g.ints([0]), g.ints([-1]), g.ints([1])]);
      gap = g.one("Cast", [g.one("Sub", ["times", g.one("Concat", [first, before], axis(1))])], [{ name: "to",
        i: FLOAT }]);
    } else {
      // the last step j < k with any feature observed: max over j of (j < k and observed[j] ? j : −1)
      const any = g.one("Not", [
        g.one("Equal", [g.one("ReduceMax", ["mask"], [{ name: "axes", ints: [2] }, { name: "keepdims", i: 0 }]),
          g.scalar(FLOAT, 0)]),
      ]);
      const steps = g.steps(), j = g.one("Unsqueeze", [steps, g.ints([0])]),
        k = g.one("Unsqueeze", [steps, g.ints([1])]);
      const candidate = g.one("And", [g.one("Less", [j, k]), g.one("Unsqueeze", [any, g.ints([1])])]);
      const last = g.one("ReduceMax", [g.one("Where", [candidate, j, g.scalar(INT64, -1)])], [{ name: "axes",
        ints: [2] }, { name: "keepdims", i: 0 }]);
      const none = g.one("Less", [last, g.scalar(INT64, 0)]);
      const at = g.one("GatherElements", ["times", g.one("Where", [none, g.scalar(INT64, 0), last])], axis(1));
      const diff = g.one("Cast", [g.one("Sub", ["times", at])], [{ name: "to", i: FLOAT }]);
      gap = g.one("Where", [none, g.scalar(FLOAT, 0), diff]);
    }
    parts.push(g.one("Unsqueeze", [gap, g.ints([2])]));
  }
  return g.one("Concat", parts, axis(2));
}
