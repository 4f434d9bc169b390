// Order statistics of latency samples: the median, p75 and the median absolute deviation, the
// figures every result reports. The same definitions as bench/harness.ts (linear interpolation
// between order statistics), so a portable result and a Node-suite result mean the same thing.

export interface SampleStats {
  n: number;
  median: number;
  p75: number;
  /** Median absolute deviation from the median. */
  mad: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function sampleStats(samples: readonly number[]): SampleStats {
  const s = [...samples].sort((a, b) => a - b);
  const median = quantile(s, 0.5);
  const dev = s.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return { n: s.length, median, p75: quantile(s, 0.75), mad: quantile(dev, 0.5) };
}
