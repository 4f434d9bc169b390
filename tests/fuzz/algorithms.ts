// Fuzz cases of the algorithms (reconstruct, iht, rip) and of histogram, crelu and stack.

import fc from 'fast-check';
import type { Convcs, ConvOperator, LinearOperator } from '../../src/index.js';
import { bitsEqual, randomArray } from '../helpers.js';
import { DataFault, OpSpec, applyDataFault, badSeed, blocksOf, dataFault, dataFaultExpect, dataSeed, frac, int, make, norm, opSpec, optionFault, seedArb, unknownKey, withFault } from './arbitraries.js';
import { Expect, Harness, check, fail } from './harness.js';
import { CodeFault, codeFault, codeOptions } from './projection.js';

// -- the algorithms

export type OperatorFault =
  | { kind: 'disposed' }
  | { kind: 'garbage'; value: 'null' | 'object' | 'number' | 'string' | 'array' | 'float32' }
  | { kind: 'otherInstance' }
  | { kind: 'inconsistent' };

export const operatorFault: fc.Arbitrary<OperatorFault> = fc.oneof(
  fc.constant<OperatorFault>({ kind: 'disposed' }),
  fc.constantFrom('null', 'object', 'number', 'string', 'array', 'float32').map((value): OperatorFault => ({ kind: 'garbage', value } as OperatorFault)),
  fc.constant<OperatorFault>({ kind: 'otherInstance' }),
);

export function faultyOperator(h: Harness, W: ConvOperator, spec: OpSpec, f: OperatorFault): unknown {
  switch (f.kind) {
    case 'disposed':
      W.dispose();
      return W;
    case 'garbage':
      return { null: null, object: {}, number: 5, string: 'W', array: [W], float32: new Float32Array(4) }[f.value];
    case 'otherInstance':
      return h.op(spec, h.other);
    case 'inconsistent':
      // A LinearOperator whose code shape holds far more values than its outputSize.
      return {
        inputShape: W.inputShape, outputShape: [W.outputSize + 64, 3], inputSize: W.inputSize, outputSize: W.outputSize,
        forward: (x: Float32Array) => W.forward(x), transpose: (z: Float32Array) => W.transpose(z),
      };
  }
}

/** Sparsity options valid for W's code: pool, k or density, mode. */
export const sparsityArb = fc.record({ poolKind: fc.constantFrom('global', 'p', 'none'), pf: frac, kf: frac, byDensity: fc.boolean(), relu: fc.boolean() });

export function sparsityFor(W: ConvOperator, s: { poolKind: string; pf: number; kf: number; byDensity: boolean; relu: boolean }): { options: Record<string, unknown>; k: number } {
  const shape = W.outputShape;
  const last = shape[shape.length - 1]!;
  const pool = s.poolKind === 'global' ? 'global' : s.poolKind === 'p' ? 1 + Math.floor(s.pf * (shape.length === 3 ? Math.min(shape[1]!, last) : last)) : undefined;
  const g = blocksOf(shape, pool ?? 'global');
  const k = Math.max(1, Math.round(s.kf * g.blocks));
  const options: Record<string, unknown> = { mode: s.relu ? 'relu' : 'abs' };
  if (pool !== undefined) options.pool = pool;
  if (s.byDensity) options.density = k / W.outputSize;
  else options.k = k;
  return { options, k };
}

export const sparsityFault: fc.Arbitrary<CodeFault> = codeFault.filter((c) => c.kind !== 'shape' && c.kind !== 'options' && c.kind !== 'unknown');

export function applySparsityFault(W: ConvOperator, o: Record<string, unknown>, k: number, f: CodeFault): { options: Record<string, unknown>; expect: Expect } {
  const shape = W.outputShape;
  const p = {
    shape: [...shape], pool: o.pool, g: blocksOf(shape, o.pool ?? 'global'), k, length: W.outputSize, density: k / W.outputSize,
    byDensity: o.density !== undefined, relu: o.mode === 'relu', seed: 0, poolKind: 'none' as const, pf: 0, pf2: 0, kf: 0,
  };
  const r = codeOptions(p, f, true, false);
  const options = { ...(r.options as Record<string, unknown>) };
  delete options.shape;
  return { options, expect: r.expect };
}

export const algoFault = fc.oneof(
  operatorFault.map((c) => ({ on: 'W' as const, c })),
  dataFault.map((c) => ({ on: 'x' as const, c })),
  sparsityFault.map((c) => ({ on: 'sparsity' as const, c })),
  unknownKey.map((key) => ({ on: 'unknown' as const, key })),
);

