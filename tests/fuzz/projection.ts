// Fuzz cases of projection, pooling, unpooling and the model-sparse sampler.

import fc from 'fast-check';
import { bitsEqual, projectReference, randomArray } from '../helpers.js';
import { applyDataFault, badInt, badSeed, blockIndex, blockWinners, blocksOf, dataFault, dataFaultExpect, dataSeed, frac, int, make, seedArb, unknownKey } from './arbitraries.js';
import { Expect, check } from './harness.js';

// -- projection, pooling, unpooling, sampling of codes

/** A code shape and a valid pooling for it. */
export const codeProblem = fc.record({
  shape: fc.oneof(fc.tuple(int(1, 4), int(1, 12)).map((s) => [...s]), fc.tuple(int(1, 3), int(1, 6), int(1, 6)).map((s) => [...s])),
  poolKind: fc.constantFrom('global', 'none', 'p', 'pair'),
  pf: frac, pf2: frac, kf: frac, byDensity: fc.boolean(), relu: fc.boolean(), seed: dataSeed,
}).map((p) => {
  const s = p.shape;
  const last = s[s.length - 1]!;
  const rows = s.length === 3 ? s[1]! : 1;
  let pool: unknown;
  if (p.poolKind === 'global') pool = 'global';
  else if (p.poolKind === 'p') pool = 1 + Math.floor(p.pf * Math.min(last, rows === 1 && s.length === 3 ? 1 : s.length === 3 ? Math.min(rows, last) : last));
  else if (p.poolKind === 'pair' && s.length === 3) pool = [1 + Math.floor(p.pf * rows), 1 + Math.floor(p.pf2 * last)];
  const g = blocksOf(s, pool ?? 'global');
  const k = Math.round(p.kf * g.blocks);
  const length = s.reduce((a, b) => a * b, 1);
  return { ...p, pool, g, k, length, density: k / length };
});

export type CodeFault =
  | { kind: 'k'; value: unknown; expect: Expect }
  | { kind: 'density'; value: unknown; expect: Expect }
  | { kind: 'kAndDensity' }
  | { kind: 'densityBeyondBlocks' }
  | { kind: 'kBeyondBlocks'; over: number }
  | { kind: 'pool'; value: 'tooBig' | 0 | 'max' | 'triple' | 1.5 | -1 }
  | { kind: 'shape'; value: unknown; expect: Expect }
  | { kind: 'mode'; value: unknown }
  | { kind: 'unknown'; key: string }
  | { kind: 'options'; value: unknown };

export const codeFault: fc.Arbitrary<CodeFault> = fc.oneof(
  badInt.map(([value, expect]): CodeFault => ({ kind: 'k', value, expect: value === 2 ** 31 || value === 2 ** 53 || value === 1e300 ? 'range' : expect })),
  fc.constantFrom<[unknown, Expect]>([1.5, 'range'], [-0.1, 'range'], [NaN, 'range'], [Infinity, 'range'], ['0.1', 'type'], [null, 'type'], [1n, 'type'])
    .map(([value, expect]): CodeFault => ({ kind: 'density', value, expect })),
  fc.constant<CodeFault>({ kind: 'kAndDensity' }),
  fc.constant<CodeFault>({ kind: 'densityBeyondBlocks' }),
  int(1, 3).map((over): CodeFault => ({ kind: 'kBeyondBlocks', over })),
  fc.constantFrom('tooBig', 0, 'max', 'triple', 1.5, -1).map((value): CodeFault => ({ kind: 'pool', value } as CodeFault)),
  fc.constantFrom<[unknown, Expect]>([[], 'type'], [[0, 3], 'range'], [[2.5, 3], 'type'], ['x', 'type'], [[1, 2, 3, 4], 'type'],
    [[2 ** 20, 2 ** 20], 'range'], [[2, -3], 'range'], [[2, NaN], 'type'], [null, 'type'], [new Int32Array(2), 'type'])
    .map(([value, expect]): CodeFault => ({ kind: 'shape', value, expect })),
  fc.constantFrom<unknown>('max', 'ABS', null, 1).map((value): CodeFault => ({ kind: 'mode', value })),
  unknownKey.map((key): CodeFault => ({ kind: 'unknown', key })),
  fc.constantFrom<unknown>(null, 'global', 3, [1]).map((value): CodeFault => ({ kind: 'options', value })),
);

