// `node --import tsx bench/iteration-cost.ts`: one unit-IHT and one NIHT iteration as multiples of
// a forward, measured alternating in one process (5 rounds, medians) on x = W^T z0 for a
// model-sparse z0 at 20% density, and the result x^ against an exact synthesis of its z.
import { load } from '../src/index.js';
const cs = await load();
const layers = [
  { name: '512->512 15x15', M: 512, K: 512, H: 15, W: 15 },
  { name: '256->256 28x28', M: 256, K: 256, H: 28, W: 28 },
  { name: '64->64 56x56', M: 64, K: 64, H: 56, W: 56 },
];
function median(a: number[]): number { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; }
for (const L of layers) {
  const W = cs.conv2d({ inChannels: L.M, outChannels: L.K, kernelSize: 3, height: L.H, width: L.W, padding: 'same' }).randomize({ seed: 1 });
  // A signal IHT can recover (a model-sparse code through W^T), so supports settle as in use.
  const { z: z0 } = cs.sampleModelSparse(W.outputShape, { pool: 2, density: 0.2, seed: 3 });
  const x = W.transpose(z0);
  const iters = 20;
  const fw: number[] = [], unit: number[] = [], niht: number[] = [];
  for (let r = 0; r < 5; r++) {
    let t = performance.now(); for (let i = 0; i < 5; i++) W.forward(x); fw.push((performance.now() - t) / 5);
    t = performance.now(); cs.iht(W, x, { pool: 2, density: 0.2, iterations: iters, tolerance: 0, step: 'unit' }); unit.push((performance.now() - t) / iters);
    t = performance.now(); const r2 = cs.iht(W, x, { pool: 2, density: 0.2, iterations: iters, tolerance: 0 }); niht.push((performance.now() - t) / iters);
    if (r === 0) {
      const exact = W.transposeSparse(r2.support, Float32Array.from(r2.support, (i) => r2.z[i]!));
      let num = 0, den = 0;
      for (let i = 0; i < exact.length; i++) { num += (exact[i]! - r2.xHat[i]!) ** 2; den += exact[i]! ** 2; }
      console.log(`${L.name}: drift ||xHat - W^T z|| / ||W^T z|| = ${Math.sqrt(num / den).toExponential(2)}`);
    }
  }
  const f = median(fw);
  console.log(`${L.name}: forward ${f.toFixed(2)} ms; unit IHT ${(median(unit) / f).toFixed(2)}x; NIHT ${(median(niht) / f).toFixed(2)}x per iteration`);
  W.dispose();
}
