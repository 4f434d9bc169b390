// The fuzz suite's building blocks: layers, wrong values, data and option faults, plain-JS
// references, and make(), which turns a generated datum into a case.

import fc from 'fast-check';
import type { ConvOperator, Conv1dOptions, Conv2dOptions } from '../../src/index.js';
import { convReference, transposeReference } from '../helpers.js';
import { Case, Expect, Harness, Prepared, check } from './harness.js';

// ---------------------------------------------------------------- generators

export const int = (min: number, max: number) => fc.integer({ min, max });
export const frac = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
export const dataSeed = int(1, 2 ** 31 - 1);

export interface OpSpec {
  dims: 1 | 2;
  options: Conv1dOptions | Conv2dOptions;
  seed: number;
}

export const pad1 = fc.oneof(int(0, 2), fc.constant('same' as const), fc.constant('valid' as const));
export const op1 = fc.record({ M: int(1, 4), K: int(1, 6), l: int(1, 4), extra: int(0, 8), stride: int(1, 3), pad: pad1, seed: int(0, 999) })
  .map((r): OpSpec => ({
    dims: 1,
    options: { inChannels: r.M, outChannels: r.K, kernelSize: r.l, length: r.l + r.extra, stride: r.stride, padding: r.pad === 'same' && r.stride !== 1 ? 0 : r.pad },
    seed: r.seed,
  }));
export const pad2 = fc.oneof(int(0, 1), fc.tuple(int(0, 1), int(0, 2)), fc.constant('same' as const), fc.constant('valid' as const));
export const op2 = fc.record({
  M: int(1, 3), K: int(1, 5), kh: int(1, 3), kw: int(1, 3), eh: int(0, 4), ew: int(0, 4), sh: int(1, 2), sw: int(1, 2), pad: pad2, seed: int(0, 999),
  // Winograd is 'auto' only from 8 (F(2x2)) or 64 (F(4x4)) channels; forcing it reaches its
  // kernels on these small layers.
  alg: fc.constantFrom('auto' as const, 'direct' as const, 'winograd' as const, 'winograd4x4' as const),
}).map((r): OpSpec => ({
  dims: 2,
  options: {
    inChannels: r.M, outChannels: r.K, kernelSize: [r.kh, r.kw], height: r.kh + r.eh, width: r.kw + r.ew, stride: [r.sh, r.sw],
    padding: r.pad === 'same' && (r.sh !== 1 || r.sw !== 1) ? 0 : r.pad,
    algorithm: r.alg.startsWith('winograd') && !(r.kh === 3 && r.kw === 3 && r.sh === 1 && r.sw === 1) ? 'auto' : r.alg,
  },
  seed: r.seed,
}));
export const opSpec = fc.oneof(op1, op2);

/** Values of the wrong kind for a typed-array argument. */
export const WRONG_KINDS = ['string', 'null', 'number', 'bigint', 'array', 'float64', 'int32', 'uint8', 'object', 'dataview', 'function', 'boolean', 'symbol'] as const;
export type WrongKind = (typeof WRONG_KINDS)[number];
export const wrongKind = fc.constantFrom(...WRONG_KINDS);

export function wrong(kind: WrongKind | 'undefined', n: number): unknown {
  switch (kind) {
    case 'string': return 'x'.repeat(Math.min(n, 8));
    case 'null': return null;
    case 'undefined': return undefined;
    case 'number': return n;
    case 'bigint': return BigInt(n);
    case 'array': return Array.from({ length: n }, (_, i) => i / 7);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint8': return new Uint8Array(n * 4);
    case 'object': return { length: n, 0: 1 };
    case 'dataview': return new DataView(new ArrayBuffer(n * 4));
    case 'function': return () => n;
    case 'boolean': return true;
    case 'symbol': return Symbol('x');
  }
}

