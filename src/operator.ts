// The convolution operator W of the paper (section 2.2): h = W x is a multi-channel convolution
// (PyTorch's conv1d/conv2d: cross-correlation, no bias) and W^T z its exact adjoint, the
// transposed convolution. An operator owns its weights, their packed forms and its scratch in
// linear memory; every call copies the caller's arrays in and the results out.

import type { Engine } from './instance.js';
import {
  MAX_ELEMENTS, checkFinite, checkOptions, float32Batch, float32Exact, intPair, nonNegativeInt, oneOf,
  outputBuffer, overlaps, positiveInt, rangeError, requireOption, seedWords, typeError,
} from './validate.js';

/**
 * What every algorithm in convcs needs of an operator, as PyLops's solvers take a
 * LinearOperator: shapes, a forward map and its adjoint. Sizes are per sample; both maps take a
 * batch of samples laid end to end.
 */
export interface LinearOperator {
  /** Shape of one input sample, e.g. [M, D] or [M, H, W]. */
  readonly inputShape: readonly number[];
  /** Shape of one output (code) sample, e.g. [K, n] or [K, Ho, Wo]. */
  readonly outputShape: readonly number[];
  readonly inputSize: number;
  readonly outputSize: number;
  /** h = W x for one sample or a batch end to end. */
  forward(x: Float32Array, out?: Float32Array): Float32Array;
  /** x = W^T z, the adjoint of forward. */
  transpose(z: Float32Array, out?: Float32Array): Float32Array;
}

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
   * How 3x3 stride-1 layers are computed. 'auto' (default): Winograd F(2x2, 3x3) when the
   * kernel is 3x3, the stride 1 and both channel counts at least WINOGRAD_MIN_CHANNELS, else
   * direct. 'direct': always the direct sum (the order of the scalar reference, bit for bit).
   * 'winograd': always Winograd (a RangeError for other kernels or strides). Winograd does 2.25x
   * fewer multiplications; its results differ from the direct sum by rounding only (relative
   * error of the order of 1e-7, see docs/winograd.md).
   */
  algorithm?: 'auto' | 'direct' | 'winograd';
}

/** Channel count (in and out) from which 'auto' picks Winograd for 3x3 stride-1 layers. */
export const WINOGRAD_MIN_CHANNELS = 8;

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
  algorithm: 'direct' | 'winograd';
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
  const choice = o.algorithm === undefined ? 'auto' : oneOf(where, 'algorithm', o.algorithm, ['auto', 'direct', 'winograd'] as const);
  const fits = kh === 3 && kw === 3 && sh === 1 && sw === 1;
  if (choice === 'winograd' && !fits) {
    throw rangeError(where, `algorithm 'winograd' needs a 3x3 kernel and stride 1, got kernel ${kh}x${kw} and stride ${sh}x${sw}`);
  }
  const winograd = choice === 'winograd' || (choice === 'auto' && fits && M >= WINOGRAD_MIN_CHANNELS && K >= WINOGRAD_MIN_CHANNELS);
  return checkSizes(where, {
    M, K, H, W, kh, kw, sh, sw, pt, pb, pl, pr, Hp: H + pt + pb, Wp: W + pl + pr, Ho, Wo, algorithm: winograd ? 'winograd' : 'direct',
  });
}

/** Every buffer the operator will allocate must fit the kernels' 32-bit offsets. */
function checkSizes(where: string, g: ConvGeometry): ConvGeometry {
  const sizes: Array<[string, number]> = [
    ['the input (inChannels x height x width)', product(g.M, g.H, g.W)],
    ['the padded input', product(g.M, g.Hp, g.Wp)],
    ['the output (outChannels x output height x output width)', product(g.K, g.Ho, g.Wo)],
    ['the weights (outChannels x inChannels x kernel)', product(Math.ceil(g.K / 8) * 8, g.M, g.kh, g.kw)],
  ];
  if (pixelPlan(g).transpose) {
    // The pixel-vectorized transpose's padded code (SIMD module).
    sizes.push(['the padded code of the transpose', product(g.K, g.H + g.kh - 1, g.W + g.kw - 1)]);
  }
  if (g.algorithm === 'winograd') {
    const w = winogradPlan(g);
    sizes.push(['the Winograd transformed filters', w.U], ['the Winograd tile buffers', Math.max(w.V, w.O, w.P)]);
  }
  for (const [what, n] of sizes) {
    if (n > MAX_ELEMENTS) throw rangeError(where, `${what} would hold ${n} values; the limit is ${MAX_ELEMENTS}`);
  }
  return g;
}

