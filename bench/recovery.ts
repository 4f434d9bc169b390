// The cost of the recovery methods as multiples of one forward convolution, on the bench's
// 512→512 15×15 layer and the paper's 1-D layer: used by `npm run bench` (bench/run.ts), and run
// alone by `node --import tsx bench/recovery.ts`, which prints a markdown table (quicker than the
// whole bench, for docs). The input is x = W^T z for a model-sparse z (the setting where the
// methods recover z), so the runs do what they do in use.
//   one iteration: a call with iterations: 1 (from zero, set-up and result copies included);
//   per iteration in a run: a call run to convergence (at most 50 iterations; median of repeated
//   calls), its time over its iterations, with the conjugate-gradient steps it took beside it.

import { load } from '../src/index.js';
import type { Convcs, ConvOperator, IhtResult, PursuitResult } from '../src/index.js';
import { measureGroup, stats } from './harness.js';
import type { Contender, Measurement } from './harness.js';

export interface RecoveryLayer {
  id: string;
  title: string;
  make(cs: Convcs): ConvOperator;
  sparsity: { pool: 'global' | 2; k?: number; density?: number };
  /** The non-zeros of the code recovered: sampleModelSparse's options. */
  code: { pool: 'global' | 2; k: number };
}

export const RECOVERY_LAYERS: RecoveryLayer[] = [
  {
    id: 'c512-15', title: 'conv2d 512→512, 15×15, 3×3 same',
    make: (cs) => cs.conv2d({ inChannels: 512, outChannels: 512, kernelSize: 3, height: 15, width: 15, padding: 'same' }).randomize({ seed: 1 }),
    // 5% of the code: 5,760 non-zeros in 32,768 blocks
    sparsity: { pool: 2, k: 5760 }, code: { pool: 2, k: 5760 },
  },
  {
    id: 'c1d', title: 'conv1d 32→96, l=5, D=32, valid (paper)',
    make: (cs) => cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 }),
    sparsity: { pool: 'global', k: 10 }, code: { pool: 'global', k: 10 },
  },
];

export const RECOVERY_METHODS: Array<{ name: string; run: (cs: Convcs, W: ConvOperator, x: Float32Array, o: Record<string, unknown>) => IhtResult | PursuitResult }> = [
  { name: 'IHT (unit step)', run: (cs, W, x, o) => cs.iht(W, x, { ...o, step: 'unit' }) },
  { name: 'NIHT', run: (cs, W, x, o) => cs.iht(W, x, { ...o, step: 'normalized' }) },
  { name: 'CoSaMP', run: (cs, W, x, o) => cs.cosamp(W, x, o) },
  { name: 'HTP (unit step)', run: (cs, W, x, o) => cs.htp(W, x, { ...o, step: 'unit' }) },
  { name: 'NHTP', run: (cs, W, x, o) => cs.htp(W, x, { ...o, step: 'normalized' }) },
  { name: 'Subspace Pursuit', run: (cs, W, x, o) => cs.subspacePursuit(W, x, o) },
];

export interface RecoveryRow {
  layer: string;
  method: string;
  forwardMs: number;
  oneIterationMs: number;
  runMs: number;
  iterations: number;
  lsSteps: number;
  relativeError: number;
}

type Group = (bench: string, op: string, contenders: Contender[], opts: { budgetMs: number }) => Promise<Measurement[]>;

/** Measure every method on every layer through `group` (the bench's, or a plain one). */
export async function benchRecovery(cs: Convcs, group: Group, budgetMs: number): Promise<RecoveryRow[]> {
  const rows: RecoveryRow[] = [];
  for (const L of RECOVERY_LAYERS) {
    const W = L.make(cs);
    const { z } = cs.sampleModelSparse(W.outputShape, { ...L.code, seed: 5 });
    const x = W.transpose(z);
    const h = new Float32Array(W.outputSize);
    const bench = `Recovery methods, ${L.title}`;
    const [fwd] = await group(bench, 'forward (the unit)', [{ name: 'convcs simd', fn: () => W.forward(x, h) }], { budgetMs });
    const one = await group(bench, 'one iteration (a call with iterations: 1)',
      RECOVERY_METHODS.map((M) => ({ name: M.name, fn: () => M.run(cs, W, x, { ...L.sparsity, iterations: 1 }) })), { budgetMs: budgetMs * 2 });
    // A run takes up to seconds on the large layer, so runs are timed here rather than in a
    // group: repeated for at least 300 ms (at least once, at most 200 times), median per run.
    for (const [i, M] of RECOVERY_METHODS.entries()) {
      const times: number[] = [];
      let r: IhtResult | PursuitResult | undefined;
      for (let spent = 0; times.length === 0 || (spent < 300 && times.length < 200);) {
        const t0 = performance.now();
        r = M.run(cs, W, x, { ...L.sparsity, iterations: 50 });
        const dt = performance.now() - t0;
        times.push(dt);
        spent += dt;
      }
      const runMs = stats(times).median;
      rows.push({
        layer: L.title, method: M.name, forwardMs: fwd!.stats.median, oneIterationMs: one[i]!.stats.median, runMs,
        iterations: r!.iterations, lsSteps: (r as Partial<PursuitResult>).lsSteps ?? 0, relativeError: r!.relativeError,
      });
    }
    W.dispose();
  }
  return rows;
}

export function recoveryTable(rows: readonly RecoveryRow[]): string {
  const out = ['| layer | method | one iteration (× forward) | iterations in a run (at most 50) | CG steps in it | per iteration in that run (× forward) | its relative error |',
    '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    out.push(`| ${r.layer} | ${r.method} | ${(r.oneIterationMs / r.forwardMs).toFixed(1)} | ${r.iterations} | ${r.lsSteps} | ` +
      `${(r.runMs / r.iterations / r.forwardMs).toFixed(1)} | ${r.relativeError.toExponential(1)} |`);
  }
  const fwd = new Map(rows.map((r) => [r.layer, r.forwardMs]));
  out.push('', `One forward convolution: ${[...fwd].map(([l, ms]) => `${l} ${ms < 1 ? ms.toFixed(3) : ms.toFixed(2)} ms`).join('; ')} (median).`);
  return out.join('\n');
}

// Run alone: a plain group (the same interleaved harness), and the table on stdout.
if (import.meta.url === `file://${process.argv[1]}`) {
  const cs = await load({ backend: 'simd' });
  const group: Group = async (bench, op, contenders, opts) => {
    process.stderr.write(`${bench} · ${op}\n`);
    return (await measureGroup(contenders, opts.budgetMs, 1, Infinity)).results;
  };
  const rows = await benchRecovery(cs, group, 1500);
  process.stdout.write(`${recoveryTable(rows)}\n`);
}
