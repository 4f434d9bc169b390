// Markdown tables of a study report (study-report.jsonl, written by convcs study / merge), as
// docs/studies.md shows them: per filter count (and pooling), a row per k with each method's
// success rate, exact-support rate and error quantiles, and the cell's model-RIP numbers.
// Run: node --import tsx scripts/study-tables.ts DIR/study-report.jsonl

import { readFileSync } from 'node:fs';
import type { StudyCellReport } from '../src/index.js';

const lines = readFileSync(process.argv[2]!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
const header = lines[0]!;
const cells = lines.slice(1) as unknown as StudyCellReport[];
const e = (v: number | null | undefined): string => (typeof v === 'number' ? v.toExponential(1) : '-');
const f = (v: number | string): string => (typeof v === 'number' ? v.toFixed(2) : String(v));
const pct = (v: number): string => `${Math.round(v * 100)}%`;

console.log(`fingerprint ${header.fingerprint}, backend ${header.backend}, ${header.spec.trials} trials per cell, tolerance ${header.spec.tolerance}\n`);
const groups = new Map<string, StudyCellReport[]>();
for (const c of cells) {
  const key = `K = ${c.outChannels}, pool ${JSON.stringify(c.pool)}, values ${c.values}`;
  groups.set(key, [...(groups.get(key) ?? []), c]);
}
for (const [key, cs] of groups) {
  const methods = [...new Set(cs.map((c) => c.method))];
  const ks = [...new Set(cs.map((c) => c.blocks))];
  const c0 = cs[0]!;
  console.log(`#### ${key} (input ${c0.inputSize} values, code ${c0.codeSize})\n`);
  const cols = methods.flatMap((m) => [`${m} success / support`, `${m} error p50 / p95 / max`]);
  console.log(`| k | ${cols.join(' | ')} | δk | δ2k | Thm 3.3 bound |`);
  console.log(`| ---: | ${cols.map(() => '---').join(' | ')} | ---: | ---: | ---: |`);
  for (const k of ks) {
    const row = methods.flatMap((m) => {
      const c = cs.find((x) => x.blocks === k && x.method === m)!;
      return [`${pct(c.successRate)} / ${pct(c.supportRate)}`, `${e(c.error?.p50)} / ${e(c.error?.p95)} / ${e(c.error?.max)}`];
    });
    // the model-RIP numbers of the first method's cell (each cell draws its own codes)
    const c = cs.find((x) => x.blocks === k)!;
    console.log(`| ${k} | ${row.join(' | ')} | ${f(c.deltaK)} | ${f(c.delta2K)} | ${f(c.bound)} |`);
  }
  console.log('');
}