/**
 * Sizes (in floats) and tilings of a Winograd F(2x2, 3x3) layer, forward and transposed. The
 * transpose is the correlation of the code, padded by 2 - padding, with the flipped filters, so
 * it runs on Winograd too when every padding is at most 2 (always so for 'same' and 'valid').
 */
interface WinogradTiling {
  /** tiles of 2x2 outputs, tiles per block (a multiple of 8), padded input rows and columns */
  TY: number; TX: number; Tb: number; Hq: number; Wq: number;
  /** input channels, output channels rounded up to 4 */
  I: number; Op: number;
}

interface WinogradPlan {
  transposed: boolean;
  fwd: WinogradTiling;
  tr: WinogradTiling;
  /** floats: forward and transposed filters, padded input, transformed tiles, GEMM products */
  U: number; UT: number; P: number; V: number; O: number;
}

/**
 * Bytes of transformed tiles and GEMM products per block of tiles: blocks this size keep both in
 * L2 while the filters stream past, and bound the scratch whatever the image size.
 */
export const WINOGRAD_BLOCK_BYTES = 2 << 20;

/**
 * Code density from which transposeSparse on a Winograd layer scatters the code and runs the
 * dense Winograd transpose: measured crossover 35-50% on 16 to 512 channels (npm run bench).
 */
export const WINOGRAD_DENSE_FROM = 0.35;

/**
 * Stride-1 direct layers with at most this many output channels run the pixel-vectorized
 * kernel f32-conv2d-s1-3x8 forward (measured on 64 -> 1..7 channels, 56x56: 1.1-1.6x faster
 * than the channel-vectorized 4x8 kernel up to 6, slower at 7). The transpose uses it only for
 * 3 or 6 input channels (whole blocks of 3; 1.0-1.7x faster there, slower than the transposed
 * 4x8 kernel for 1, 2, 4, 5 and 7).
 */
export const PIXEL_FORWARD_MAX = 6;

/** The sparse transpose's kernel plan (SIMD module): its column tile and block of filters. */
export interface SparsePlan {
  /** 24 (f32-conv2d-transpose-sparse-1x24-kblock-simd) or 32 (the two-pass 1x32 kernel). */
  tile: 24 | 32;
  /** Filters are taken 2^kbShift at a time (the code regrouped by block and pixel). */
  kbShift: number;
  /** Number of blocks of filters. */
  blocks: number;
  /** Column groups taken together per pixel (1x24 kernel). */
  groupTile: number;
}

/**
 * Bytes of panel rows (filters x tile columns) that the sparse transpose keeps in L1 (32 KB on
 * the machines measured, beside the pixels' pairs and the accumulator): a layer whose panel is
 * larger takes its filters in blocks of 2^kbShift (512 filters: 2 blocks of 256, 24 KB each),
 * and one whose panel is smaller takes several column groups per pixel while the pairs are hot
 * (64 filters: 4 groups of 6 KB).
 */
export const SPARSE_L1_BYTES = 24 << 10;

/**
 * The sparse transpose's tile and blocking for K filters of L = M*kh*kw columns. One pass of 24
 * columns costs about 0.9 of two passes of 16 per column, so 32 is taken only when 24 would pad
 * much more (L = 27 for M = 3, 3x3, takes one group of 32 instead of two of 24).
 */
export function sparsePlan(K: number, L: number): SparsePlan {
  const tile = Math.ceil(L / 24) * 24 * 0.9 <= Math.ceil(L / 32) * 32 ? 24 : 32;
  const rowBytes = tile * 4;
  let kbShift = 30;
  if (K * rowBytes > SPARSE_L1_BYTES) kbShift = Math.floor(Math.log2(SPARSE_L1_BYTES / rowBytes));
  const blocks = ((K - 1) >> kbShift) + 1;
  const rows = Math.min(K, 2 ** kbShift);
  const groupTile = tile === 24 ? Math.max(1, Math.min(16, Math.floor(SPARSE_L1_BYTES / (rows * rowBytes)))) : 1;
  return { tile, kbShift, blocks, groupTile };
}

function tiling(Ho: number, Wo: number, I: number, O: number): WinogradTiling {
  const TY = Math.ceil(Ho / 2);
  const TX = Math.ceil(Wo / 2);
  const Op = Math.ceil(O / 4) * 4;
  const all = Math.ceil((TY * TX) / 8) * 8;
  const fit = Math.floor(WINOGRAD_BLOCK_BYTES / (16 * (I + Op) * 4) / 8) * 8;
  return { TY, TX, Tb: Math.min(all, Math.max(8, fit)), Hq: 2 * TY + 2, Wq: 2 * TX + 2, I, Op };
}

