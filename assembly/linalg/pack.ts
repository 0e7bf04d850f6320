// Packing for the GEMM kernels (XNNPACK keeps packing apart from the kernels that consume it).
//
// A row-major B with a leading dimension of a power of two times 256 bytes (the weights, 4H or 3H
// wide) maps every row of a K×8 panel to one or two of L1's 64 sets, so the panel cannot stay in
// L1 and each k fetches from L2. Packing B once into contiguous K×8 panels removes that, and the
// per-step GEMMs of the recurrences run faster (bench/NOTES.md, "Kernel decisions").

/** Packs B(k, n) = src[k·rs + n·cs] (k < K, n < N) for gemm_f32_4x8_packed: ⌊N/8⌋ panels of
 *  K×8 floats (panel p holds columns 8p..8p+7; B(k, 8p + q) at p·8K + 8k + q), then the last
 *  N mod 8 columns as a row-major K×(N mod 8) block. Same size as B: K·N floats. */
export function pack_panels(K: i32, N: i32, src: usize, rs: i32, cs: i32, dst: usize): void {
  const N8 = N & ~7, R = N - N8;
  if (cs == 1) {
    // row-major B (a row of a panel is 8 consecutive floats): two f32x4 copies per row
    const rb = <usize>rs << 2;
    for (let j = 0; j < N8; j += 8) {
      let ps = src + (<usize>j << 2), q = dst + (<usize>(j * K) << 2);
      for (let k = 0; k < K; k++) {
        v128.store(q, v128.load(ps));
        v128.store(q, v128.load(ps, 16), 16);
        ps += rb;
        q += 32;
      }
    }
  } else {
    for (let j = 0; j < N8; j += 8) {
      const pd = dst + (<usize>(j * K) << 2);
      for (let k = 0; k < K; k++) {
        const ps = src + (<usize>(k * rs + j * cs) << 2), q = pd + (<usize>(k * 8) << 2), c4 = <usize>cs << 2;
        for (let u = 0; u < 8; u++) store<f32>(q + (<usize>u << 2), load<f32>(ps + <usize>u * c4));
      }
    }
  }
  if (R > 0) {
    const pd = dst + (<usize>(N8 * K) << 2);
    for (let k = 0; k < K; k++) {
      for (let u = 0; u < R; u++) {
        store<f32>(pd + (<usize>(k * R + u) << 2), load<f32>(src + (<usize>(k * rs + (N8 + u) * cs) << 2)));
      }
    }
  }
}
