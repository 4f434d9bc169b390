// Accuracy of Winograd F(2x2, 3x3) against the direct kernels: both measured against a float64
// reference (max |error| / max |reference|) on the benchmark layers. Run: node --import tsx scripts/winograd-accuracy.ts
import { load } from '../src/index.js';
import { convReference, transposeReference, relErr } from '../tests/helpers.js';
const cs = await load({ backend: 'simd' });
const layers: Array<[number, number, number]> = [[8, 8, 56], [64, 64, 56], [256, 256, 28], [512, 512, 15]];
for (const [M, K, H] of layers) {
  const o = { inChannels: M, outChannels: K, kernelSize: 3, height: H, width: H, padding: 'same' as const };
  const Wn = cs.conv2d({ ...o, algorithm: 'winograd' }).randomize({ seed: 1 });
  const Wd = cs.conv2d({ ...o, algorithm: 'direct' }).randomize({ seed: 1 });
  const x = cs.randn(Wn.inputSize, { seed: 2 }), z = cs.randn(Wn.outputSize, { seed: 3 });
  const w = Wn.getWeights();
  const yr = convReference(x, w, Wn.geometry), tr = transposeReference(z, w, Wn.geometry);
  console.log(`${M}->${K} ${H}^2 | forward: winograd ${relErr(Wn.forward(x), yr).toExponential(2)} direct ${relErr(Wd.forward(x), yr).toExponential(2)} | transpose: winograd ${relErr(Wn.transpose(z), tr).toExponential(2)} direct ${relErr(Wd.transpose(z), tr).toExponential(2)}`);
}
