// The embedding's core passes (assembly/nn/embedding.ts) against a plain JavaScript gather and
// scatter-add: rows copied bitwise, zeros past each length, repeated ids accumulating in the order
// b, t, rows of absent ids and ids of padded steps untouched; every error code before any write.
import { beforeAll, describe, expect, it } from "vitest";
import * as C from "../../assembly/constants.ts";
import { core, lcg } from "../helpers/index.ts";

type Core = Awaited<ReturnType<typeof core>>;
let c: Core;
beforeAll(async () => {
  c = await core();
});

/** V, E, B, T; ids [B, T] with garbage (out of range) past each length. */
function setup(V: number, E: number, lengths: number[], T: number, seed: number) {
  const B = lengths.length, rnd = lcg(seed);
  const table = Float32Array.from({ length: V * E }, () => rnd() * 4);
  const ids = new Int32Array(B * T).fill(-7);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]; t++) ids[b * T + t] = Math.floor((rnd() + 0.5) * (V - 1)) % (V - 1); // V − 1 never
  }
  const dout = Float32Array.from({ length: B * T * E }, () => rnd());
  const bytes = { table: 4 * V * E, ids: 4 * B * T, lengths: 4 * B, out: 4 * B * T * E, dout: 4 * B * T * E,
    dtable: 4 * V * E, bad: 4 };
  const at = Object.fromEntries(Object.entries(bytes).map(([k, n]) => [k, c.alloc(n)])) as Record<string, number>;
  const mem = () => c.memory.buffer;
  new Float32Array(mem(), at.table, V * E).set(table);
  new Int32Array(mem(), at.ids, B * T).set(ids);
  new Int32Array(mem(), at.lengths, B).set(lengths);
  new Float32Array(mem(), at.dout, B * T * E).set(dout);
  const free = () => Object.values(at).forEach((p) => c.free(p));
  return { B, table, ids, dout, at, mem, free };
}

describe("embedding_forward / embedding_backward", () => {
  for (const E of [1, 3, 4, 7, 16]) {
    it(`gather and scatter-add, E = ${E}: repeated ids, absent ids, padding`, () => {
      const V = 9, T = 6, lengths = [6, 2, 4, 1];
      const s = setup(V, E, lengths, T, E), { B, at } = s;
      expect(c.embedding_forward(V, E, B, T, at.table, at.ids, at.lengths, at.out, at.bad)).toBe(C.OK);
      const out = new Float32Array(s.mem(), at.out, B * T * E);
      const want = new Float32Array(B * T * E);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < lengths[b]; t++) {
          const id = s.ids[b * T + t];
          want.set(s.table.subarray(id * E, id * E + E), (b * T + t) * E);
        }
      }
      expect(Array.from(out)).toEqual(Array.from(want));
      new Float32Array(s.mem(), at.dtable, V * E).fill(0.5);
      expect(c.embedding_backward(V, E, B, T, at.dtable, at.ids, at.lengths, at.dout, at.bad)).toBe(C.OK);
      const dtable = new Float32Array(V * E).fill(0.5), used = new Set<number>();
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < lengths[b]; t++) {
          const id = s.ids[b * T + t];
          used.add(id);
          for (let j = 0; j < E; j++) {
            dtable[id * E + j] = Math.fround(dtable[id * E + j] + s.dout[(b * T + t) * E + j]);
          }
        }
      }
      const got = new Float32Array(s.mem(), at.dtable, V * E);
      expect(Array.from(got)).toEqual(Array.from(dtable));
      expect(used.size).toBeLessThan(V); // some id is absent: its row kept 0.5 exactly
      s.free();
    });
  }

  it("lengths 0 means every step; the ids of padded steps are never read", () => {
    const V = 4, E = 5, T = 3, s = setup(V, E, [3, 3], T, 1), { B, at } = s;
    expect(c.embedding_forward(V, E, B, T, at.table, at.ids, 0, at.out, at.bad)).toBe(C.OK);
    // garbage past a length is fine with lengths, an error without them
    new Int32Array(s.mem(), at.ids, B * T)[5] = 99;
    new Int32Array(s.mem(), at.lengths, B).set([3, 2]);
    expect(c.embedding_forward(V, E, B, T, at.table, at.ids, at.lengths, at.out, at.bad)).toBe(C.OK);
    expect(c.embedding_forward(V, E, B, T, at.table, at.ids, 0, at.out, at.bad)).toBe(C.ERR_ARGUMENT);
    expect(new Int32Array(s.mem(), at.bad, 1)[0]).toBe(5);
    s.free();
  });

  it("refuses bad sizes, ids, lengths, bounds and overlaps before writing", () => {
    const V = 5, E = 4, T = 3, s = setup(V, E, [3, 2], T, 2), { B, at } = s;
    const out = new Float32Array(s.mem(), at.out, B * T * E).fill(42);
    const end = c.memory.buffer.byteLength;
    const calls: [number, number][] = [[c.embedding_forward(0, E, B, T, at.table, at.ids, at.lengths, at.out, at.bad),
      C.ERR_SIZE], [c.embedding_forward(V, E, B, T, at.table, at.ids, at.lengths, end - 8, at.bad), C.ERR_BOUNDS], [
      c.embedding_forward(V, E, B, T, 0, at.ids, at.lengths, at.out, at.bad),
      C.ERR_BOUNDS,
    ], [c.embedding_forward(V, E, B, T, at.table, at.ids, at.lengths, at.ids, at.bad), C.ERR_OVERLAP], [
      c.embedding_forward(V, E, B, T, at.table, at.ids, at.lengths, at.out, at.lengths),
      C.ERR_OVERLAP,
    ], [c.embedding_backward(V, E, B, T, at.lengths - 8, at.ids, at.lengths, at.dout, at.bad), C.ERR_OVERLAP]];
    for (const [got, want] of calls) expect(got).toBe(want);
    new Int32Array(s.mem(), at.lengths, B).set([3, 4]);
    expect(c.embedding_forward(V, E, B, T, at.table, at.ids, at.lengths, at.out, at.bad)).toBe(C.ERR_LENGTHS);
    new Int32Array(s.mem(), at.lengths, B).set([3, 2]);
    new Int32Array(s.mem(), at.ids, B * T)[4] = V;
    expect(c.embedding_forward(V, E, B, T, at.table, at.ids, at.lengths, at.out, at.bad)).toBe(C.ERR_ARGUMENT);
    expect(new Int32Array(s.mem(), at.bad, 1)[0]).toBe(4);
    expect(c.embedding_backward(V, E, B, T, at.dtable, at.ids, at.lengths, at.dout, at.bad)).toBe(C.ERR_ARGUMENT);
    expect(Array.from(new Float32Array(s.mem(), at.out, B * T * E)).every((v) => v === 42)).toBe(true);
    expect(Array.from(new Float32Array(s.mem(), at.dtable, V * E)).every((v) => v === 0)).toBe(true);
    expect(out.length).toBe(B * T * E);
    s.free();
  });
});
