// The fuzz suite's properties, and `npm run fuzz` (this file run directly) to run them for long.
//
// Every generated case is one call of the public API, valid or with one adversarial argument:
// a wrong length, NaN or Infinity in the data, a negative, fractional or huge size, k or density
// out of range, a value of the wrong type (string, null, object, BigInt, plain array,
// Float64Array...), a disposed operator, an unknown option, an output array aliasing the input,
// or sizes past the memory cap. A valid call must return the right result (checked against a
// plain-JS reference or an exact relation between public calls); a bad one must throw a
// TypeError or RangeError from convcs, never a wasm trap or another error. A refused call must
// leave the instance exactly as it was: the same bytes of linear memory in use, no growth, and a
// fixed reference computation giving the same bits. tests/fuzz.test.ts runs these properties with
// a short budget in `npm test`.
//
//   npm run fuzz                          200,000 cases per backend (simd, scalar)
//   npm run fuzz -- --seconds 60          as many as fit in 60 s per backend
//   npm run fuzz -- --runs 50000 --seed 7

import fc from 'fast-check';
import { pathToFileURL } from 'node:url';
import { load } from '../src/index.js';
import type { Convcs, ConvOperator, LinearOperator, Conv1dOptions, Conv2dOptions } from '../src/index.js';
import { bitsEqual, convReference, projectReference, randomArray, transposeReference } from '../tests/helpers.js';
import { checkWeightsCase, weightsCase } from './fuzz-weights.js';

/** The cap of the fuzzed instances: small, so that huge but legal sizes meet it. */
export const FUZZ_MEMORY_CAP = 48 * 1024 * 1024;

// ---------------------------------------------------------------- the harness

type Expect = 'ok' | 'refuse' | 'type' | 'range' | 'any';

/** What a case's setup hands the harness: the one call under test, and how to check its result. */
interface Prepared {
  call(): unknown;
  verify?(result: unknown): void;
}

export interface Case {
  api: string;
  expect: Expect;
  prepare(h: Harness): Prepared;
}

function fail(message: string): never {
  throw new Error(message);
}

function check(cond: unknown, message: string): asserts cond {
  if (!cond) fail(message);
}

export class Harness {
  /** Calls made, and how many each API accepted and refused. */
  calls = 0;
  readonly byApi = new Map<string, { ok: number; refused: number }>();
  private owned: Array<{ dispose(): void }> = [];
  private readonly baseline: Float32Array;
  private readonly R: ConvOperator;

