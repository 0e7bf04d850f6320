// Plain-JavaScript check of every case in test/fixtures/{elman,lstm,gru}.json (full and truncated)
// through the public API, at the foundation's tolerances (forward 1e-5 + 1e-4 rel, gradients 1e-4 +
// 1e-3 rel), for child processes that run a different build (relaxed-child.mjs, threads-child.mjs).
// Returns { cases, failures } (failures: the first mismatching element of each tensor).
import { readFileSync } from "node:fs";
import { RNN, LSTM, GRU } from "../../dist/index.js";

const F32 = (a) => Float32Array.from(a);

export function checkAllFixtures({ stateGrads = false } = {}) {
  const out = { cases: 0, failures: [] };
  const close = (label, got, want, atol, rtol) => {
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) {
        out.failures.push(`${label}[${i}]: ${got[i]} vs ${want[i]}`);
        return;
      }
    }
  };
  for (const file of ["elman", "lstm", "gru"]) {
    const fx = JSON.parse(readFileSync(new URL(`../fixtures/${file}.json`, import.meta.url), "utf8"));
    for (const cs of [...fx.cases, ...fx.truncated]) {
      const base = { inputSize: cs.I, hiddenSize: cs.H, numLayers: cs.numLayers, bidirectional: cs.bidirectional };
      const layer = cs.mode === "lstm"
        ? new LSTM(base)
        : cs.mode === "gru"
        ? new GRU(base)
        : new RNN({ ...base, nonlinearity: cs.nonlinearity });
      layer.loadStateDict(Object.fromEntries(Object.entries(cs.params).map(([k, v]) => [k, F32(v)])));
      const o = { batch: cs.B, steps: cs.T, lengths: Int32Array.from(cs.lengths), h0: F32(cs.h0) };
      if (cs.mode === "lstm") o.c0 = F32(cs.c0);
      const r = layer.forward(F32(cs.x), o);
      close(`${cs.name} output`, r.output, cs.output, 1e-5, 1e-4);
      close(`${cs.name} hN`, r.hN, cs.hN, 1e-5, 1e-4);
      if (cs.mode === "lstm") close(`${cs.name} cN`, r.cN, cs.cN, 1e-5, 1e-4);
      const g = { output: F32(cs.gOutput), hN: F32(cs.gHN) };
      if (cs.mode === "lstm") g.cN = F32(cs.gCN);
      const d = layer.backward(g, { ...(cs.truncate ? { truncate: cs.truncate } : {}),
        ...(stateGrads ? { stateGrads: true } : {}) });
      close(`${cs.name} dx`, d.x, cs.dx, 1e-4, 1e-3);
      close(`${cs.name} dh0`, d.h0, cs.dh0, 1e-4, 1e-3);
      if (cs.mode === "lstm") close(`${cs.name} dc0`, d.c0, cs.dc0, 1e-4, 1e-3);
      if (stateGrads && cs.dh) close(`${cs.name} dh`, d.dh, cs.dh, 1e-4, 1e-3);
      const grads = layer.grads();
      for (const k of Object.keys(cs.grads)) close(`${cs.name} ${k}`, grads[k], cs.grads[k], 1e-4, 1e-3);
      layer.dispose();
      out.cases++;
    }
  }
  return out;
}
