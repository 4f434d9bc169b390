// The geometry of a convolutional layer: its options checked and resolved into sizes, padding
// and output shape (PyTorch's conventions), and the limits every buffer must fit. Which
// algorithm computes it is chosen in choose.ts.

import {
  MAX_ELEMENTS, checkOptions, intPair, nonNegativeInt, oneOf, positiveInt, rangeError, requireOption, typeError,
} from '../validate.js';
import { chooseAlgorithm, choosePaths, winogradSizes } from './choose.js';

/** Padding: one number for all sides, [along height, along width], or 'same' / 'valid'. */
export type Padding = number | readonly [number, number] | 'same' | 'valid';

export interface Conv1dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  /** Input length D. */
  length: number;
  stride?: number;
  padding?: number | 'same' | 'valid';
}

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number | readonly [number, number];
  height: number;
  width: number;
  stride?: number | readonly [number, number];
  padding?: Padding;
  /**
   * How 3x3 stride-1 layers are computed. 'auto' (default): Winograd when the kernel is 3x3, the
   * stride 1 and both channel counts at least WINOGRAD_MIN_CHANNELS, else direct; F(4x4, 3x3) for
   * layers of 64 to 512 channels each way on images large enough (WINOGRAD_4X4_MAX_WORK),
   * F(2x2, 3x3) otherwise. 'direct': always the direct sum (the order of the scalar reference, bit for bit).
   * 'winograd': always Winograd F(2x2, 3x3) (a RangeError for other kernels or strides). Winograd
   * does 2.25x fewer multiplications; its results differ from the direct sum by rounding only
   * (relative error of the order of 1e-7, see docs/winograd.md).
   * 'winograd4x4': always Winograd F(4x4, 3x3) (the same RangeError): 4x fewer multiplications
   * than direct, with a larger rounding error (at most 7.5e-6 relative where 'auto' takes it,
   * docs/winograd.md).
   */
  algorithm?: 'auto' | 'direct' | 'winograd' | 'winograd4x4';
}

export interface RandomizeOptions {
  /** Integer in [0, 2^64) (a number up to 2^53, or a bigint). */
  seed: number | bigint;
  /** Which stream of the seed to draw from (default 0). */
  stream?: number;
  /**
   * 'fan-in' (default): N(0, 1) / sqrt(M kh kw), the scaling of Theorem 3.1.
   * 'unit': each filter (all its channels) scaled to unit l2 norm.
   */
  normalize?: 'fan-in' | 'unit';
}

/** The resolved geometry of a layer. Internal, but exposed read-only for algorithms. */
export interface ConvGeometry {
  M: number; K: number; H: number; W: number;
  kh: number; kw: number; sh: number; sw: number;
  /** zero padding above, below, left and right */
  pt: number; pb: number; pl: number; pr: number;
  Hp: number; Wp: number; Ho: number; Wo: number;
  /** How forward (and, with every padding at most 2, the dense transpose) is computed. */
  algorithm: 'direct' | 'winograd' | 'winograd4x4';
}

function samePadding(where: string, k: number, stride: number): [number, number] {
  if (stride !== 1) throw rangeError(where, `padding 'same' needs stride 1 (as in PyTorch), got stride ${stride}`);
  const total = k - 1;
  const before = Math.floor(total / 2);
  return [before, total - before]; // the extra zero goes at the end, as PyTorch does
}

function outputLength(where: string, axis: string, size: number, k: number, before: number, after: number, s: number): number {
  const span = size + before + after - k;
  if (span < 0) {
    throw rangeError(where, `the kernel (${k}) is larger than the padded ${axis} (${size} + ${before + after}); the output would be empty`);
  }
  return Math.floor(span / s) + 1;
}