  private constructor(readonly cs: Convcs, readonly other: Convcs) {
    // The fixed reference computation: an operator the fuzz never touches.
    this.R = cs.conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, height: 6, width: 5, padding: 1 }).randomize({ seed: 11 });
    this.baseline = this.reference();
  }

  static async create(backend: 'simd' | 'scalar'): Promise<Harness> {
    return new Harness(await load({ backend, maxMemoryBytes: FUZZ_MEMORY_CAP }), await load({ backend }));
  }

  reference(): Float32Array {
    const { cs, R } = this;
    const x = randomArray(R.inputSize, 1);
    const z = randomArray(R.outputSize, 2);
    const parts = [
      R.forward(x), R.transpose(z), R.transposeSparse(Int32Array.of(0, 7, 7, R.outputSize - 1), Float32Array.of(1, -2, 0.5, 3)),
      cs.randn(16, { seed: 5, stream: 2 }), cs.project(z, { shape: R.outputShape, pool: 2, k: 4 }).z,
    ];
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Keep something to dispose after the case. */
  track<T extends { dispose(): void }>(x: T): T {
    this.owned.push(x);
    return x;
  }

  op(spec: OpSpec, on: Convcs = this.cs): ConvOperator {
    const W = spec.dims === 1 ? on.conv1d(spec.options as Conv1dOptions) : on.conv2d(spec.options as Conv2dOptions);
    return this.track(W).randomize({ seed: spec.seed });
  }

  get inUse(): number {
    return this.cs.engine.heap.inUse;
  }

  run(c: Case): void {
    const inUseAtStart = this.inUse;
    try {
      const p = c.prepare(this);
      const inUse = this.inUse;
      const bytes = this.cs.memoryBytes;
      let result: unknown;
      let error: unknown;
      let threw = false;
      try {
        result = p.call();
      } catch (e) {
        threw = true;
        error = e;
      }
      this.calls++;
      const tally = this.byApi.get(c.api) ?? { ok: 0, refused: 0 };
      this.byApi.set(c.api, tally);
      if (threw) {
        tally.refused++;
        const e = error as Error;
        check(e instanceof TypeError || e instanceof RangeError,
          `${c.api}: threw ${(e as Error)?.constructor?.name ?? typeof e}: ${String((e as Error)?.message ?? e)} (only TypeError or RangeError are allowed)`);
        check(/^convcs[.:]/.test(e.message), `${c.api}: the error does not come from convcs: ${e.message}`);
        check(c.expect !== 'ok', `${c.api}: a valid call was refused: ${e.message}`);
        check(c.expect !== 'type' || e instanceof TypeError, `${c.api}: expected a TypeError, got RangeError: ${e.message}`);
        check(c.expect !== 'range' || e instanceof RangeError, `${c.api}: expected a RangeError, got TypeError: ${e.message}`);
        check(this.inUse === inUse, `${c.api}: the refused call kept ${this.inUse - inUse} bytes of linear memory (${e.message})`);
        check(this.cs.memoryBytes === bytes, `${c.api}: the refused call grew memory from ${bytes} to ${this.cs.memoryBytes} bytes (${e.message})`);
        check(bitsEqual(this.reference(), this.baseline), `${c.api}: the reference computation changed after a refused call (${e.message})`);
      } else {
        tally.ok++;
        check(c.expect === 'ok' || c.expect === 'any', `${c.api}: expected a refusal (${c.expect}), but the call returned`);
        if (c.expect === 'ok' && p.verify) p.verify(result);
        else sane(c.api, result);
      }
    } finally {
      for (const o of this.owned.splice(0)) o.dispose();
    }
    check(this.inUse === inUseAtStart, `${c.api}: ${this.inUse - inUseAtStart} bytes of linear memory were not given back after the case`);
  }
}

/** For calls whose validity is not predicted: whatever comes back holds no NaN or Infinity. */
function sane(api: string, r: unknown, depth = 0): void {
  if (depth > 3 || r === null || typeof r !== 'object') return;
  if (r instanceof Float32Array || r instanceof Int32Array) {
    for (let i = 0; i < r.length; i++) check(Number.isFinite(r[i]), `${api}: result holds ${r[i]} at ${i}`);
    return;
  }
  for (const v of Object.values(r)) sane(api, v, depth + 1);
}

// ---------------------------------------------------------------- generators

const int = (min: number, max: number) => fc.integer({ min, max });
const frac = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const dataSeed = int(1, 2 ** 31 - 1);

export interface OpSpec {
  dims: 1 | 2;
  options: Conv1dOptions | Conv2dOptions;
  seed: number;
}

const pad1 = fc.oneof(int(0, 2), fc.constant('same' as const), fc.constant('valid' as const));
const op1 = fc.record({ M: int(1, 4), K: int(1, 6), l: int(1, 4), extra: int(0, 8), stride: int(1, 3), pad: pad1, seed: int(0, 999) })
  .map((r): OpSpec => ({
    dims: 1,
    options: { inChannels: r.M, outChannels: r.K, kernelSize: r.l, length: r.l + r.extra, stride: r.stride, padding: r.pad === 'same' && r.stride !== 1 ? 0 : r.pad },
    seed: r.seed,
  }));
