// M(h, k): invariants, a sort-based JavaScript reference, ties, ReLU mode, max pooling and
// unpooling.
import { test } from 'node:test';
import assert from './assert.js';
import fc from 'fast-check';
import { backends, instance, bitsEqual, blockOf, projectReference } from './helpers.js';

const problem = fc.record({
  K: fc.integer({ min: 1, max: 9 }),
  Ho: fc.integer({ min: 1, max: 9 }),
  Wo: fc.integer({ min: 1, max: 11 }),
  ph: fc.integer({ min: 1, max: 3 }),
  pw: fc.integer({ min: 1, max: 3 }),
  kFrac: fc.double({ min: 0, max: 1, noNaN: true }),
  relu: fc.boolean(),
  // Few distinct values force many ties.
  values: fc.oneof(fc.constant([-2, -1, 0, 1, 2]), fc.constant(null)),
  seed: fc.integer({ min: 0, max: 1 << 30 }),
}).filter((p) => p.ph <= p.Ho && p.pw <= p.Wo);

function makeH(p: { K: number; Ho: number; Wo: number; values: readonly number[] | null; seed: number }): Float32Array {
  let s = p.seed >>> 0;
  const h = new Float32Array(p.K * p.Ho * p.Wo);
  for (let i = 0; i < h.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    h[i] = p.values ? p.values[s % p.values.length]! : (s / 2 ** 32) * 2 - 1;
  }
  return h;
}

for (const backend of backends) {
  test(`${backend}: M(h, k) equals the sort-based reference and keeps its invariants`, async () => {
    const cs = await instance(backend);
    fc.assert(fc.property(problem, (p) => {
      const g = { K: p.K, Ho: p.Ho, Wo: p.Wo, ph: p.ph, pw: p.pw };
      const B = p.K * Math.ceil(p.Ho / p.ph) * Math.ceil(p.Wo / p.pw);
      const k = Math.round(p.kFrac * B);
      const h = makeH(p);
      const { z, support } = cs.project(h, { shape: [p.K, p.Ho, p.Wo], pool: [p.ph, p.pw], k, mode: p.relu ? 'relu' : 'abs' });
      assert.ok(bitsEqual(z, projectReference(h, g, k, p.relu)));
      // Exactly min(k, blocks) blocks, one entry in each, listed in ascending order.
      assert.equal(support.length, Math.min(k, B));
      const blocks = new Set(Array.from(support, (i) => blockOf(g, i)));
      assert.equal(blocks.size, support.length);
      for (let j = 1; j < support.length; j++) assert.ok(support[j - 1]! < support[j]!);
      for (let i = 0; i < z.length; i++) if (z[i] !== 0) assert.ok(support.includes(i));
      // Idempotent: M(M(h)) = M(h).
      const again = cs.project(z, { shape: [p.K, p.Ho, p.Wo], pool: [p.ph, p.pw], k, mode: p.relu ? 'relu' : 'abs' });
      assert.ok(bitsEqual(again.z, z));
    }), { numRuns: 300, seed: 3 });
  });

  test(`${backend}: ties go to the lowest index, in blocks and between blocks`, async () => {
    const cs = await instance(backend);
    const h = new Float32Array(2 * 4 * 4).fill(1);
    h[5] = -1; // same magnitude
    const { z, support } = cs.project(h, { shape: [2, 4, 4], pool: 2, k: 3 });
    // Blocks of filter 0 in order: (0,0) (0,1) (1,0): first elements 0, 2, 8.
    assert.deepEqual(Array.from(support), [0, 2, 8]);
    assert.equal(z.reduce((a, b) => a + Math.abs(b), 0), 3);
  });

  test(`${backend}: 'global' pooling keeps one entry per filter (the paper's 1-D model)`, async () => {
    const cs = await instance(backend);
    const h = Float32Array.from({ length: 4 * 6 }, (_, i) => Math.sin(i * 1.7) * (i % 5));
    const { z, support } = cs.project(h, { shape: [4, 6], pool: 'global', k: 2 });
    assert.equal(support.length, 2);
    const filters = new Set(Array.from(support, (i) => Math.floor(i / 6)));
    assert.equal(filters.size, 2);
    // The two kept are the two largest filter maxima.
    const maxima = [0, 1, 2, 3].map((f) => Math.max(...Array.from(h.subarray(f * 6, f * 6 + 6), Math.abs)));
    const top = [...maxima.keys()].sort((a, b) => maxima[b]! - maxima[a]!).slice(0, 2).sort();
    assert.deepEqual([...filters].sort(), top);
    assert.equal(z.filter((v) => v !== 0).length, 2);
  });

  test(`${backend}: density resolves to k = round(d * length); 1-D pool p`, async () => {
    const cs = await instance(backend);
    const h = Float32Array.from({ length: 3 * 10 }, (_, i) => ((i * 7919) % 31) - 15);
    const { support } = cs.project(h, { shape: [3, 10], pool: 2, density: 0.2 });
    assert.equal(support.length, 6);
    const full = cs.project(h, { shape: [3, 10], pool: 2 });
    assert.equal(full.support.length, 15); // default k: every block (plain max pooling)
  });

  test(`${backend}: max pooling with switches, unpooling by switch and naive`, async () => {
    const cs = await instance(backend);
    const shape = [2, 3, 5];
    const h = Float32Array.from({ length: 30 }, (_, i) => ((i * 37) % 11) - 5);
    const { values, switches, shape: ps } = cs.maxPool(h, { shape, pool: 2 });
    assert.deepEqual([...ps], [2, 2, 3]);
    assert.equal(values.length, 12);
    for (let b = 0; b < 12; b++) assert.equal(values[b], h[switches[b]!]);
    const up = cs.unpool(values, { shape, pool: 2, switches });
    // Unpooling by switch equals M(h, all blocks).
    assert.ok(bitsEqual(up, cs.project(h, { shape, pool: 2 }).z));
    const naive = cs.unpool(values, { shape, pool: 2 });
    // Naive: each value at its block's top-left element.
    assert.equal(naive[0], values[0]);
    assert.equal(naive[2], values[1]);
    assert.equal(naive[4], values[2]);
    assert.equal(naive[10], values[3]);
    assert.equal(naive.filter((v) => v !== 0).length, values.filter((v) => v !== 0).length);
  });
}
