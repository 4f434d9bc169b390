/// <reference types="node" />
// convcs recover: one recovery method on a synthetic input x = W^T z with z model-k-sparse (the
// setting of Theorem 3.3): the error of one CNN layer, the method's error after its first
// iteration and at the end, whether the support was found, the error curve (SVG + PNG) and a
// JSON report in --out. Methods: the paper's Algorithm 1 (iht: unit step as printed; niht: the
// normalized step), model-based CoSaMP, HTP and Subspace Pursuit, and Algorithm 2 (l1).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { Convcs, ConvOperator, IhtResult, Pool, PursuitResult } from 'convcs';
import { FIGURE2_LAYER, addLayerOptions, addSparsityOptions, describeLayer, intArg, makeLayer, numArg, seedArg, sparsityOf } from '../options.js';
import type { LayerFlags, SparsityFlags } from '../options.js';
import { curveSpec, vegaLiteToSvg, writeFigure } from '../plots.js';
import { progress } from '../progress.js';
import { emitJson, jsonReplacer, say, seconds, shown } from '../util.js';

export const METHODS = ['iht', 'niht', 'cosamp', 'htp', 'sp', 'l1'] as const;
export type Method = (typeof METHODS)[number];

const NAMES: Record<Method, string> = {
  iht: 'IHT (Algorithm 1, unit step)', niht: 'NIHT (Algorithm 1, normalized step)', cosamp: 'model-based CoSaMP',
  htp: 'model-based HTP', sp: 'model-based Subspace Pursuit', l1: 'Algorithm 2 (l1, switches, refit)',
};

interface RecoverFlags extends LayerFlags, SparsityFlags {
  method: Method;
  iterations?: number;
  tolerance: number;
  step: 'unit' | 'normalized';
  lsIterations: number;
  lsTolerance: number;
  codeSeed: number;
  values: 'uniform' | 'sign' | 'bounded';
  out: string;
  json: boolean;
}

/** What every method reports, whatever it computes on the way. */
interface Outcome {
  z: Float32Array;
  support: Int32Array;
  relativeError: number;
  iterations: number;
  history: Float64Array;
  lsSteps?: number;
}

type Sparsity = { pool: Pool; mode: 'abs' | 'relu'; k?: number; density?: number };

/** Run the chosen method; onStep(i) reports progress. */
function runMethod(cs: Convcs, W: ConvOperator, x: Float32Array, f: RecoverFlags, sp: Sparsity, onStep: (i: number) => void): Outcome {
  const common = { ...sp, tolerance: f.tolerance, onIteration: (i: number) => onStep(i) };
  const pursuit = { ...common, ...(f.iterations === undefined ? {} : { iterations: f.iterations }), lsIterations: f.lsIterations, lsTolerance: f.lsTolerance };
  let r: IhtResult | PursuitResult;
  switch (f.method) {
    case 'iht':
    case 'niht':
      r = cs.iht(W, x, { ...common, iterations: f.iterations ?? 100, step: f.method === 'iht' ? 'unit' : 'normalized' });
      break;
    case 'cosamp':
      r = cs.cosamp(W, x, pursuit);
      break;
    case 'htp':
      r = cs.htp(W, x, { ...pursuit, step: f.step });
      break;
    case 'sp':
      r = cs.subspacePursuit(W, x, pursuit);
      break;
    case 'l1': {
      // Algorithm 2 keeps one survivor per pooling block (all blocks): k plays no part.
      const iterations = f.iterations ?? 200;
      const s = cs.sparseCode(W, x, { pool: sp.pool, iterations, onIteration: (phase, i) => onStep((phase - 1) * iterations + i) });
      return { z: s.z, support: s.support, relativeError: s.relativeError, iterations: 2 * iterations, history: Float64Array.of(s.relativeError) };
    }
  }
  return r;
}

