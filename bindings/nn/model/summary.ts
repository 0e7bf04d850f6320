// Model.summary(): a table of the model's modules in the order of its parameters (Keras'
// model.summary()), each with its type, output shape and parameter count, then the total. Pure:
// reads the checked config and the parameter slots, allocates no WebAssembly memory.
import { CELLS } from "../../core/cells.js";
import type { TensorSlot } from "../params.js";
import { MODEL_CELLS } from "./cells.js";
import type { ModelSettings } from "./config.js";

/** One row of the table: a module's name, what it is, its output shape, its parameters. */
interface Row {
  name: string;
  type: string;
  shape: string;
  params: number;
}

const count = (n: number) => n.toLocaleString("en-US");

/** The summary table of a model (see Model.summary). */
export function modelSummary(cfg: ModelSettings, slots: readonly TensorSlot[]): string {
  const D = cfg.bidirectional ? 2 : 1, F = D * cfg.hiddenSize, seq = cfg.readout === "sequence";
  // rows of the readout side: (batch, steps, n) per step, (batch, n) per sequence
  const out = (n: number) => (seq ? `(batch, steps, ${n})` : `(batch, ${n})`);
  // the modules: the first name component of each slot ("head.0.weight": "head.0"), in slot order
  const groups = new Map<string, TensorSlot[]>();
  for (const s of slots) {
    const parts = s.name.split(".");
    const key = parts[0] === "head" ? `head.${parts[1]}` : parts[0];
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const rows: Row[] = [];
  const layer = CELLS[MODEL_CELLS[cfg.cell].layer];
  for (const [key, ss] of groups) {
    const params = ss.reduce((a, s) => a + s.size, 0);
    if (key === "rnn") {
      const what = [cfg.cell === "odegru" ? "ODE-RNN, GRU" : layer.name,
        cfg.numLayers > 1 ? `${cfg.numLayers} layers` : "", cfg.bidirectional ? "bidirectional" : ""];
      // a "last" readout reads each sequence's final state: the stack's output is then (batch, F)
      rows.push({ name: "rnn", type: what.filter(Boolean).join(", "), shape: out(F), params });
    } else if (key.startsWith("head.")) {
      const Wd = ss[0].shape[0];
      rows.push({ name: key, type: "Linear", shape: out(Wd), params });
      rows.push({ name: `head.${Number(key.slice(5)) + 1}`, type: cfg.head.activation === "relu" ? "ReLU" : "Tanh",
        shape: out(Wd), params: 0 });
    } else if (key === "readout") {
      rows.push({ name: "readout", type: "Linear", shape: out(cfg.outputSize), params });
    } else if (key === "h0" || key === "c0") {
      const per = typeof cfg.initialState === "object" ? `, ${cfg.initialState.perClass} classes` : "";
      rows.push({ name: key, type: `learned initial ${key === "h0" ? "state" : "cell state"}${per}`,
        shape: `[${ss[0].shape.join(", ")}]`, params });
    } else if (key === "embedding") {
      rows.push({ name: key, type: "Embedding", shape: `(batch, steps, ${ss[0].shape[1]})`, params });
    } else if (key === "ode") {
      rows.push({ name: key, type: "ODE function f (MLP)", shape: `(batch, ${cfg.hiddenSize})`, params });
    } else {
      rows.push({ name: key, type: "", shape: "", params });
    }
  }
  const total = slots.reduce((a, s) => a + s.size, 0);
  const head = ["Layer", "Type", "Output shape", "Param #"];
  const cells = rows.map((r) => [r.name, r.type, r.shape, count(r.params)]);
  const widths = head.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j].length)));
  const line = (c: string[]) =>
    c.map((v, j) => (j === 3 ? v.padStart(widths[j]) : v.padEnd(widths[j]))).join("  ").trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1));
  return [
    `Model: cell ${JSON.stringify(cfg.cell)}, readout ${JSON.stringify(cfg.readout)}, loss ${JSON.stringify(cfg.loss)}`,
    rule("─"),
    line(head),
    rule("═"),
    ...cells.map(line),
    rule("═"),
    `Total params: ${count(total)} (${count(total * 4)} bytes as float32)`,
    `Trainable params: ${count(total)}`,
  ].join("\n");
}