/** Whether a Winograd layer's transpose is Winograd too: every padding at most 2 (see above). */
function winogradTransposes(g: ConvGeometry): boolean {
  return g.algorithm === 'winograd' && Math.max(g.pt, g.pb, g.pl, g.pr) <= 2;
}

/**
 * Which directions of a direct stride-1 layer the SIMD module runs on f32-conv2d-s1-3x8 (the
 * forward for few output channels; the transpose, as the correlation of the code padded by
 * kernel - 1 - padding with the flipped filters, for 3 or 6 input channels): see
 * PIXEL_FORWARD_MAX.
 */
function pixelPlan(g: ConvGeometry): { forward: boolean; transpose: boolean } {
  const stride1 = g.sh === 1 && g.sw === 1;
  return {
    forward: g.algorithm === 'direct' && stride1 && g.K <= PIXEL_FORWARD_MAX,
    transpose: !winogradTransposes(g) && stride1 && g.M <= PIXEL_FORWARD_MAX && g.M % 3 === 0 &&
      Math.max(g.pt, g.pb) <= g.kh - 1 && Math.max(g.pl, g.pr) <= g.kw - 1,
  };
}

function winogradPlan(g: ConvGeometry): WinogradPlan {
  const transposed = winogradTransposes(g);
  const fwd = tiling(g.Ho, g.Wo, g.M, g.K);
  const tr = tiling(g.H, g.W, g.K, g.M);
  return {
    transposed, fwd, tr,
    U: 16 * fwd.Op * g.M,
    UT: transposed ? 16 * tr.Op * g.K : 0,
    P: Math.max(g.M * fwd.Hq * fwd.Wq, transposed ? g.K * tr.Hq * tr.Wq : 0),
    V: 16 * Math.max(fwd.I * fwd.Tb, transposed ? tr.I * tr.Tb : 0),
    O: 16 * Math.max(fwd.Op * fwd.Tb, transposed ? tr.Op * tr.Tb : 0),
  };
}

/**
 * A convolutional layer as a linear operator. Made by `cs.conv1d` / `cs.conv2d`; weights start
 * as `randomize({ seed: 0 })`.
 */
export class ConvOperator implements LinearOperator {
  readonly dims: 1 | 2;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly weightShape: readonly number[];
  readonly inputSize: number;
  readonly outputSize: number;
  readonly geometry: Readonly<ConvGeometry>;
  /** @internal */
  readonly engine: Engine;

  /** @internal Plain weights [K][M][kh][kw]. */
  readonly ptrWeights: number;
  /** @internal SIMD module: forward panels, transposed panels (dense, sparse), column offsets, tap offsets,
   * and the per-(block, pixel) row starts of a regrouped sparse code. */
  readonly ptrPacked: number;
  /** @internal */
  readonly ptrPackedT: number;
  /** @internal */
  readonly ptrPackedSparse: number;
  /** @internal */
  readonly ptrChannelLast: number;
  /** @internal */
  readonly ptrColOff: number;
  /** @internal */
  readonly ptrTapOff: number;
  /** @internal */
  readonly ptrRowStart: number;
  /** @internal Scratch: one input sample, the padded input / transposed accumulator, one code sample. */
  readonly ptrIn: number;
  /** @internal */
  readonly ptrPad: number;
  /** @internal */
  readonly ptrCode: number;
  /** Winograd layers: the plan, transformed filters (forward, transposed) and tile scratch. */
  private readonly wino: WinogradPlan | undefined;
  /** SIMD module: the sparse transpose's tile, blocks of filters and column groups per pixel.
   * @internal */
  readonly sparse: Readonly<SparsePlan>;
  private readonly ptrWinoU: number;
  private readonly ptrWinoUT: number;
  private readonly ptrWinoP: number;
  private readonly ptrWinoV: number;
  private readonly ptrWinoO: number;
  /** Layers with few channels: pixel-vectorized weights (forward, transpose), the transpose's
   * tap offsets and its padded code. */
  private readonly pixelForward: boolean;
  /** SIMD module: whether the direct 4x8 forward / dense transpose run (and so their panels exist). */
  private readonly directForward: boolean;
  private readonly directTranspose: boolean;
  private readonly pixelTranspose: boolean;
  private readonly ptrPixel: number;
  private readonly ptrPixelT: number;
  private readonly ptrPixelTapOffT: number;
  private readonly ptrPixelPadT: number;
  private sparseCapacity = 0;
  private ptrSparseIdx = 0;
  private ptrSparseVal = 0;
  /** SIMD module: a sparse code regrouped by pixel, (filter index, value) pairs, same capacity. */
  private ptrGrouped = 0;
  private owned: number[];
  private isDisposed = false;
  /** Running calls (iht, rip, ...) that use this operator: while any does, it cannot be freed or re-weighted. */
  private pins = 0;
  private readonly token = {};

