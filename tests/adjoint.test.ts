// The adjoint identity <W x, z> = <x, W^T z> over random layers (fast-check), in 1-D and 2-D,
// for both modules, through the public API; and the dense matrix of W against a float64 oracle.
import { test } from 'node:test';
import assert from './assert.js';
import fc from 'fast-check';
import { backends, instance, dot64, norm64, randomArray, denseMatrix, convReference, relErr } from './helpers.js';

const layer2d = fc.record({
  M: fc.integer({ min: 1, max: 8 }),
  K: fc.integer({ min: 1, max: 12 }),
  H: fc.integer({ min: 1, max: 10 }),
  W: fc.integer({ min: 1, max: 10 }),
  kh: fc.integer({ min: 1, max: 4 }),
  kw: fc.integer({ min: 1, max: 4 }),
  sh: fc.integer({ min: 1, max: 3 }),
  sw: fc.integer({ min: 1, max: 3 }),
  padding: fc.oneof(fc.constant<'same'>('same'), fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).map((s) => (s.padding === 'same' ? { ...s, sh: 1, sw: 1 } : s))
  .filter((s) => {
    const [ph, pw] = s.padding === 'same' ? [0, 0] : s.padding;
    return s.padding === 'same' || (s.H + 2 * ph >= s.kh && s.W + 2 * pw >= s.kw);
  });

const layer1d = fc.record({
  M: fc.integer({ min: 1, max: 12 }),
  K: fc.integer({ min: 1, max: 20 }),
  D: fc.integer({ min: 1, max: 40 }),
  l: fc.integer({ min: 1, max: 7 }),
  t: fc.integer({ min: 1, max: 4 }),
  padding: fc.oneof(fc.constant<'same'>('same'), fc.integer({ min: 0, max: 3 })),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).map((s) => (s.padding === 'same' ? { ...s, t: 1 } : s))
  .filter((s) => s.padding === 'same' || s.D + 2 * s.padding >= s.l);

function checkAdjoint(W: import('../src/index.js').ConvOperator, batch: number, seed: number): void {
  const x = randomArray(W.inputSize * batch, seed);
  const z = randomArray(W.outputSize * batch, seed + 1);
  const Wx = W.forward(x);
  const WTz = W.transpose(z);
  const lhs = dot64(Wx, z);
  const rhs = dot64(x, WTz);
  // Both sides are sums of the same products rounded in f32; the bound scales with their size.
  const scale = norm64(Wx) * norm64(z) + norm64(x) * norm64(WTz);
  assert.ok(Math.abs(lhs - rhs) <= 1e-5 * scale + 1e-12, `<Wx,z>=${lhs} <x,W^T z>=${rhs}`);
}

for (const backend of backends) {
  test(`${backend}: adjoint identity, 2-D layers`, async () => {
    const cs = await instance(backend);
    fc.assert(fc.property(layer2d, (s) => {
      const W = cs.conv2d({ inChannels: s.M, outChannels: s.K, kernelSize: [s.kh, s.kw], height: s.H, width: s.W, stride: [s.sh, s.sw], padding: s.padding });
      try {
        W.randomize({ seed: s.seed });
        checkAdjoint(W, s.batch, s.seed);
      } finally {
        W.dispose();
      }
    }), { numRuns: 150, seed: 1 });
  });

  test(`${backend}: adjoint identity, 1-D layers`, async () => {
    const cs = await instance(backend);
    fc.assert(fc.property(layer1d, (s) => {
      const W = cs.conv1d({ inChannels: s.M, outChannels: s.K, kernelSize: s.l, length: s.D, stride: s.t, padding: s.padding });
      try {
        W.randomize({ seed: s.seed, normalize: 'unit' });
        checkAdjoint(W, s.batch, s.seed);
      } finally {
        W.dispose();
      }
    }), { numRuns: 150, seed: 2 });
  });

  test(`${backend}: the matrix of W built from transpose equals the float64 convolution`, async () => {
    const cs = await instance(backend);
    const W = cs.conv2d({ inChannels: 2, outChannels: 3, kernelSize: [3, 2], height: 5, width: 6, stride: [2, 1], padding: [1, 1] });
    try {
      W.randomize({ seed: 5 });
      const A = denseMatrix(W);
      const x = randomArray(W.inputSize, 77);
      const Ax = new Float64Array(W.outputSize);
      for (let r = 0; r < W.outputSize; r++) {
        let s = 0;
        for (let c = 0; c < W.inputSize; c++) s += A[r * W.inputSize + c]! * x[c]!;
        Ax[r] = s;
      }
      const ref = convReference(x, W.getWeights(), W.geometry);
      assert.ok(relErr(Ax, ref) <= 1e-6);
      assert.ok(relErr(W.forward(x), ref) <= 1e-5);
    } finally {
      W.dispose();
    }
  });
}
