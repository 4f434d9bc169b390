// One statistic of one cell, in a form that merges exactly: counts, minimum, maximum, the exact
// sum (for the mean), a fixed-bin histogram and a quantile sketch. Everything it reports is a
// function of merged state that does not remember the order of the values.

import { ExactSum, fromScaled } from './exact-sum.js';
import { QuantileSketch } from './sketch.js';
import type { SketchData } from './sketch.js';

/** Serialized accumulator (one field of a part's cell line). */
export interface StatData {
  count: number;
  /** NaN or infinite values: counted, kept out of everything else. */
  nonFinite: number;
  min: number | null;
  max: number | null;
  /** The exact sum in units of 2^-1074, as a decimal integer string. */
  sum: string;
  /** Counts per bin of the statistic's edges: below edges[0], between each pair, at or above the last. */
  histogram: number[];
  sketch: SketchData;
}

/** What a report shows of a statistic. */
export interface StatSummary {
  count: number;
  nonFinite: number;
  min: number;
  max: number;
  mean: number;
  p05: number;
  p50: number;
  p95: number;
  /** The histogram's bin edges and counts (counts.length = edges.length + 1). */
  edges: readonly number[];
  counts: number[];
}

function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  // the number of edges <= x
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export class Stat {
  count = 0;
  nonFinite = 0;
  min = Infinity;
  max = -Infinity;
  readonly sum = new ExactSum();
  readonly histogram: number[];
  readonly sketch = new QuantileSketch();

  constructor(readonly edges: readonly number[]) {
    this.histogram = new Array<number>(edges.length + 1).fill(0);
  }

  add(x: number): void {
    this.count++;
    if (!Number.isFinite(x)) { this.nonFinite++; return; }
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.sum.add(x);
    this.histogram[binOf(this.edges, x)]!++;
    this.sketch.add(x);
  }

  toJSON(): StatData {
    const finite = this.count > this.nonFinite;
    return {
      count: this.count, nonFinite: this.nonFinite,
      min: finite ? this.min : null, max: finite ? this.max : null,
      sum: this.sum.scaled().toString(), histogram: this.histogram.slice(), sketch: this.sketch.toJSON(),
    };
  }

  /** Add another accumulator's serialized state (checked by the caller). */
  merge(d: StatData): void {
    this.count += d.count;
    this.nonFinite += d.nonFinite;
    if (d.min !== null && d.min < this.min) this.min = d.min;
    if (d.max !== null && d.max > this.max) this.max = d.max;
    this.sum.addScaled(BigInt(d.sum));
    for (let i = 0; i < this.histogram.length; i++) this.histogram[i]! += d.histogram[i]!;
    this.sketch.merge(d.sketch);
  }

  summary(): StatSummary {
    const n = this.count - this.nonFinite;
    return {
      count: this.count, nonFinite: this.nonFinite,
      min: n ? this.min : NaN, max: n ? this.max : NaN,
      // the correctly rounded exact sum, divided once
      mean: n ? fromScaled(this.sum.scaled()) / n : NaN,
      p05: this.sketch.quantile(0.05), p50: this.sketch.quantile(0.5), p95: this.sketch.quantile(0.95),
      edges: this.edges, counts: this.histogram.slice(),
    };
  }
}

/** Relative errors: a 1-2-5 sequence from 1e-8 to 10 (decimal literals parse identically everywhere). */
export const ERROR_EDGES: readonly number[] = (() => {
  const e: number[] = [];
  for (let p = -8; p <= 1; p++) for (const m of [1, 2, 5]) if (p < 1 || m === 1) e.push(Number(`${m}e${p}`));
  return e;
})();

/** Norm ratios ||W^T z|| / ||z||: steps of 0.05 on [0, 3]. */
export const RATIO_EDGES: readonly number[] = Array.from({ length: 61 }, (_, i) => i / 20);
