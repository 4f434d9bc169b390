// A photograph through one random convolutional layer and back: the experiment behind
// `convcs reconstruct`, `npm run demo`, cli/scripts/real-images.ts and the web demo's worker, in
// one place so that all of them report the same numbers for the same settings. Inputs that cannot
// make a layer are refused with a RangeError (the CLI prints it as one line, the page shows it).
//
// "One step" is one CNN layer and its transpose, x^ = mu W^T M(W x, k), i.e. the first iteration
// of normalized IHT from zero. Its step mu = ||g_S||^2 / ||W^T g_S||^2 (g = W x, S its support) is
// exactly the least-squares scale of W^T M(W x, k) against x: Gaussian filters do not preserve
// the image's norm, so the unscaled x^ = W^T M(W x, k) (cs.reconstruct) is off by a large factor
// (its error is reported as rawOneStepError); the paper likewise rescales its reconstructed
// activations before decoding them. "After N iterations" is cs.iht with the same options.

import type { Convcs, ConvOperator, Iterate, Pool } from 'convcs';
import { psnr } from './raster.js';
import type { Planes } from './raster.js';

export interface ImageLayerParams {
  /** number of filters K (ignored with weights: the file decides) */
  filters: number;
  /** l, or [kh, kw] (ignored with weights) */
  kernel: number | readonly [number, number];
  stride: number;
  pool: Pool;
  /** fraction of non-zeros in the code (or k below) */
  density?: number;
  k?: number;
  mode?: 'abs' | 'relu';
  iterations: number;
  /** seed of the random filters (ignored with weights) */
  seed: number;
  normalize?: 'fan-in' | 'unit';
  /** loaded filters [K, M, kh, kw] (cs.loadWeights) instead of random ones */
  weights?: { data: Float32Array; shape: readonly number[] };
}

export interface Reconstruction {
  xHat: Float32Array;
  relativeError: number;
  psnr: number;
}

export interface ImageRun {
  layer: { inputShape: number[]; outputShape: number[]; padding: string; k: number; nonZerosPerValue: number };
  rawOneStepError: number;
  oneStep: Reconstruction;
  iht: Reconstruction & { iterations: number; history: number[] };
  ms: { oneStep: number; iht: number };
}

/** 'same' padding (PyTorch: stride 1 only); with a stride, half the kernel on every side. */
export function imagePadding(kh: number, kw: number, stride: number): 'same' | [number, number] {
  return stride === 1 ? 'same' : [Math.floor(kh / 2), Math.floor(kw / 2)];
}

/** [K, kh, kw] of the layer: from the weights when given, else from the flags. */
export function layerSize(p: ImageLayerParams): [number, number, number] {
  if (p.weights) {
    if (p.weights.shape.length !== 4) {
      throw new RangeError(`the weights have shape [${p.weights.shape.join(', ')}]; a conv2d layer needs 4-D filters [K, M, kh, kw]`);
    }
    const [K, , kh, kw] = p.weights.shape as [number, number, number, number];
    return [K, kh, kw];
  }
  const [kh, kw] = typeof p.kernel === 'number' ? [p.kernel, p.kernel] : p.kernel;
  return [p.filters, kh, kw];
}

export function imageLayer(cs: Convcs, x: Planes, p: ImageLayerParams): ConvOperator {
  const [K, kh, kw] = layerSize(p);
  if (kh > x.height || kw > x.width) {
    throw new RangeError(`the kernel (${kh}x${kw}) is larger than the image (${x.width}x${x.height} after downscaling)`);
  }
  if (p.weights && p.weights.shape[1] !== x.channels) {
    throw new RangeError(`the weights take ${p.weights.shape[1]} input channels, the image has ${x.channels}`);
  }
  const W = cs.conv2d({
    inChannels: x.channels, outChannels: K, kernelSize: [kh, kw], height: x.height, width: x.width,
    stride: p.stride, padding: imagePadding(kh, kw, p.stride),
  });
  try {
    return p.weights ? W.setWeights(p.weights.data) : W.randomize({ seed: p.seed, normalize: p.normalize ?? 'fan-in' });
  } catch (e) {
    W.dispose();
    throw e;
  }
}

export function imageSparsity(p: ImageLayerParams): { pool: Pool; mode: 'abs' | 'relu'; k?: number; density?: number } {
  return p.k !== undefined ? { pool: p.pool, mode: p.mode ?? 'abs', k: p.k } : { pool: p.pool, mode: p.mode ?? 'abs', density: p.density ?? 0.1 };
}

export interface ImageRunHooks {
  /** Called once the layer exists, before anything runs on it. */
  onLayer?(layer: ImageRun['layer']): void;
  /**
   * Called after every IHT iteration with its relative error and the library's view of the
   * current iterate (`iterate.xHat` is the reconstruction the web demo draws); returning false
   * stops the run there.
   */
  onIteration?(iteration: number, relativeError: number, iterate: Iterate): void | boolean;
}

export function reconstructImage(cs: Convcs, x: Planes, p: ImageLayerParams, hooks: ImageRunHooks = {}): ImageRun {
  const W = imageLayer(cs, x, p);
  try {
    const s = imageSparsity(p);
    const k = p.k ?? Math.round((p.density ?? 0.1) * W.outputSize);
    const layer = {
      inputShape: [...W.inputShape], outputShape: [...W.outputShape], padding: String(imagePadding(W.weightShape[2]!, W.weightShape[3]!, p.stride)),
      k, nonZerosPerValue: k / W.inputSize,
    };
    hooks.onLayer?.(layer);
    let t0 = performance.now();
    const raw = cs.reconstruct(W, x.data, s);
    const one = cs.iht(W, x.data, { ...s, iterations: 1 });
    const msOne = performance.now() - t0;
    t0 = performance.now();
    const r = cs.iht(W, x.data, { ...s, iterations: p.iterations, ...(hooks.onIteration ? { onIteration: hooks.onIteration } : {}) });
    const msIht = performance.now() - t0;
    return {
      layer,
      rawOneStepError: raw.relativeError,
      oneStep: { xHat: one.xHat, relativeError: one.relativeError, psnr: psnr(one.xHat, x.data) },
      iht: {
        xHat: r.xHat, relativeError: r.relativeError, psnr: psnr(r.xHat, x.data),
        iterations: r.iterations, history: Array.from(r.history),
      },
      ms: { oneStep: msOne, iht: msIht },
    };
  } finally {
    W.dispose();
  }
}
