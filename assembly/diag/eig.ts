// Eigenvalues of a real square matrix (for the spectral radius of W_hh), in f64:
// balancing by powers of two, reduction to upper Hessenberg form by Gaussian elimination with
// partial pivoting (a similarity transform), then the Francis double-shift QR iteration with
// deflation on small subdiagonal entries. Complex eigenvalues come out in conjugate pairs.

// @ts-ignore: decorator
@inline function A(a: usize, n: i32, i: i32, j: i32): f64 {
  return load<f64>(a + ((<usize>i * n + j) << 3));
}
// @ts-ignore: decorator
@inline function S(a: usize, n: i32, i: i32, j: i32, v: f64): void {
  store<f64>(a + ((<usize>i * n + j) << 3), v);
}

function sign(a: f64, b: f64): f64 {
  return b >= 0 ? Math.abs(a) : -Math.abs(a);
}

/** Balance rows and columns by powers of two (no rounding error) so that their norms are close. */
function balance(n: i32, a: usize): void {
  let done = false;
  while (!done) {
    done = true;
    for (let i = 0; i < n; i++) {
      let r: f64 = 0, c: f64 = 0;
      for (let j = 0; j < n; j++) {
        if (j != i) {
          c += Math.abs(A(a, n, j, i));
          r += Math.abs(A(a, n, i, j));
        }
      }
      if (c == 0 || r == 0) continue;
      const s = c + r;
      let g = r / 2, f: f64 = 1;
      while (c < g) {
        f *= 2;
        c *= 4;
      }
      g = r * 2;
      while (c > g) {
        f /= 2;
        c /= 4;
      }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        for (let j = 0; j < n; j++) S(a, n, i, j, A(a, n, i, j) / f);
        for (let j = 0; j < n; j++) S(a, n, j, i, A(a, n, j, i) * f);
      }
    }
  }
}

/** Reduce to upper Hessenberg form in place (elimination with pivoting); zero below it. */
function hessenberg(n: i32, a: usize): void {
  for (let m = 1; m < n - 1; m++) {
    let x: f64 = 0, piv = m;
    for (let j = m; j < n; j++) {
      if (Math.abs(A(a, n, j, m - 1)) > Math.abs(x)) {
        x = A(a, n, j, m - 1);
        piv = j;
      }
    }
    if (piv != m) {
      for (let j = m - 1; j < n; j++) {
        const t = A(a, n, piv, j);
        S(a, n, piv, j, A(a, n, m, j));
        S(a, n, m, j, t);
      }
      for (let j = 0; j < n; j++) {
        const t = A(a, n, j, piv);
        S(a, n, j, piv, A(a, n, j, m));
        S(a, n, j, m, t);
      }
    }
    if (x == 0) continue;
    for (let i = m + 1; i < n; i++) {
      let y = A(a, n, i, m - 1);
      if (y == 0) continue;
      y /= x;
      S(a, n, i, m - 1, 0);
      for (let j = m; j < n; j++) S(a, n, i, j, A(a, n, i, j) - y * A(a, n, m, j));
      for (let j = 0; j < n; j++) S(a, n, j, m, A(a, n, j, m) + y * A(a, n, j, i));
    }
  }
  for (let i = 2; i < n; i++) for (let j = 0; j < i - 1; j++) S(a, n, i, j, 0);
}

/** Eigenvalues of the upper Hessenberg matrix a (destroyed) into wr, wi (f64[n]). Returns 0, or −1
 *  if an eigenvalue needed more than 60 iterations. */
