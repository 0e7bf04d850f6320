// A two-tank water system simulated from Torricelli's law with overflow (the shape of the Cascaded
// Tanks benchmark): the pump voltage u fills the upper tank, which drains through a hole into the
// lower tank, which drains too; a tank filled past its height overflows (its level is clipped).
//   dx1/dt = −k1 √x1 + k4 u,   dx2/dt = k2 √x1 − k3 √x2,   0 ≤ x ≤ 10,   y = x2 + noise
// Integrated by explicit Euler with 20 substeps per 4 s sample; u is piecewise constant (random
// levels held for `hold` samples).
import { lcg } from "./index.js";

export function twoTanks(N: number, seed: number, hold = 25): { u: Float32Array; y: Float32Array } {
  const rnd = lcg(seed), u = new Float32Array(N), y = new Float32Array(N);
  let x1 = 2, x2 = 2, level = 5;
  for (let t = 0; t < N; t++) {
    if (t % hold === 0) level = 5 + 6 * rnd(); // rnd() is uniform in [−0.5, 0.5)
    u[t] = level;
    for (let k = 0; k < 20; k++) {
      const dt = 0.2;
      x1 = Math.min(Math.max(x1 + dt * (-0.15 * Math.sqrt(x1) + 0.06 * u[t]), 0), 10);
      x2 = Math.min(Math.max(x2 + dt * (0.15 * Math.sqrt(x1) - 0.135 * Math.sqrt(x2)), 0), 10);
    }
    y[t] = x2 + 0.02 * rnd();
  }
  return { u, y };
}
