// Fuzz cases of the operators: constructors, forward and transpose, transposeSparse, setWeights,
// randomize.

import fc from 'fast-check';
import type { ConvOperator, Conv1dOptions, Conv2dOptions } from '../../src/index.js';
import { bitsEqual, convReference, randomArray, transposeReference } from '../helpers.js';
import { DataFault, OutFault, abs32, badInts, applyDataFault, badPositive, badSeed, batchReference, closeTo, dataFault, dataFaultExpect, dataSeed, int, make, norm, opSpec, optionFault, outFault, seedArb, unknownKey, withFault, wrong } from './arbitraries.js';
import { Expect, check } from './harness.js';

// -- constructors

export const ctorFault = fc.oneof(
  fc.record({
    kind: fc.constant('field' as const),
    field: fc.constantFrom('inChannels', 'outChannels', 'kernelSize', 'length', 'stride'),
    bad: badPositive,
  }),
  fc.record({ kind: fc.constant('missing' as const), field: fc.constantFrom('inChannels', 'outChannels', 'kernelSize', 'length') }),
  fc.record({ kind: fc.constant('padding' as const), value: fc.constantFrom<[unknown, Expect]>([-1, 'range'], [1.5, 'type'], ['full', 'type'], [NaN, 'type'], [{}, 'type'], [[1, 2, 3], 'type']) }),
  fc.record({ kind: fc.constant('unknown' as const), key: unknownKey }),
  fc.record({ kind: fc.constant('notObject' as const), value: fc.constantFrom<unknown>(null, 5, 'conv', [], new Float32Array(2), true) }),
  fc.record({ kind: fc.constant('kernelTooLarge' as const) }),
  fc.record({ kind: fc.constant('sameWithStride' as const) }),
  // Legal sizes whose buffers together pass the memory cap: refused before memory grows.
  fc.record({ kind: fc.constant('pastCap' as const), log2: int(23, 28) }),
);

export const ctorCase = fc.record({ spec: opSpec, fault: fc.option(ctorFault, { nil: undefined, freq: 2 }) }).map(({ spec, fault }) => {
  const api = spec.dims === 1 ? 'conv1d' : 'conv2d';
  let options: unknown = { ...spec.options };
  let expect: Expect = 'ok';
  const o = options as Record<string, unknown>;
  const sizeKey = spec.dims === 1 ? 'length' : 'height';
  if (fault) {
    switch (fault.kind) {
      case 'field': {
        const key = spec.dims === 2 && fault.field === 'length' ? 'width' : fault.field;
        o[key] = fault.bad[0];
        expect = fault.bad[1];
        // A pair is legal for 2-D kernelSize and stride, and an array [3] is not a pair either way.
        break;
      }
      case 'missing':
        delete o[spec.dims === 2 && fault.field === 'length' ? 'width' : fault.field];
        expect = 'type';
        break;
      case 'padding':
        o.padding = fault.value[0];
        expect = fault.value[1];
        break;
      case 'unknown':
        o[fault.key] = 1;
        expect = 'type';
        break;
      case 'notObject':
        options = fault.value;
        expect = 'type';
        break;
      case 'kernelTooLarge':
        o.kernelSize = (o[sizeKey] as number) + 3;
        o.padding = 1;
        expect = 'range';
        break;
      case 'sameWithStride':
        o.padding = 'same';
        o.stride = 2;
        expect = 'range';
        break;
      case 'pastCap':
        options = spec.dims === 1
          ? { inChannels: 1, outChannels: 1, kernelSize: 1, length: 2 ** fault.log2 }
          : { inChannels: 4, outChannels: 4, kernelSize: 1, height: 2 ** (fault.log2 - 12), width: 1024 };
        expect = 'range';
        break;
    }
  }
  return make(api, expect, { spec, fault }, (h) => ({
    call: () => {
      const W = spec.dims === 1 ? h.cs.conv1d(options as Conv1dOptions) : h.cs.conv2d(options as Conv2dOptions);
      return h.track(W);
    },
    verify: (r) => {
      const W = r as ConvOperator;
      // Output sizes from PyTorch's formula, independently of the library's geometry.
      const outLen = (size: number, k: number, s: number, p: number | 'same' | 'valid'): number =>
        p === 'same' ? size : Math.floor((size + 2 * (p === 'valid' ? 0 : p) - k) / s) + 1;
      if (spec.dims === 1) {
        const s = spec.options as Conv1dOptions;
        const n = outLen(s.length, s.kernelSize, s.stride ?? 1, s.padding ?? 0);
        check(W.outputShape.join() === [s.outChannels, n].join(), `conv1d: outputShape ${W.outputShape} for ${JSON.stringify(s)}`);
        check(W.inputShape.join() === [s.inChannels, s.length].join(), 'conv1d: inputShape');
      } else {
        const s = spec.options as Conv2dOptions;
        const [kh, kw] = s.kernelSize as [number, number];
        const [sh, sw] = s.stride as [number, number];
        const p = s.padding ?? 0;
        const [ph, pw] = typeof p === 'number' ? [p, p] : Array.isArray(p) ? p : [p, p];
        const Ho = outLen(s.height, kh, sh, ph as number | 'same' | 'valid');
        const Wo = outLen(s.width, kw, sw, pw as number | 'same' | 'valid');
        check(W.outputShape.join() === [s.outChannels, Ho, Wo].join(), `conv2d: outputShape ${W.outputShape} for ${JSON.stringify(s)}`);
      }
      check(W.getWeights().length === W.weightShape.reduce((a, b) => a * b, 1), `${api}: weights length`);
    },
  }));
});

