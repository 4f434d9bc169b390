// Results side by side: the markdown of `convcs bench compare a.json b.json ...` and of
// bench/results/runtimes.md. The first result is the reference: every other median is shown with
// its ratio to the reference's (above 1: slower than the reference).

import type { BenchResult } from './schema.js';

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  if (ms >= 0.1) return ms.toFixed(3);
  return ms.toPrecision(2);
}

function fmtRatio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : '—';
}

/** A column's name: the label if any, else the runtime and its version; numbered when two would clash. */
export function columnLabels(results: readonly BenchResult[]): string[] {
  const base = results.map((r) => r.label ?? `${r.runtime.name} ${r.runtime.version}`);
  return base.map((b, i) => (base.filter((x) => x === b).length > 1 ? `${b} (#${i + 1})` : b));
}

function geomean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

/** Median ratio of each result to the reference, per group (geometric mean over the group's cases). */
export function groupRatios(results: readonly BenchResult[]): Array<{ group: string; ratios: number[] }> {
  const ref = results[0]!;
  const groups = [...new Set(ref.cases.map((c) => c.group))];
  return groups.map((group) => ({
    group,
    ratios: results.map((r) => geomean(ref.cases.filter((c) => c.group === group).flatMap((c) => {
      const other = r.cases.find((o) => o.id === c.id);
      return other ? [other.medianMs / c.medianMs] : [];
    }))),
  }));
}

/**
 * The comparison as markdown: one table of the runtimes (engine, timing method, ceilings), one of
 * the cases (median, ratio to the reference), one of the rates as a share of each runtime's own
 * SIMD ceiling, and one of the ratios by group. Results must share a configuration.
 */
export function compareMarkdown(results: readonly BenchResult[]): string {
  if (results.length === 0) throw new RangeError('compare: no results');
  const configs = new Set(results.map((r) => r.suite.config));
  if (configs.size > 1) throw new RangeError(`compare: results of different configurations (${[...configs].join(', ')}) time different work`);
  const labels = columnLabels(results);
  const ref = results[0]!;
  const out: string[] = [];
  const backends = new Set(results.map((r) => r.suite.backend));
  out.push(`Configuration \`${ref.suite.config}\`, backend ${[...backends].join(' and ')}${backends.size > 1 ? ' (differs between columns!)' : ''}. ` +
    `Reference: ${labels[0]}. A ratio is that column's median over the reference's: above 1 is slower.`);
  out.push('');
  out.push('| runtime | engine | timed | clock step | SIMD ceiling | scalar ceiling | first load() | machine | date |');
  out.push('| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |');
  results.forEach((r, i) => {
    const clock = r.timing.resolutionMs === null ? 'frozen' : `${fmtMs(r.timing.resolutionMs)} ms`;
    const machine = [r.machine.cpu, r.machine.cores ? `${r.machine.cores} cores` : null, r.machine.platform].filter(Boolean).join(', ') || '—';
    out.push(`| ${labels[i]} | ${r.runtime.engine} ${r.runtime.engineVersion} | ${r.timing.method} | ${clock} | ` +
      `${r.ceiling.simdGflops.toFixed(1)} GFLOP/s (${r.ceiling.simdChains} chains) | ${r.ceiling.scalarGflops.toFixed(1)} GFLOP/s (${r.ceiling.scalarChains}) | ` +
      `${r.firstLoadMs === null ? '—' : `${fmtMs(r.firstLoadMs)} ms`} | ${machine} | ${r.date.slice(0, 16).replace('T', ' ')} |`);
  });
  out.push('');

  const ids = [...new Set(results.flatMap((r) => r.cases.map((c) => c.id)))];
  const find = (r: BenchResult, id: string) => r.cases.find((c) => c.id === id);
  const title = (id: string): string => results.map((r) => find(r, id)?.title).find(Boolean) ?? id;
  out.push(`Median ms per call (× ${labels[0]}):`);
  out.push('');
  out.push(`| case | ${labels.join(' | ')} |`);
  out.push(`| --- | ${labels.map(() => '---:').join(' | ')} |`);
  for (const id of ids) {
    const base = find(ref, id);
    const cells = results.map((r, i) => {
      const c = find(r, id);
      if (!c) return '—';
      if (i === 0 || !base) return fmtMs(c.medianMs);
      return `${fmtMs(c.medianMs)} (${fmtRatio(c.medianMs / base.medianMs)})`;
    });
    out.push(`| ${title(id)} | ${cells.join(' | ')} |`);
  }
  out.push('');

  const flopIds = ids.filter((id) => results.some((r) => find(r, id)?.ofCeiling != null) && !id.startsWith('ceiling.'));
  if (flopIds.length > 0) {
    out.push('GFLOP/s as a share of that runtime\'s own SIMD ceiling (Winograd layers count direct flops, so they can pass 100%):');
    out.push('');
    out.push(`| case | ${labels.join(' | ')} |`);
    out.push(`| --- | ${labels.map(() => '---:').join(' | ')} |`);
    for (const id of flopIds) {
      const cells = results.map((r) => {
        const c = find(r, id);
        return c?.ofCeiling != null && c.gflops != null ? `${(100 * c.ofCeiling).toFixed(0)}% (${c.gflops.toFixed(1)})` : '—';
      });
      out.push(`| ${title(id)} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }

  if (results.length > 1) {
    out.push(`Geometric mean of the ratios to ${labels[0]}, by group:`);
    out.push('');
    out.push(`| group | ${labels.slice(1).join(' | ')} |`);
    out.push(`| --- | ${labels.slice(1).map(() => '---:').join(' | ')} |`);
    for (const { group, ratios } of groupRatios(results)) out.push(`| ${group} | ${ratios.slice(1).map(fmtRatio).join(' | ')} |`);
    out.push('');
  }
  return out.join('\n');
}
