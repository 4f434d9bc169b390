// `npm run demo`: the paper in under a minute on built-in data. (1) Figure 2's setting: a random
// 1-D layer W, random model-k-sparse codes z, inputs x = W^T z; one CNN layer with pooling
// (z^ = M(W x, k)) and its transpose (x^ = W^T z^) reconstruct x approximately (Theorem 3.3), and
// iterating it (model-based IHT, Algorithm 1) recovers z exactly. (2) A real photograph through a
// random 2-D layer and back, one step and after 50 IHT iterations (the paper's Figure 4, with
// IHT in image space instead of a trained decoder). Figures go to ./convcs-out/.
import { load } from 'convcs';
import { ripFigures } from '../src/commands/rip.js';
import { describe, reconstructionFigures } from '../src/commands/reconstruct.js';
import { reconstructImage, toPlanes } from '../src/experiment/index.js';
import type { ImageLayerParams } from '../src/experiment/index.js';
import { readImage } from '../src/image-io.js';
import { shown } from '../src/util.js';

const started = performance.now();
const cs = await load();
const outDir = 'convcs-out';
const out = (s = '') => process.stdout.write(s + '\n');
out(`convcs demo (backend: ${cs.backend})`);
out();
out("1. The paper's Figure 2 setting");
const W = cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 });
out(`layer W: M = 32 channels of length D = 32, K = 96 filters of length l = 5 -> code ${W.outputShape.join(' x ')}`);

const trials = 10_000;
const t0 = performance.now();
const r = cs.rip(W, { pool: 'global', k: 10, trials, seed: 2 });
const ms = performance.now() - t0;
const row = (name: string, s: { median: number; p05: number; p95: number }) =>
  out(`  ${name.padEnd(34)} median ${s.median.toFixed(3)}   5%-95%: ${s.p05.toFixed(3)} - ${s.p95.toFixed(3)}`);
out(`model-RIP over ${trials.toLocaleString('en')} random model-10-sparse codes (${ms.toFixed(0)} ms):`);
row('||W^T z|| / ||z||        (Fig. 2a)', r.summary.forward);
row('||W W^T z|| / ||z||      (Fig. 2b)', r.summary.gram);
row('||x^ - x|| / ||x||, one layer (2c)', r.summary.reconstruction);
out(`  empirical delta_k = ${r.deltaK.toFixed(3)}, delta_2k = ${r.delta2K.toFixed(3)}`);

const { z, support } = cs.sampleModelSparse(W.outputShape, { pool: 'global', k: 10, seed: 3 });
const iht = cs.iht(W, W.transpose(z), { pool: 'global', k: 10, iterations: 50 });
const found = iht.support.length === support.length && iht.support.every((v, i) => v === support[i]);
const oneLayer = cs.reconstruct(W, W.transpose(z), { pool: 'global', k: 10 }).relativeError;
out(`one CNN layer, W^T M(W x, k), on one code: relative error ${oneLayer.toFixed(3)}; model-based IHT (NIHT): ` +
  `${iht.history[0]!.toFixed(3)} after 1 iteration, ${iht.relativeError.toExponential(1)} after ${iht.iterations}; support recovered exactly: ${found ? 'yes' : 'no'}`);
const ripFiles = await ripFigures(cs, r, 'conv1d M=32 K=96 l=5, D=32 (valid), global pooling', 40, outDir);
W.dispose();

out();
out('2. A photograph through a random convolutional layer and back (Figure 4 style)');
const photo = new URL('../../data/astronaut-256.png', import.meta.url).pathname;
const x = toPlanes(readImage(photo), 128);
const base = { filters: 64, kernel: 3, stride: 1, pool: 2, iterations: 50, seed: 1 } as const;
const settings: ImageLayerParams[] = [0.05, 0.1].map((density) => ({ ...base, density }));
const what = describe(x, settings[0]!, undefined);
out(`${shown(photo)} (public domain, see data/LICENSES.md) at ${x.width}x${x.height}, colour; ${what}`);
const runs = settings.map((p) => reconstructImage(cs, x, p));
for (const [i, run] of runs.entries()) {
  const d = `density ${(100 * settings[i]!.density!).toFixed(0)}%`.padEnd(12);
  out(`  ${d} one step: relative error ${run.oneStep.relativeError.toFixed(3)} (PSNR ${run.oneStep.psnr.toFixed(1)} dB);  ` +
    `after ${run.iht.iterations} IHT iterations: ${run.iht.relativeError.toFixed(3)} (PSNR ${run.iht.psnr.toFixed(1)} dB), ${(run.ms.iht / 1000).toFixed(1)} s`);
}
const { figure, curve } = await reconstructionFigures('astronaut', x, settings, runs, what, outDir);

out();
const figures = [...Object.values(ripFiles).map((f) => f.png), figure.png, curve.png];
out(`figures (PNG, and SVG beside each) in ${shown(outDir)}/: ${figures.map((f) => f.slice(f.lastIndexOf('/') + 1)).join(', ')}`);
out(`done in ${((performance.now() - started) / 1000).toFixed(1)} s. More: npm run cli -- --help (the convcs CLI), npm run demo:web (the same in a browser), npm run paper`);