  /** @internal use cs.conv1d / cs.conv2d */
  constructor(engine: Engine, g: ConvGeometry, dims: 1 | 2) {
    this.engine = engine;
    this.geometry = Object.freeze({ ...g });
    this.dims = dims;
    this.inputShape = Object.freeze(dims === 1 ? [g.M, g.W] : [g.M, g.H, g.W]);
    this.outputShape = Object.freeze(dims === 1 ? [g.K, g.Wo] : [g.K, g.Ho, g.Wo]);
    this.weightShape = Object.freeze(dims === 1 ? [g.K, g.M, g.kw] : [g.K, g.M, g.kh, g.kw]);
    this.inputSize = g.M * g.H * g.W;
    this.outputSize = g.K * g.Ho * g.Wo;
    const taps = g.M * g.kh * g.kw;
    const Lpad = Math.ceil(taps / 8) * 8;
    const sparse = sparsePlan(g.K, taps);
    this.sparse = Object.freeze(sparse);
    const LpadS = Math.ceil(taps / sparse.tile) * sparse.tile;
    // The column offsets cover the sparse kernel's groups too.
    const LpadOff = Math.max(Lpad, LpadS);
    const simd = engine.simd;
    const wino = g.algorithm === 'winograd' ? winogradPlan(g) : undefined;
    const pixel = pixelPlan(g);
    // The direct kernels' panels only where the direct forward / dense transpose runs: a Winograd
    // layer (or a pixel-vectorized one) never reads them.
    this.directForward = simd && !wino && !(simd && pixel.forward);
    this.directTranspose = simd && !wino?.transposed && !(simd && pixel.transpose);
    const sizes = [
      g.K * taps * 4,
      this.directForward ? Math.ceil(g.K / 8) * 8 * taps * 4 : 0,
      this.directTranspose ? Lpad * g.K * 4 : 0,
      simd ? LpadS * g.K * 4 + 48 : 0, // aligned to 64 below
      simd ? g.K * taps * 4 : 0,
      simd ? LpadOff * 4 : 0,
      simd ? taps * 4 : 0,
      simd ? (sparse.blocks * g.Ho * g.Wo + 1) * 4 : 0,
      this.inputSize * 4,
      g.M * g.Hp * g.Wp * 4,
      this.outputSize * 4,
    ];
    this.wino = wino;
    sizes.push(...(wino ? [wino.U, wino.UT, wino.P, wino.V, wino.O].map((n) => n * 4) : [0, 0, 0, 0, 0]));
    this.pixelForward = simd && pixel.forward;
    this.pixelTranspose = simd && pixel.transpose;
    const tapsT = g.K * g.kh * g.kw;
    sizes.push(
      this.pixelForward ? Math.ceil(g.K / 3) * 3 * taps * 4 : 0,
      this.pixelTranspose ? Math.ceil(g.M / 3) * 3 * tapsT * 4 : 0,
      this.pixelTranspose ? tapsT * 4 : 0,
      this.pixelTranspose ? g.K * (g.H + g.kh - 1) * (g.W + g.kw - 1) * 4 : 0,
    );
    // allocMany: all or nothing, and refused before memory grows when the layer passes the cap.
    const ptrs = engine.heap.allocMany(sizes);
    this.owned = ptrs;
    [this.ptrWeights, this.ptrPacked, this.ptrPackedT, this.ptrPackedSparse, this.ptrChannelLast, this.ptrColOff, this.ptrTapOff,
      this.ptrRowStart, this.ptrIn, this.ptrPad, this.ptrCode, this.ptrWinoU, this.ptrWinoUT, this.ptrWinoP, this.ptrWinoV,
      this.ptrWinoO, this.ptrPixel, this.ptrPixelT, this.ptrPixelTapOffT, this.ptrPixelPadT] = ptrs as [number, number, number,
      number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
      number, number];
    // Panel rows (96 or 128 bytes) start on cache-line boundaries, so each spans 2 lines, not 3.
    this.ptrPackedSparse = Math.ceil(this.ptrPackedSparse / 64) * 64;
    if (simd) {
      engine.abi.i32_conv2d_transpose_offsets_scalar(g.M, g.kh, g.kw, g.Wp, this.ptrColOff, LpadOff);
      engine.abi.i32_conv2d_tap_offsets_scalar(g.M, g.kh, g.kw, g.Hp, g.Wp, this.ptrTapOff);
    }
    if (this.pixelTranspose) engine.abi.i32_conv2d_tap_offsets_scalar(g.K, g.kh, g.kw, g.H + g.kh - 1, g.W + g.kw - 1, this.ptrPixelTapOffT);
    operatorRegistry?.register(this, { engine, ptrs: this.owned }, this.token);
    this.randomize({ seed: 0 });
  }