export type CodeProblem = typeof codeProblem extends fc.Arbitrary<infer T> ? T : never;

/** Options for project / sampleModelSparse with one fault applied, and the expected outcome. */
export function codeOptions(p: CodeProblem, f: CodeFault | undefined, withMode: boolean, needK: boolean): { options: unknown; expect: Expect } {
  const o: Record<string, unknown> = { shape: p.shape };
  if (p.pool !== undefined) o.pool = p.pool;
  if (p.byDensity) o.density = p.density;
  else o.k = p.k;
  if (withMode) o.mode = p.relu ? 'relu' : 'abs';
  if (!f) return { options: o, expect: 'ok' };
  switch (f.kind) {
    case 'k':
      delete o.density;
      o.k = f.value;
      return { options: o, expect: f.expect };
    case 'density':
      delete o.k;
      o.density = f.value;
      return { options: o, expect: f.expect };
    case 'kAndDensity':
      return { options: { ...o, k: p.k, density: p.density }, expect: 'type' };
    case 'densityBeyondBlocks':
      if (p.g.blocks === p.length) return { options: { ...o, k: undefined, density: -1 }, expect: 'range' };
      delete o.k;
      o.density = Math.min(1, (p.g.blocks + 1) / p.length);
      return { options: o, expect: 'range' };
    case 'kBeyondBlocks':
      delete o.density;
      o.k = p.g.blocks + f.over;
      return { options: o, expect: 'range' };
    case 'pool': {
      const dims = p.shape.length - 1;
      const last = p.shape[p.shape.length - 1]!;
      const v = f.value;
      if (v === 'tooBig') o.pool = dims === 1 ? last + 1 : [1, last + 1];
      else if (v === 'triple') o.pool = [1, 1, 1];
      else o.pool = v;
      // 1-D pools must be numbers; a pair or a string is the wrong kind, 0 or -1 out of range.
      const expect: Expect = v === 'tooBig' || v === 0 || v === -1 ? 'range' : 'type';
      return { options: o, expect };
    }
    case 'shape':
      return { options: { ...o, shape: f.value }, expect: f.expect };
    case 'mode':
      return { options: withMode ? { ...o, mode: f.value } : { ...o, mode: 'abs' }, expect: 'type' };
    case 'unknown':
      return { options: { ...o, [f.key]: 1 }, expect: 'type' };
    case 'options':
      return { options: f.value, expect: 'type' };
  }
  void needK;
  return { options: o, expect: 'ok' };
}

export const projectCase = fc.record({
  p: codeProblem, fault: fc.option(fc.oneof(codeFault.map((c) => ({ on: 'options' as const, c })), dataFault.map((c) => ({ on: 'h' as const, c }))), { nil: undefined, freq: 2 }),
}).map(({ p, fault }) => {
  const { options, expect: e1 } = codeOptions(p, fault?.on === 'options' ? fault.c : undefined, true, false);
  const expect = fault?.on === 'h' ? dataFaultExpect(fault.c) : e1;
  return make('project', expect, { p, fault }, (h) => {
    const data = randomArray(p.length, p.seed);
    const arg = fault?.on === 'h' ? applyDataFault(data, p.length, fault.c) : data;
    // For an exact-length argument a doubled length is wrong too.
    const harg = fault?.on === 'h' && fault.c.kind === 'length' && (arg as Float32Array).length === 0 ? new Float32Array(p.length * 2) : arg;
    return {
      call: () => h.cs.project(harg as Float32Array, options as never),
      verify: (r) => {
        const { z, support } = r as { z: Float32Array; support: Int32Array };
        const want = projectReference(data, p.g, p.k, p.relu);
        check(bitsEqual(z, want), 'project: z differs from the reference');
        check(support.length === Math.min(p.k, p.g.blocks), `project: ${support.length} entries kept, expected ${p.k}`);
        for (let j = 1; j < support.length; j++) check(support[j - 1]! < support[j]!, 'project: support not ascending');
        const win = blockWinners(data, p.g, p.relu).idx;
        for (const i of support) check(win[blockIndex(p.g, i)] === i, `project: support entry ${i} is not its block's winner`);
      },
    };
  });
});

