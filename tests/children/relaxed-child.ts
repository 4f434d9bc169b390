// Run by tests/relaxed.test.ts in a Node started with --experimental-wasm-relaxed-simd: the
// relaxed-SIMD module against the baseline SIMD module on the golden-fixture layers and a few
// larger ones. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { load, relaxedSimdSupported } from '../../src/index.js';

interface Case { dim: 1 | 2; inChannels: number; outChannels: number; inputShape: number[]; kernelSize: number[]; stride: number[]; padding: number[] | 'same'; x: number[]; weight: number[]; z: number[]; y: number[]; xt: number[] }

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return den === 0 ? num : num / den;
}

const relaxed = await load({ backend: 'relaxed' });
const simd = await load({ backend: 'simd' });
const fixture = JSON.parse(readFileSync(new URL('../fixtures/conv-golden.json', import.meta.url), 'utf8')) as { cases: Case[] };
let worstGolden = 0;
for (const c of fixture.cases) {
  const W = c.dim === 1
    ? relaxed.conv1d({ inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernelSize[0]!, length: c.inputShape[0]!, stride: c.stride[0]!, padding: c.padding === 'same' ? 'same' : c.padding[0]! })
    : relaxed.conv2d({ inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernelSize as [number, number], height: c.inputShape[0]!, width: c.inputShape[1]!, stride: c.stride as [number, number], padding: c.padding === 'same' ? 'same' : (c.padding as [number, number]) });
  W.setWeights(new Float32Array(c.weight));
  worstGolden = Math.max(worstGolden, relErr(W.forward(new Float32Array(c.x)), c.y), relErr(W.transpose(new Float32Array(c.z)), c.xt));
  W.dispose();
}
let worstVsSimd = 0;
for (const [M, K, H, Wd] of [[16, 24, 12, 13], [64, 64, 15, 15]] as const) {
  const opts = { inChannels: M, outChannels: K, kernelSize: 3, height: H, width: Wd, padding: 1 } as const;
  const A = relaxed.conv2d(opts).randomize({ seed: 3 });
  const B = simd.conv2d(opts).randomize({ seed: 3 });
  const x = simd.randn(A.inputSize, { seed: 4 });
  const h = B.forward(x);
  const { z, support } = simd.project(h, { shape: B.outputShape, pool: 2, density: 0.1 });
  const vals = Float32Array.from(support, (i) => z[i]!);
  worstVsSimd = Math.max(worstVsSimd, relErr(A.forward(x), h), relErr(A.transpose(h), B.transpose(h)),
    relErr(A.transposeSparse(support, vals), B.transposeSparse(support, vals)));
  A.dispose();
  B.dispose();
}
process.stdout.write(JSON.stringify({ supported: relaxedSimdSupported(), backend: relaxed.backend, worstGolden, worstVsSimd, cases: fixture.cases.length }) + '\n');
