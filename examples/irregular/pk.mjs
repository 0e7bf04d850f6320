// The one-compartment pharmacokinetic model with first-order absorption, and its least-squares fit
// (Levenberg–Marquardt on log-parameters, several starts): the physics baseline of the
// theophylline forecasts in examples/irregular/run.mjs.

/** One-compartment, first-order absorption: concentration (mg/L) at t (h) after dose D (mg). */
export const oneCompartment = (p, D, t) => {
  const [ka, ke, V] = p;
  if (Math.abs(ka - ke) < 1e-9) return (D / V) * ka * t * Math.exp(-ke * t);
  return ((D * ka) / (V * (ka - ke))) * (Math.exp(-ke * t) - Math.exp(-ka * t));
};
/** Least squares by Levenberg–Marquardt on log-parameters (the free ones of `free`), from several
 *  starts; returns the best [ka, ke, V]. */
export function fitCompartment(D, ts, cs, fixedKe = null) {
  const free = fixedKe === null ? [0, 1, 2] : [0, 2];
  const full = (q) => {
    const p = [Math.exp(q[0]), fixedKe ?? Math.exp(q[1]), Math.exp(q[2])];
    return p;
  };
  const sse = (q) => ts.reduce((s, t, i) => s + (oneCompartment(full(q), D, t) - cs[i]) ** 2, 0);
  let best = null;
  for (const ka of [0.5, 1.5, 4]) {
    for (const ke of fixedKe === null ? [0.03, 0.08, 0.2] : [fixedKe]) {
      for (const V of [20, 35, 60]) {
        let q = [Math.log(ka), Math.log(ke), Math.log(V)], f = sse(q), lambda = 1e-2;
        for (let it = 0; it < 300; it++) {
          // residuals and their Jacobian (central differences) in the free coordinates
          const r = ts.map((t, i) => oneCompartment(full(q), D, t) - cs[i]);
          const J = ts.map((t) =>
            free.map((j) => {
              const a = q.slice(), b = q.slice();
              a[j] += 1e-6;
              b[j] -= 1e-6;
              return (oneCompartment(full(a), D, t) - oneCompartment(full(b), D, t)) / 2e-6;
            })
          );
          const k = free.length,
            A = Array.from({ length: k },
              (_, i) => Array.from({ length: k }, (_, j) => J.reduce((s, row) => s + row[i] * row[j], 0)));
          const g = free.map((_, i) => J.reduce((s, row, n) => s + row[i] * r[n], 0));
          let improved = false;
          for (let tries = 0; tries < 20 && !improved; tries++) {
            const M = A.map((row, i) => row.map((v, j) => v + (i === j ? lambda * (v + 1e-12) : 0)));
            const step = solveSmall(M, g.map((v) => -v));
            if (!step) {
              lambda *= 10;
              continue;
            }
            const q2 = q.slice();
            free.forEach((j, i) => {
              q2[j] += step[i];
            });
            const f2 = sse(q2);
            if (f2 < f) {
              q = q2;
              f = f2;
              lambda = Math.max(lambda / 3, 1e-9);
              improved = true;
            } else lambda *= 10;
          }
          if (!improved) break;
        }
        if (!best || f < best.f) best = { f, p: full(q) };
      }
    }
  }
  return best.p;
}
/** Gaussian elimination with partial pivoting for a tiny system (null if singular). */
function solveSmall(M, b) {
  const n = b.length, a = M.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-300) return null;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}