function hqr(n: i32, a: usize, wr: usize, wi: usize): i32 {
  let anorm: f64 = 0;
  for (let i = 0; i < n; i++) for (let j = max(i - 1, 0); j < n; j++) anorm += Math.abs(A(a, n, i, j));
  let nn = n - 1, t: f64 = 0;
  let p: f64 = 0, q: f64 = 0, r: f64 = 0, s: f64 = 0, w: f64 = 0, x: f64 = 0, y: f64 = 0, z: f64 = 0;
  while (nn >= 0) {
    let its = 0, l = 0;
    do {
      // look for a negligible subdiagonal element a[l][l−1]
      for (l = nn; l >= 1; l--) {
        s = Math.abs(A(a, n, l - 1, l - 1)) + Math.abs(A(a, n, l, l));
        if (s == 0) s = anorm;
        if (Math.abs(A(a, n, l, l - 1)) + s == s) {
          S(a, n, l, l - 1, 0);
          break;
        }
      }
      x = A(a, n, nn, nn);
      if (l == nn) { // one real root
        store<f64>(wr + (<usize>nn << 3), x + t);
        store<f64>(wi + (<usize>nn << 3), 0);
        nn--;
      } else {
        y = A(a, n, nn - 1, nn - 1);
        w = A(a, n, nn, nn - 1) * A(a, n, nn - 1, nn);
        if (l == nn - 1) { // a 2×2 block: two roots
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + sign(z, p);
            store<f64>(wr + (<usize>(nn - 1) << 3), x + z);
            store<f64>(wr + (<usize>nn << 3), z != 0 ? x - w / z : x + z);
            store<f64>(wi + (<usize>(nn - 1) << 3), 0);
            store<f64>(wi + (<usize>nn << 3), 0);
          } else {
            store<f64>(wr + (<usize>(nn - 1) << 3), x + p);
            store<f64>(wr + (<usize>nn << 3), x + p);
            store<f64>(wi + (<usize>(nn - 1) << 3), -z);
            store<f64>(wi + (<usize>nn << 3), z);
          }
          nn -= 2;
        } else { // a double-shift QR step on rows l..nn
          if (its == 60) return -1;
          if (its == 10 || its == 20 || its == 40) { // exceptional shift
            t += x;
            for (let i = 0; i <= nn; i++) S(a, n, i, i, A(a, n, i, i) - x);
            s = Math.abs(A(a, n, nn, nn - 1)) + Math.abs(A(a, n, nn - 1, nn - 2));
            x = 0.75 * s;
            y = x;
            w = -0.4375 * s * s;
          }
          its++;
          let m = nn - 2;
          for (; m >= l; m--) { // two consecutive small subdiagonal elements?
            z = A(a, n, m, m);
            r = x - z;
            s = y - z;
            p = (r * s - w) / A(a, n, m + 1, m) + A(a, n, m, m + 1);
            q = A(a, n, m + 1, m + 1) - z - r - s;
            r = A(a, n, m + 2, m + 1);
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m == l) break;
            const u = Math.abs(A(a, n, m, m - 1)) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(A(a, n, m - 1, m - 1)) + Math.abs(z) + Math.abs(A(a, n, m + 1, m + 1)));
            if (u + v == v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            S(a, n, i, i - 2, 0);
            if (i != m + 2) S(a, n, i, i - 3, 0);
          }
          for (let k = m; k <= nn - 1; k++) { // chase the bulge
            if (k != m) {
              p = A(a, n, k, k - 1);
              q = A(a, n, k + 1, k - 1);
              r = k != nn - 1 ? A(a, n, k + 2, k - 1) : 0;
              x = Math.abs(p) + Math.abs(q) + Math.abs(r);
              if (x != 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            s = sign(Math.sqrt(p * p + q * q + r * r), p);
            if (s == 0) continue;
            if (k == m) {
              if (l != m) S(a, n, k, k - 1, -A(a, n, k, k - 1));
            } else {
              S(a, n, k, k - 1, -s * x);
            }
            p += s;
            x = p / s;
            y = q / s;
            z = r / s;
            q /= p;
            r /= p;
            for (let j = k; j <= nn; j++) { // rows k, k+1, k+2
              p = A(a, n, k, j) + q * A(a, n, k + 1, j);
              if (k != nn - 1) {
                p += r * A(a, n, k + 2, j);
                S(a, n, k + 2, j, A(a, n, k + 2, j) - p * z);
              }
              S(a, n, k + 1, j, A(a, n, k + 1, j) - p * y);
              S(a, n, k, j, A(a, n, k, j) - p * x);
            }
            const mmin = nn < k + 3 ? nn : k + 3;
            for (let i = l; i <= mmin; i++) { // columns k, k+1, k+2
              p = x * A(a, n, i, k) + y * A(a, n, i, k + 1);
              if (k != nn - 1) {
                p += z * A(a, n, i, k + 2);
                S(a, n, i, k + 2, A(a, n, i, k + 2) - p * r);
              }
              S(a, n, i, k + 1, A(a, n, i, k + 1) - p * q);
              S(a, n, i, k, A(a, n, i, k) - p);
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return 0;
}

/** Eigenvalues of the square f32 matrix M [n,n] (leading dimension ld): real parts into wr,
 *  imaginary parts into wi (f32[n] each, in no particular order; conjugate pairs adjacent).
 *  work: 8·n·(n + 2) bytes. Returns 0, or −1 if the QR iteration did not converge. */
export function eig_values(n: i32, m: usize, ld: i32, wr: usize, wi: usize, work: usize): i32 {
  const a = work, wr64 = work + ((<usize>n * n) << 3), wi64 = wr64 + (<usize>n << 3);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S(a, n, i, j, <f64>load<f32>(m + ((<usize>i * ld + j) << 2)));
  balance(n, a);
  hessenberg(n, a);
  const rc = hqr(n, a, wr64, wi64);
  for (let i = 0; i < n; i++) {
    store<f32>(wr + (<usize>i << 2), <f32>load<f64>(wr64 + (<usize>i << 3)));
    store<f32>(wi + (<usize>i << 2), <f32>load<f64>(wi64 + (<usize>i << 3)));
  }
  return rc;
}
