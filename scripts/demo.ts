// `npm run demo`: the paper's 1-D setting (Figure 2) on built-in data, in a few seconds. A
// random layer W, random model-k-sparse codes z, inputs x = W^T z: one CNN layer with pooling
// (z^ = M(W x, k)) and its transpose (x^ = W^T z^) reconstruct x approximately (Theorem 3.3),
// and iterating that layer (model-based IHT, Algorithm 1) recovers z exactly.
import { load } from '../src/index.js';

const cs = await load();
const out = (s: string) => process.stdout.write(s + '\n');
out(`convcs demo: the paper's Figure 2 setting (backend: ${cs.backend})`);
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
const x = W.transpose(z);
const iht = cs.iht(W, x, { pool: 'global', k: 10, iterations: 50 });
const found = iht.support.length === support.length && iht.support.every((v, i) => v === support[i]);
out(`model-based IHT on one code: relative error ${iht.history[0]!.toExponential(2)} after 1 iteration (one CNN layer), ` +
  `${iht.relativeError.toExponential(2)} after ${iht.iterations}; support recovered exactly: ${found ? 'yes' : 'no'}`);
out('more: npm run paper (the full reproduction report in docs/reproduction.md), npm test');
W.dispose();
