// Each SIMD micro-kernel against its scalar reference, called directly through the exported ABI
// of one SIMD instance (the references are exported from both modules). Mirrors assembly/:
//   conv/f32-conv2d-4x8-simd              vs conv/f32-conv2d-scalar
//   conv/f32-conv2d-transpose-4x8-simd    vs conv/f32-conv2d-transpose-scalar
//   conv/f32-conv2d-transpose-sparse-1x32-simd, f32-conv2d-transpose-sparse-1x24-kblock-simd
//     (+ i32-sparse-code-by-kblock-pixel) vs the sparse scalar reference and the dense SIMD kernel
//   conv/f32-conv2d-s1-3x8-simd          vs conv/f32-conv2d-scalar (forward), and as the transpose vs float64
//   conv/f32-winograd-2x2-3x3-input-transform-4x-simd, f32-winograd-gemm-4x8-simd,
//   f32-winograd-2x2-3x3-output-transform-4x-simd vs their -scalar references (forward and transpose)
//   blas/f32-blas1-simd                   vs blas/f32-blas1-scalar
//   blas/x32-first-invalid-simd           vs blas/x32-first-invalid-scalar
//   random/f32-randn-boxmuller-simd       vs random/f32-randn-boxmuller-scalar
//   conv/f32-crop2d-hwc-to-chw-4x4-simd   vs conv/f32-conv2d-pad-scalar's f32_crop2d_hwc_to_chw
//   project/f32-block-max-2x2-4x-simd     vs project/f32-block-max-scalar
//   project/*                             vs plain JavaScript (tests/projection.test.ts)
import { test } from 'node:test';
import assert from './assert.js';
import fc from 'fast-check';
import type { Convcs, ConvOperator } from '../src/index.js';
import { WINOGRAD_DENSE_FROM, sparsePlan } from '../src/operator.js';
import { instance, randomArray, relErr, bitsEqual, convReference, transposeReference, dot64 } from './helpers.js';

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