const pad2 = fc.oneof(int(0, 1), fc.tuple(int(0, 1), int(0, 2)), fc.constant('same' as const), fc.constant('valid' as const));
const op2 = fc.record({
  M: int(1, 3), K: int(1, 5), kh: int(1, 3), kw: int(1, 3), eh: int(0, 4), ew: int(0, 4), sh: int(1, 2), sw: int(1, 2), pad: pad2, seed: int(0, 999),
  // Winograd is 'auto' only from 8 channels; forcing it reaches its kernels on these small layers.
  alg: fc.constantFrom('auto' as const, 'direct' as const, 'winograd' as const),
}).map((r): OpSpec => ({
  dims: 2,
  options: {
    inChannels: r.M, outChannels: r.K, kernelSize: [r.kh, r.kw], height: r.kh + r.eh, width: r.kw + r.ew, stride: [r.sh, r.sw],
    padding: r.pad === 'same' && (r.sh !== 1 || r.sw !== 1) ? 0 : r.pad,
    algorithm: r.alg === 'winograd' && !(r.kh === 3 && r.kw === 3 && r.sh === 1 && r.sw === 1) ? 'auto' : r.alg,
  },
  seed: r.seed,
}));
export const opSpec = fc.oneof(op1, op2);

/** Values of the wrong kind for a typed-array argument. */
const WRONG_KINDS = ['string', 'null', 'number', 'bigint', 'array', 'float64', 'int32', 'uint8', 'object', 'dataview', 'function', 'boolean', 'symbol'] as const;
type WrongKind = (typeof WRONG_KINDS)[number];
const wrongKind = fc.constantFrom(...WRONG_KINDS);

