// The small pieces the report scripts (paper.ts, learned.ts) share: progress on stderr, number
// formatting, timing, and histograms as text bars.
import type { Convcs } from '../src/index.js';

export const log = (s: string): void => {
  process.stderr.write(s + '\n');
};

export const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));

/** Run fn, log how long it took, and return its result with the time in ms. */
export function timed<T>(label: string, fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  const ms = performance.now() - t0;
  log(`  ${label}: ${(ms / 1000).toFixed(1)} s`);
  return [r, ms];
}

/** A histogram as a markdown code block of text bars over [lo, hi] (24 bins by default). */
export function textHistogram(cs: Convcs, values: ArrayLike<number>, lo: number, hi: number, bins = 24): string {
  const h = cs.histogram(values, { bins, range: [lo, hi] });
  const max = Math.max(...h.counts);
  const rows = Array.from(h.counts, (c, i) => `${h.edges[i]!.toFixed(3).padStart(7)} | ${'#'.repeat(Math.round((40 * c) / Math.max(max, 1)))} ${c}`);
  const outside = values.length - h.counts.reduce((a, b) => a + b, 0);
  return '```\n' + rows.join('\n') + (outside ? `\n(${outside} values outside [${lo}, ${hi}])` : '') + '\n```';
}
