// Forward and transposed convolution against PyTorch golden vectors
// (tests/fixtures/make_conv_golden.py, float64 references from float32 inputs).
import { test } from 'node:test';
import assert from './assert.js';
import { readFileSync } from 'node:fs';
import { backends, instance, relErr, bitsEqual } from './helpers.js';
import type { Convcs, ConvOperator } from '../src/index.js';

interface Case {
  name: string; dim: 1 | 2; batch: number; inChannels: number; outChannels: number;
  inputShape: number[]; kernelSize: number[]; stride: number[]; padding: number[] | 'same';
  outputShape: number[]; x: number[]; weight: number[]; z: number[]; y: number[]; xt: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/conv-golden.json', import.meta.url), 'utf8')) as { cases: Case[] };

function makeOperator(cs: Convcs, c: Case): ConvOperator {
  if (c.dim === 1) {
    return cs.conv1d({
      inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernelSize[0]!, length: c.inputShape[0]!,
      stride: c.stride[0]!, padding: c.padding === 'same' ? 'same' : c.padding[0]!,
    });
  }
  return cs.conv2d({
    inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernelSize as [number, number],
    height: c.inputShape[0]!, width: c.inputShape[1]!, stride: c.stride as [number, number],
    padding: c.padding === 'same' ? 'same' : (c.padding as [number, number]),
  });
}

test('fixture covers the cases the kernel issue asks for', () => {
  const cs = fixture.cases;
  assert.ok(cs.some((c) => c.dim === 1) && cs.some((c) => c.dim === 2));
  for (const s of [1, 2, 3]) assert.ok(cs.some((c) => c.stride.includes(s)), `stride ${s}`);
  for (const p of [0, 1, 2, 3]) assert.ok(cs.some((c) => Array.isArray(c.padding) && c.padding.includes(p)), `padding ${p}`);
  assert.ok(cs.some((c) => c.padding === 'same'));
  assert.ok(cs.some((c) => c.inChannels !== c.outChannels));
  assert.ok(cs.some((c) => c.batch > 1));
  assert.ok(cs.some((c) => c.dim === 2 && c.kernelSize[0] !== c.kernelSize[1]));
});

/** The 2-D cases Winograd can take: 3x3 kernel, stride 1. */
const winogradCases = fixture.cases.filter((c) => c.dim === 2 && c.kernelSize.every((k) => k === 3) && c.stride.every((s) => s === 1));

test('fixture has 3x3 stride-1 cases for the forced Winograd algorithms', () => {
  assert.ok(winogradCases.length >= 3);
  assert.ok(winogradCases.some((c) => c.padding === 'same') && winogradCases.some((c) => c.batch > 1));
});

for (const backend of backends) {
  for (const c of winogradCases) {
    test(`${backend}: ${c.name}, algorithm 'winograd4x4'`, async () => {
      const cs = await instance(backend);
      const W = cs.conv2d({
        inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: 3, height: c.inputShape[0]!, width: c.inputShape[1]!,
        padding: c.padding === 'same' ? 'same' : (c.padding as [number, number]), algorithm: 'winograd4x4',
      });
      try {
        assert.equal(W.paths.forward, 'winograd4x4');
        assert.equal(W.paths.transpose, 'winograd4x4');
        W.setWeights(new Float32Array(c.weight));
        const ef = relErr(W.forward(new Float32Array(c.x)), c.y);
        assert.ok(ef <= 1e-5, `forward relative error ${ef}`);
        const et = relErr(W.transpose(new Float32Array(c.z)), c.xt);
        assert.ok(et <= 1e-5, `transpose relative error ${et}`);
      } finally {
        W.dispose();
      }
    });
  }

  for (const c of fixture.cases) {
    test(`${backend}: ${c.name}`, async () => {
      const cs = await instance(backend);
      const W = makeOperator(cs, c);
      try {
        assert.deepEqual([...W.outputShape].slice(1), c.outputShape);
        W.setWeights(new Float32Array(c.weight));
        const x = new Float32Array(c.x);
        const z = new Float32Array(c.z);
        const y = W.forward(x);
        assert.equal(y.length, c.y.length);
        const ef = relErr(y, c.y);
        assert.ok(ef <= 1e-5, `forward relative error ${ef}`);
        const xt = W.transpose(z);
        assert.equal(xt.length, c.xt.length);
        const et = relErr(xt, c.xt);
        assert.ok(et <= 1e-5, `transpose relative error ${et}`);
        // The sparse path, fed every entry of each code, is the same adjoint.
        for (let n = 0; n < c.batch; n++) {
          const zn = z.subarray(n * W.outputSize, (n + 1) * W.outputSize);
          const idx = Int32Array.from(zn.keys());
          const xs = W.transposeSparse(idx, zn.slice());
          const es = relErr(xs, c.xt.slice(n * W.inputSize, (n + 1) * W.inputSize));
          assert.ok(es <= 1e-5, `sparse transpose relative error ${es}`);
          if (backend === 'scalar') {
            // Scalar dense and sparse paths add the same terms in the same order.
            assert.ok(bitsEqual(xs, xt.subarray(n * W.inputSize, (n + 1) * W.inputSize)));
          }
        }
      } finally {
        W.dispose();
      }
    });
  }
}
