// Learned initial states: a table of n rows, each [LD, H] (one state per layer and direction);
// every sequence b picks row classes[b] (classes = 0 means row 0 for all: one shared learned state).

/** dst[ld, b, :] = table[classes[b], ld, :] for a batch; dst is [LD, B, H]. */
export function init_state_gather(dst: usize, table: usize, classes: usize, B: i32, LD: i32, H: i32): void {
  const row = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const k = classes == 0 ? 0 : load<i32>(classes + (<usize>b << 2));
    for (let ld = 0; ld < LD; ld++) {
      memory.copy(dst + (<usize>(ld * B + b)) * row, table + (<usize>(k * LD + ld)) * row, row);
    }
  }
}

/** dtable[classes[b], ld, :] += src[ld, b, :]: the gradient of the table from ∂L/∂h0 [LD, B, H]. */
export function init_state_scatter_add(dtable: usize, src: usize, classes: usize, B: i32, LD: i32, H: i32): void {
  for (let b = 0; b < B; b++) {
    const k = classes == 0 ? 0 : load<i32>(classes + (<usize>b << 2));
    for (let ld = 0; ld < LD; ld++) {
      const pd = dtable + ((<usize>(k * LD + ld) * H) << 2), ps = src + ((<usize>(ld * B + b) * H) << 2);
      let j = 0;
      for (; j + 4 <= H; j += 4) {
        v128.store(pd + (<usize>j << 2), f32x4.add(v128.load(pd + (<usize>j << 2)), v128.load(ps + (<usize>j << 2))));
      }
      for (; j < H; j++) {
        store<f32>(pd + (<usize>j << 2), load<f32>(pd + (<usize>j << 2)) + load<f32>(ps + (<usize>j << 2)));
      }
    }
  }
}