export function expectOfAlgoFault(f: { on: 'W'; c: OperatorFault } | { on: 'x'; c: DataFault } | { on: 'sparsity'; c: CodeFault } | { on: 'unknown'; key: string } | undefined): Expect | undefined {
  if (!f) return 'ok';
  if (f.on === 'W') return f.c.kind === 'inconsistent' ? 'range' : 'type';
  if (f.on === 'x') return dataFaultExpect(f.c);
  if (f.on === 'unknown') return 'type';
  return undefined; // decided once W's code shape is known (see prepare)
}

export const reconstructCase = fc.record({ spec: opSpec, seed: dataSeed, s: sparsityArb, fault: fc.option(algoFault, { nil: undefined, freq: 2 }) }).map((d) => {
  const pre = expectOfAlgoFault(d.fault);
  return make('reconstruct', pre ?? 'refuse', d, (h) => {
    const W = h.op(d.spec);
    const x = randomArray(W.inputSize, d.seed);
    let { options, k } = sparsityFor(W, d.s);
    let arg: unknown = x;
    let op: unknown = W;
    const f = d.fault;
    if (f?.on === 'x') {
      arg = applyDataFault(x, W.inputSize, f.c);
      if (f.c.kind === 'length' && (arg as Float32Array).length === 0) arg = new Float32Array(2 * W.inputSize);
    } else if (f?.on === 'sparsity') options = applySparsityFault(W, options, k, f.c).options;
    else if (f?.on === 'unknown') options = { ...options, [f.key]: 1 };
    const verifyW = W;
    if (f?.on === 'W') op = faultyOperator(h, W, d.spec, f.c);
    const expectNow = f?.on === 'sparsity' ? applySparsityFault(W, sparsityFor(W, d.s).options, k, f.c).expect : undefined;
    return {
      call: () => {
        const r = h.cs.reconstruct(op as LinearOperator, arg as Float32Array, options as never);
        if (expectNow !== undefined && expectNow !== 'ok') fail(`reconstruct: expected a refusal (${expectNow}) for ${JSON.stringify(options)}`);
        return r;
      },
      verify: (res) => {
        const r = res as { z: Float32Array; support: Int32Array; xHat: Float32Array; relativeError: number };
        // One CNN layer and its transpose, exactly as the public calls compute them.
        const p = h.cs.project(verifyW.forward(x), { shape: verifyW.outputShape, ...options } as never);
        check(bitsEqual(r.z, p.z) && r.support.join() === p.support.join(), 'reconstruct: z differs from project(W.forward(x))');
        const xHat = verifyW.transposeSparse(p.support, Float32Array.from(p.support, (i) => p.z[i]!));
        check(bitsEqual(r.xHat, xHat), 'reconstruct: xHat differs from W.transposeSparse(support, z)');
        const e = norm(Float64Array.from(xHat, (v, i) => v - x[i]!)) / norm(x);
        check(Math.abs(r.relativeError - e) <= 1e-6 * Math.max(1, e), `reconstruct: relativeError ${r.relativeError}, recomputed ${e}`);
      },
    };
  });
});

