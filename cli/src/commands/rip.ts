/// <reference types="node" />
// convcs rip: the empirical model-RIP of a random layer (the paper's Figure 2 by default):
// summary table on stdout, the three histograms as SVG and PNG, the raw report as JSON.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { Convcs, RipReport, Summary } from 'convcs';
import { FIGURE2_LAYER, addLayerOptions, addSparsityOptions, describeLayer, intArg, makeLayer, seedArg, sparsityOf } from '../options.js';
import type { LayerFlags, SparsityFlags } from '../options.js';
import { ripHistogram } from '../experiment/index.js';
import { histogramSpec, vegaLiteToSvg, writeFigure } from '../plots.js';
import { progress } from '../progress.js';
import { writeJsonWithArrays } from '../json-stream.js';
import { emitJson, f3, jsonReplacer, say, seconds, shown } from '../util.js';

interface RipFlags extends LayerFlags, SparsityFlags {
  trials: number;
  seed: number;
  values: 'uniform' | 'sign' | 'bounded';
  measure: 'all' | 'forward';
  bins: number;
  out: string;
  json: boolean;
}

export function ripCommand(load: () => Promise<Convcs>): Command {
  const cmd = new Command('rip')
    .summary('model-RIP histograms of a random layer (Figure 2)')
    .description("empirical model-RIP of a random layer's W^T over random model-k-sparse codes (Figure 2): " +
      'summary table, three histograms (SVG + PNG) and the raw report (JSON) in --out. Defaults: the paper\'s Figure 2 setting');
  addLayerOptions(cmd, FIGURE2_LAYER);
  addSparsityOptions(cmd, { pool: 'global', k: 10 });
  cmd
    .option('--trials <n>', 'number of random codes', intArg(1, 1e8), 10_000)
    .option('--seed <n>', 'seed of the codes (trial t uses stream t)', seedArg, 2)
    .addOption(new Option('--values <v>', 'non-zero values: U[-1,1) (the paper), +-1, or +-U[0.5,1)').choices(['uniform', 'sign', 'bounded']).default('uniform'))
    .addOption(new Option('--measure <m>', "'all' statistics, or 'forward' only (||W^T z||/||z||; much faster on big layers)").choices(['all', 'forward']).default('all'))
    .option('--bins <n>', 'histogram bins', intArg(5, 1000), 40)
    .option('-o, --out <dir>', 'output directory', 'convcs-out')
    .option('--json', 'print one JSON result on stdout and nothing else', false)
    .action(async (f: RipFlags, c: Command) => runRip(await load(), f, c));
  return cmd;
}

// label: the terminal table (ASCII); axis and title: the figures (Unicode, as in the paper)
const STATS = [
  { key: 'forward', name: 'rip-forward', label: '(a) ||W^T z|| / ||z||', axis: '‖Wᵀz‖ / ‖z‖', title: '(a) model-RIP ratio ‖Wᵀz‖ / ‖z‖', reference: 1 },
  { key: 'gram', name: 'rip-gram', label: '(b) ||W W^T z|| / ||z||', axis: '‖WWᵀz‖ / ‖z‖', title: '(b) ‖WWᵀz‖ / ‖z‖', reference: undefined },
  { key: 'reconstruction', name: 'rip-reconstruction', label: '(c) ||x^ - x|| / ||x||', axis: '‖x̂ − x‖ / ‖x‖', title: '(c) one-layer reconstruction error, x̂ = Wᵀ M(Wx, k)', reference: undefined },
] as const;

/** The histograms of a rip report (those it has: 'forward' runs have one), as SVG + PNG in dir. */
export async function ripFigures(cs: Convcs, r: RipReport, what: string, bins: number, dir: string): Promise<Record<string, { svg: string; png: string }>> {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, { svg: string; png: string }> = {};
  for (const s of STATS) {
    const values = r[s.key];
    if (values.length === 0) continue;
    const sum = r.summary[s.key];
    const histogram = ripHistogram(cs, values, sum, bins, s.reference);
    const svg = await vegaLiteToSvg(histogramSpec({
      title: s.title,
      subtitle: [what, `${r.trials.toLocaleString('en')} codes, k = ${r.k}: median ${f3(sum.median)}, 5-95%: ${f3(sum.p05)} - ${f3(sum.p95)}`],
      xTitle: s.axis, histogram, ...(s.reference !== undefined ? { reference: s.reference } : {}),
    }));
    files[s.key] = writeFigure(dir, s.name, svg);
  }
  return files;
}

async function runRip(cs: Convcs, f: RipFlags, c: Command): Promise<void> {
  const W = makeLayer(cs, f);
  try {
    const sp = sparsityOf(f, c);
    const what = describeLayer(W, f);
    const bar = progress('model-RIP', f.trials, 'codes', f.json);
    const t0 = performance.now();
    let r: RipReport;
    try {
      r = cs.rip(W, { ...sp, trials: f.trials, seed: f.seed, values: f.values, measure: f.measure, onProgress: (d) => bar.update(d) });
    } finally {
      bar.stop();
    }
    const ms = performance.now() - t0;
    const setting = `${f.trials.toLocaleString('en')} random model-${r.k}-sparse codes (pool ${String(sp.pool)}, values ${f.values}, seed ${f.seed})`;

    const files: Record<string, { svg: string; png: string } | string> = await ripFigures(cs, r, what, f.bins, f.out);
    const report = {
      command: 'rip', layer: what, inputShape: W.inputShape, outputShape: W.outputShape,
      options: { ...sp, trials: f.trials, seed: f.seed, weightSeed: f.weightSeed, normalize: f.normalize, values: f.values, measure: f.measure },
      k: r.k, trials: r.trials, deltaK: r.deltaK, delta2K: r.delta2K, bound: r.bound, summary: r.summary, ms, backend: cs.backend,
    };
    files.report = join(f.out, 'rip-report.json');
    // streamed: a single JSON.stringify of 10^7 trials exceeds V8's largest string
    writeJsonWithArrays(files.report, report, { forward: r.forward, gram: r.gram, reconstruction: r.reconstruction }, jsonReplacer);

    if (f.json) {
      emitJson({ ...report, files });
      return;
    }
    say(`layer: ${what} (backend ${cs.backend})`);
    say(`model-RIP over ${setting} in ${seconds(ms)}:`);
    say(`  ${'statistic'.padEnd(26)} ${['median', 'mean', 'p05', 'p95', 'min', 'max'].map((h) => h.padStart(7)).join(' ')}`);
    const row = (label: string, s: Summary) =>
      say(`  ${label.padEnd(26)} ${[s.median, s.mean, s.p05, s.p95, s.min, s.max].map((v) => f3(v).padStart(7)).join(' ')}`);
    for (const s of STATS) if (r[s.key].length > 0) row(s.label, r.summary[s.key]);
    if (f.measure === 'all') {
      say(`  empirical delta_k = ${f3(r.deltaK)}, delta_2k = ${f3(r.delta2K)}; Theorem 3.3 bound = ${f3(r.bound)}`);
    } else {
      say(`  empirical delta_k = ${f3(r.deltaK)} (--measure forward: no gram, reconstruction or delta_2k)`);
    }
    say(`wrote ${Object.values(files).flatMap((v) => (typeof v === 'string' ? [v] : [v.svg, v.png])).map(shown).join(', ')}`);
  } finally {
    W.dispose();
  }
}