// -- forward / transpose

export const denseCase = (dir: 'forward' | 'transpose') => fc.record({
  spec: opSpec, N: int(1, 3), seed: dataSeed,
  fault: fc.option(fc.oneof(dataFault, outFault, fc.constant({ kind: 'disposed' as const })), { nil: undefined, freq: 2 }),
}).map((d) => {
  const f = d.fault;
  const expect: Expect = !f || f.kind === 'alias' ? 'ok'
    : f.kind === 'disposed' || f.kind === 'outWrong' ? 'type'
      : f.kind === 'outLength' ? 'range' : dataFaultExpect(f);
  return make(`W.${dir}`, expect, d, (h) => {
    const W = h.op(d.spec);
    const inU = dir === 'forward' ? W.inputSize : W.outputSize;
    const outU = dir === 'forward' ? W.outputSize : W.inputSize;
    const x = randomArray(d.N * inU, d.seed);
    let arg: unknown = x;
    let out: unknown;
    let want: Float32Array | undefined;
    if (f?.kind === 'disposed') W.dispose();
    else if (f?.kind === 'outLength') out = new Float32Array(Math.max(0, d.N * outU + f.delta));
    else if (f?.kind === 'outWrong') out = wrong(f.as, d.N * outU);
    else if (f?.kind === 'alias') {
      // Input and output in one buffer, overlapping (shift 0: the same start).
      want = W[dir](x);
      const base = 8;
      const buf = new Float32Array(base * 2 + d.N * Math.max(inU, outU) + 16);
      const input = buf.subarray(base, base + x.length);
      input.set(x);
      const at = Math.min(Math.max(0, base + f.shift), buf.length - d.N * outU);
      out = buf.subarray(at, at + d.N * outU);
      arg = input;
    } else if (f) {
      arg = applyDataFault(x, inU, f);
    }
    return {
      call: () => (W[dir] as (a: unknown, o?: unknown) => Float32Array)(arg, out),
      verify: (r) => {
        const y = r as Float32Array;
        check(y instanceof Float32Array && y.length === d.N * outU, `W.${dir}: result length`);
        if (out !== undefined) check(y === out, `W.${dir}: the result is not the out array`);
        if (want) check(bitsEqual(y, want), `W.${dir}: the aliased call differs from the plain one`);
        else closeTo(`W.${dir}`, y, batchReference(W, x, dir), batchReference(W, x, dir, true));
      },
    };
  });
});

// -- transposeSparse

export type SparseFault =
  | { kind: 'index'; value: number }
  | { kind: 'indicesWrong'; as: 'uint32' | 'array' | 'float32' | 'int16' | 'null' | 'string' }
  | { kind: 'values'; fault: DataFault }
  | { kind: 'disposed' }
  | OutFault;