export function recoverCommand(load: () => Promise<Convcs>): Command {
  const cmd = new Command('recover')
    .summary('recover a synthetic sparse code: IHT, NIHT, CoSaMP, HTP, Subspace Pursuit or Algorithm 2')
    .description('one recovery method on x = W^T z for a random model-k-sparse code z: error per iteration, ' +
      'support recovery, the error curve (SVG + PNG) and a JSON report in --out. Methods: iht (Algorithm 1 as printed, step 1), ' +
      'niht (normalized step), cosamp, htp, sp (Subspace Pursuit; all three model-based, with matrix-free least squares), ' +
      'l1 (Algorithm 2: l1 least squares, max-pool switches, refit). Defaults: the Figure 2 layer, k = 10, niht');
  addLayerOptions(cmd, FIGURE2_LAYER);
  addSparsityOptions(cmd, { pool: 'global', k: 10 });
  return cmd
    .addOption(new Option('--method <m>', 'the recovery method').choices([...METHODS]).default('niht'))
    .option('--iterations <n>', 'maximum iterations (default 100 for iht and niht, 50 for cosamp, htp and sp; FISTA iterations per phase for l1, default 200)', intArg(1, 1_000_000))
    .option('--tolerance <t>', 'stop at this relative error (or relative change)', numArg(0, 1), 1e-6)
    .addOption(new Option('--step <s>', "htp's step: 'unit' (HTP) or 'normalized' (NHTP)").choices(['unit', 'normalized']).default('unit'))
    .option('--ls-iterations <n>', 'cosamp, htp, sp: most conjugate-gradient steps per least-squares solve', intArg(1, 1_000_000), 50)
    .option('--ls-tolerance <t>', 'cosamp, htp, sp: least-squares stopping rule ||W_T r|| <= t ||W_T x||', numArg(0, 1), 1e-7)
    .option('--code-seed <n>', 'seed of the sparse code z', seedArg, 3)
    .addOption(new Option('--values <v>', 'non-zero values of z').choices(['uniform', 'sign', 'bounded']).default('uniform'))
    .option('-o, --out <dir>', 'output directory', 'convcs-out')
    .option('--json', 'print one JSON result on stdout and nothing else', false)
    .action(async (f: RecoverFlags, c: Command) => {
      const cs = await load();
      const W = makeLayer(cs, f);
      try {
        const sp = sparsityOf(f, c);
        // the code is drawn from the model itself: same pooling and k, no ReLU mode (its values are signed)
        const { mode: _mode, ...model } = sp;
        const { z, support } = cs.sampleModelSparse(W.outputShape, { ...model, seed: f.codeSeed, values: f.values });
        const x = W.transpose(z);
        // the paper's one layer, W^T M(W x, k), unscaled
        const oneLayer = cs.reconstruct(W, x, sp).relativeError;
        const most = f.method === 'l1' ? 2 * (f.iterations ?? 200) : f.iterations ?? (f.method === 'iht' || f.method === 'niht' ? 100 : 50);
        const bar = progress(NAMES[f.method], most, 'iterations', f.json);
        const t0 = performance.now();
        let r: Outcome;
        try {
          r = runMethod(cs, W, x, f, sp, (i) => bar.update(i));
        } finally {
          bar.stop();
        }
        const ms = performance.now() - t0;
        const found = r.support.length === support.length && r.support.every((v, i) => v === support[i]);
        let codeErr = 0;
        let codeNorm = 0;
        for (let i = 0; i < z.length; i++) {
          codeErr += (r.z[i]! - z[i]!) ** 2;
          codeNorm += z[i]! ** 2;
        }
        const codeRel = codeNorm > 0 ? Math.sqrt(codeErr / codeNorm) : Math.sqrt(codeErr);
        const what = describeLayer(W, f);
        mkdirSync(f.out, { recursive: true });
        const curve = f.method === 'l1' ? null : writeFigure(f.out, `${f.method}-error-curve`, await vegaLiteToSvg(curveSpec(
          `${NAMES[f.method]} on x = Wᵀz, z model-${support.length}-sparse`, what.split(':')[0]!, [{ name: f.method, values: r.history }],
          undefined, 'iteration')));
        const options: Record<string, unknown> = { ...sp, method: f.method, tolerance: f.tolerance, codeSeed: f.codeSeed, weightSeed: f.weightSeed };
        if (f.iterations !== undefined) options.iterations = f.iterations;
        if (f.method === 'htp') options.step = f.step;
        if (r.lsSteps !== undefined) Object.assign(options, { lsIterations: f.lsIterations, lsTolerance: f.lsTolerance });
        const result = {
          command: 'recover', method: f.method, layer: what, options,
          nonZeros: support.length, iterations: r.iterations, oneLayerError: oneLayer, firstIterationError: r.history[0], relativeError: r.relativeError,
          codeRelativeError: codeRel, supportRecovered: found, history: r.history, ...(r.lsSteps === undefined ? {} : { lsSteps: r.lsSteps }), ms,
          files: { curve, report: join(f.out, `${f.method}-report.json`) },
        };
        writeFileSync(result.files.report, JSON.stringify(result, jsonReplacer, 1));
        if (f.json) {
          emitJson(result);
          return;
        }
        say(`layer: ${what}`);
        say(`code: model-${support.length}-sparse (seed ${f.codeSeed}, values ${f.values}); x = W^T z`);
        say(`  one CNN layer, W^T M(W x, k): relative error ${oneLayer.toExponential(3)}`);
        if (f.method !== 'l1') say(`  after 1 iteration of ${NAMES[f.method]}: relative error ${r.history[0]!.toExponential(3)}`);
        say(`  ${NAMES[f.method]}, ${r.iterations} iterations${r.lsSteps === undefined ? '' : ` (${r.lsSteps} conjugate-gradient steps)`}, ${seconds(ms)}: ` +
          `relative error ${r.relativeError.toExponential(3)}, code error ${codeRel.toExponential(3)}, support recovered exactly: ${found ? 'yes' : 'no'}`);
        say(`wrote ${[...(curve ? [curve.svg, curve.png] : []), result.files.report].map(shown).join(', ')}`);
      } finally {
        W.dispose();
      }
    });
}