export const ihtCase = fc.record({
  spec: opSpec, seed: dataSeed, s: sparsityArb, iterations: int(1, 4),
  tolerance: fc.option(fc.constantFrom(0, 1e-6, 0.5), { nil: undefined }), step: fc.option(fc.constantFrom('unit' as const, 'normalized' as const), { nil: undefined }),
  fault: fc.option(fc.oneof(
    algoFault.map((a) => ({ kind: 'algo' as const, a })),
    optionFault([
      ['iterations', fc.constantFrom<[unknown, Expect]>([0, 'range'], [-1, 'range'], [1.5, 'type'], [NaN, 'type'], [1e8, 'range'], ['5', 'type'])],
      ['tolerance', fc.constantFrom<[unknown, Expect]>([-1, 'range'], [NaN, 'range'], [Infinity, 'range'], ['0', 'type'], [null, 'type'])],
      ['step', fc.constantFrom<[unknown, Expect]>(['half', 'type'], [1, 'type'])],
      ['onIteration', fc.constantFrom<[unknown, Expect]>(['log', 'type'], [{}, 'type'], [1, 'type'])],
    ]).map((o) => ({ kind: 'option' as const, o })),
  ), { nil: undefined, freq: 2 }),
}).map((d) => {
  const f = d.fault;
  const pre = f?.kind === 'algo' ? expectOfAlgoFault(f.a) : f?.kind === 'option' ? withFault({}, f.o).expect : 'ok';
  return make('iht', pre ?? 'refuse', d, (h) => {
    const W = h.op(d.spec);
    const x = randomArray(W.inputSize, d.seed);
    const sp = sparsityFor(W, d.s);
    let options: Record<string, unknown> = { ...sp.options, iterations: d.iterations };
    if (d.tolerance !== undefined) options.tolerance = d.tolerance;
    if (d.step !== undefined) options.step = d.step;
    let arg: unknown = x;
    let op: unknown = W;
    let expectNow: Expect | undefined;
    if (f?.kind === 'option') options = withFault(options, f.o).options;
    else if (f?.kind === 'algo') {
      const a = f.a;
      if (a.on === 'x') {
        arg = applyDataFault(x, W.inputSize, a.c);
        if (a.c.kind === 'length' && (arg as Float32Array).length === 0) arg = new Float32Array(2 * W.inputSize);
      } else if (a.on === 'sparsity') {
        const r = applySparsityFault(W, sp.options, sp.k, a.c);
        options = { ...r.options, iterations: d.iterations };
        expectNow = r.expect;
      } else if (a.on === 'unknown') options = { ...options, [a.key]: 1 };
      else op = faultyOperator(h, W, d.spec, a.c);
    }
    return {
      call: () => {
        const r = h.cs.iht(op as LinearOperator, arg as Float32Array, options as never);
        if (expectNow !== undefined && expectNow !== 'ok') fail(`iht: expected a refusal (${expectNow}) for ${JSON.stringify(options)}`);
        return r;
      },
      verify: (res) => {
        const r = res as { z: Float32Array; support: Int32Array; xHat: Float32Array; relativeError: number; iterations: number; history: Float64Array };
        check(r.iterations >= 1 && r.iterations <= d.iterations && r.history.length === r.iterations, `iht: ${r.iterations} iterations, history ${r.history.length}`);
        check(r.relativeError === r.history[r.history.length - 1], 'iht: relativeError is not the last of history');
        check(r.support.length <= sp.k, `iht: ${r.support.length} non-zeros for k = ${sp.k}`);
        for (let i = 0; i < r.z.length; i++) check(r.z[i] === 0 || r.support.includes(i), `iht: z[${i}] off the support`);
        const xHat = W.transposeSparse(r.support, Float32Array.from(r.support, (i) => r.z[i]!));
        check(bitsEqual(r.xHat, xHat), 'iht: xHat differs from W.transposeSparse(support, z)');
        const e = norm(Float64Array.from(xHat, (v, i) => v - x[i]!)) / norm(x);
        check(Math.abs(r.relativeError - e) <= 1e-6 * Math.max(1, e), `iht: relativeError ${r.relativeError}, recomputed ${e}`);
      },
    };
  });
});

