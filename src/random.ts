// Seeded sampling. Draw i of stream s under a seed is a pure function of (seed, s, i), computed
// inside wasm, so results never depend on batching, chunking, workers or the JavaScript engine.

import type { Engine } from './instance.js';
import { MAX_ELEMENTS, checkOptions, finiteNumber, nonNegativeInt, oneOf, outputBuffer, rangeError, requireOption, seedWords } from './validate.js';
import { blockGeometry, resolveK } from './projection.js';
import type { Pool } from './projection.js';

export interface RandomOptions {
  /** Integer in [0, 2^64): a number up to 2^53, or a bigint. */
  seed: number | bigint;
  /** Stream index in [0, 2^32) (default 0). Independent streams of one seed. */
  stream?: number;
  /** Index of the first draw (default 0): draws [start, start + count) of the stream. */
  start?: number;
}

export interface SampleOptions extends RandomOptions {
  /**
   * Write the draws into this array (its length must be `count`) and return it, instead of a
   * new one: no allocation, and none of the page faults a fresh large array costs.
   */
  out?: Float32Array;
}

export interface UniformOptions extends SampleOptions {
  /** Lower end (default 0). */
  low?: number;
  /** Upper end, exclusive (default 1). */
  high?: number;
}

const CHUNK = 1 << 16;

interface Resolved { lo: number; hi: number; stream: number; start: number }

function resolve(where: string, count: unknown, o: Partial<RandomOptions>): [number, Resolved] {
  const n = nonNegativeInt(where, 'count', count);
  const [lo, hi] = seedWords(where, 'seed', requireOption(where, 'seed', o.seed));
  const stream = o.stream === undefined ? 0 : nonNegativeInt(where, 'stream', o.stream, 2 ** 32 - 1);
  const start = o.start === undefined ? 0 : nonNegativeInt(where, 'start', o.start, Number.MAX_SAFE_INTEGER - MAX_ELEMENTS);
  return [n, { lo, hi, stream, start }];
}

// wasm fills one chunk of scratch (64K floats, 256 KB: it stays in L2) and TypedArray.set copies
// it once into the result. Measured for 4M normals: chunks of 4K to 256K floats time alike, and
// drawing everything into linear memory to build the result with new Float32Array(view) (no
// zero-fill) saves under 0.5 ms but grows memory by 4n bytes for good. Most of what the call
// costs beyond the kernel is the fresh result itself: page faults on first touch, and freeing.
function chunked(engine: Engine, out: Float32Array, fill: (start: number, count: number, ptr: number) => void): Float32Array {
  const n = out.length;
  if (n === 0) return out;
  engine.withScratch([Math.min(n, CHUNK) * 4], (ptr) => {
    for (let off = 0; off < n; off += CHUNK) {
      const c = Math.min(CHUNK, n - off);
      fill(off, c, ptr!);
      out.set(engine.f32(ptr!, c), off);
    }
  });
  return out;
}

/** `count` standard normal draws (Box-Muller in wasm). */
export function randn(engine: Engine, count: number, options: SampleOptions): Float32Array {
  const where = 'randn';
  const o = checkOptions<SampleOptions>(where, options, ['seed', 'stream', 'start', 'out']);
  const [n, r] = resolve(where, count, o);
  const out = outputBuffer(where, o.out, n);
  return chunked(engine, out, (off, c, ptr) => engine.k.randn(r.lo, r.hi, r.stream, r.start + off, c, ptr));
}

/** `count` uniform draws on [low, high). */
export function rand(engine: Engine, count: number, options: UniformOptions): Float32Array {
  const where = 'rand';
  const o = checkOptions<UniformOptions>(where, options, ['seed', 'stream', 'start', 'low', 'high', 'out']);
  const [n, r] = resolve(where, count, o);
  const low = o.low === undefined ? 0 : finiteNumber(where, 'low', o.low);
  const high = o.high === undefined ? 1 : finiteNumber(where, 'high', o.high);
  if (!(high > low)) throw rangeError(where, `'high' (${high}) must be greater than 'low' (${low})`);
  // the draws are float32: the bounds, and the width between them, must be too
  const lo32 = Math.fround(low);
  const hi32 = Math.fround(high);
  if (!Number.isFinite(lo32) || !Number.isFinite(hi32) || !Number.isFinite(Math.fround(hi32 - lo32))) {
    throw rangeError(where, `the interval [${low}, ${high}) is wider than float32 can hold (its width must be at most 3.4e38)`);
  }
  if (!(hi32 > lo32)) throw rangeError(where, `'low' (${low}) and 'high' (${high}) are the same float32 number: the interval holds no float32 value`);
  const out = outputBuffer(where, o.out, n);
  return chunked(engine, out, (off, c, ptr) => engine.k.randUniform(r.lo, r.hi, r.stream, r.start + off, c, low, high, ptr));
}