/** The layer a shape record describes, with seeded test weights (direct kernels unless asked). */
function layer(cs: Convcs, s: { M: number; K: number; H: number; W: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; seed: number }, algorithm: 'direct' | 'winograd' = 'direct'): ConvOperator {
  const W = cs.conv2d({ inChannels: s.M, outChannels: s.K, kernelSize: [s.kh, s.kw], height: s.H, width: s.W, stride: [s.sh, s.sw], padding: [s.ph, s.pw], algorithm });
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

const fewChannels = fc.record({
  M: fc.integer({ min: 1, max: 9 }),
  K: fc.integer({ min: 1, max: 6 }),
  H: fc.integer({ min: 1, max: 7 }),
  W: fc.integer({ min: 1, max: 31 }),
  kh: fc.integer({ min: 1, max: 4 }),
  kw: fc.integer({ min: 1, max: 5 }),
  sh: fc.constant(1), sw: fc.constant(1),
  ph: fc.integer({ min: 0, max: 3 }),
  pw: fc.integer({ min: 0, max: 4 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).filter((s) => s.ph <= s.kh - 1 && s.pw <= s.kw - 1 && s.H + 2 * s.ph >= s.kh && s.W + 2 * s.pw >= s.kw);

test('f32-conv2d-s1-3x8-simd (1-6 output channels) equals f32-conv2d-scalar bit for bit, and as the transpose (flipped filters) a float64 oracle within 1e-5', async () => {
  const cs = await instance('simd');
  fc.assert(fc.property(fewChannels, (s) => {
    const W = layer(cs, s);
    try {
      const paths = W as unknown as { pixelForward: boolean; pixelTranspose: boolean };
      assert.ok(paths.pixelForward, 'the forward should take the pixel kernel');
      assert.equal(paths.pixelTranspose, s.M % 3 === 0 && s.M <= 6, 'the transpose takes the pixel kernel for 3 or 6 input channels');
      const x = randomArray(W.inputSize, s.seed + 1);
      const y = W.forward(x);
      const e = cs.engine;
      const g = W.geometry;
      e.f32(W.ptrIn, W.inputSize).set(x);
      e.k.pad2dChw(W.ptrIn, W.ptrPad, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
      e.k.conv2dScalar(W.ptrPad, g.Hp, g.Wp, g.M, W.ptrWeights, g.K, g.kh, g.kw, g.sh, g.sw, g.Ho, g.Wo, W.ptrCode);
      assert.ok(bitsEqual(y, e.f32(W.ptrCode, W.outputSize).slice()), 'pixel forward differs from the scalar reference');
      const z = randomArray(W.outputSize, s.seed + 2);
      const eT = relErr(W.transpose(z), transposeReference(z, W.getWeights(), g));
      assert.ok(eT <= 1e-5, `transpose vs float64 oracle: ${eT}`);
    } finally {
      W.dispose();
    }
  }), { numRuns: 150, seed: 12 });
});

const winogradShape = fc.record({
  M: fc.integer({ min: 1, max: 13 }),
  K: fc.integer({ min: 1, max: 13 }),
  H: fc.integer({ min: 1, max: 19 }),
  W: fc.integer({ min: 1, max: 19 }),
  kh: fc.constant(3), kw: fc.constant(3), sh: fc.constant(1), sw: fc.constant(1),
  ph: fc.integer({ min: 0, max: 2 }),
  pw: fc.integer({ min: 0, max: 2 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).filter((s) => s.H + 2 * s.ph >= 3 && s.W + 2 * s.pw >= 3);

/**
 * The Winograd F(2x2, 3x3) chain in the given instance, input (I channels, h x w, padded by
 * (py, px) in front) to O channels of ho x wo: `ref` through the scalar references with every
 * tile in one block, `blocked` through the module's own entry point with blocks of 8 tiles.
 */
function winogradChains(cs: Convcs, w: Float32Array, K: number, M: number, transpose: 0 | 1,
  input: Float32Array, I: number, h: number, wd: number, py: number, px: number, O: number, ho: number, wo: number): { ref: Float32Array; blocked: Float32Array } {
  const e = cs.engine;
  const TY = Math.ceil(ho / 2), TX = Math.ceil(wo / 2), T = TY * TX;
  const Tb = Math.ceil(T / 8) * 8, Hq = 2 * TY + 2, Wq = 2 * TX + 2, Op = Math.ceil(O / 4) * 4;
  const sizes = [w.length, 16 * Op * I, input.length, I * Hq * Wq, 16 * I * Tb, 16 * Op * Tb, O * ho * wo].map((n) => Math.max(1, n) * 4);
  return e.withScratch(sizes, (pw, pu, pin, pp, pv, po, pout) => {
    e.f32(pw!, w.length).set(w);
    e.f32(pin!, input.length).set(input);
    e.k.winogradFilterTransform(pw!, K, M, transpose, pu!);
    e.k.pad2dChw(pin!, pp!, I, h, wd, Hq, Wq, py, px);
    e.k.winogradInputTransformScalar(pp!, I, Hq, Wq, TX, 0, T, Tb, pv!);
    e.k.winogradGemmScalar(pu!, pv!, po!, I, Op, Tb, Tb);
    e.k.winogradOutputTransformScalar(po!, O, Op, Tb, TX, 0, T, ho, wo, pout!);
    const ref = e.f32(pout!, O * ho * wo).slice();
    e.f32(pout!, O * ho * wo).fill(Number.NaN);
    e.k.conv2dWinograd3x3(pp!, I, Hq, Wq, TY, TX, 8, pu!, O, Op, pv!, po!, ho, wo, pout!);
    return { ref, blocked: e.f32(pout!, O * ho * wo).slice() };
  });
}

test('f32-winograd-2x2-3x3 SIMD kernels (input transform 4x, GEMM 4x8, output transform 4x) equal their scalar references bit for bit, forward and transpose, and a float64 oracle within 1e-5', async () => {
  const cs = await instance('simd');
  fc.assert(fc.property(winogradShape, (s) => {
    const W = layer(cs, s, 'winograd');
    try {
      const g = W.geometry;
      assert.equal(g.algorithm, 'winograd');
      const w = W.getWeights();
      const x = randomArray(W.inputSize, s.seed + 1);
      const y = W.forward(x);
      const yRef = winogradChains(cs, w, g.K, g.M, 0, x, g.M, g.H, g.W, g.pt, g.pl, g.K, g.Ho, g.Wo);
      assert.ok(bitsEqual(y, yRef.ref), 'Winograd SIMD forward differs from the scalar chain');
      assert.ok(bitsEqual(yRef.blocked, yRef.ref), 'Winograd forward in blocks of 8 tiles differs from one block');
      const eF = relErr(y, convReference(x, w, g));
      assert.ok(eF <= 1e-5, `forward vs float64 oracle: ${eF}`);
      const z = randomArray(W.outputSize, s.seed + 2);
      const xt = W.transpose(z);
      const xtRef = winogradChains(cs, w, g.K, g.M, 1, z, g.K, g.Ho, g.Wo, 2 - g.pt, 2 - g.pl, g.M, g.H, g.W);
      assert.ok(bitsEqual(xt, xtRef.ref), 'Winograd SIMD transpose differs from the scalar chain');
      assert.ok(bitsEqual(xtRef.blocked, xtRef.ref), 'Winograd transpose in blocks of 8 tiles differs from one block');
      const eT = relErr(xt, transposeReference(z, w, g));
      assert.ok(eT <= 1e-5, `transpose vs float64 oracle: ${eT}`);
      // transposeSparse: sparse kernels below WINOGRAD_DENSE_FROM, the dense Winograd path above.
      for (const density of [0.1, 0.6]) {
        const idx: number[] = [];
        for (let i = 0; i < z.length; i++) if ((i * 0.618034) % 1 < density) idx.push(i);
        const code = new Float32Array(z.length);
        for (const i of idx) code[i] = z[i]!;
        const xs = W.transposeSparse(Int32Array.from(idx), Float32Array.from(idx, (i) => z[i]!));
        const eS = relErr(xs, transposeReference(code, w, g));
        assert.ok(eS <= 1e-5, `transposeSparse at ${density} vs float64 oracle: ${eS}`);
        if (idx.length > WINOGRAD_DENSE_FROM * z.length) assert.ok(bitsEqual(xs, W.transpose(code)), 'dense route differs from transpose');
      }
    } finally {
      W.dispose();
    }
  }), { numRuns: 150, seed: 10 });
});

test('Winograd: the scalar module computes the same bits as the SIMD one; large layers stay within 1e-5 of float64', async () => {
  const simd = await instance('simd');
  const scalar = await instance('scalar');
  for (const [M, K, H, Wd, padding] of [[64, 64, 20, 17, 'same'], [96, 40, 9, 12, 'valid'], [8, 8, 33, 2, 1]] as const) {
    const opts = { inChannels: M, outChannels: K, kernelSize: 3, height: H, width: Wd, padding };
    const a = simd.conv2d(opts).randomize({ seed: 11 });
    const b = scalar.conv2d(opts).randomize({ seed: 11 });
    try {
      assert.equal(a.geometry.algorithm, 'winograd', 'auto picks Winograd from 8 channels on');
      const x = randomArray(a.inputSize, 12);
      const z = randomArray(a.outputSize, 13);
      const y = a.forward(x);
      const xt = a.transpose(z);
      assert.ok(bitsEqual(y, b.forward(x)), `${M}->${K}: forward bits differ between modules`);
      assert.ok(bitsEqual(xt, b.transpose(z)), `${M}->${K}: transpose bits differ between modules`);
      const w = a.getWeights();
      assert.ok(relErr(y, convReference(x, w, a.geometry)) <= 1e-5, `${M}->${K}: forward error`);
      assert.ok(relErr(xt, transposeReference(z, w, a.geometry)) <= 1e-5, `${M}->${K}: transpose error`);
    } finally {
      a.dispose();
      b.dispose();
    }
  }
});

test('f32-conv2d-transpose-sparse-1x32-simd: empty codes, one non-zero, 100% density, strides 1 and 2, odd sizes and padding', async () => {
  const cs = await instance('simd');
  const e = cs.engine;
  const shapes = [
    { M: 3, K: 64, H: 9, W: 11, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, seed: 1 },
    { M: 64, K: 5, H: 7, W: 5, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, seed: 2 },
    { M: 33, K: 7, H: 6, W: 9, kh: 2, kw: 3, sh: 1, sw: 2, ph: 0, pw: 2, seed: 3 },
    { M: 32, K: 40, H: 5, W: 5, kh: 3, kw: 3, sh: 2, sw: 1, ph: 2, pw: 0, seed: 4 },
    { M: 5, K: 3, H: 13, W: 1, kh: 5, kw: 1, sh: 1, sw: 1, ph: 3, pw: 0, seed: 5 },
  ];
  for (const s of shapes) {
    const W = layer(cs, s);
    try {
      const g = W.geometry;
      const z = randomArray(W.outputSize, s.seed + 40);
      const codes: Array<[string, number[]]> = [
        ['empty', []],
        ['first entry', [0]],
        ['last entry', [W.outputSize - 1]],
        ['a middle entry', [Math.floor(W.outputSize / 2)]],
        ['100% density', [...z.keys()]],
        ['every third entry', [...z.keys()].filter((i) => i % 3 === 0)],
      ];
      for (const [what, idx] of codes) {
        const indices = Int32Array.from(idx);
        const values = Float32Array.from(idx, (i) => z[i]!);
        const simd = W.transposeSparse(indices, values);
        e.withScratch([Math.max(1, idx.length) * 4, Math.max(1, idx.length) * 4], (ip, vp) => {
          e.i32(ip!, idx.length).set(indices);
          e.f32(vp!, idx.length).set(values);
          e.f32(W.ptrPad, g.M * g.Hp * g.Wp).fill(0);
          e.k.conv2dTransposeSparseScalar(ip!, vp!, idx.length, g.Ho, g.Wo, W.ptrWeights, g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, W.ptrPad);
        });
        e.k.crop2dChw(W.ptrPad, W.ptrIn, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
        const ref = e.f32(W.ptrIn, W.inputSize).slice();
        if (idx.length === 0) assert.ok(simd.every((v) => v === 0), `${JSON.stringify(s)} ${what}: not all zero`);
        assert.ok(relErr(simd, ref) <= 1e-5, `${JSON.stringify(s)} ${what}: relative error ${relErr(simd, ref)}`);
      }
    } finally {
      W.dispose();
    }
  }
});

/**
 * x = W^T z for the code (indices, values) through conv2dTransposeSparseGrouped (the sparse GEMM
 * at any density) with the given tile (24 or 32), block of filters (2^kbShift) and column groups
 * per pixel, on its own freshly packed panels; and through the scalar reference.
 */
function sparseGrouped(cs: Convcs, W: ConvOperator, indices: Int32Array, values: Float32Array,
  tile: 24 | 32, kbShift: number, groupTile: number): { simd: Float32Array; ref: Float32Array } {
  const e = cs.engine;
  const g = W.geometry;
  const L = g.M * g.kh * g.kw;
  const nnz = indices.length;
  const Lpad = Math.max(Math.ceil(L / tile) * tile, Math.ceil(L / 32) * 32);
  const blocks = ((g.K - 1) >> kbShift) + 1;
  const simd = e.withScratch([Math.max(1, nnz) * 4, Math.max(1, nnz) * 4, Lpad * g.K * 4 + 48, Lpad * 4,
    (blocks * g.Ho * g.Wo + 1) * 4, Math.max(1, nnz) * 8], (ip, vp, raw, colOff, rowStart, grouped) => {
    e.i32(ip!, nnz).set(indices);
    e.f32(vp!, nnz).set(values);
    const panel = Math.ceil(raw! / 64) * 64;
    if (tile === 24) e.k.packConv2dTranspose24(W.ptrChannelLast, g.K, L, panel);
    else e.k.packConv2dTranspose32(W.ptrChannelLast, g.K, L, panel);
    e.k.conv2dTransposeOffsets(g.M, g.kh, g.kw, g.Wp, colOff!, Lpad);
    e.f32(W.ptrPad, g.M * g.Hp * g.Wp).fill(0);
    e.k.conv2dTransposeSparseGrouped(ip!, vp!, nnz, g.Ho, g.Wo, panel, colOff!, g.K, g.M, g.kh, g.kw, g.sh, g.sw, g.Wp,
      W.ptrPad, rowStart!, grouped!, g.pt, g.pl, g.H, g.W, tile, kbShift, groupTile);
    e.k.crop2dHwcToChw(W.ptrPad, W.ptrIn, g.M, g.H, g.W, g.Wp, g.pt, g.pl);
    return e.f32(W.ptrIn, W.inputSize).slice();
  });
  const ref = e.withScratch([Math.max(1, nnz) * 4, Math.max(1, nnz) * 4], (ip, vp) => {
    e.i32(ip!, nnz).set(indices);
    e.f32(vp!, nnz).set(values);
    e.f32(W.ptrPad, g.M * g.Hp * g.Wp).fill(0);
    e.k.conv2dTransposeSparseScalar(ip!, vp!, nnz, g.Ho, g.Wo, W.ptrWeights, g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, W.ptrPad);
    e.k.crop2dChw(W.ptrPad, W.ptrIn, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
    return e.f32(W.ptrIn, W.inputSize).slice();
  });
  return { simd, ref };
}

test('f32-conv2d-transpose-sparse-1x24-kblock-simd and -1x32-simd, any blocks of filters and groups per pixel, match the sparse scalar reference within 1e-5', async () => {
  const cs = await instance('simd');
  const shapes = [
    { M: 3, K: 64, H: 9, W: 11, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, seed: 11 },
    { M: 5, K: 9, H: 7, W: 6, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, seed: 12 },
    { M: 32, K: 40, H: 5, W: 5, kh: 3, kw: 3, sh: 2, sw: 1, ph: 2, pw: 0, seed: 13 },
    { M: 33, K: 7, H: 6, W: 9, kh: 2, kw: 3, sh: 1, sw: 2, ph: 0, pw: 2, seed: 14 },
    { M: 64, K: 70, H: 7, W: 5, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, seed: 15 },
    { M: 8, K: 33, H: 13, W: 1, kh: 5, kw: 1, sh: 1, sw: 1, ph: 3, pw: 0, seed: 16 },
    { M: 1, K: 3, H: 1, W: 1, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, seed: 17 },
  ];
  // (tile, kbShift, groupTile): no blocks, blocks of 1, 2 and 8 filters, 1 to 16 (and a clamped 40) groups per pixel.
  const configs: Array<[24 | 32, number, number]> = [
    [24, 30, 1], [24, 0, 1], [24, 1, 3], [24, 3, 2], [24, 30, 16], [24, 2, 40], [32, 30, 1], [32, 0, 1], [32, 3, 1],
  ];
  for (const s of shapes) {
    const W = layer(cs, s);
    try {
      const z = randomArray(W.outputSize, s.seed + 50);
      const all = [...z.keys()];
      const quarter = all.filter((i) => Math.abs(z[i]!) < 0.25);
      const codes: Array<[string, number[]]> = [
        ['empty', []],
        ['first entry', [0]],
        ['last entry', [W.outputSize - 1]],
        ['a middle entry', [Math.floor(W.outputSize / 2)]],
        ['100% density', all],
        ['every third entry', all.filter((i) => i % 3 === 0)],
        ['25%, descending', [...quarter].reverse()],
      ];
      for (const [what, idx] of codes) {
        const indices = Int32Array.from(idx);
        const values = Float32Array.from(idx, (i) => z[i]!);
        for (const [tile, kbShift, gt] of configs) {
          const { simd, ref } = sparseGrouped(cs, W, indices, values, tile, kbShift, gt);
          const where = `${JSON.stringify(s)} ${what}, tile ${tile}, kbShift ${kbShift}, groups ${gt}`;
          if (idx.length === 0) assert.ok(simd.every((v) => v === 0), `${where}: not all zero`);
          assert.ok(relErr(simd, ref) <= 1e-5, `${where}: relative error ${relErr(simd, ref)}`);
        }
      }
    } finally {
      W.dispose();
    }
  }
});

test('transposeSparse on many-channel layers (blocks of filters, groups per pixel) matches the sparse scalar reference within 1e-5', async () => {
  const cs = await instance('simd');
  // The plan: 24 columns unless 32 pads much less; blocks of filters past 24 KB of panel rows.
  assert.deepEqual(sparsePlan(512, 512 * 9), { tile: 24, kbShift: 8, blocks: 2, groupTile: 1 });
  assert.deepEqual(sparsePlan(256, 256 * 9), { tile: 24, kbShift: 30, blocks: 1, groupTile: 1 });
  assert.deepEqual(sparsePlan(64, 64 * 9), { tile: 24, kbShift: 30, blocks: 1, groupTile: 4 });
  assert.deepEqual(sparsePlan(64, 27), { tile: 32, kbShift: 30, blocks: 1, groupTile: 1 });
  const shapes = [
    { M: 520, K: 600, H: 5, W: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, seed: 21 },
    { M: 3, K: 1030, H: 6, W: 5, kh: 3, kw: 3, sh: 2, sw: 1, ph: 1, pw: 0, seed: 22 },
    { M: 96, K: 300, H: 4, W: 7, kh: 3, kw: 3, sh: 1, sw: 2, ph: 0, pw: 1, seed: 23 },
  ];
  for (const s of shapes) {
    const W = layer(cs, s);
    try {
      assert.ok(W.sparse.blocks > 1, `${JSON.stringify(s)}: expected blocks of filters, got ${JSON.stringify(W.sparse)}`);
      const z = randomArray(W.outputSize, s.seed + 60);
      for (const density of [0.06, 0.25, 1]) {
        const idx = [...z.keys()].filter((i) => Math.abs(z[i]!) < density);
        const indices = Int32Array.from(idx);
        const values = Float32Array.from(idx, (i) => z[i]!);
        const got = W.transposeSparse(indices, values);
        const { ref } = sparseGrouped(cs, W, indices, values, W.sparse.tile, W.sparse.kbShift, W.sparse.groupTile);
        assert.ok(relErr(got, ref) <= 1e-5, `${JSON.stringify(s)} at ${density}: relative error ${relErr(got, ref)}`);
      }
    } finally {
      W.dispose();
    }
  }
});

test('x32-first-invalid-simd: the first bad index or value, as the scalar reference finds it', async () => {
  const cs = await instance('simd');
  const e = cs.engine;
  for (const n of [0, 1, 5, 15, 16, 17, 33, 100, 1000]) {
    const spots = n === 0 ? [-1] : [-1, 0, n - 1, n >> 1, Math.min(n - 1, 16)];
    for (const at of spots) {
      for (const [badIdx, badVal] of [[-1, NaN], [100, Infinity], [2 ** 31 - 1, -Infinity]] as const) {
        e.withScratch([Math.max(1, n) * 4, Math.max(1, n) * 4], (ip, vp) => {
          const idx = e.i32(ip!, n);
          const val = e.f32(vp!, n);
          for (let i = 0; i < n; i++) {
            idx[i] = (i * 7) % 100;
            val[i] = i % 2 ? -3.4e38 : 1e-45; // the largest finite magnitude and a denormal
          }
          if (at >= 0) {
            idx[at] = badIdx;
            val[at] = badVal;
            if (at + 1 < n) {
              idx[at + 1] = -5;
              val[at + 1] = NaN;
            }
          }
          assert.equal(e.k.firstOutside(ip!, n, 100), at);
          assert.equal(e.k.firstOutsideScalar(ip!, n, 100), at);
          assert.equal(e.k.firstNonFinite(vp!, n), at);
          assert.equal(e.k.firstNonFiniteScalar(vp!, n), at);
        });
      }
    }
  }
});

test('f32-crop2d-hwc-to-chw-4x4-simd equals the scalar crop bit for bit', async () => {
  const cs = await instance('simd');
  const e = cs.engine;
  const rec = fc.record({
    M: fc.integer({ min: 1, max: 11 }), H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 13 }),
    pt: fc.integer({ min: 0, max: 2 }), pb: fc.integer({ min: 0, max: 2 }), pl: fc.integer({ min: 0, max: 2 }), pr: fc.integer({ min: 0, max: 2 }),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  });
  fc.assert(fc.property(rec, (s) => {
    const Hp = s.H + s.pt + s.pb, Wp = s.W + s.pl + s.pr, n = Hp * Wp * s.M, m = s.M * s.H * s.W;
    e.withScratch([n * 4, m * 4, m * 4], (pc, a, b) => {
      e.f32(pc!, n).set(randomArray(n, s.seed));
      e.f32(a!, m).fill(Number.NaN);
      e.f32(b!, m).fill(Number.NaN);
      e.k.crop2dHwcToChw(pc!, a!, s.M, s.H, s.W, Wp, s.pt, s.pl);
      e.k.crop2dHwcToChwScalar(pc!, b!, s.M, s.H, s.W, Wp, s.pt, s.pl);
      assert.ok(bitsEqual(e.f32(a!, m).slice(), e.f32(b!, m).slice()), 'the crops differ');
    });
  }), { numRuns: 200, seed: 14 });
});

test('f32-block-max-2x2-4x-simd equals f32-block-max-scalar bit for bit (winners, values, indices), ties, -0 and NaN included', async () => {
  const cs = await instance('simd');
  const e = cs.engine;
  const rec = fc.record({
    K: fc.integer({ min: 1, max: 3 }), Ho: fc.integer({ min: 1, max: 13 }), Wo: fc.integer({ min: 1, max: 21 }),
    relu: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 30 }), specials: fc.boolean(),
  });
  fc.assert(fc.property(rec, (s) => {
    const n = s.K * s.Ho * s.Wo;
    const Bh = Math.ceil(s.Ho / 2), Bw = Math.ceil(s.Wo / 2), B = s.K * Bh * Bw;
    const h = randomArray(n, s.seed);
    // Quantized values make ties common; -0, NaN and infinities check the edge semantics.
    for (let i = 0; i < n; i++) h[i] = Math.round(h[i]! * 4) / 4;
    if (s.specials) for (let i = 0; i < n; i += 5) h[i] = [-0, Number.NaN, Number.POSITIVE_INFINITY, -1e-40][(i / 5) % 4]!;
    const sizes = [n * 4, ...Array(6).fill(Math.max(1, B) * 4)];
    e.withScratch(sizes, (ph, v1, m1, i1, v2, m2, i2) => {
      e.f32(ph!, n).set(h);
      e.k.blockMax(ph!, s.K, s.Ho, s.Wo, 2, 2, s.relu ? 1 : 0, v1!, m1!, i1!);
      e.k.blockMaxScalar(ph!, s.K, s.Ho, s.Wo, 2, 2, s.relu ? 1 : 0, v2!, m2!, i2!);
      assert.ok(bitsEqual(e.f32(v1!, B).slice(), e.f32(v2!, B).slice()), 'block values differ');
      assert.ok(bitsEqual(e.f32(m1!, B).slice(), e.f32(m2!, B).slice()), 'block magnitudes differ');
      assert.deepEqual(Array.from(e.i32(i1!, B)), Array.from(e.i32(i2!, B)), 'block winners differ');
    });
  }), { numRuns: 300, seed: 13 });
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
