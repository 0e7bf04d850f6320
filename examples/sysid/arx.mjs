// Linear ARX baselines fitted by least squares (float64 normal equations), run in free-run
// simulation: y_t = c + Σ_{i=1..na} a_i y_{t−i} + Σ_{j=0..nb−1} b_j u_{t−nk−j}. Orders are chosen by
// the free-run RMSE on a validation record cut from the training record's end.

/** Solve (A + λI) x = b for a symmetric positive definite A [n, n] (Cholesky, f64). */
function solveSpd(A, b, n) {
  const L = new Float64Array(n * n), lam = 1e-9 * Math.max(1e-12, ...Array.from({ length: n }, (_, i) => A[i * n + i]));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j] + (i === j ? lam : 0);
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j * n + j];
    }
  }
  const z = new Float64Array(n), x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

const at = (a, t) => a[Math.max(0, t)];

function regressors(u, y, t, o) {
  const r = [1];
  for (let i = 1; i <= o.na; i++) r.push(at(y, t - i));
  for (let j = 0; j < o.nb; j++) r.push(at(u, t - o.nk - j));
  return r;
}

/** Least-squares ARX of orders o = { na, nb, nk } on the record { u, y } (one channel each). */
export function fitArx({ u, y }, o) {
  const n = 1 + o.na + o.nb, A = new Float64Array(n * n), b = new Float64Array(n);
  const t0 = Math.max(o.na, o.nk + o.nb - 1);
  for (let t = t0; t < y.length; t++) {
    const r = regressors(u, y, t, o);
    for (let i = 0; i < n; i++) {
      b[i] += r[i] * y[t];
      for (let j = 0; j < n; j++) A[i * n + j] += r[i] * r[j];
    }
  }
  return { ...o, theta: solveSpd(A, b, n) };
}

/** Free-run simulation of an ARX model: the measured y only for t < window; returns steps window…. */
export function simulateArx(m, u, y, window) {
  const s = new Float64Array(u.length);
  for (let t = 0; t < window; t++) s[t] = y[t];
  for (let t = window; t < u.length; t++) {
    const r = regressors(u, s, t, m);
    let v = 0;
    for (let i = 0; i < r.length; i++) v += m.theta[i] * r[i];
    s[t] = v;
  }
  return s.subarray(window);
}

/** Orders na, nb in 1..maxOrder, nk in 0..2, chosen on the validation record; then refitted on the
 *  whole training record. */
export function chooseArx(train, fitPart, valPart, window, maxOrder = 8) {
  let best = null;
  for (let na = 1; na <= maxOrder; na++) {
    for (let nb = 1; nb <= maxOrder; nb++) {
      for (let nk = 0; nk <= 2; nk++) {
        const m = fitArx(fitPart, { na, nb, nk }), p = simulateArx(m, valPart.u, valPart.y, window);
        let s = 0;
        for (let i = 0; i < p.length; i++) s += (p[i] - valPart.y[window + i]) ** 2;
        const e = Math.sqrt(s / p.length);
        if (Number.isFinite(e) && (!best || e < best.validationRmse)) best = { na, nb, nk, validationRmse: e };
      }
    }
  }
  return { ...fitArx(train, best), validationRmse: best.validationRmse };
}
