/// <reference types="node" />
// convcs iht: Algorithm 1 on a synthetic input x = W^T z with z model-k-sparse (the setting of
// Theorem 3.3): the error of one CNN layer, after one iteration and after IHT, whether the support
// was found, and the error curve (SVG + PNG) plus a JSON report in --out.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { Convcs } from 'convcs';
import { FIGURE2_LAYER, addLayerOptions, addSparsityOptions, describeLayer, intArg, makeLayer, numArg, seedArg, sparsityOf } from '../options.js';
import type { LayerFlags, SparsityFlags } from '../options.js';
import { curveSpec, vegaLiteToSvg, writeFigure } from '../plots.js';
import { progress } from '../progress.js';
import { emitJson, jsonReplacer, say, seconds, shown } from '../util.js';

interface IhtFlags extends LayerFlags, SparsityFlags {
  iterations: number;
  tolerance: number;
  step: 'unit' | 'normalized';
  codeSeed: number;
  values: 'uniform' | 'sign' | 'bounded';
  out: string;
  json: boolean;
}

export function ihtCommand(load: () => Promise<Convcs>): Command {
  const cmd = new Command('iht')
    .summary('model-based IHT on a synthetic sparse code (Algorithm 1, Theorem 3.3)')
    .description('model-based IHT (Algorithm 1) on x = W^T z for a random model-k-sparse code z: error per iteration, ' +
      'support recovery, the error curve (SVG + PNG) and a JSON report in --out. Defaults: the Figure 2 layer, k = 10');
  addLayerOptions(cmd, FIGURE2_LAYER);
  addSparsityOptions(cmd, { pool: 'global', k: 10 });
  return cmd
    .option('--iterations <n>', 'maximum iterations', intArg(1, 1_000_000), 100)
    .option('--tolerance <t>', 'stop at this relative error (or relative change)', numArg(0, 1), 1e-6)
    .addOption(new Option('--step <s>', "'normalized' (NIHT) or 'unit' (Algorithm 1 as printed)").choices(['normalized', 'unit']).default('normalized'))
    .option('--code-seed <n>', 'seed of the sparse code z', seedArg, 3)
    .addOption(new Option('--values <v>', 'non-zero values of z').choices(['uniform', 'sign', 'bounded']).default('uniform'))
    .option('-o, --out <dir>', 'output directory', 'convcs-out')
    .option('--json', 'print one JSON result on stdout and nothing else', false)
    .action(async (f: IhtFlags, c: Command) => {
      const cs = await load();
      const W = makeLayer(cs, f);
      try {
        const sp = sparsityOf(f, c);
        // the code is drawn from the model itself: same pooling and k, no ReLU mode (its values are signed)
        const { mode: _mode, ...model } = sp;
        const { z, support } = cs.sampleModelSparse(W.outputShape, { ...model, seed: f.codeSeed, values: f.values });
        const x = W.transpose(z);
        // the paper's one layer, W^T M(W x, k), unscaled; iteration 1 of IHT is the same direction
        // with the step's scale (NIHT's least-squares step, or 1 with --step unit)
        const oneLayer = cs.reconstruct(W, x, sp).relativeError;
        const bar = progress('IHT', f.iterations, 'iterations', f.json);
        const t0 = performance.now();
        let r;
        try {
          r = cs.iht(W, x, { ...sp, iterations: f.iterations, tolerance: f.tolerance, step: f.step, onIteration: (i) => bar.update(i) });
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
        const curve = writeFigure(f.out, 'iht-error-curve', await vegaLiteToSvg(curveSpec(
          `IHT (${f.step} step) on x = Wᵀz, z model-${support.length}-sparse`, what.split(':')[0]!, [{ name: f.step, values: r.history }])));
        const result = {
          command: 'iht', layer: what, options: { ...sp, step: f.step, iterations: f.iterations, tolerance: f.tolerance, codeSeed: f.codeSeed, weightSeed: f.weightSeed },
          nonZeros: support.length, iterations: r.iterations, oneLayerError: oneLayer, firstIterationError: r.history[0], relativeError: r.relativeError,
          codeRelativeError: codeRel, supportRecovered: found, history: r.history, ms,
          files: { curve, report: join(f.out, 'iht-report.json') },
        };
        writeFileSync(result.files.report, JSON.stringify(result, jsonReplacer, 1));
        if (f.json) {
          emitJson(result);
          return;
        }
        say(`layer: ${what}`);
        say(`code: model-${support.length}-sparse (seed ${f.codeSeed}, values ${f.values}); x = W^T z`);
        say(`  one CNN layer, W^T M(W x, k): relative error ${oneLayer.toExponential(3)}`);
        say(`  after 1 iteration (that layer with the ${f.step} step): relative error ${r.history[0]!.toExponential(3)}`);
        say(`  after ${r.iterations} iterations (${f.step} step, ${seconds(ms)}): relative error ${r.relativeError.toExponential(3)}, ` +
          `code error ${codeRel.toExponential(3)}, support recovered exactly: ${found ? 'yes' : 'no'}`);
        say(`wrote ${[curve.svg, curve.png, result.files.report].map(shown).join(', ')}`);
      } finally {
        W.dispose();
      }
    });
}