export const ripCase = fc.record({
  spec: opSpec, s: sparsityArb, trials: int(1, 6), seed: seedArb,
  values: fc.option(fc.constantFrom('uniform' as const, 'sign' as const, 'bounded' as const), { nil: undefined }),
  measure: fc.option(fc.constantFrom('all' as const, 'forward' as const), { nil: undefined }),
  shard: fc.option(fc.tuple(frac, frac), { nil: undefined }),
  custom: fc.boolean(),
  fault: fc.option(fc.oneof(
    operatorFault.map((c) => ({ kind: 'W' as const, c })),
    fc.constant({ kind: 'W' as const, c: { kind: 'inconsistent' } as OperatorFault }),
    sparsityFault.map((c) => ({ kind: 'sparsity' as const, c })),
    fc.constant({ kind: 'noK' as const }),
    optionFault([
      ['trials', fc.constantFrom<[unknown, Expect]>([0, 'range'], [-1, 'range'], [1.5, 'type'], [NaN, 'type'], [2e9, 'range'], ['5', 'type'], [5n, 'type'])],
      ['seed', badSeed],
      ['values', fc.constantFrom<[unknown, Expect]>(['gauss', 'type'], [null, 'type'])],
      ['measure', fc.constantFrom<[unknown, Expect]>(['gram', 'type'], [0, 'type'])],
      ['onProgress', fc.constantFrom<[unknown, Expect]>(['log', 'type'], [{}, 'type'])],
      ['shard', fc.constantFrom<[unknown, Expect]>([null, 'type'], ['0/2', 'type'], [[0, 2], 'type'], [{ index: 2, count: 2 }, 'range'],
        [{ index: -1, count: 2 }, 'range'], [{ index: 0, count: 0 }, 'range'], [{ index: 0, count: 100 }, 'range'], [{ index: 0.5, count: 2 }, 'refuse'],
        [{ index: 0 }, 'type'], [{ index: 0, count: 1, of: 2 }, 'type'])],
    ]).map((o) => ({ kind: 'option' as const, o })),
  ), { nil: undefined, freq: 2 }),
}).map((d) => {
  const f = d.fault;
  const pre = !f ? 'ok' : f.kind === 'W' ? (f.c.kind === 'inconsistent' ? 'range' : 'type') : f.kind === 'noK' ? 'type' : f.kind === 'option' ? withFault({}, f.o).expect : undefined;
  return make('rip', pre ?? 'refuse', d, (h) => {
    const W = h.op(d.spec);
    const sp = sparsityFor(W, d.s);
    let options: Record<string, unknown> = { ...sp.options, trials: d.trials, seed: d.seed };
    if (d.values !== undefined) options.values = d.values;
    if (d.measure !== undefined) options.measure = d.measure;
    let range: [number, number] = [0, d.trials];
    if (d.shard) {
      const count = 1 + Math.floor(d.shard[0] * d.trials);
      const index = Math.floor(d.shard[1] * count);
      options.shard = { index, count };
      range = [Math.floor((index * d.trials) / count), Math.floor(((index + 1) * d.trials) / count)];
    }
    let op: unknown = W;
    if (d.custom) {
      // A caller's own LinearOperator (no pointer paths): rip goes through the adapter.
      op = { inputShape: W.inputShape, outputShape: W.outputShape, inputSize: W.inputSize, outputSize: W.outputSize,
        forward: (x: Float32Array) => W.forward(x), transpose: (z: Float32Array) => W.transpose(z) };
    }
    let expectNow: Expect | undefined;
    if (f?.kind === 'W') op = faultyOperator(h, W, d.spec, f.c);
    else if (f?.kind === 'sparsity') {
      const r = applySparsityFault(W, sp.options, sp.k, f.c);
      options = { ...r.options, trials: d.trials, seed: d.seed };
      expectNow = r.expect;
    } else if (f?.kind === 'noK') {
      delete options.k;
      delete options.density;
    } else if (f?.kind === 'option') options = withFault(options, f.o).options;
    return {
      call: () => {
        const r = h.cs.rip(op as LinearOperator, options as never);
        if (expectNow !== undefined && expectNow !== 'ok') fail(`rip: expected a refusal (${expectNow}) for ${JSON.stringify(options, (_, v) => typeof v === 'bigint' ? `${v}n` : v)}`);
        return r;
      },
      verify: (res) => {
        const r = res as import('../../src/index.js').RipReport;
        const n = range[1] - range[0];
        const all = d.measure !== 'forward';
        check(r.forward.length === n && r.gram.length === (all ? n : 0) && r.reconstruction.length === (all ? n : 0), 'rip: array lengths');
        let dk = 0;
        for (const v of r.forward) dk = Math.max(dk, Math.abs(v * v - 1));
        check(r.deltaK === dk, `rip: deltaK ${r.deltaK}, recomputed ${dk}`);
        check(all ? r.delta2K >= r.deltaK : Number.isNaN(r.delta2K), `rip: delta2K ${r.delta2K}`);
        for (const a of [r.forward, r.gram, r.reconstruction]) for (const v of a) check(Number.isFinite(v) && v >= 0, `rip: value ${v}`);
        // Trial t's ratio from the public sampler and transposeSparse.
        for (let t = range[0]; t < range[1]; t++) {
          const c = h.cs.sampleModelSparse(W.outputShape, { pool: sp.options.pool as never, k: sp.k, seed: d.seed, stream: t, values: d.values });
          const x = W.transposeSparse(c.support, Float32Array.from(c.support, (i) => c.z[i]!));
          const zn = norm(c.z);
          const want = zn > 0 ? norm(x) / zn : 1;
          check(Math.abs(r.forward[t - range[0]]! - want) <= 1e-5 * Math.max(1, want), `rip: trial ${t} ratio ${r.forward[t - range[0]]}, recomputed ${want}`);
        }
        check(JSON.stringify(r.summary.forward) === JSON.stringify(h.cs.summarize(r.forward)), 'rip: summary');
        if (d.shard) check(r.shard?.start === range[0] && r.shard.end === range[1], 'rip: shard range');
      },
    };
  });
});