export const sparseCase = fc.record({
  spec: opSpec, nnz: int(0, 12), seed: dataSeed,
  fault: fc.option(fc.oneof<fc.Arbitrary<SparseFault>[]>(
    fc.record({ kind: fc.constant('index' as const), value: fc.constantFrom(-1, -(2 ** 31), 2 ** 31 - 1, Infinity) }),
    fc.record({ kind: fc.constant('indicesWrong' as const), as: fc.constantFrom('uint32', 'array', 'float32', 'int16', 'null', 'string') }),
    fc.record({ kind: fc.constant('values' as const), fault: dataFault }),
    fc.constant({ kind: 'disposed' as const }),
    outFault,
  ), { nil: undefined, freq: 2 }),
}).map((d) => {
  const f = d.fault;
  let expect: Expect = 'ok';
  if (f) {
    if (f.kind === 'index' || f.kind === 'outLength') expect = 'range';
    else if (f.kind === 'indicesWrong' || f.kind === 'disposed' || f.kind === 'outWrong') expect = 'type';
    else if (f.kind === 'values') expect = f.fault.kind === 'wrong' ? 'type' : 'range';
  }
  return make('W.transposeSparse', expect, d, (h) => {
    const W = h.op(d.spec);
    const r = randomArray(d.nnz * 2 + 1, d.seed);
    const indices = Int32Array.from({ length: d.nnz }, (_, i) => Math.floor(((r[i]! + 1) / 2) * W.outputSize) % W.outputSize);
    const values = randomArray(d.nnz, d.seed + 1);
    let idxArg: unknown = indices;
    let valArg: unknown = values;
    let out: unknown;
    let want: Float32Array | undefined;
    if (f?.kind === 'index') {
      const bad = f.value === Infinity ? W.outputSize : f.value;
      idxArg = Int32Array.from([...indices, bad]);
      valArg = Float32Array.from([...values, 1]);
    } else if (f?.kind === 'indicesWrong') {
      idxArg = f.as === 'uint32' ? Uint32Array.from(indices) : f.as === 'array' ? Array.from(indices) : f.as === 'float32' ? Float32Array.from(indices)
        : f.as === 'int16' ? Int16Array.from(indices) : f.as === 'null' ? null : 'indices';
    } else if (f?.kind === 'values') {
      if (f.fault.kind === 'length' || f.fault.kind === 'empty' || f.fault.kind === 'detached') {
        // Exact length nnz: give one value too many (an empty or detached array is only wrong for nnz > 0).
        valArg = new Float32Array(d.nnz + 1);
      } else if (f.fault.kind === 'nonfinite') {
        idxArg = Int32Array.from([...indices, 0]);
        valArg = applyDataFault(Float32Array.from([...values, 1]), 1, f.fault);
      } else valArg = wrong(f.fault.as, d.nnz);
    } else if (f?.kind === 'disposed') W.dispose();
    else if (f?.kind === 'outLength') out = new Float32Array(Math.max(0, W.inputSize + f.delta));
    else if (f?.kind === 'outWrong') out = wrong(f.as, W.inputSize);
    else if (f?.kind === 'alias') {
      // out shares the values' buffer: the values must be read before the result is written.
      want = W.transposeSparse(indices, values);
      const buf = new Float32Array(d.nnz + W.inputSize + 16);
      const v = buf.subarray(4, 4 + d.nnz);
      v.set(values);
      valArg = v;
      const at = Math.min(Math.max(0, 4 + f.shift), buf.length - W.inputSize);
      out = buf.subarray(at, at + W.inputSize);
    }
    return {
      call: () => (W.transposeSparse as (a: unknown, b: unknown, c?: unknown) => Float32Array)(idxArg, valArg, out),
      verify: (res) => {
        const y = res as Float32Array;
        if (want) {
          check(bitsEqual(y, want), 'W.transposeSparse: the aliased call differs from the plain one');
          return;
        }
        const z = new Float32Array(W.outputSize);
        for (let i = 0; i < indices.length; i++) z[indices[i]!]! += values[i]!;
        const zAbs = new Float32Array(W.outputSize);
        for (let i = 0; i < indices.length; i++) zAbs[indices[i]!]! += Math.abs(values[i]!);
        closeTo('W.transposeSparse', y, transposeReference(z, W.getWeights(), W.geometry), transposeReference(zAbs, abs32(W.getWeights()), W.geometry));
      },
    };
  });
});

