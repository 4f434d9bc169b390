// Accuracy of each convolution algorithm (Winograd F(2x2, 3x3), F(4x4, 3x3), direct) against a
// float64 reference: max |error| / max |reference|, forward and dense transpose, on
//   - the golden vectors' 3x3 stride-1 cases (tests/fixtures/conv-golden.json, PyTorch float64),
//   - the benchmark layers (Gaussian weights and inputs),
//   - every 3x3 stride-1 layer of face-api's face-recognition ResNet (its trained weights, at the
//     size the 150x150 network feeds it; Gaussian inputs and codes).
// Prints a markdown table (docs/winograd.md) and the largest error of each algorithm.
// Run: node --import tsx scripts/winograd-accuracy.ts
import { readFileSync } from 'node:fs';
import { load } from '../src/index.js';
import type { TfjsWeightsSource } from '../src/index.js';
import { convReference, transposeReference, relErr } from '../tests/helpers.js';

const cs = await load({ backend: 'simd' });
const ALGORITHMS = ['winograd', 'winograd4x4', 'direct'] as const;
type Algorithm = typeof ALGORITHMS[number];

interface Layer { name: string; M: number; K: number; H: number; W: number; padding: number | 'same'; weights?: Float32Array; x?: Float32Array; z?: Float32Array; y?: ArrayLike<number>; xt?: ArrayLike<number> }

const layers: Layer[] = [];

// The golden vectors (batch 1 of each; their references are PyTorch's, in float64).
interface Case { name: string; dim: number; batch: number; inChannels: number; outChannels: number; inputShape: number[]; kernelSize: number[]; stride: number[]; padding: number[] | 'same'; x: number[]; weight: number[]; z: number[]; y: number[]; xt: number[] }
const golden = JSON.parse(readFileSync(new URL('../tests/fixtures/conv-golden.json', import.meta.url), 'utf8')) as { cases: Case[] };
for (const c of golden.cases) {
  if (c.dim !== 2 || !c.kernelSize.every((k) => k === 3) || !c.stride.every((s) => s === 1)) continue;
  const [H, W] = c.inputShape as [number, number];
  const inSize = c.inChannels * H * W, outSize = c.y.length / c.batch;
  layers.push({
    name: `golden: ${c.name}`, M: c.inChannels, K: c.outChannels, H, W,
    padding: c.padding === 'same' ? 'same' : c.padding[0]!,
    weights: Float32Array.from(c.weight), x: Float32Array.from(c.x.slice(0, inSize)), z: Float32Array.from(c.z.slice(0, outSize)),
    y: c.y.slice(0, outSize), xt: c.xt.slice(0, inSize),
  });
}

// The benchmark layers.
for (const [M, H] of [[8, 56], [64, 56], [256, 28], [512, 15]] as const) layers.push({ name: `${M}→${M}, ${H}×${H} (Gaussian)`, M, K: M, H, W: H, padding: 'same' });

// face-api's 3x3 stride-1 layers: 32 channels at 35x35, 64 at 17x17, 128 at 8x8, 256 at 3x3.
const modelDir = new URL('../node_modules/@vladmandic/face-api/model/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('face_recognition_model-weights_manifest.json', modelDir), 'utf8')) as Array<{
  paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }>;
}>;
const source: TfjsWeightsSource = { manifest, shards: manifest[0]!.paths.map((p) => readFileSync(new URL(p, modelDir))) };
const SIZE: Record<number, number> = { 32: 35, 64: 17, 128: 8, 256: 3 };
for (const spec of manifest.flatMap((g) => g.weights)) {
  if (!spec.name.endsWith('/conv/filters') || spec.shape[0] !== 3 || spec.name.includes('_down')) continue;
  const f = cs.loadWeights(source, { name: spec.name }); // OIHW
  const [K, M] = f.shape as [number, number];
  const H = SIZE[M]!;
  layers.push({ name: `face-api ${spec.name.replace('/conv/filters', '')} (${M}→${K}, ${H}×${H})`, M, K, H, W: H, padding: 1, weights: f.data });
}

const worst: Record<Algorithm, number> = { winograd: 0, winograd4x4: 0, direct: 0 };
const e = (v: number) => v.toExponential(1);
console.log('| layer | F(2x2) forward | F(4x4) forward | direct forward | F(2x2) transpose | F(4x4) transpose | direct transpose |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [i, L] of layers.entries()) {
  const fwd: string[] = [], tr: string[] = [];
  let y: ArrayLike<number> | undefined, xt: ArrayLike<number> | undefined;
  for (const algorithm of ALGORITHMS) {
    const W = cs.conv2d({ inChannels: L.M, outChannels: L.K, kernelSize: 3, height: L.H, width: L.W, padding: L.padding, algorithm });
    if (L.weights) W.setWeights(L.weights);
    else W.randomize({ seed: 1 });
    const x = L.x ?? cs.randn(W.inputSize, { seed: 2 + 10 * i });
    const z = L.z ?? cs.randn(W.outputSize, { seed: 3 + 10 * i });
    const w = W.getWeights();
    y ??= L.y ?? convReference(x, w, W.geometry);
    xt ??= L.xt ?? transposeReference(z, w, W.geometry);
    const ef = relErr(W.forward(x), y), et = relErr(W.transpose(z), xt);
    worst[algorithm] = Math.max(worst[algorithm], ef, et);
    fwd.push(e(ef));
    tr.push(e(et));
    W.dispose();
  }
  console.log(`| ${L.name} | ${fwd.join(' | ')} | ${tr.join(' | ')} |`);
}
console.log(`\nlargest error: ${ALGORITHMS.map((a) => `${a} ${e(worst[a])}`).join(', ')} (golden tolerance 1e-5)`);