/** Raw 64-bit draws of the generator, as a BigUint64Array (for tests and integer sampling). */
export function draws64(engine: Engine, count: number, options: RandomOptions): BigUint64Array {
  const where = 'draws64';
  const o = checkOptions<RandomOptions>(where, options, ['seed', 'stream', 'start']);
  const [n, r] = resolve(where, count, o);
  const out = new BigUint64Array(n);
  if (n === 0) return out;
  engine.withScratch([Math.min(n, CHUNK) * 8], (ptr) => {
    for (let off = 0; off < n; off += CHUNK) {
      const c = Math.min(CHUNK, n - off);
      engine.k.draws64(r.lo, r.hi, r.stream, r.start + off, c, ptr!);
      out.set(new BigUint64Array(engine.abi.memory.buffer, ptr!, c), off);
    }
  });
  return out;
}

export interface ModelSparseOptions {
  /** Pooling blocks ('global' default, p, or [ph, pw]). */
  pool?: Pool;
  /** Number of non-zero blocks, or `density` (k = round(density * length)). */
  k?: number;
  density?: number;
  seed: number | bigint;
  /** Stream (default 0): rip's trial t draws its code from stream t. */
  stream?: number;
  /**
   * Where in the stream the draws start (default 0). rip's trial t draws its code at 0 and, for
   * delta2K, a second code at RIP_SECOND_CODE_START (2^40) of stream t.
   */
  start?: number;
  /** 'uniform' U[-1, 1) (default, the paper), 'sign' +-1, 'bounded' +-U[0.5, 1). */
  values?: 'uniform' | 'sign' | 'bounded';
}

/**
 * A random model-k-sparse code (section 2.3): k blocks chosen uniformly without replacement,
 * one uniformly placed non-zero in each. The same codes `rip` draws for the same seed and stream.
 */
export function sampleModelSparse(
  engine: Engine, shape: readonly number[], options: ModelSparseOptions,
): { z: Float32Array; support: Int32Array } {
  const where = 'sampleModelSparse';
  const o = checkOptions<ModelSparseOptions>(where, options, ['pool', 'k', 'density', 'seed', 'stream', 'start', 'values']);
  const bg = blockGeometry(where, shape, o.pool);
  if (o.k === undefined && o.density === undefined) throw new TypeError(`convcs.${where}: give 'k' or 'density'`);
  const k = resolveK(where, bg, o.k, o.density);
  const [lo, hi] = seedWords(where, 'seed', requireOption(where, 'seed', o.seed));
  const stream = o.stream === undefined ? 0 : nonNegativeInt(where, 'stream', o.stream, 2 ** 32 - 1);
  const start = o.start === undefined ? 0 : nonNegativeInt(where, 'start', o.start, 2 ** 52);
  const values = o.values === undefined ? 'uniform' : oneOf(where, 'values', o.values, ['uniform', 'sign', 'bounded'] as const);
  const code = { uniform: 0, sign: 1, bounded: 2 }[values];
  return engine.withScratch([Math.max(k, 1) * 4, Math.max(k, 1) * 4], (idx, val) => {
    const c = engine.k.sampleModelSparse(lo, hi, stream, start, bg.K, bg.Ho, bg.Wo, bg.ph, bg.pw, k, code, idx!, val!);
    const z = new Float32Array(bg.length);
    const ii = engine.i32(idx!, c);
    const vv = engine.f32(val!, c);
    for (let j = 0; j < c; j++) z[ii[j]!] = vv[j]!;
    return { z, support: Int32Array.from(ii).sort() };
  });
}