function wrong(kind: WrongKind | 'undefined', n: number): unknown {
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
function detached(): Float32Array {
  const a = new Float32Array(8);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

const NONFINITE = [NaN, Infinity, -Infinity] as const;

/** One bad data argument; the expected refusal goes with it. */
type DataFault =
  | { kind: 'nonfinite'; at: number; value: number }
  | { kind: 'length'; delta: number }
  | { kind: 'empty' }
  | { kind: 'detached' }
  | { kind: 'wrong'; as: WrongKind };

const dataFault: fc.Arbitrary<DataFault> = fc.oneof(
  fc.record({ kind: fc.constant('nonfinite' as const), at: frac, value: fc.constantFrom(...NONFINITE) }),
  fc.record({ kind: fc.constant('length' as const), delta: fc.oneof(int(1, 3), int(-3, -1)) }),
  fc.record({ kind: fc.constant('empty' as const) }),
  fc.record({ kind: fc.constant('detached' as const) }),
  fc.record({ kind: fc.constant('wrong' as const), as: wrongKind }),
);

function dataFaultExpect(f: DataFault): Expect {
  return f.kind === 'wrong' ? 'type' : 'range';
}

/**
 * `x` (length `n`, valid lengths: positive multiples of `unit`) with the fault applied, or
 * undefined when the fault cannot make this argument invalid (a length change that stays a
 * multiple of one sample).
 */
function applyDataFault(x: Float32Array, unit: number, f: DataFault): unknown {
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
type OutFault = { kind: 'outLength'; delta: number } | { kind: 'outWrong'; as: WrongKind } | { kind: 'alias'; shift: number };
const outFault: fc.Arbitrary<OutFault> = fc.oneof(
  fc.record({ kind: fc.constant('outLength' as const), delta: fc.oneof(int(1, 3), int(-3, -1)) }),
  fc.record({ kind: fc.constant('outWrong' as const), as: wrongKind }),
  fc.record({ kind: fc.constant('alias' as const), shift: fc.oneof(fc.constant(0), int(-5, 5)) }),
);

/** Bad values for an integer size or count, each with the refusal it must get. */
const badInts: ReadonlyArray<[unknown, Expect]> = [
  [-1, 'range'], [-7, 'range'], [1.5, 'type'], [NaN, 'type'], [Infinity, 'type'], [-Infinity, 'type'], [2 ** 31, 'range'],
  [2 ** 53, 'range'], [1e300, 'range'], ['3', 'type'], [null, 'type'], [true, 'type'], [3n, 'type'], [{}, 'type'], [[3], 'type'],
];
const badInt = fc.constantFrom(...badInts);
/** ... and for a positive one, also zero. */
const badPositive = fc.constantFrom<[unknown, Expect]>(...badInts, [0, 'range'], [-0, 'range']);

const badSeeds: ReadonlyArray<[unknown, Expect]> = [
  [-1, 'range'], [1.5, 'type'], [NaN, 'type'], [2 ** 53, 'range'], [-1n, 'range'], [2n ** 64n, 'range'], ['1', 'type'],
  [null, 'type'], [{}, 'type'], [Infinity, 'type'],
];
const badSeed = fc.constantFrom(...badSeeds);
const seedArb = fc.oneof(int(0, 2 ** 31), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constant(Number.MAX_SAFE_INTEGER));

const unknownKey = fc.constantFrom('dilation', 'Seed', 'bias', 'workerz', 'constructor', 'k ');

/** A weird value of any kind, for calls whose outcome is not predicted. */
const weird = fc.oneof(
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
function closeTo(api: string, got: Float32Array, want: ArrayLike<number>, magnitude?: ArrayLike<number>): void {
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

const abs32 = (a: Float32Array) => a.map(Math.abs);

function batchReference(W: ConvOperator, data: Float32Array, dir: 'forward' | 'transpose', absolute = false): Float64Array {
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

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** Block geometry of a code shape and a pooling, as the library defines it (ceil mode). */
function blocksOf(shape: readonly number[], pool: unknown): { K: number; Ho: number; Wo: number; ph: number; pw: number; blocks: number } {
  const [K, Ho, Wo] = shape.length === 2 ? [shape[0]!, 1, shape[1]!] : [shape[0]!, shape[1]!, shape[2]!];
  let ph = Ho;
  let pw = Wo;
  if (typeof pool === 'number') [ph, pw] = shape.length === 2 ? [1, pool] : [pool, pool];
  else if (Array.isArray(pool)) [ph, pw] = pool as [number, number];
  return { K, Ho, Wo, ph, pw, blocks: K * Math.ceil(Ho / ph) * Math.ceil(Wo / pw) };
}

/** The kept entry of every block (ties: lowest index), for maxPool and the support checks. */
function blockWinners(h: Float32Array, g: ReturnType<typeof blocksOf>, relu: boolean): { val: number[]; idx: number[] } {
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

function blockIndex(g: ReturnType<typeof blocksOf>, i: number): number {
  const k = Math.floor(i / (g.Ho * g.Wo));
  const r = i % (g.Ho * g.Wo);
  return (k * Math.ceil(g.Ho / g.ph) + Math.floor(Math.floor(r / g.Wo) / g.ph)) * Math.ceil(g.Wo / g.pw) + Math.floor((r % g.Wo) / g.pw);
}

// ---------------------------------------------------------------- the cases, API by API

function make(api: string, expect: Expect, data: unknown, prepare: (h: Harness) => Prepared): Case {
  return {
    api, expect, prepare,
    [fc.toStringMethod]: () => `${api} (expect ${expect}) ${fc.stringify(data)}`,
  } as Case;
}

/** Random options with one key replaced by a bad value, or an unknown key added. */
type OptionFault = { key: string; value: unknown; expect: Expect } | { unknown: string };

function withFault(o: Record<string, unknown>, f: OptionFault | undefined): { options: Record<string, unknown>; expect: Expect } {
  if (!f) return { options: o, expect: 'ok' };
  if ('unknown' in f) return { options: { ...o, [f.unknown]: 1 }, expect: 'type' };
  return { options: { ...o, [f.key]: f.value }, expect: f.expect };
}

function optionFault(entries: ReadonlyArray<[string, fc.Arbitrary<[unknown, Expect]>]>): fc.Arbitrary<OptionFault> {
  return fc.oneof(
    ...entries.map(([key, arb]) => arb.map(([value, expect]): OptionFault => ({ key, value, expect }))),
    unknownKey.map((k): OptionFault => ({ unknown: k })),
  );
}

// -- constructors

const ctorFault = fc.oneof(
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

const ctorCase = fc.record({ spec: opSpec, fault: fc.option(ctorFault, { nil: undefined, freq: 2 }) }).map(({ spec, fault }) => {
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

const denseCase = (dir: 'forward' | 'transpose') => fc.record({
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

type SparseFault =
  | { kind: 'index'; value: number }
  | { kind: 'indicesWrong'; as: 'uint32' | 'array' | 'float32' | 'int16' | 'null' | 'string' }
  | { kind: 'values'; fault: DataFault }
  | { kind: 'disposed' }
  | OutFault;

const sparseCase = fc.record({
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

const setWeightsCase = fc.record({
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

const randomizeFault = optionFault([
  ['seed', badSeed],
  ['stream', fc.constantFrom<[unknown, Expect]>(...badInts.filter(([v]) => v !== 2 ** 31), [2 ** 32, 'range'])],
  ['normalize', fc.constantFrom<[unknown, Expect]>(['l2', 'type'], [null, 'type'], [1, 'type'], ['', 'type'])],
]);

const randomizeCase = fc.record({
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

// -- projection, pooling, unpooling, sampling of codes

/** A code shape and a valid pooling for it. */
const codeProblem = fc.record({
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

type CodeFault =
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

const codeFault: fc.Arbitrary<CodeFault> = fc.oneof(
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

type CodeProblem = typeof codeProblem extends fc.Arbitrary<infer T> ? T : never;

/** Options for project / sampleModelSparse with one fault applied, and the expected outcome. */
function codeOptions(p: CodeProblem, f: CodeFault | undefined, withMode: boolean, needK: boolean): { options: unknown; expect: Expect } {
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

const projectCase = fc.record({
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

const maxPoolCase = fc.record({
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

const unpoolCase = fc.record({
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

const sampleCase = fc.record({
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

// -- randn, rand

const randomCase = (which: 'randn' | 'rand') => fc.record({
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

// -- the algorithms

type OperatorFault =
  | { kind: 'disposed' }
  | { kind: 'garbage'; value: 'null' | 'object' | 'number' | 'string' | 'array' | 'float32' }
  | { kind: 'otherInstance' }
  | { kind: 'inconsistent' };

const operatorFault: fc.Arbitrary<OperatorFault> = fc.oneof(
  fc.constant<OperatorFault>({ kind: 'disposed' }),
  fc.constantFrom('null', 'object', 'number', 'string', 'array', 'float32').map((value): OperatorFault => ({ kind: 'garbage', value } as OperatorFault)),
  fc.constant<OperatorFault>({ kind: 'otherInstance' }),
);

function faultyOperator(h: Harness, W: ConvOperator, spec: OpSpec, f: OperatorFault): unknown {
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
const sparsityArb = fc.record({ poolKind: fc.constantFrom('global', 'p', 'none'), pf: frac, kf: frac, byDensity: fc.boolean(), relu: fc.boolean() });

function sparsityFor(W: ConvOperator, s: { poolKind: string; pf: number; kf: number; byDensity: boolean; relu: boolean }): { options: Record<string, unknown>; k: number } {
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

const sparsityFault: fc.Arbitrary<CodeFault> = codeFault.filter((c) => c.kind !== 'shape' && c.kind !== 'options' && c.kind !== 'unknown');

function applySparsityFault(W: ConvOperator, o: Record<string, unknown>, k: number, f: CodeFault): { options: Record<string, unknown>; expect: Expect } {
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

const algoFault = fc.oneof(
  operatorFault.map((c) => ({ on: 'W' as const, c })),
  dataFault.map((c) => ({ on: 'x' as const, c })),
  sparsityFault.map((c) => ({ on: 'sparsity' as const, c })),
  unknownKey.map((key) => ({ on: 'unknown' as const, key })),
);

function expectOfAlgoFault(f: { on: 'W'; c: OperatorFault } | { on: 'x'; c: DataFault } | { on: 'sparsity'; c: CodeFault } | { on: 'unknown'; key: string } | undefined): Expect | undefined {
  if (!f) return 'ok';
  if (f.on === 'W') return f.c.kind === 'inconsistent' ? 'range' : 'type';
  if (f.on === 'x') return dataFaultExpect(f.c);
  if (f.on === 'unknown') return 'type';
  return undefined; // decided once W's code shape is known (see prepare)
}

const reconstructCase = fc.record({ spec: opSpec, seed: dataSeed, s: sparsityArb, fault: fc.option(algoFault, { nil: undefined, freq: 2 }) }).map((d) => {
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

const ihtCase = fc.record({
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

const ripCase = fc.record({
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
        const r = res as import('../src/index.js').RipReport;
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

const histogramCase = fc.record({
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

const creluCase = fc.record({
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

const stackCase = fc.record({
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
      call: () => h.cs.stack(arg as LinearOperator[]),
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

// -- calls with arguments of any kind, whose outcome is not predicted (refused or sane)

const chaosCase = fc.record({
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
    stack: () => h.cs.stack(d.a as LinearOperator[]),
    getWeights: () => W.getWeights(),
  };
  return { call: calls[d.api]! };
}));

// -- callbacks that call back into convcs while a run is under way

class UserError extends Error {}

const CALLBACK_ACTIONS = ['dispose', 'setWeights', 'randomize', 'new-operator', 're-entrant', 'project', 'throw', 'dispose-other'] as const;

const callbackCase = fc.record({
  spec: opSpec, seed: dataSeed, s: sparsityArb, run: fc.constantFrom('iht' as const, 'rip' as const, 'sparseCode' as const),
  actions: fc.array(fc.constantFrom(...CALLBACK_ACTIONS), { minLength: 1, maxLength: 4 }), at: int(1, 3),
}).map((d) => make(`callback ${d.run}`, 'any', d, (h) => {
  const W = h.op(d.spec);
  const x = randomArray(W.inputSize, d.seed);
  const sp = sparsityFor(W, d.s);
  const run = (cb?: () => void) => d.run === 'iht'
    ? h.cs.iht(W, x, { ...sp.options, iterations: 3, tolerance: 0, ...(cb ? { onIteration: cb } : {}) } as never)
    : d.run === 'rip'
      ? h.cs.rip(W, { ...sp.options, trials: 3, seed: 1, ...(cb ? { onProgress: cb } : {}) } as never)
      : h.cs.sparseCode(W, x, { pool: (sp.options.pool ?? 'global') as never, iterations: 3, ...(cb ? { onIteration: cb } : {}) });
  let reference: unknown;
  try {
    reference = run();
  } catch {
    reference = undefined; // a sparsity this layer cannot take: the callback run is refused alike
  }
  let calls = 0;
  let threw = false;
  const callback = () => {
    if (++calls !== d.at) return;
    for (const a of d.actions) {
      try {
        if (a === 'dispose') W.dispose();
        else if (a === 'setWeights') W.setWeights(new Float32Array(W.weightShape.reduce((p, q) => p * q, 1)));
        else if (a === 'randomize') W.randomize({ seed: 99 });
        else if (a === 'new-operator') h.op(d.spec).forward(x);
        else if (a === 're-entrant') run();
        else if (a === 'project') h.cs.project(W.forward(x), { shape: W.outputShape, k: 1 });
        else if (a === 'dispose-other') h.op(d.spec).dispose();
        else {
          threw = true;
          throw new UserError('thrown by the callback');
        }
      } catch (e) {
        if (e instanceof UserError) throw e;
        // what a callback may not do is refused with convcs's TypeError, and the run goes on
        check(e instanceof TypeError && /in use by a running call/.test(e.message), `callback ${d.run}/${a}: ${String(e)}`);
      }
    }
  };
  // 'any': a layer this sparsity does not fit is refused with or without the callback (the
  // harness then checks that nothing changed); otherwise the checks below run in call()
  const verify = (res: unknown) => {
    if (res instanceof UserError) {
      check(threw, `callback ${d.run}: a UserError without a throw`);
      return;
    }
    check(!threw || calls < d.at, `callback ${d.run}: the callback threw, but the run returned`);
    if (reference === undefined) fail(`callback ${d.run}: refused without a callback, returned with one`);
    // nothing the callback did reached the run: the same bits as the run without it
    const pick = (r: unknown): ArrayLike<number> => (r as { xHat?: Float32Array }).xHat ?? (r as { forward: Float64Array }).forward;
    const [a, b] = [pick(res), pick(reference)];
    check(a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i])),
      `callback ${d.run}: the run's result changed with the callback (${d.actions.join(', ')})`);
    check(!W.disposed, `callback ${d.run}: the operator was disposed under the run`);
  };
  return {
    call: () => {
      let res: unknown;
      try {
        res = run(callback);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        res = e;
      }
      verify(res);
      return res;
    },
  };
}));

// -- weight files, valid or with one part of their structure mutated (scripts/fuzz-weights.ts)

const weightsFileCase = weightsCase.map((c) => make('loadWeights', c.verdict.ok ? 'ok' : 'refuse', c.what, (h) => ({
  call: () => checkWeightsCase(h.cs, c),
})));

/** Every generator, with how often each runs. */
export function cases(): fc.Arbitrary<Case> {
  return fc.oneof(
    { arbitrary: weightsFileCase, weight: 3 },
    { arbitrary: callbackCase, weight: 2 },
    { arbitrary: ctorCase, weight: 3 },
    { arbitrary: denseCase('forward'), weight: 3 },
    { arbitrary: denseCase('transpose'), weight: 3 },
    { arbitrary: sparseCase, weight: 3 },
    { arbitrary: setWeightsCase, weight: 2 },
    { arbitrary: randomizeCase, weight: 2 },
    { arbitrary: projectCase, weight: 3 },
    { arbitrary: maxPoolCase, weight: 2 },
    { arbitrary: unpoolCase, weight: 2 },
    { arbitrary: sampleCase, weight: 2 },
    { arbitrary: randomCase('randn'), weight: 2 },
    { arbitrary: randomCase('rand'), weight: 2 },
    { arbitrary: reconstructCase, weight: 2 },
    { arbitrary: ihtCase, weight: 2 },
    { arbitrary: ripCase, weight: 2 },
    { arbitrary: histogramCase, weight: 2 },
    { arbitrary: creluCase, weight: 2 },
    { arbitrary: stackCase, weight: 2 },
    { arbitrary: chaosCase, weight: 3 },
  );
}

/** Run `runs` cases (or until `seconds` pass) on one instance; throws fast-check's report on failure. */
export function fuzz(h: Harness, options: { runs: number; seconds?: number; seed?: number }): void {
  fc.assert(fc.property(cases(), (c) => h.run(c)), {
    numRuns: options.runs,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.seconds !== undefined ? { plugins: [fc.interruptAfterTimeLimit(options.seconds * 1000)] } : {}),
  });
}

// ---------------------------------------------------------------- npm run fuzz

function flag(args: string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`fuzz: --${name} needs a non-negative number, got ${args[i + 1]}`);
  return v;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seconds = flag(args, 'seconds');
  const runs = flag(args, 'runs') ?? (seconds !== undefined ? Number.MAX_SAFE_INTEGER : 200_000);
  const seed = flag(args, 'seed') ?? Date.now() % 2 ** 31;
  for (const backend of ['simd', 'scalar'] as const) {
    const h = await Harness.create(backend);
    const t0 = performance.now();
    console.log(`${backend}: fuzzing with seed ${seed}${seconds !== undefined ? ` for ${seconds} s` : ''} (${runs === Number.MAX_SAFE_INTEGER ? 'no run limit' : `${runs} cases`})`);
    fuzz(h, { runs, seconds, seed });
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`${backend}: ${h.calls.toLocaleString('en')} calls in ${s} s, no failure; memory ${h.cs.memoryBytes} bytes`);
    for (const [api, t] of [...h.byApi].sort()) console.log(`  ${api.padEnd(24)} ${String(t.ok).padStart(8)} returned ${String(t.refused).padStart(8)} refused`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
