// `npm run demo`: the paper's 1-D setting (Figure 2) on built-in random data. A model-k-sparse
// code z makes an input x = W^T z; one CNN layer with pooling gives z^ = M(W x, k) and the
// transposed layer reconstructs x^ = W^T z^ (Theorem 3.3).
import { load } from '../src/index.js';

const cs = await load();
console.log(`convcs demo (backend: ${cs.backend})`);
const W = cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 });
W.randomize({ seed: 1 });
const k = 10;
const [K, n] = W.outputShape as [number, number];
console.log(`layer: M=32 channels, K=${K} filters of length 5, D=32 -> code ${K}x${n}; model-${k}-sparse codes`);

const trials = 1000;
const errors: number[] = [];
const t0 = performance.now();
for (let t = 0; t < trials; t++) {
  // k filters chosen uniformly, one uniformly placed non-zero each, values U[-1, 1).
  const u = cs.rand(K + k, { seed: 7, stream: t });
  const order = Array.from({ length: K }, (_, i) => i).sort((a, b) => u[a]! - u[b]!);
  const z = new Float32Array(K * n);
  for (let j = 0; j < k; j++) z[order[j]! * n + Math.floor(((u[K + j]! + 0) * n) % n)] = u[(j * 7) % K]! * 2 - 1;
  const x = W.transpose(z);
  const zHat = cs.project(W.forward(x), { shape: W.outputShape, pool: 'global', k }).z;
  const xHat = W.transpose(zHat);
  let num = 0, den = 0;
  for (let i = 0; i < x.length; i++) { num += (xHat[i]! - x[i]!) ** 2; den += x[i]! ** 2; }
  errors.push(Math.sqrt(num / den));
}
const ms = performance.now() - t0;
errors.sort((a, b) => a - b);
console.log(`one-layer reconstruction ||x^ - x|| / ||x|| over ${trials} codes: median ${errors[trials >> 1]!.toFixed(3)}, ` +
  `p05 ${errors[Math.floor(trials * 0.05)]!.toFixed(3)}, p95 ${errors[Math.floor(trials * 0.95)]!.toFixed(3)} (${ms.toFixed(0)} ms)`);
W.dispose();
