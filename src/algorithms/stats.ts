// Summaries, histograms and sparsity of result arrays: what the paper's figures and tables show.

import { checkOptions, finiteNumber, positiveInt, rangeError, typeError } from '../validate.js';

export interface Summary {
  mean: number;
  median: number;
  p05: number;
  p95: number;
  min: number;
  max: number;
}

/** Quantile with linear interpolation between order statistics (R's type 7). */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const f = pos - lo;
  // the convex form where b - a itself overflows (values near the ends of float64)
  return Number.isFinite(b - a) ? a + (b - a) * f : a * (1 - f) + b * f;
}

/** Non-finite values are refused, as everywhere in convcs: they would poison every statistic. */
function checkFiniteValues(where: string, v: ArrayLike<number>): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (typeof x !== 'number' || !Number.isFinite(x)) throw rangeError(where, `values[${i}] is ${x}; values must be finite numbers`);
  }
}

export function summarize(values: ArrayLike<number>): Summary {
  if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<number>).length !== 'number') {
    throw typeError('summarize', 'values', 'an array or typed array of numbers', values);
  }
  checkFiniteValues('summarize', values);
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return {
    // finite values whose sum overflows float64 are averaged as value / count
    mean: s.length ? (Number.isFinite(sum) ? sum / s.length : meanOfScaled(s)) : NaN,
    median: quantile(s, 0.5),
    p05: quantile(s, 0.05),
    p95: quantile(s, 0.95),
    min: s.length ? s[0]! : NaN,
    max: s.length ? s[s.length - 1]! : NaN,
  };
}

/** The mean as a sum of value / count: finite for any finite values (the plain sum may not be). */
function meanOfScaled(s: Float64Array): number {
  let mean = 0;
  for (const v of s) mean += v / s.length;
  return mean;
}

export interface HistogramOptions {
  /** Number of equal-width bins (default 50). */
  bins?: number;
  /** [low, high]; default the data's min and max. Values outside are not counted. */
  range?: readonly [number, number];
}

export interface Histogram {
  /** bins + 1 bin edges, ascending. */
  edges: Float64Array;
  /** counts[i] counts values in [edges[i], edges[i+1]); the last bin also takes its upper edge. */
  counts: Uint32Array;
}

export function histogram(values: unknown, options?: HistogramOptions): Histogram {
  const where = 'histogram';
  const o = checkOptions<HistogramOptions>(where, options, ['bins', 'range']);
  if (!(values instanceof Float64Array || values instanceof Float32Array || Array.isArray(values))) {
    throw typeError(where, 'values', 'a Float64Array, Float32Array or number array', values);
  }
  const v = values as ArrayLike<number>;
  checkFiniteValues(where, v);
  const bins = o.bins === undefined ? 50 : positiveInt(where, 'bins', o.bins, 1e6);
  let lo: number, hi: number;
  if (o.range !== undefined) {
    if (!Array.isArray(o.range) || o.range.length !== 2) throw typeError(where, "'range'", 'a pair [low, high]', o.range);
    lo = finiteNumber(where, 'range[0]', o.range[0]);
    hi = finiteNumber(where, 'range[1]', o.range[1]);
    if (!(hi > lo)) throw rangeError(where, `'range' must have high > low, got [${lo}, ${hi}]`);
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      lo = Math.min(lo, v[i]!);
      hi = Math.max(hi, v[i]!);
    }
    if (v.length === 0) { lo = 0; hi = 1; }
    if (hi === lo) { lo -= 0.5; hi += 0.5; }
  }
  // A range wider than float64 can hold (hi - lo overflows) is measured in halves: the edges stay
  // finite and ascending, and every value in range lands in a bin.
  const half = Number.isFinite(hi - lo) ? 1 : 0.5;
  const span = hi * half - lo * half;
  const edges = half === 1
    ? Float64Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins)
    : Float64Array.from({ length: bins + 1 }, (_, i) => lo * (1 - i / bins) + hi * (i / bins));
  const counts = new Uint32Array(bins);
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!(x >= lo && x <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor(((x * half - lo * half) / span) * bins))]!++;
  }
  return { edges, counts };
}

/** Fraction of non-zero entries (the paper's Table 2). */
export function sparsity(h: unknown): number {
  if (!(h instanceof Float32Array || h instanceof Float64Array)) throw typeError('sparsity', 'h', 'a Float32Array or Float64Array', h);
  if (h.length === 0) throw rangeError('sparsity', 'h must not be empty');
  let nz = 0;
  for (let i = 0; i < h.length; i++) {
    const x = h[i]!;
    if (x - x !== 0) throw rangeError('sparsity', `h[${i}] is ${x}; inputs must be finite (NaN and Infinity are refused)`);
    if (x !== 0) nz++;
  }
  return nz / h.length;
}