// -- setWeights, randomize

export const setWeightsCase = fc.record({
  spec: opSpec, seed: dataSeed, fault: fc.option(fc.oneof(dataFault, fc.constant({ kind: 'disposed' as const })), { nil: undefined, freq: 2 }),
}).map((d) => {
  const f = d.fault;
  const expect: Expect = !f ? 'ok' : f.kind === 'disposed' ? 'type' : dataFaultExpect(f);
  return make('W.setWeights', expect, d, (h) => {
    const W = h.op(d.spec);
    const n = W.weightShape.reduce((a, b) => a * b, 1);
    const w = randomArray(n, d.seed);
    let arg: unknown = w;
    if (f?.kind === 'disposed') W.dispose();
    else if (f) arg = applyDataFault(w, n, f);
    // A length that is a multiple of n is still wrong here: exact length n only.
    if (f?.kind === 'length' && (arg as Float32Array).length === 0) arg = new Float32Array(2 * n);
    return {
      call: () => W.setWeights(arg as Float32Array),
      verify: () => {
        check(bitsEqual(W.getWeights(), w), 'W.setWeights: getWeights differs');
        const x = randomArray(W.inputSize, d.seed + 3);
        closeTo('W.setWeights then forward', W.forward(x), convReference(x, w, W.geometry), convReference(abs32(x), abs32(w), W.geometry));
      },
    };
  });
});

export const randomizeFault = optionFault([
  ['seed', badSeed],
  ['stream', fc.constantFrom<[unknown, Expect]>(...badInts.filter(([v]) => v !== 2 ** 31), [2 ** 32, 'range'])],
  ['normalize', fc.constantFrom<[unknown, Expect]>(['l2', 'type'], [null, 'type'], [1, 'type'], ['', 'type'])],
]);

export const randomizeCase = fc.record({
  spec: opSpec, seed: seedArb, stream: fc.option(int(0, 2 ** 32 - 1), { nil: undefined }),
  normalize: fc.option(fc.constantFrom('fan-in' as const, 'unit' as const), { nil: undefined }),
  fault: fc.option(fc.oneof(
    randomizeFault.map((o) => ({ kind: 'option' as const, o })),
    fc.constant({ kind: 'disposed' as const }),
    fc.constant({ kind: 'noSeed' as const }),
    fc.record({ kind: fc.constant('notObject' as const), value: fc.constantFrom<unknown>(null, 5, 'seed', [1]) }),
  ), { nil: undefined, freq: 2 }),
}).map((d) => {
  const base: Record<string, unknown> = { seed: d.seed };
  if (d.stream !== undefined) base.stream = d.stream;
  if (d.normalize !== undefined) base.normalize = d.normalize;
  let options: unknown = base;
  let expect: Expect = 'ok';
  const f = d.fault;
  if (f?.kind === 'option') ({ options, expect } = withFault(base, f.o));
  else if (f?.kind === 'disposed') expect = 'type';
  else if (f?.kind === 'noSeed') {
    options = { ...base, seed: undefined };
    expect = 'type';
  } else if (f?.kind === 'notObject') {
    options = f.value;
    expect = 'type';
  }
  return make('W.randomize', expect, d, (h) => {
    const W = h.op(d.spec);
    if (f?.kind === 'disposed') W.dispose();
    return {
      call: () => W.randomize(options as never),
      verify: () => {
        const w = W.getWeights();
        const again = h.op(d.spec).randomize(base as never).getWeights();
        check(bitsEqual(w, again), 'W.randomize: not deterministic');
        const taps = w.length / W.weightShape[0]!;
        for (let k = 0; k < W.weightShape[0]!; k++) {
          const f32 = w.subarray(k * taps, (k + 1) * taps);
          check(f32.every(Number.isFinite), 'W.randomize: non-finite weight');
          if (d.normalize === 'unit') check(Math.abs(norm(f32) - 1) < 1e-5, `W.randomize: filter ${k} has norm ${norm(f32)}`);
        }
      },
    };
  });
});
