// Each SIMD micro-kernel against its scalar reference, called directly through the exported ABI
// of one SIMD instance (the references are exported from both modules). Mirrors assembly/:
//   conv/f32-conv2d-4x8-simd              vs conv/f32-conv2d-scalar
//   conv/f32-conv2d-transpose-4x8-simd    vs conv/f32-conv2d-transpose-scalar
//   conv/f32-conv2d-transpose-sparse-1x32-simd (+ i32-sparse-code-by-pixel) vs the sparse scalar reference and the dense SIMD kernel
//   blas/f32-blas1-simd                   vs blas/f32-blas1-scalar
//   random/f32-randn-boxmuller-simd       vs random/f32-randn-boxmuller-scalar
//   project/*                             vs plain JavaScript
import { test } from 'node:test';
import assert from './assert.js';
import fc from 'fast-check';
import type { Convcs, ConvOperator } from '../src/index.js';
import { instance, randomArray, relErr, bitsEqual, convReference, dot64 } from './helpers.js';

const shape = fc.record({
  M: fc.integer({ min: 1, max: 11 }),
  K: fc.integer({ min: 1, max: 19 }),
  H: fc.integer({ min: 1, max: 9 }),
  W: fc.integer({ min: 1, max: 13 }),
  kh: fc.integer({ min: 1, max: 4 }),
  kw: fc.integer({ min: 1, max: 5 }),
  sh: fc.integer({ min: 1, max: 3 }),
  sw: fc.integer({ min: 1, max: 3 }),
  ph: fc.integer({ min: 0, max: 3 }),
  pw: fc.integer({ min: 0, max: 3 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).filter((s) => s.H + 2 * s.ph >= s.kh && s.W + 2 * s.pw >= s.kw);

/** The layer a shape record describes, with seeded test weights. */
function layer(cs: Convcs, s: { M: number; K: number; H: number; W: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; seed: number }): ConvOperator {
  const W = cs.conv2d({ inChannels: s.M, outChannels: s.K, kernelSize: [s.kh, s.kw], height: s.H, width: s.W, stride: [s.sh, s.sw], padding: [s.ph, s.pw] });
  return W.setWeights(randomArray(W.weightShape.reduce((a, b) => a * b), s.seed));
}

test('f32-conv2d-4x8-simd equals f32-conv2d-scalar bit for bit, and a float64 oracle within 1e-5', async () => {
  const cs = await instance('simd');
  fc.assert(fc.property(shape, (s) => {
    const W = layer(cs, s);
    try {
      const x = randomArray(W.inputSize, s.seed + 1);
      const simd = W.forward(x);
      // Same padded input through the scalar reference, inside the same instance.
      const e = cs.engine;
      const g = W.geometry;
      e.f32(W.ptrIn, W.inputSize).set(x);
      e.k.pad2dChw(W.ptrIn, W.ptrPad, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
      e.k.conv2dScalar(W.ptrPad, g.Hp, g.Wp, g.M, W.ptrWeights, g.K, g.kh, g.kw, g.sh, g.sw, g.Ho, g.Wo, W.ptrCode);
      const ref = e.f32(W.ptrCode, W.outputSize).slice();
      // Each lane sums the same products in the same order as the reference.
      assert.ok(bitsEqual(simd, ref), 'SIMD forward differs from scalar reference');
      assert.ok(relErr(simd, convReference(x, W.getWeights(), g)) <= 1e-5);
    } finally {
      W.dispose();
    }
  }), { numRuns: 120, seed: 7 });
});

test('f32-conv2d-transpose-4x8-simd matches f32-conv2d-transpose-scalar within 1e-5', async () => {
  const cs = await instance('simd');
  fc.assert(fc.property(shape, (s) => {
    const W = layer(cs, s);
    try {
      const z = randomArray(W.outputSize, s.seed + 2);
      const simd = W.transpose(z);
      const e = cs.engine;
      const g = W.geometry;
      e.f32(W.ptrCode, W.outputSize).set(z);
      e.f32(W.ptrPad, g.M * g.Hp * g.Wp).fill(0);
      e.k.conv2dTransposeScalar(W.ptrCode, g.K, g.Ho, g.Wo, W.ptrWeights, g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, W.ptrPad);
      e.k.crop2dChw(W.ptrPad, W.ptrIn, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
      const ref = e.f32(W.ptrIn, W.inputSize).slice();
      assert.ok(relErr(simd, ref) <= 1e-5, `relative error ${relErr(simd, ref)}`);
    } finally {
      W.dispose();
    }
  }), { numRuns: 120, seed: 8 });
});

test('f32-conv2d-transpose-sparse-1x32-simd matches the sparse scalar reference and the dense SIMD kernel within 1e-5', async () => {
  const cs = await instance('simd');
  fc.assert(fc.property(shape, fc.double({ min: 0.01, max: 1, noNaN: true }), fc.boolean(), (s, density, shuffled) => {
    const W = layer(cs, s);
    try {
      const z = randomArray(W.outputSize, s.seed + 3);
      const idx: number[] = [];
      for (let i = 0; i < z.length; i++) if (Math.abs(z[i]!) < density) idx.push(i);
      // Any order of the pairs is accepted; the kernel regroups them by pixel.
      if (shuffled) idx.reverse();
      const indices = Int32Array.from(idx);
      const values = Float32Array.from(idx, (i) => z[i]!);
      const simd = W.transposeSparse(indices, values);
      const e = cs.engine;
      const g = W.geometry;
      e.withScratch([Math.max(1, idx.length) * 4, Math.max(1, idx.length) * 4], (ip, vp) => {
        e.i32(ip!, idx.length).set(indices);
        e.f32(vp!, idx.length).set(values);
        e.f32(W.ptrPad, g.M * g.Hp * g.Wp).fill(0);
        e.k.conv2dTransposeSparseScalar(ip!, vp!, idx.length, g.Ho, g.Wo, W.ptrWeights, g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, W.ptrPad);
      });
      e.k.crop2dChw(W.ptrPad, W.ptrIn, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
      const ref = e.f32(W.ptrIn, W.inputSize).slice();
      assert.ok(relErr(simd, ref) <= 1e-5, `sparse SIMD vs scalar: ${relErr(simd, ref)}`);
      // The dense kernel on the same code: the same sums, added into the output in another order.
      const dense = new Float32Array(W.outputSize);
      for (const i of idx) dense[i] = z[i]!;
      assert.ok(relErr(simd, W.transpose(dense)) <= 1e-5, `sparse vs dense SIMD: ${relErr(simd, W.transpose(dense))}`);
    } finally {
      W.dispose();
    }
  }), { numRuns: 150, seed: 9 });
});

test('f32-blas1-simd: dot and sumsq match the scalar kernels and float64 JavaScript', async () => {
  const cs = await instance('simd');
  const e = cs.engine;
  for (const n of [0, 1, 3, 4, 5, 8, 17, 1000, 4099]) {
    const x = randomArray(n, n + 11);
    const y = randomArray(n, n + 12);
    e.withScratch([Math.max(n, 1) * 4, Math.max(n, 1) * 4], (px, py) => {
      e.f32(px!, n).set(x);
      e.f32(py!, n).set(y);
      const want = dot64(x, y);
      assert.ok(Math.abs(e.k.dot(px!, py!, n) - want) <= 1e-12 * (1 + Math.abs(want)) * n);
      assert.ok(Math.abs(e.k.dotScalar(px!, py!, n) - want) <= 1e-12 * (1 + Math.abs(want)) * n);
      const ss = dot64(x, x);
      assert.ok(Math.abs(e.k.sumsq(px!, n) - ss) <= 1e-12 * (1 + ss) * n);
      // axpy and scal: one rounding per element, the same in both forms.
      e.k.axpy(0.75, px!, py!, n);
      const expect = Float32Array.from(y, (v, i) => Math.fround(v + Math.fround(0.75 * x[i]!)));
      assert.ok(bitsEqual(e.f32(py!, n).slice(), expect));
      e.k.scal(-2.5, px!, n);
      assert.ok(bitsEqual(e.f32(px!, n).slice(), Float32Array.from(x, (v) => Math.fround(v * -2.5))));
    });
  }
});

test('f32-randn-boxmuller-simd equals f32-randn-boxmuller-scalar bit for bit, for any slice', async () => {
  const cs = await instance('simd');
  const e = cs.engine;
  fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 }),
    fc.integer({ min: 0, max: 2 ** 32 - 1 }), (start, count, seedLo, stream) => {
      e.withScratch([Math.max(count, 1) * 4, Math.max(count, 1) * 4], (a, b) => {
        e.k.randn(seedLo, 7, stream, start, count, a!);
        e.k.randnScalar(seedLo, 7, stream, start, count, b!);
        assert.ok(bitsEqual(e.f32(a!, count).slice(), e.f32(b!, count).slice()), `start ${start} count ${count}`);
      });
    }), { numRuns: 300, seed: 10 });
  // Every split of a short slice between the scalar head, the 16-normal SIMD steps and the scalar
  // tail, also at counters past 2^52 (the u64 arithmetic of the vector counters).
  e.withScratch([64 * 4, 64 * 4], (a, b) => {
    for (const start of [0, 1, 2, 3, 2 ** 52, 2 ** 52 + 1]) {
      for (let count = 0; count <= 64; count++) {
        e.k.randn(99, 7, 3, start, count, a!);
        e.k.randnScalar(99, 7, 3, start, count, b!);
        assert.ok(bitsEqual(e.f32(a!, count).slice(), e.f32(b!, count).slice()), `start ${start} count ${count}`);
      }
    }
  });
});