export const maxPoolCase = fc.record({
  p: codeProblem, fault: fc.option(fc.oneof(
    fc.constantFrom<CodeFault>({ kind: 'pool', value: 'tooBig' }, { kind: 'pool', value: 'max' }, { kind: 'mode', value: 'max' }, { kind: 'unknown', key: 'k ' },
      { kind: 'shape', value: [0, 3], expect: 'range' }, { kind: 'options', value: null }).map((c) => ({ on: 'options' as const, c })),
    dataFault.map((c) => ({ on: 'h' as const, c })),
  ), { nil: undefined, freq: 2 }),
}).map(({ p, fault }) => {
  let { options, expect } = codeOptions(p, fault?.on === 'options' ? fault.c : undefined, true, false);
  if (options && typeof options === 'object') {
    const o = { ...(options as Record<string, unknown>) };
    delete o.k;
    delete o.density;
    options = o;
  }
  if (fault?.on === 'h') expect = dataFaultExpect(fault.c);
  return make('maxPool', expect, { p, fault }, (h) => {
    const data = randomArray(p.length, p.seed);
    let arg = fault?.on === 'h' ? applyDataFault(data, p.length, fault.c) : data;
    if (fault?.on === 'h' && fault.c.kind === 'length' && (arg as Float32Array).length === 0) arg = new Float32Array(2 * p.length);
    return {
      call: () => h.cs.maxPool(arg as Float32Array, options as never),
      verify: (r) => {
        const { values, switches, shape } = r as { values: Float32Array; switches: Int32Array; shape: readonly number[] };
        const want = blockWinners(data, p.g, p.relu);
        check(bitsEqual(values, Float32Array.from(want.val)), 'maxPool: values differ from the reference');
        check(switches.join() === want.idx.join(), 'maxPool: switches differ from the reference');
        check(shape.reduce((a, b) => a * b, 1) === p.g.blocks, 'maxPool: shape');
      },
    };
  });
});

export const unpoolCase = fc.record({
  p: codeProblem, withSwitches: fc.boolean(),
  fault: fc.option(fc.oneof(
    dataFault.map((c) => ({ kind: 'values' as const, c })),
    fc.constantFrom('array', 'float32', 'length', 'outside').map((s) => ({ kind: 'switches' as const, s })),
    fc.constantFrom<CodeFault>({ kind: 'pool', value: 'tooBig' }, { kind: 'unknown', key: 'mode ' }, { kind: 'shape', value: 'x', expect: 'type' })
      .map((c) => ({ kind: 'options' as const, c })),
  ), { nil: undefined, freq: 2 }),
}).map(({ p, withSwitches, fault }) => {
  let expect: Expect = 'ok';
  if (fault?.kind === 'values') expect = dataFaultExpect(fault.c);
  else if (fault?.kind === 'switches') expect = fault.s === 'array' || fault.s === 'float32' ? 'type' : 'range';
  else if (fault?.kind === 'options') expect = codeOptions(p, fault.c, false, false).expect;
  return make('unpool', expect, { p, withSwitches, fault }, (h) => {
    const data = randomArray(p.length, p.seed);
    const win = blockWinners(data, p.g, false);
    const values = Float32Array.from(win.val);
    const o: Record<string, unknown> = { shape: p.shape, pool: p.pool };
    if (withSwitches || fault?.kind === 'switches') o.switches = Int32Array.from(win.idx);
    let arg: unknown = values;
    let options: unknown = o;
    if (fault?.kind === 'values') {
      arg = applyDataFault(values, p.g.blocks, fault.c);
      if (fault.c.kind === 'length' && (arg as Float32Array).length === 0) arg = new Float32Array(2 * p.g.blocks);
    } else if (fault?.kind === 'switches') {
      const s = o.switches as Int32Array;
      if (fault.s === 'array') o.switches = Array.from(s);
      else if (fault.s === 'float32') o.switches = Float32Array.from(s);
      else if (fault.s === 'length') o.switches = Int32Array.from([...s, 0]);
      else o.switches = s.map((v, b) => (b === 0 ? p.length : v)); // block 0's switch points outside it
    } else if (fault?.kind === 'options') options = codeOptions(p, fault.c, false, false).options;
    if (fault?.kind === 'options' && options && typeof options === 'object') {
      const oo = options as Record<string, unknown>;
      delete oo.k;
      delete oo.density;
    }
    return {
      call: () => h.cs.unpool(arg as Float32Array, options as never),
      verify: (r) => {
        const y = r as Float32Array;
        const want = new Float32Array(p.length);
        const Bh = Math.ceil(p.g.Ho / p.g.ph);
        const Bw = Math.ceil(p.g.Wo / p.g.pw);
        for (let b = 0; b < p.g.blocks; b++) {
          let at = win.idx[b]!;
          if (!withSwitches) {
            const k = Math.floor(b / (Bh * Bw));
            const by = Math.floor((b % (Bh * Bw)) / Bw);
            at = (k * p.g.Ho + by * p.g.ph) * p.g.Wo + (b % Bw) * p.g.pw;
          }
          want[at] = values[b]!;
        }
        check(bitsEqual(y, want), 'unpool: differs from the reference');
      },
    };
  });
});

