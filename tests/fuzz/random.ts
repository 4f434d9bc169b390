// Fuzz cases of randn and rand.

import fc from 'fast-check';
import { badInt, badSeed, int, make, optionFault, seedArb, withFault } from './arbitraries.js';
import { Expect, check } from './harness.js';

// -- randn, rand

export const randomCase = (which: 'randn' | 'rand') => fc.record({
  count: int(0, 64), seed: seedArb, stream: fc.option(int(0, 2 ** 32 - 1), { nil: undefined }),
  start: fc.option(fc.oneof(int(0, 1000), fc.constant(2 ** 40)), { nil: undefined }),
  low: fc.double({ min: -100, max: 100, noNaN: true }), span: fc.double({ min: 1e-3, max: 100, noNaN: true }), bounds: fc.boolean(),
  fault: fc.option(fc.oneof(
    badInt.map(([value, expect]) => ({ kind: 'count' as const, value, expect })),
    optionFault([
      ['seed', badSeed],
      ['stream', fc.constantFrom<[unknown, Expect]>([-1, 'range'], [2 ** 32, 'range'], [0.5, 'type'], [null, 'type'])],
      ['start', fc.constantFrom<[unknown, Expect]>([-1, 'range'], [2 ** 53, 'range'], [1.5, 'type'], ['0', 'type'])],
      ...(which === 'rand' ? [
        ['low', fc.constantFrom<[unknown, Expect]>([NaN, 'range'], [Infinity, 'range'], ['0', 'type'], [1000, 'range'])],
        ['high', fc.constantFrom<[unknown, Expect]>([NaN, 'range'], [-Infinity, 'range'], [null, 'type'], [-1000, 'range'])],
      ] as Array<[string, fc.Arbitrary<[unknown, Expect]>]> : []),
    ]).map((o) => ({ kind: 'option' as const, o })),
    fc.constant({ kind: 'noSeed' as const }),
  ), { nil: undefined, freq: 2 }),
}).map((d) => {
  const base: Record<string, unknown> = { seed: d.seed };
  if (d.stream !== undefined) base.stream = d.stream;
  if (d.start !== undefined) base.start = d.start;
  if (which === 'rand' && d.bounds) {
    base.low = d.low;
    base.high = d.low + d.span;
  }
  let count: unknown = d.count;
  let options: unknown = base;
  let expect: Expect = 'ok';
  const f = d.fault;
  if (f?.kind === 'count') [count, expect] = [f.value, f.expect];
  else if (f?.kind === 'option') ({ options, expect } = withFault(base, f.o));
  else if (f?.kind === 'noSeed') [options, expect] = [{ ...base, seed: undefined }, 'type'];
  // low 1000 and high -1000 are only wrong against the other end.
  if (f?.kind === 'option' && 'key' in f.o && (f.o.key === 'low' || f.o.key === 'high') && typeof f.o.value === 'number' && Number.isFinite(f.o.value)) {
    const lo = (options as { low?: number }).low ?? 0;
    const hi = (options as { high?: number }).high ?? 1;
    expect = hi > lo ? 'ok' : 'range';
  }
  return make(which, expect, d, (h) => ({
    call: () => (h.cs[which] as (n: unknown, o: unknown) => Float32Array)(count, options),
    verify: (r) => {
      const y = r as Float32Array;
      const o = options as { low?: number; high?: number; start?: number };
      check(y instanceof Float32Array && y.length === d.count, `${which}: length`);
      const lo = Math.fround(o.low ?? 0);
      const hi = Math.fround(o.high ?? 1);
      for (const v of y) check(Number.isFinite(v) && (which === 'randn' || (v >= lo && v <= hi)), `${which}: draw ${v}`);
      if (y.length > 0) {
        // Counter-based: draw j is the same when asked for on its own.
        const j = Math.floor(y.length / 2);
        const one = (h.cs[which] as (n: number, o: unknown) => Float32Array)(1, { ...(options as object), start: (o.start ?? 0) + j });
        check(Object.is(one[0], y[j]), `${which}: draw ${j} differs when drawn alone`);
      }
    },
  }));
});
