// Fuzz cases with arguments of any kind, whose outcome is not predicted (refused or sane).

import fc from 'fast-check';
import type { ConvOperator, LinearOperator } from '../../src/index.js';
import { make, opSpec, weird } from './arbitraries.js';

// -- calls with arguments of any kind, whose outcome is not predicted (refused or sane)

export const chaosCase = fc.record({
  api: fc.constantFrom('conv1d', 'conv2d', 'forward', 'transposeSparse', 'randomize', 'project', 'maxPool', 'unpool', 'randn', 'rand',
    'sampleModelSparse', 'reconstruct', 'iht', 'rip', 'histogram', 'crelu', 'stack', 'getWeights'),
  a: weird, b: weird,
  o: fc.dictionary(fc.constantFrom('inChannels', 'outChannels', 'kernelSize', 'length', 'height', 'width', 'stride', 'padding', 'seed', 'stream',
    'start', 'shape', 'pool', 'k', 'density', 'mode', 'trials', 'iterations', 'values', 'measure', 'bins', 'range', 'low', 'high', 'switches',
    'tolerance', 'step', 'normalize', 'shard'), weird, { maxKeys: 6 }),
  spec: opSpec,
}).map((d) => make(`chaos ${d.api}`, 'any', d, (h) => {
  const W = h.op(d.spec);
  if (d.api === 'getWeights' && d.a) W.dispose();
  const o = d.o as never;
  const calls: Record<string, () => unknown> = {
    conv1d: () => h.track(h.cs.conv1d(o)),
    conv2d: () => h.track(h.cs.conv2d(o)),
    forward: () => W.forward(d.a as Float32Array, d.b as Float32Array),
    transposeSparse: () => W.transposeSparse(d.a as Int32Array, d.b as Float32Array),
    randomize: () => W.randomize(o),
    project: () => h.cs.project(d.a as Float32Array, o),
    maxPool: () => h.cs.maxPool(d.a as Float32Array, o),
    unpool: () => h.cs.unpool(d.a as Float32Array, o),
    randn: () => h.cs.randn(d.a as number, o),
    rand: () => h.cs.rand(d.a as number, o),
    sampleModelSparse: () => h.cs.sampleModelSparse(d.a as number[], o),
    reconstruct: () => h.cs.reconstruct(W, d.a as Float32Array, o),
    iht: () => h.cs.iht(W, d.a as Float32Array, { ...(d.o as object), iterations: 2 } as never),
    rip: () => h.cs.rip(W, { ...(d.o as object), trials: 2, workers: undefined } as never),
    histogram: () => h.cs.histogram(d.a as Float64Array, o),
    crelu: () => h.track(h.cs.crelu(d.a as ConvOperator)),
    stack: () => h.track(h.cs.stack(d.a as LinearOperator[])),
    getWeights: () => W.getWeights(),
  };
  return { call: calls[d.api]! };
}));
