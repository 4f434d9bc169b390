// The dot-test on every operator and every plan a layer can take, in both modules: each kernel
// path (direct, Winograd, the pixel-vectorized kernels, both sparse tiles, the 3x3 sparse kernel
// onto 4-channel pixels, blocks of filters, the axpy path below 5% density and the dense fallback
// above 35%), 1-D layers, CReLU, stacks and a caller's own LinearOperator. Each case first checks that the layer really takes the plan named.
import { test } from 'node:test';
import assert from './assert.js';
import type { Convcs, ConvOperator, LinearOperator } from '../src/index.js';
import { backends, instance } from './helpers.js';
import { dottest } from './dottest.js';

const TOLERANCE = 1e-5;

type Plan = { name: string; make(cs: Convcs): ConvOperator; holds(W: ConvOperator, simd: boolean): boolean; densities: number[] };

const plans: Plan[] = [
  {
    name: 'direct 4x8 forward and dense transpose, 1x24 sparse tile',
    make: (cs) => cs.conv2d({ inChannels: 8, outChannels: 16, kernelSize: 3, height: 10, width: 9, padding: 1, algorithm: 'direct' }),
    holds: (W, simd) => W.paths.forward === 'direct' && W.paths.transpose === 'direct' && (!simd || W.sparse!.tile === 24),
    densities: [0.01, 0.2, 0.6],
  },
  {
    name: 'Winograd F(2x2, 3x3) forward and transpose (dense fallback above 35%)',
    make: (cs) => cs.conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, height: 12, width: 10, padding: 'same' }),
    holds: (W) => W.paths.forward === 'winograd' && W.paths.transpose === 'winograd',
    densities: [0.01, 0.2, 0.6],
  },
  {
    name: 'Winograd F(4x4, 3x3) forward and transpose, forced (edge tiles both ways, dense fallback above 35%)',
    make: (cs) => cs.conv2d({ inChannels: 8, outChannels: 6, kernelSize: 3, height: 13, width: 18, padding: 'same', algorithm: 'winograd4x4' }),
    holds: (W) => W.paths.forward === 'winograd4x4' && W.paths.transpose === 'winograd4x4',
    densities: [0.01, 0.2, 0.6],
  },
  {
    name: 'Winograd F(4x4, 3x3) forward, direct transpose (padding 3)',
    make: (cs) => cs.conv2d({ inChannels: 5, outChannels: 9, kernelSize: 3, height: 9, width: 7, padding: 3, algorithm: 'winograd4x4' }),
    holds: (W) => W.paths.forward === 'winograd4x4' && W.paths.transpose !== 'winograd4x4',
    densities: [0.05, 0.5],
  },
  {
    name: 'pixel-vectorized forward (few output channels)',
    make: (cs) => cs.conv2d({ inChannels: 4, outChannels: 3, kernelSize: 3, height: 9, width: 11, padding: 'same', algorithm: 'direct' }),
    holds: (W, simd) => W.paths.forward === (simd ? 'pixel' : 'direct'),
    densities: [0.05, 0.5],
  },
  {
    name: 'pixel-vectorized transpose (6 input channels), 1x32 sparse tile',
    make: (cs) => cs.conv2d({ inChannels: 6, outChannels: 16, kernelSize: 3, height: 10, width: 10, padding: 'same' }),
    holds: (W, simd) => W.paths.transpose === (simd ? 'pixel' : 'direct') && (!simd || W.sparse!.tile === 32),
    densities: [0.01, 0.3],
  },
  {
    name: 'pixel-vectorized transpose (3 input channels), 3x3 sparse kernel onto 4-channel pixels',
    make: (cs) => cs.conv2d({ inChannels: 3, outChannels: 16, kernelSize: 3, height: 10, width: 10, padding: 'same' }),
    holds: (W, simd) => W.paths.transpose === (simd ? 'pixel' : 'direct') && W.paths.sparse === (simd ? 'c4' : 'scalar'),
    densities: [0.01, 0.3, 0.9],
  },
  {
    name: '3x3 sparse kernel onto 4-channel pixels, strided, 2 input channels',
    make: (cs) => cs.conv2d({ inChannels: 2, outChannels: 5, kernelSize: 3, height: 11, width: 9, stride: 2, padding: 1, algorithm: 'direct' }),
    holds: (W, simd) => W.paths.sparse === (simd ? 'c4' : 'scalar'),
    densities: [0.05, 0.5],
  },
  {
    name: 'sparse transpose in blocks of filters (many filters)',
    make: (cs) => cs.conv2d({ inChannels: 8, outChannels: 320, kernelSize: 3, height: 5, width: 5, padding: 1, algorithm: 'direct' }),
    holds: (W, simd) => !simd || W.sparse!.blocks > 1,
    densities: [0.01, 0.25],
  },
  {
    name: 'strided, asymmetric kernel and padding',
    make: (cs) => cs.conv2d({ inChannels: 5, outChannels: 7, kernelSize: [2, 3], height: 11, width: 8, stride: [2, 3], padding: [1, 0] }),
    holds: (W) => W.geometry.sh === 2 && W.geometry.sw === 3,
    densities: [0.1, 0.5],
  },
  {
    name: 'conv1d, the paper\'s layer',
    make: (cs) => cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }),
    holds: (W) => W.dims === 1,
    densities: [0.01, 0.25],
  },
];