function product(...xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

export function conv1dGeometry(options: unknown): ConvGeometry {
  const where = 'conv1d';
  const o = checkOptions<Conv1dOptions>(where, options, ['inChannels', 'outChannels', 'kernelSize', 'length', 'stride', 'padding']);
  const M = positiveInt(where, 'inChannels', requireOption(where, 'inChannels', o.inChannels));
  const K = positiveInt(where, 'outChannels', requireOption(where, 'outChannels', o.outChannels));
  const l = positiveInt(where, 'kernelSize', requireOption(where, 'kernelSize', o.kernelSize));
  const D = positiveInt(where, 'length', requireOption(where, 'length', o.length));
  const t = o.stride === undefined ? 1 : positiveInt(where, 'stride', o.stride);
  let before = 0;
  let after = 0;
  if (o.padding === 'same') [before, after] = samePadding(where, l, t);
  else if (o.padding !== undefined && o.padding !== 'valid') {
    if (typeof o.padding !== 'number') throw typeError(where, "'padding'", "a non-negative integer, 'same' or 'valid'", o.padding);
    before = after = nonNegativeInt(where, 'padding', o.padding);
  }
  const n = outputLength(where, 'length', D, l, before, after, t);
  return checkSizes(where, { M, K, H: 1, W: D, kh: 1, kw: l, sh: 1, sw: t, pt: 0, pb: 0, pl: before, pr: after, Hp: 1, Wp: D + before + after, Ho: 1, Wo: n, algorithm: 'direct' });
}

export function conv2dGeometry(options: unknown): ConvGeometry {
  const where = 'conv2d';
  const o = checkOptions<Conv2dOptions>(where, options, ['inChannels', 'outChannels', 'kernelSize', 'height', 'width', 'stride', 'padding', 'algorithm']);
  const M = positiveInt(where, 'inChannels', requireOption(where, 'inChannels', o.inChannels));
  const K = positiveInt(where, 'outChannels', requireOption(where, 'outChannels', o.outChannels));
  const [kh, kw] = intPair(where, 'kernelSize', requireOption(where, 'kernelSize', o.kernelSize), positiveInt);
  const H = positiveInt(where, 'height', requireOption(where, 'height', o.height));
  const W = positiveInt(where, 'width', requireOption(where, 'width', o.width));
  const [sh, sw] = o.stride === undefined ? [1, 1] : intPair(where, 'stride', o.stride, positiveInt);
  let pt = 0, pb = 0, pl = 0, pr = 0;
  if (o.padding === 'same') {
    [pt, pb] = samePadding(where, kh, sh);
    [pl, pr] = samePadding(where, kw, sw);
  } else if (o.padding !== undefined && o.padding !== 'valid') {
    if (typeof o.padding === 'string') throw typeError(where, "'padding'", "a number, a pair, 'same' or 'valid'", o.padding);
    [pt, pl] = intPair(where, 'padding', o.padding, nonNegativeInt);
    pb = pt;
    pr = pl;
  }
  const Ho = outputLength(where, 'height', H, kh, pt, pb, sh);
  const Wo = outputLength(where, 'width', W, kw, pl, pr, sw);
  const requested = o.algorithm === undefined ? 'auto' : oneOf(where, 'algorithm', o.algorithm, ['auto', 'direct', 'winograd', 'winograd4x4'] as const);
  const shape = { M, K, H, W, kh, kw, sh, sw, pt, pb, pl, pr, Hp: H + pt + pb, Wp: W + pl + pr, Ho, Wo };
  return checkSizes(where, { ...shape, algorithm: chooseAlgorithm(where, shape, requested) });
}

/** Every buffer the operator will allocate must fit the kernels' 32-bit offsets. */
function checkSizes(where: string, g: ConvGeometry): ConvGeometry {
  const sizes: Array<[string, number]> = [
    ['the input (inChannels x height x width)', product(g.M, g.H, g.W)],
    ['the padded input', product(g.M, g.Hp, g.Wp)],
    ['the output (outChannels x output height x output width)', product(g.K, g.Ho, g.Wo)],
    ['the weights (outChannels x inChannels x kernel)', product(Math.ceil(g.K / 8) * 8, g.M, g.kh, g.kw)],
  ];
  if (choosePaths(g, true).transpose === 'pixel') {
    // The pixel-vectorized transpose's padded code (SIMD module).
    sizes.push(['the padded code of the transpose', product(g.K, g.H + g.kh - 1, g.W + g.kw - 1)]);
  }
  if (g.algorithm !== 'direct') {
    const w = winogradSizes(g);
    sizes.push(['the Winograd transformed filters', w.U], ['the Winograd tile buffers', Math.max(w.V, w.O, w.P)]);
  }
  for (const [what, n] of sizes) {
    if (n > MAX_ELEMENTS) throw rangeError(where, `${what} would hold ${n} values; the limit is ${MAX_ELEMENTS}`);
  }
  return g;
}

