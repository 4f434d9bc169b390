// The binning of a model-RIP histogram, one rule for the CLI's figures and the web demo's canvas:
// the values' range padded by 5% on each side, widened to show the reference value (1 for the
// RIP ratio) when one is drawn.

import type { Convcs, Histogram, Summary } from 'convcs';

export function ripHistogram(cs: Convcs, values: ArrayLike<number>, summary: Summary, bins: number, reference?: number): Histogram {
  const pad = Math.max((summary.max - summary.min) * 0.05, 1e-6);
  let lo = summary.min - pad;
  let hi = summary.max + pad;
  if (reference !== undefined) {
    lo = Math.min(lo, reference - 2 * pad);
    hi = Math.max(hi, reference + 2 * pad);
  }
  return cs.histogram(values, { bins, range: [lo, hi] });
}