/** A Float32Array whose buffer has been transferred away: length 0, unusable. */
export function detached(): Float32Array {
  const a = new Float32Array(8);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

export const NONFINITE = [NaN, Infinity, -Infinity] as const;

/** One bad data argument; the expected refusal goes with it. */
export type DataFault =
  | { kind: 'nonfinite'; at: number; value: number }
  | { kind: 'length'; delta: number }
  | { kind: 'empty' }
  | { kind: 'detached' }
  | { kind: 'wrong'; as: WrongKind };

export const dataFault: fc.Arbitrary<DataFault> = fc.oneof(
  fc.record({ kind: fc.constant('nonfinite' as const), at: frac, value: fc.constantFrom(...NONFINITE) }),
  fc.record({ kind: fc.constant('length' as const), delta: fc.oneof(int(1, 3), int(-3, -1)) }),
  fc.record({ kind: fc.constant('empty' as const) }),
  fc.record({ kind: fc.constant('detached' as const) }),
  fc.record({ kind: fc.constant('wrong' as const), as: wrongKind }),
);

export function dataFaultExpect(f: DataFault): Expect {
  return f.kind === 'wrong' ? 'type' : 'range';
}

/**
 * `x` (length `n`, valid lengths: positive multiples of `unit`) with the fault applied, or
 * undefined when the fault cannot make this argument invalid (a length change that stays a
 * multiple of one sample).
 */
export function applyDataFault(x: Float32Array, unit: number, f: DataFault): unknown {
  switch (f.kind) {
    case 'nonfinite': {
      const y = x.slice();
      y[Math.floor(f.at * y.length)] = f.value;
      return y;
    }
    case 'length': {
      const len = Math.max(0, x.length + f.delta);
      if (len > 0 && len % unit === 0) return new Float32Array(0); // still valid: make it empty instead
      return new Float32Array(len).fill(0.5);
    }
    case 'empty': return new Float32Array(0);
    case 'detached': return detached();
    case 'wrong': return wrong(f.as, x.length);
  }
}

/** A bad `out` argument, or one aliasing the input (valid: the result must not change). */
export type OutFault = { kind: 'outLength'; delta: number } | { kind: 'outWrong'; as: WrongKind } | { kind: 'alias'; shift: number };
export const outFault: fc.Arbitrary<OutFault> = fc.oneof(
  fc.record({ kind: fc.constant('outLength' as const), delta: fc.oneof(int(1, 3), int(-3, -1)) }),
  fc.record({ kind: fc.constant('outWrong' as const), as: wrongKind }),
  fc.record({ kind: fc.constant('alias' as const), shift: fc.oneof(fc.constant(0), int(-5, 5)) }),
);

/** Bad values for an integer size or count, each with the refusal it must get. */
export const badInts: ReadonlyArray<[unknown, Expect]> = [
  [-1, 'range'], [-7, 'range'], [1.5, 'type'], [NaN, 'type'], [Infinity, 'type'], [-Infinity, 'type'], [2 ** 31, 'range'],
  [2 ** 53, 'range'], [1e300, 'range'], ['3', 'type'], [null, 'type'], [true, 'type'], [3n, 'type'], [{}, 'type'], [[3], 'type'],
];
export const badInt = fc.constantFrom(...badInts);
/** ... and for a positive one, also zero. */
export const badPositive = fc.constantFrom<[unknown, Expect]>(...badInts, [0, 'range'], [-0, 'range']);

export const badSeeds: ReadonlyArray<[unknown, Expect]> = [
  [-1, 'range'], [1.5, 'type'], [NaN, 'type'], [2 ** 53, 'range'], [-1n, 'range'], [2n ** 64n, 'range'], ['1', 'type'],
  [null, 'type'], [{}, 'type'], [Infinity, 'type'],
];
export const badSeed = fc.constantFrom(...badSeeds);
export const seedArb = fc.oneof(int(0, 2 ** 31), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constant(Number.MAX_SAFE_INTEGER));

export const unknownKey = fc.constantFrom('dilation', 'Seed', 'bias', 'workerz', 'constructor', 'k ');

/** A weird value of any kind, for calls whose outcome is not predicted. */
export const weird = fc.oneof(
  fc.constantFrom<unknown>(
    undefined, null, NaN, Infinity, -Infinity, -1, 0, -0, 1, 2, 3, 0.5, 2 ** 31, 2 ** 53, 1e300, '', '2', 'global', 'same',
    true, [], [1], [2, 2], [1, 2, 3], {}, 3n, -1n, new Float64Array(4), new Int32Array(4), new Float32Array(0),
  ),
  fc.double({ min: -10, max: 10 }),
  int(-5, 40),
);

// ---------------------------------------------------------------- references

/**
 * got = want within f32 rounding: |got - want| <= 1e-5 max|want|, where `magnitude` (the same
 * sums over |terms|) replaces max|want| when the terms cancel: rounding scales with the terms.
 */
export function closeTo(api: string, got: Float32Array, want: ArrayLike<number>, magnitude?: ArrayLike<number>): void {
  check(got.length === want.length, `${api}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < got.length; i++) check(Number.isFinite(got[i]), `${api}: result[${i}] = ${got[i]}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!), magnitude ? magnitude[i]! : 0);
  }
  const e = scale === 0 ? diff : diff / scale;
  check(e <= 1e-5, `${api}: error ${e} (relative to the terms' size) against the reference`);
}

