// Householder QR for orthogonal initialization: Q of A = QR (A [m,n], m ≥ n, row-major f32), with
// Q's columns multiplied by sign(R_ii) so that R has a positive diagonal (then Q is Haar-distributed
// when A is Gaussian — PyTorch's orthogonal_ does the same correction).
//
// Blocked like LAPACK's geqrf/orgqr: panels of NB columns are factored one reflector at a time
// (H_k = I − τ_k v_k v_kᵀ, v_k[k] = 1), each panel's reflectors are combined into the compact WY
// form I − V T Vᵀ (T upper triangular), and the trailing matrix and then Q are updated with GEMMs
// (gemm_f32_4x8_wasmsimd), so H = 1024 takes a fraction of a second.

import { gemm_f32_4x8_wasmsimd as gemm, scale_f32_wasmsimd } from "../linalg";

// @ts-ignore: decorator
@inline const NB: i32 = 32;

// @ts-ignore: decorator
@inline function at(p: usize, ld: i32, i: i32, j: i32): usize {
  return p + ((<usize>i * ld + j) << 2);
}

/** Workspace floats for qr_orthogonal(m, n). */
export function qr_work_floats(m: i32, n: i32): i32 {
  return m * NB + NB * NB + 2 * NB * n + 2 * ((n + 3) & ~3) + 3 * NB;
}

/** Overwrite A [m,n] (m ≥ n ≥ 1, leading dimension n) with the sign-corrected Q of its QR
 *  factorization, times gain. work: qr_work_floats(m, n) f32. */
export function qr_orthogonal(m: i32, n: i32, a: usize, gain: f32, work: usize): void {
  const V = work; // [m, NB]  the panel's reflectors, explicit
  const Tm = V + ((<usize>m * NB) << 2); // [NB, NB] the WY factor T
  const W1 = Tm + ((<usize>NB * NB) << 2); // [NB, n]
  const W2 = W1 + ((<usize>NB * n) << 2); // [NB, n]
  const sgn = W2 + ((<usize>NB * n) << 2); // [n] sign(R_ii)
  const allTau = sgn + (<usize>((n + 3) & ~3) << 2); // [n] τ of every reflector (T is rebuilt per panel)
  const taus = allTau + (<usize>((n + 3) & ~3) << 2); // [NB] τ of the current panel
  const z = taus + (<usize>NB << 2); // f64 [NB] scratch of buildT
  const npanels = (n + NB - 1) / NB;

  // 1. factor: A ← R (upper) with the reflectors below the diagonal
  for (let pj = 0; pj < npanels; pj++) {
    const j0 = pj * NB, jb = min(NB, n - j0);
    for (let k = j0; k < j0 + jb; k++) {
      // reflector for column k, rows k..m−1
      const alpha = <f64>load<f32>(at(a, n, k, k));
      let xn: f64 = 0;
      for (let i = k + 1; i < m; i++) {
        const v = <f64>load<f32>(at(a, n, i, k));
        xn += v * v;
      }
      let tau: f64 = 0, beta = alpha;
      if (xn > 0) {
        beta = -(alpha >= 0 ? 1.0 : -1.0) * Math.sqrt(alpha * alpha + xn);
        tau = (beta - alpha) / beta;
        const sc = <f32>(1 / (alpha - beta));
        for (let i = k + 1; i < m; i++) store<f32>(at(a, n, i, k), load<f32>(at(a, n, i, k)) * sc);
      }
      store<f32>(at(a, n, k, k), <f32>beta);
      store<f32>(sgn + (<usize>k << 2), beta >= 0 ? <f32>1 : <f32>-1);
      store<f32>(taus + (<usize>(k - j0) << 2), <f32>tau);
      store<f32>(allTau + (<usize>k << 2), <f32>tau);
      // apply H_k to the rest of the panel: columns k+1 .. j0+jb−1
      if (tau != 0) {
        for (let j = k + 1; j < j0 + jb; j++) {
          let w: f64 = <f64>load<f32>(at(a, n, k, j));
          for (let i = k + 1; i < m; i++) w += <f64>load<f32>(at(a, n, i, k)) * <f64>load<f32>(at(a, n, i, j));
          const tw = <f32>(tau * w);
          store<f32>(at(a, n, k, j), load<f32>(at(a, n, k, j)) - tw);
          for (let i = k + 1; i < m; i++) {
            store<f32>(at(a, n, i, j), load<f32>(at(a, n, i, j)) - load<f32>(at(a, n, i, k)) * tw);
          }
        }
      }
    }
    const nc = n - j0 - jb;
    if (nc > 0) {
      const mr = m - j0;
      panelV(a, n, m, j0, jb, V);
      buildT(mr, jb, V, taus, Tm, z);
      // trailing C = A[j0:m, j0+jb:n] ← (I − V T Vᵀ)ᵀ C = C − V Tᵀ (Vᵀ C)
      const C = at(a, n, j0, j0 + jb);
      gemm(jb, nc, mr, V, 1, NB, C, n, W1, n, false); // W1 = Vᵀ C      [jb, nc]
      gemm(jb, nc, jb, Tm, 1, NB, W1, n, W2, n, false); // W2 = Tᵀ W1
      scale_f32_wasmsimd(jb * n, -1, W2);
      gemm(mr, nc, jb, V, NB, 1, W2, n, C, n, true); // C += V (−W2)
    }
  }

  // 2. form Q: start from [I; 0] in a scratch copy of the reflectors, apply panels in reverse.
  //    The reflectors live in A's strict lower part, so each panel's V is copied out before Q's
  //    columns j0.. overwrite it; columns left of j0 are never touched again.
  for (let pj = npanels - 1; pj >= 0; pj--) {
    const j0 = pj * NB, jb = min(NB, n - j0), mr = m - j0, nc = n - j0;
    panelV(a, n, m, j0, jb, V);
    buildT(mr, jb, V, allTau + (<usize>j0 << 2), Tm, z);
    // Q[j0:m, j0:n] before this panel is H_{j0+jb} … H_{n−1} applied to [I; 0]: the panel's own
    // columns are identity columns, and the panel's rows right of it are zero (they held R)
    for (let i = j0; i < m; i++) {
      for (let j = j0; j < j0 + jb; j++) store<f32>(at(a, n, i, j), i == j ? <f32>1 : <f32>0);
    }
    for (let i = j0; i < j0 + jb; i++) for (let j = j0 + jb; j < n; j++) store<f32>(at(a, n, i, j), 0);
    const C = at(a, n, j0, j0);
    gemm(jb, nc, mr, V, 1, NB, C, n, W1, n, false); // W1 = Vᵀ Q
    gemm(jb, nc, jb, Tm, NB, 1, W1, n, W2, n, false); // W2 = T W1
    scale_f32_wasmsimd(jb * n, -1, W2);
    gemm(mr, nc, jb, V, NB, 1, W2, n, C, n, true); // Q += V (−W2)
  }

  // 3. sign correction and gain: Q[:, j] *= sign(R_jj) · gain
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const p = at(a, n, i, j);
      store<f32>(p, load<f32>(p) * load<f32>(sgn + (<usize>j << 2)) * gain);
    }
  }
}

