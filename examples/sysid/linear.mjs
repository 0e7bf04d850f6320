// The linear path beside the recurrent simulator: ŷ_t = ŷ^lin_t + r̂_t, where ŷ^lin is the free-run
// simulation of a linear ARX model (least squares, arx.mjs) started from the window's measured y,
// and r̂ is a recurrent Simulator that reads [u_t, ŷ^lin_t] and simulates the residual y − ŷ^lin.
// The linear part carries the amplitude out of the training range (where a GRU saturates); the
// recurrent part the nonlinearity. Each training segment's linear simulation starts from its own
// window, as on a test record, so the window's residual is zero and the encoder reads the
// measured y through the ŷ^lin channel.
import { simulateArx } from "./arx.mjs";

/** The linear simulation over the whole record [N]: the measured y on the window, then free run. */
export function linearSimulation(m, u, yWindow, n) {
  const N = u.length, y = new Float64Array(N), out = new Float32Array(N);
  for (let t = 0; t < n; t++) y[t] = yWindow[t];
  out.set(yWindow.subarray(0, n));
  out.set(simulateArx(m, u, y, n), n);
  return out;
}

/** The recurrent part's record: u' = [u_t, ŷ^lin_t] (two channels, row-major), y' = y − ŷ^lin. */
export function residualRecord(m, { u, y }, n) {
  const lin = linearSimulation(m, u, y, n), N = u.length, u2 = new Float32Array(2 * N), r = new Float32Array(N);
  for (let t = 0; t < N; t++) {
    u2[2 * t] = u[t];
    u2[2 * t + 1] = lin[t];
    r[t] = y[t] - lin[t];
  }
  return { u: u2, y: r, lin };
}

/** Training segments of window + steps samples every `stride` samples (and the last one), each
 *  with its own linear simulation: a list of records for Simulator.fit. */
export function residualSegments(m, rec, n, steps, stride) {
  const N = rec.u.length, L = n + steps, out = [];
  const starts = [];
  for (let s = 0; s + L <= N; s += stride) starts.push(s);
  if ((N - L) % stride !== 0) starts.push(N - L);
  for (const s of starts) {
    const { u, y } = residualRecord(m, { u: rec.u.subarray(s, s + L), y: rec.y.subarray(s, s + L) }, n);
    out.push({ u, y });
  }
  return out;
}

/** Free-run simulation of the linear path + recurrent residual over a record, reading only u and
 *  the window's y; returns steps n … N−1. */
export function simulateWithLinear(sim, m, u, yWindow, n) {
  const { u: u2, lin } = residualRecord(m, { u, y: padWindow(yWindow, u.length, n) }, n);
  const r = sim.simulate(u2, { y: new Float32Array(n) });
  for (let i = 0; i < r.length; i++) r[i] += lin[n + i];
  return r;
}

function padWindow(yWindow, N, n) {
  const y = new Float32Array(N);
  y.set(yWindow.subarray(0, n));
  return y;
}