export const abs32 = (a: Float32Array) => a.map(Math.abs);

export function batchReference(W: ConvOperator, data: Float32Array, dir: 'forward' | 'transpose', absolute = false): Float64Array {
  const g = W.geometry;
  const w = absolute ? abs32(W.getWeights()) : W.getWeights();
  if (absolute) data = abs32(data);
  const inU = dir === 'forward' ? W.inputSize : W.outputSize;
  const outU = dir === 'forward' ? W.outputSize : W.inputSize;
  const N = data.length / inU;
  const out = new Float64Array(N * outU);
  for (let n = 0; n < N; n++) {
    const s = data.subarray(n * inU, (n + 1) * inU);
    out.set(dir === 'forward' ? convReference(s, w, g) : transposeReference(s, w, g), n * outU);
  }
  return out;
}

export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** Block geometry of a code shape and a pooling, as the library defines it (ceil mode). */
export function blocksOf(shape: readonly number[], pool: unknown): { K: number; Ho: number; Wo: number; ph: number; pw: number; blocks: number } {
  const [K, Ho, Wo] = shape.length === 2 ? [shape[0]!, 1, shape[1]!] : [shape[0]!, shape[1]!, shape[2]!];
  let ph = Ho;
  let pw = Wo;
  if (typeof pool === 'number') [ph, pw] = shape.length === 2 ? [1, pool] : [pool, pool];
  else if (Array.isArray(pool)) [ph, pw] = pool as [number, number];
  return { K, Ho, Wo, ph, pw, blocks: K * Math.ceil(Ho / ph) * Math.ceil(Wo / pw) };
}

/** The kept entry of every block (ties: lowest index), for maxPool and the support checks. */
export function blockWinners(h: Float32Array, g: ReturnType<typeof blocksOf>, relu: boolean): { val: number[]; idx: number[] } {
  const Bh = Math.ceil(g.Ho / g.ph);
  const Bw = Math.ceil(g.Wo / g.pw);
  const val: number[] = [];
  const idx: number[] = [];
  for (let k = 0; k < g.K; k++) {
    for (let by = 0; by < Bh; by++) {
      for (let bx = 0; bx < Bw; bx++) {
        let best = -1;
        let bi = -1;
        let bv = 0;
        for (let y = by * g.ph; y < Math.min((by + 1) * g.ph, g.Ho); y++) {
          for (let x = bx * g.pw; x < Math.min((bx + 1) * g.pw, g.Wo); x++) {
            const i = (k * g.Ho + y) * g.Wo + x;
            const v = relu ? Math.max(h[i]!, 0) : h[i]!;
            if (Math.abs(v) > best) {
              best = Math.abs(v);
              bi = i;
              bv = v;
            }
          }
        }
        val.push(bv);
        idx.push(bi);
      }
    }
  }
  return { val, idx };
}

export function blockIndex(g: ReturnType<typeof blocksOf>, i: number): number {
  const k = Math.floor(i / (g.Ho * g.Wo));
  const r = i % (g.Ho * g.Wo);
  return (k * Math.ceil(g.Ho / g.ph) + Math.floor(Math.floor(r / g.Wo) / g.ph)) * Math.ceil(g.Wo / g.pw) + Math.floor((r % g.Wo) / g.pw);
}

// ---------------------------------------------------------------- the cases, API by API

export function make(api: string, expect: Expect, data: unknown, prepare: (h: Harness) => Prepared): Case {
  return {
    api, expect, prepare,
    [fc.toStringMethod]: () => `${api} (expect ${expect}) ${fc.stringify(data)}`,
  } as Case;
}

/** Random options with one key replaced by a bad value, or an unknown key added. */
export type OptionFault = { key: string; value: unknown; expect: Expect } | { unknown: string };

export function withFault(o: Record<string, unknown>, f: OptionFault | undefined): { options: Record<string, unknown>; expect: Expect } {
  if (!f) return { options: o, expect: 'ok' };
  if ('unknown' in f) return { options: { ...o, [f.unknown]: 1 }, expect: 'type' };
  return { options: { ...o, [f.key]: f.value }, expect: f.expect };
}

export function optionFault(entries: ReadonlyArray<[string, fc.Arbitrary<[unknown, Expect]>]>): fc.Arbitrary<OptionFault> {
  return fc.oneof(
    ...entries.map(([key, arb]) => arb.map(([value, expect]): OptionFault => ({ key, value, expect }))),
    unknownKey.map((k): OptionFault => ({ unknown: k })),
  );
}