/** Copy the reflectors of panel j0 (columns j0..j0+jb−1, rows j0..m−1) into V [m−j0, NB] with
 *  the implicit unit diagonal and zeros above it. */
function panelV(a: usize, n: i32, m: i32, j0: i32, jb: i32, V: usize): void {
  for (let i = 0; i < m - j0; i++) {
    for (let k = 0; k < NB; k++) {
      let v: f32 = 0;
      if (k < jb) v = i == k ? <f32>1 : i > k ? load<f32>(at(a, n, j0 + i, j0 + k)) : <f32>0;
      store<f32>(at(V, NB, i, k), v);
    }
  }
}

/** T [jb, jb] (leading dimension NB) with H_0 H_1 … H_{jb−1} = I − V T Vᵀ:
 *  T_kk = τ_k, T[0:k, k] = −τ_k · T[0:k, 0:k] · (V[:, 0:k]ᵀ v_k). */
function buildT(mr: i32, jb: i32, V: usize, taus: usize, Tm: usize, z: usize): void {
  memory.fill(Tm, 0, <usize>(NB * NB) << 2);
  for (let k = 0; k < jb; k++) {
    const tau = <f64>load<f32>(taus + (<usize>k << 2));
    for (let i = 0; i < k; i++) {
      let s: f64 = 0;
      for (let r = k; r < mr; r++) s += <f64>load<f32>(at(V, NB, r, i)) * <f64>load<f32>(at(V, NB, r, k));
      store<f64>(z + (<usize>i << 3), s);
    }
    for (let i = 0; i < k; i++) {
      let s: f64 = 0;
      for (let j = i; j < k; j++) s += <f64>load<f32>(at(Tm, NB, i, j)) * load<f64>(z + (<usize>j << 3));
      store<f32>(at(Tm, NB, i, k), <f32>(-tau * s));
    }
    store<f32>(at(Tm, NB, k, k), <f32>tau);
  }
}