// -- histogram, crelu, stack

export const histogramCase = fc.record({
  values: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { maxLength: 20 }),
  kind: fc.constantFrom('f64', 'f32', 'array'), bins: fc.option(int(1, 40), { nil: undefined }),
  range: fc.option(fc.tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true })), { nil: undefined }),
  fault: fc.option(fc.oneof(
    optionFault([
      ['bins', fc.constantFrom<[unknown, Expect]>([0, 'range'], [-1, 'range'], [1.5, 'type'], [1e7, 'range'], ['5', 'type'])],
      ['range', fc.constantFrom<[unknown, Expect]>([[1, 1], 'range'], [[2, 1], 'range'], [[NaN, 1], 'range'], [[0, Infinity], 'range'], ['x', 'type'], [[1], 'type'], [null, 'type'])],
    ]).map((o) => ({ kind: 'option' as const, o })),
    fc.constantFrom<unknown>('x', null, {}, 5, new Int32Array(2), 3n).map((value) => ({ kind: 'values' as const, value })),
    fc.constantFrom(NaN, Infinity, -Infinity).map((value) => ({ kind: 'nonfinite' as const, value })),
  ), { nil: undefined, freq: 2 }),
}).map((d) => {
  const f = d.fault;
  const base: Record<string, unknown> = {};
  if (d.bins !== undefined) base.bins = d.bins;
  if (d.range !== undefined) base.range = [d.range[0], d.range[0] + d.range[1]];
  let options: unknown = base;
  let expect: Expect = 'ok';
  let values: unknown = d.kind === 'f64' ? Float64Array.from(d.values) : d.kind === 'f32' ? Float32Array.from(d.values) : [...d.values];
  if (f?.kind === 'option') ({ options, expect } = withFault(base, f.o));
  else if (f?.kind === 'values') [values, expect] = [f.value, 'type'];
  else if (f?.kind === 'nonfinite') {
    const v = [...d.values, f.value];
    values = d.kind === 'f64' ? Float64Array.from(v) : d.kind === 'f32' ? Float32Array.from(v) : v;
    // Without a range, a non-finite value is refused; with one, values outside it are not counted
    // (NaN included): see docs/scale-out.md and the todo test in tests/fuzz.test.ts.
    expect = d.range === undefined ? 'range' : 'any';
  }
  return make('histogram', expect, d, (h) => ({
    call: () => h.cs.histogram(values as Float64Array, options as never),
    verify: (res) => {
      const r = res as { edges: Float64Array; counts: Uint32Array };
      const bins = d.bins ?? 50;
      check(r.counts.length === bins && r.edges.length === bins + 1, 'histogram: sizes');
      // Non-decreasing only: a range narrower than bins doubles apart (e.g. [0, 5e-324]) repeats edges.
      for (let i = 1; i < r.edges.length; i++) check(r.edges[i]! >= r.edges[i - 1]!, 'histogram: edges not ascending');
      const v = values as ArrayLike<number>;
      // Every value without a range; with one, those inside it (bounds included).
      const [lo, hi] = (options as { range?: [number, number] }).range ?? [-Infinity, Infinity];
      if (Number.isFinite(lo)) check(r.edges[0] === lo, 'histogram: first edge');
      let inside = 0;
      for (let i = 0; i < v.length; i++) if (v[i]! >= lo && v[i]! <= hi) inside++;
      const total = r.counts.reduce((a, b) => a + b, 0);
      check(total === inside, `histogram: counts sum to ${total}, ${inside} values inside`);
    },
  }));
});