export const sampleCase = fc.record({
  p: codeProblem, seed: seedArb, stream: fc.option(int(0, 2 ** 32 - 1), { nil: undefined }),
  values: fc.option(fc.constantFrom('uniform' as const, 'sign' as const, 'bounded' as const), { nil: undefined }),
  fault: fc.option(fc.oneof(
    codeFault.filter((c) => c.kind !== 'mode').map((c) => ({ kind: 'code' as const, c })),
    badSeed.map(([value, expect]) => ({ kind: 'seed' as const, value, expect })),
    fc.constantFrom<[unknown, Expect]>([-1, 'range'], [2 ** 32, 'range'], [1.5, 'type'], ['0', 'type']).map(([value, expect]) => ({ kind: 'stream' as const, value, expect })),
    fc.constantFrom<unknown>('gauss', null, 0).map((value) => ({ kind: 'valuesOpt' as const, value })),
    fc.constant({ kind: 'noK' as const }),
  ), { nil: undefined, freq: 2 }),
}).map((d) => {
  const { p, fault } = d;
  let expect: Expect = 'ok';
  const cf = fault?.kind === 'code' ? fault.c : undefined;
  const co = codeOptions(p, cf, false, true);
  let shape: unknown = p.shape;
  let options: unknown = co.options;
  if (options && typeof options === 'object' && !Array.isArray(options)) {
    const o = { ...(options as Record<string, unknown>) };
    shape = o.shape;
    delete o.shape;
    o.seed = d.seed;
    if (d.stream !== undefined) o.stream = d.stream;
    if (d.values !== undefined) o.values = d.values;
    options = o;
  }
  if (cf) expect = co.expect;
  const o = options as Record<string, unknown>;
  if (fault?.kind === 'seed') [o.seed, expect] = [fault.value, fault.expect];
  else if (fault?.kind === 'stream') [o.stream, expect] = [fault.value, fault.expect];
  else if (fault?.kind === 'valuesOpt') [o.values, expect] = [fault.value, 'type'];
  else if (fault?.kind === 'noK') {
    delete o.k;
    delete o.density;
    expect = 'type';
  }
  return make('sampleModelSparse', expect, d, (h) => ({
    call: () => h.cs.sampleModelSparse(shape as number[], options as never),
    verify: (r) => {
      const { z, support } = r as { z: Float32Array; support: Int32Array };
      check(z.length === p.length && support.length === p.k, `sampleModelSparse: ${support.length} non-zeros, expected ${p.k}`);
      const blocks = new Set<number>();
      for (let j = 0; j < support.length; j++) {
        if (j > 0) check(support[j - 1]! < support[j]!, 'sampleModelSparse: support not ascending');
        blocks.add(blockIndex(p.g, support[j]!));
        const v = z[support[j]!]!;
        const a = Math.abs(v);
        check(d.values === 'sign' ? a === 1 : d.values === 'bounded' ? a >= 0.5 && a < 1 : a <= 1, `sampleModelSparse: value ${v}`);
      }
      check(blocks.size === support.length, 'sampleModelSparse: two non-zeros in one block');
      let nz = 0;
      for (const v of z) if (v !== 0) nz++;
      check(nz <= support.length, 'sampleModelSparse: a non-zero off the support');
      const again = h.cs.sampleModelSparse(shape as number[], options as never);
      check(bitsEqual(again.z, z), 'sampleModelSparse: not deterministic');
    },
  }));
});