  /** True once dispose() has run. */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Throws the use-after-dispose TypeError if this operator has been disposed.
   * @internal */
  live(where: string): void {
    if (this.isDisposed) throw new TypeError(`convcs.${where}: this operator has been disposed`);
  }

  /** @internal the geometry and the weights, as bytes: what a study's fingerprint hashes */
  identity(): Uint8Array {
    const g = this.geometry;
    const dims = Float32Array.of(g.M, g.K, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.pt, g.pb, g.pl, g.pr);
    const w = this.engine.f32(this.ptrWeights, this.weightShape.reduce((a, b) => a * b, 1));
    const out = new Uint8Array(dims.byteLength + w.byteLength);
    out.set(new Uint8Array(dims.buffer));
    out.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), dims.byteLength);
    return out;
  }

  /** @internal a running call uses this operator (see ptrOperator) */
  pin(where: string): void {
    this.live(where);
    this.pins++;
  }

  /** @internal */
  unpin(): void {
    this.pins--;
  }

  /** Refuse to change an operator a running call is using (a callback of that call is the only way). */
  private notInUse(where: string, what: string): void {
    if (this.pins > 0) {
      throw new TypeError(`convcs.${where}: this operator is in use by a running call (iht, rip, sparseCode...); ` +
        `${what} it after that call returns, not from its callback`);
    }
  }

  /**
   * Draw the weights from a seeded Gaussian (every engine gives the same bits).
   * @example
   * W.randomize({ seed: 1 });                        // N(0, 1)/sqrt(M kh kw)
   * W.randomize({ seed: 1n, stream: 3, normalize: 'unit' });
   */
  randomize(options: RandomizeOptions): this {
    const where = 'ConvOperator.randomize';
    this.live(where);
    this.notInUse(where, 'randomize');
    const o = checkOptions<RandomizeOptions>(where, options, ['seed', 'stream', 'normalize']);
    const [lo, hi] = seedWords(where, 'seed', requireOption(where, 'seed', o.seed));
    const stream = o.stream === undefined ? 0 : nonNegativeInt(where, 'stream', o.stream, 2 ** 32 - 1);
    const normalize = o.normalize === undefined ? 'fan-in' : oneOf(where, 'normalize', o.normalize, ['fan-in', 'unit'] as const);
    const { k } = this.engine;
    const g = this.geometry;
    const taps = g.M * g.kh * g.kw;
    k.randn(lo, hi, stream, 0, g.K * taps, this.ptrWeights);
    if (normalize === 'fan-in') {
      k.scal(Math.fround(1 / Math.sqrt(taps)), this.ptrWeights, g.K * taps);
    } else {
      for (let f = 0; f < g.K; f++) {
        const p = this.ptrWeights + f * taps * 4;
        // The scalar-order sum is exported by both modules, so both give identical weights.
        const ss = k.sumsqExact(p, taps);
        if (ss > 0) k.scal(Math.fround(1 / Math.sqrt(ss)), p, taps);
      }
    }
    this.pack();
    return this;
  }

  /**
   * Set the weights from an array in PyTorch layout ([K, M, l] or [K, M, kh, kw]).
   * @example
   * W.setWeights(new Float32Array(W.weightShape.reduce((a, b) => a * b)).fill(0.1));
   */
  setWeights(w: Float32Array): this {
    const where = 'ConvOperator.setWeights';
    this.live(where);
    this.notInUse(where, 'set the weights of');
    const n = this.weightShape.reduce((a, b) => a * b, 1);
    float32Exact(where, 'weights', w, n);
    checkFinite(where, 'weights', w);
    this.engine.f32(this.ptrWeights, n).set(w);
    this.pack();
    return this;
  }

  /**
   * A copy of the weights in PyTorch layout.
   * @example
   * const w = W.getWeights(); // Float32Array of K*M*kh*kw values
   */
  getWeights(): Float32Array {
    this.live('ConvOperator.getWeights');
    const n = this.weightShape.reduce((a, b) => a * b, 1);
    return this.engine.f32(this.ptrWeights, n).slice();
  }

  private pack(): void {
    const g = this.geometry;
    const k = this.engine.abi;
    if (this.wino) {
      k.f32_winograd_2x2_3x3_filter_transform_scalar(this.ptrWeights, g.K, g.M, 0, this.ptrWinoU);
      if (this.wino.transposed) k.f32_winograd_2x2_3x3_filter_transform_scalar(this.ptrWeights, g.K, g.M, 1, this.ptrWinoUT);
    }
    if (!this.engine.simd) return;
    if (this.pixelForward) k.f32_pack_conv2d_3_scalar(this.ptrWeights, g.K, g.M, g.kh, g.kw, 0, this.ptrPixel);
    if (this.pixelTranspose) k.f32_pack_conv2d_3_scalar(this.ptrWeights, g.K, g.M, g.kh, g.kw, 1, this.ptrPixelT);
    const taps = g.M * g.kh * g.kw;
    if (this.directForward) k.f32_pack_conv2d_8_scalar(this.ptrWeights, g.K, taps, this.ptrPacked);
    k.f32_pack_conv2d_hwc_scalar(this.ptrWeights, g.K, g.M, g.kh, g.kw, this.ptrChannelLast);
    if (this.directTranspose) k.f32_pack_conv2d_transpose_8_scalar(this.ptrChannelLast, g.K, taps, this.ptrPackedT);
    if (this.sparse.tile === 24) k.f32_pack_conv2d_transpose_24_scalar(this.ptrChannelLast, g.K, taps, this.ptrPackedSparse);
    else k.f32_pack_conv2d_transpose_32_scalar(this.ptrChannelLast, g.K, taps, this.ptrPackedSparse);
  }

  /** h = W x for one sample at inPtr (linear memory) into outPtr. No checks.
   * @internal */
  forwardPtr(inPtr: number, outPtr: number): void {
    const g = this.geometry;
    const { k } = this.engine;
    if (this.wino) {
      const t = this.wino.fwd;
      k.pad2dChw(inPtr, this.ptrWinoP, g.M, g.H, g.W, t.Hq, t.Wq, g.pt, g.pl);
      k.conv2dWinograd3x3(this.ptrWinoP, g.M, t.Hq, t.Wq, t.TY, t.TX, t.Tb, this.ptrWinoU, g.K, t.Op,
        this.ptrWinoV, this.ptrWinoO, g.Ho, g.Wo, outPtr);
      return;
    }
    k.pad2dChw(inPtr, this.ptrPad, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
    if (this.pixelForward) {
      k.conv2dS1Pixels(this.ptrPad, g.Wp, this.ptrTapOff, g.M * g.kh * g.kw, this.ptrPixel, g.K, g.Ho, g.Wo, outPtr);
      return;
    }
    k.conv2d(this.ptrPad, g.Hp, g.Wp, g.M, this.engine.simd ? this.ptrPacked : this.ptrWeights,
      g.K, g.kh, g.kw, g.sh, g.sw, g.Ho, g.Wo, outPtr, this.ptrTapOff);
  }

  /** x = W^T z for one code at codePtr into outPtr. No checks.
   * @internal */
  transposePtr(codePtr: number, outPtr: number): void {
    const g = this.geometry;
    const { k } = this.engine;
    if (this.wino?.transposed) {
      const t = this.wino.tr;
      k.pad2dChw(codePtr, this.ptrWinoP, g.K, g.Ho, g.Wo, t.Hq, t.Wq, 2 - g.pt, 2 - g.pl);
      k.conv2dWinograd3x3(this.ptrWinoP, g.K, t.Hq, t.Wq, t.TY, t.TX, t.Tb, this.ptrWinoUT, g.M, t.Op,
        this.ptrWinoV, this.ptrWinoO, g.H, g.W, outPtr);
      return;
    }
    if (this.pixelTranspose) {
      const Hq = g.H + g.kh - 1;
      const Wq = g.W + g.kw - 1;
      k.pad2dChw(codePtr, this.ptrPixelPadT, g.K, g.Ho, g.Wo, Hq, Wq, g.kh - 1 - g.pt, g.kw - 1 - g.pl);
      k.conv2dS1Pixels(this.ptrPixelPadT, Wq, this.ptrPixelTapOffT, g.K * g.kh * g.kw, this.ptrPixelT, g.M, g.H, g.W, outPtr);
      return;
    }
    k.zero(this.ptrPad, g.M * g.Hp * g.Wp * 4);
    if (this.engine.simd) {
      k.conv2dTranspose(codePtr, g.K, g.Ho, g.Wo, this.ptrPackedT, this.ptrColOff, g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, this.ptrPad);
    } else {
      k.conv2dTranspose(codePtr, g.K, g.Ho, g.Wo, this.ptrWeights, 0, g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, this.ptrPad);
    }
    this.cropInto(outPtr);
  }

  /**
   * x = W^T z for `nnz` (index, value) pairs at idxPtr / valPtr into outPtr. No checks: internal.
   * May allocate scratch for a larger code than before: callers must hold pointers, not views.
   * @internal
   */
  transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void {
    const g = this.geometry;
    const { k } = this.engine;
    if (this.wino?.transposed && nnz > WINOGRAD_DENSE_FROM * this.outputSize) {
      // Dense enough that the Winograd transpose of the scattered code is the faster way.
      k.zero(this.ptrCode, this.outputSize * 4);
      k.scatterAdd(idxPtr, valPtr, nnz, this.ptrCode);
      this.transposePtr(this.ptrCode, outPtr);
      return;
    }
    if (this.engine.simd) this.growSparse(nnz);
    k.zero(this.ptrPad, g.M * g.Hp * g.Wp * 4);
    k.conv2dTransposeSparse(idxPtr, valPtr, nnz, g.Ho, g.Wo, this.engine.simd ? this.ptrPackedSparse : this.ptrWeights, this.ptrColOff,
      g.K, g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, this.ptrPad, this.ptrChannelLast, this.ptrRowStart, this.ptrGrouped,
      g.pt, g.pl, g.H, g.W, this.sparse.tile, this.sparse.kbShift, this.sparse.groupTile);
    this.cropInto(outPtr);
  }

  private cropInto(dst: number): void {
    const g = this.geometry;
    if (this.engine.simd) this.engine.k.crop2dHwcToChw(this.ptrPad, dst, g.M, g.H, g.W, g.Wp, g.pt, g.pl);
    else this.engine.k.crop2dChw(this.ptrPad, dst, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
  }

  /**
   * h = W x. `x` holds one input of `inputShape`, or a batch of them end to end; the result
   * holds as many codes of `outputShape`.
   * @example
   * const h = W.forward(x);          // new array
   * W.forward(x, h);                 // or into a caller's array of the right length
   */
  forward(x: Float32Array, out?: Float32Array): Float32Array {
    const where = 'ConvOperator.forward';
    this.live(where);
    const N = float32Batch(where, 'x', x, this.inputSize);
    const result = outputBuffer(where, out, N * this.outputSize);
    const src = overlaps(x, result) ? x.slice() : x;
    for (let n = 0; n < N; n++) {
      this.engine.f32(this.ptrIn, this.inputSize).set(src.subarray(n * this.inputSize, (n + 1) * this.inputSize));
      this.forwardPtr(this.ptrIn, this.ptrCode);
      result.set(this.engine.f32(this.ptrCode, this.outputSize), n * this.outputSize);
    }
    return result;
  }

  /**
   * x = W^T z, the exact adjoint of forward (a transposed convolution). Batches as forward.
   * @example
   * const xHat = W.transpose(z);
   */
  transpose(z: Float32Array, out?: Float32Array): Float32Array {
    const where = 'ConvOperator.transpose';
    this.live(where);
    const N = float32Batch(where, 'z', z, this.outputSize);
    const result = outputBuffer(where, out, N * this.inputSize);
    const src = overlaps(z, result) ? z.slice() : z;
    for (let n = 0; n < N; n++) {
      this.engine.f32(this.ptrCode, this.outputSize).set(src.subarray(n * this.outputSize, (n + 1) * this.outputSize));
      this.transposePtr(this.ptrCode, this.ptrIn);
      result.set(this.engine.f32(this.ptrIn, this.inputSize), n * this.inputSize);
    }
    return result;
  }

  /**
   * x = W^T z for one code given by its non-zeros: flat indices into `outputShape` and their
   * values. Costs O(nnz M kh kw) rather than a dense pass.
   * @example
   * const { z, support } = cs.project(W.forward(x), { shape: W.outputShape, pool: 2, density: 0.1 });
   * const xHat = W.transposeSparse(support, Float32Array.from(support, (i) => z[i]!));
   */
  transposeSparse(indices: Int32Array, values: Float32Array, out?: Float32Array): Float32Array {
    const where = 'ConvOperator.transposeSparse';
    this.live(where);
    if (!(indices instanceof Int32Array)) throw typeError(where, 'indices', 'an Int32Array', indices);
    float32Exact(where, 'values', values, indices.length);
    const nnz = indices.length;
    const fits = nnz <= this.sparseCapacity;
    if (fits) {
      // The usual case, a code no larger than an earlier one: check the copies in linear memory
      // (f32x4 / i32x4 scans in the SIMD module); as JavaScript loops the checks cost as much as
      // the sparse transpose itself on large codes. The scratch is the operator's own, so a
      // refused call leaves no trace.
      const heap = this.engine.views();
      heap.i32.set(indices, this.ptrSparseIdx >> 2);
      heap.f32.set(values, this.ptrSparseVal >> 2);
      const badValue = this.engine.k.firstNonFinite(this.ptrSparseVal, nnz);
      if (badValue >= 0) checkFinite(where, 'values', values);
      const badIndex = this.engine.k.firstOutside(this.ptrSparseIdx, nnz, this.outputSize);
      if (badIndex >= 0) throw this.indexOutside(where, indices, badIndex);
    } else {
      // A larger code than any before: check in JavaScript, before the scratch grows.
      checkFinite(where, 'values', values);
      for (let i = 0; i < nnz; i++) {
        const v = indices[i]!;
        if (v < 0 || v >= this.outputSize) throw this.indexOutside(where, indices, i);
      }
    }
    const result = outputBuffer(where, out, this.inputSize);
    if (!fits) {
      this.growSparse(nnz);
      this.engine.i32(this.ptrSparseIdx, nnz).set(indices);
      this.engine.f32(this.ptrSparseVal, nnz).set(values);
    }
    this.transposeSparsePtr(this.ptrSparseIdx, this.ptrSparseVal, nnz, this.ptrIn);
    result.set(this.engine.f32(this.ptrIn, this.inputSize));
    return result;
  }

  // A method, not a closure in transposeSparse: bundlers that keep function names wrap every
  // closure in a defineProperty call, which cost a tenth of a small sparse transpose.
  private indexOutside(where: string, indices: Int32Array, i: number): RangeError {
    return rangeError(where, `indices[${i}] = ${indices[i]} is outside [0, ${this.outputSize}) (outputShape ${this.outputShape.join('x')})`);
  }

  /**
   * @internal what transposeSparsePtr will need for codes of up to nnz non-zeros, allocated now
   * (the SIMD kernels regroup the code; the scalar one reads it as it is)
   */
  reserveSparse(nnz: number): void {
    if (this.engine.simd) this.growSparse(nnz);
  }

  /** Scratch for sparse codes of up to nnz entries: the caller's copy, and its regrouped form. */
  private growSparse(nnz: number): void {
    if (nnz <= this.sparseCapacity) return;
    const capacity = Math.max(nnz, 64);
    const old = [this.ptrSparseIdx, this.ptrSparseVal, this.ptrGrouped];
    const fresh = this.engine.heap.allocMany([capacity * 4, capacity * 4, capacity * 8]) as [number, number, number];
    const before = { capacity: this.sparseCapacity, owned: this.owned };
    this.engine.heap.onRefusal(() => {
      [this.ptrSparseIdx, this.ptrSparseVal, this.ptrGrouped] = old as [number, number, number];
      this.sparseCapacity = before.capacity;
      this.owned = before.owned;
      operatorRegistry?.unregister(this.token);
      operatorRegistry?.register(this, { engine: this.engine, ptrs: this.owned }, this.token);
    });
    if (this.sparseCapacity > 0) {
      for (const p of old) this.engine.heap.release(p);
      this.owned = this.owned.filter((p) => !old.includes(p));
    }
    [this.ptrSparseIdx, this.ptrSparseVal, this.ptrGrouped] = fresh;
    this.sparseCapacity = capacity;
    this.owned = [...this.owned, ...fresh];
    operatorRegistry?.unregister(this.token);
    operatorRegistry?.register(this, { engine: this.engine, ptrs: this.owned }, this.token);
  }

  /**
   * Free the operator's linear memory. Any later call throws a TypeError.
   * @example
   * W.dispose();
   * // or let the scope do it: `using W = cs.conv1d({ ... });`
   */
  dispose(): void {
    if (this.isDisposed) return;
    this.notInUse('ConvOperator.dispose', 'dispose');
    this.isDisposed = true;
    operatorRegistry?.unregister(this.token);
    for (const p of this.owned) this.engine.heap.release(p);
    this.owned = [];
  }

  /** The same as dispose(), for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

// Safety net for operators a caller forgets to dispose: their memory returns to the allocator
// when they are collected. Explicit dispose() is still the way to free memory promptly.
const operatorRegistry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ engine: Engine; ptrs: number[] }>(({ engine, ptrs }) => {
    for (const p of ptrs) engine.heap.release(p);
  })
  : undefined;