export const creluCase = fc.record({
  spec: opSpec, seed: dataSeed, method: fc.constantFrom('make', 'forward', 'transpose'),
  fault: fc.option(fc.oneof(operatorFault.map((c) => ({ on: 'W' as const, c })), dataFault.map((c) => ({ on: 'x' as const, c }))), { nil: undefined, freq: 2 }),
}).map((d0) => {
  // A bad base operator is a fault of crelu() itself.
  const d = d0.fault?.on === 'W' ? { ...d0, method: 'make' } : d0;
  const f = d.fault;
  // crelu() takes a conv operator only: a layer of another instance is a conv operator too.
  const expect: Expect = !f ? 'ok' : f.on === 'W' ? (f.c.kind === 'otherInstance' ? 'ok' : 'type') : d.method === 'make' ? 'ok' : dataFaultExpect(f.c);
  return make(`crelu.${d.method}`, expect, d, (h) => {
    const W = h.op(d.spec);
    const base = f?.on === 'W' ? faultyOperator(h, W, d.spec, f.c) as ConvOperator : W;
    const x = randomArray(W.inputSize, d.seed);
    const z = randomArray(2 * W.outputSize, d.seed + 1);
    let C: ReturnType<Convcs['crelu']> | undefined;
    if (d.method !== 'make' && f?.on !== 'W') C = h.track(h.cs.crelu(W));
    const bad = (a: Float32Array, unit: number) => (f?.on === 'x' ? applyDataFault(a, unit, f.c) : a);
    return {
      call: () => {
        if (d.method === 'make' || C === undefined) return h.track(h.cs.crelu(base));
        return d.method === 'forward' ? C.forward(bad(x, W.inputSize) as Float32Array) : C.transpose(bad(z, 2 * W.outputSize) as Float32Array);
      },
      verify: (res) => {
        const hx = base.forward(x);
        if (d.method === 'transpose') {
          const diff = new Float32Array(W.outputSize);
          for (let i = 0; i < diff.length; i++) diff[i] = z[i]! - z[W.outputSize + i]!;
          check(bitsEqual(res as Float32Array, base.transpose(diff)), 'crelu: transpose is not W^T(z+ - z-)');
          return;
        }
        const y = d.method === 'forward' ? res as Float32Array : (res as NonNullable<typeof C>).forward(x);
        check(bitsEqual(y.subarray(0, hx.length), hx) && bitsEqual(y.subarray(hx.length), hx.map((v) => -v)), 'crelu: forward is not [Wx; -Wx]');
      },
    };
  });
});

export const stackCase = fc.record({
  M: int(1, 3), D: int(3, 10), chans: fc.array(int(1, 4), { minLength: 1, maxLength: 3 }), ls: fc.array(int(1, 3), { minLength: 3, maxLength: 3 }),
  seed: dataSeed, dir: fc.constantFrom('forward' as const, 'transpose' as const),
  fault: fc.option(fc.constantFrom('empty', 'notArray', 'nullLayer', 'reversed', 'mismatch'), { nil: undefined, freq: 2 }),
}).map((d) => {
  const f = d.fault;
  const expect: Expect = !f ? 'ok' : f === 'mismatch' ? 'range' : f === 'reversed' ? 'refuse' : 'type';
  return make('stack', expect, d, (h) => {
    const layers: ConvOperator[] = [];
    let M = d.M;
    d.chans.forEach((K, i) => {
      layers.push(h.track(h.cs.conv1d({ inChannels: M, outChannels: K, kernelSize: d.ls[i]!, length: d.D, padding: 'same' })).randomize({ seed: d.seed + i }));
      M = K;
    });
    let arg: unknown = layers;
    if (f === 'empty') arg = [];
    else if (f === 'notArray') arg = layers[0];
    else if (f === 'nullLayer') arg = [...layers, null];
    else if (f === 'reversed') {
      // Reversed, the shapes chain only if every layer maps C channels to C; then it is valid.
      const chainOk = layers.every((l, i) => i === 0 || layers[i - 1]!.inputShape.join() === l.outputShape.join());
      arg = chainOk && layers.length > 1 ? [layers[0], layers[0]!.inputShape.join() === layers[0]!.outputShape.join() ? null : layers[0]] : [...layers].reverse();
      if (layers.length === 1) arg = [layers[0], 'layer'];
    } else if (f === 'mismatch') arg = [layers[0], h.track(h.cs.conv1d({ inChannels: layers[0]!.outputShape[0]! + 1, outChannels: 1, kernelSize: 1, length: d.D }))];
    return {
      call: () => h.track(h.cs.stack(arg as LinearOperator[])),
      verify: (res) => {
        const S = res as LinearOperator;
        if (d.dir === 'forward') {
          const x = randomArray(S.inputSize, d.seed);
          let want = x;
          for (const l of layers) want = l.forward(want);
          check(bitsEqual(S.forward(x), want), 'stack: forward is not the composition');
        } else {
          const z = randomArray(S.outputSize, d.seed);
          let want = z;
          for (let i = layers.length - 1; i >= 0; i--) want = layers[i]!.transpose(want);
          check(bitsEqual(S.transpose(z), want), 'stack: transpose is not the composition of transposes');
        }
      },
    };
  });
});