for (const backend of backends) {
  test(`${backend}: the dot-test on every plan of a convolution, dense and sparse codes`, async () => {
    const cs = await instance(backend);
    for (const [i, p] of plans.entries()) {
      const W = p.make(cs).randomize({ seed: 10 + i });
      try {
        assert.ok(p.holds(W, backend === 'simd'), `${p.name}: the layer does not take this plan`);
        for (const density of p.densities) {
          const r = dottest(W, 100 * i, density);
          assert.ok(r.error < TOLERANCE, `${p.name}: dense dot-test error ${r.error}`);
          assert.ok(r.sparseError! < TOLERANCE, `${p.name}: sparse dot-test error ${r.sparseError} at density ${density}`);
        }
      } finally {
        W.dispose();
      }
    }
  });

  test(`${backend}: the dot-test on CReLU, stacks and a caller's own LinearOperator`, async () => {
    const cs = await instance(backend);
    const W1 = cs.conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, height: 10, width: 10, padding: 'same' }).randomize({ seed: 1 });
    const W2 = cs.conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, height: 10, width: 10, padding: 'same' }).randomize({ seed: 2 });
    const own: LinearOperator = {
      inputShape: W1.inputShape, outputShape: W1.outputShape, inputSize: W1.inputSize, outputSize: W1.outputSize,
      forward: (x) => W1.forward(x), transpose: (z) => W1.transpose(z),
    };
    try {
      const operators = [
        ['CReLU [W; -W]', cs.crelu(W1), true],
        ['stack W2 W1', cs.stack([W1, W2]), true],
        ['stack W2 (a plain operator of W1)', cs.stack([own, W2]), true],
        ['stack: W1, then the CReLU view of W2', cs.stack([W1, cs.crelu(W2)]), true],
        ['a plain LinearOperator', own, false],
      ] as const;
      for (const [name, op, sparse] of operators) {
        const r = dottest(op, 7);
        assert.ok(r.error < TOLERANCE, `${name}: dot-test error ${r.error}`);
        assert.equal(r.sparseError !== undefined, sparse, `${name}: ${sparse ? 'no' : 'an unexpected'} sparse path`);
        if (r.sparseError !== undefined) assert.ok(r.sparseError < TOLERANCE, `${name}: sparse dot-test error ${r.sparseError}`);
      }
    } finally {
      W1.dispose();
      W2.dispose();
    }
  });
}
