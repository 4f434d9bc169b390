// The one place that decides how a convolution is computed: direct, Winograd or
// pixel-vectorized in each direction, the sparse transpose's kernel (its tile and blocking), the
// density cut-overs between sparse kernels, and the 2x2 block maxima of the projection.
// Everything here is a pure function of the layer's shape, the module (SIMD or scalar) and, for
// sparse codes, the number of non-zeros; paths/ carry the choices out.

import type { ConvGeometry } from './geometry.js';
import { rangeError } from '../validate.js';

/** Channel count (in and out) from which 'auto' picks Winograd for 3x3 stride-1 layers. */
export const WINOGRAD_MIN_CHANNELS = 8;

/**
 * Bytes of transformed tiles and GEMM products per block of tiles: blocks this size keep both in
 * L2 while the filters stream past, and bound the scratch whatever the image size.
 */
export const WINOGRAD_BLOCK_BYTES = 2 << 20;

/**
 * Bytes of transformed tiles and GEMM products per block of F(4x4, 3x3) tiles. Every block streams
 * all the transformed filters (36 planes, 2.25 times F(2x2)'s) past its tiles, so F(4x4) takes
 * larger blocks: one block for the layers measured (npm run bench).
 */
export const WINOGRAD_4X4_BLOCK_BYTES = 8 << 20;

/**
 * 'auto' takes Winograd F(4x4, 3x3) instead of F(2x2, 3x3) for layers with at least
 * WINOGRAD_4X4_MIN_CHANNELS and at most WINOGRAD_4X4_MAX_CHANNELS channels each way whose
 * F(4x4) GEMM work (36 products per tile, tiles rounded up to 8) is at most
 * WINOGRAD_4X4_MAX_WORK of F(2x2)'s (16 per tile). Measured: below 64 channels the transforms
 * dominate and F(2x2) is as fast or faster; on small images the rounding of tiles and the larger
 * transformed filters make F(4x4) slower. The channel cap bounds the error, which grows with the
 * reduction length: within the golden tolerance up to 512 channels (measured in
 * docs/winograd.md by scripts/winograd-accuracy.ts).
 */
export const WINOGRAD_4X4_MIN_CHANNELS = 64;
export const WINOGRAD_4X4_MAX_CHANNELS = 512;
export const WINOGRAD_4X4_MAX_WORK = 0.7;

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

/**
 * Below one non-zero in this many code entries the SIMD sparse transpose adds each non-zero's
 * whole channel-last filter (f32-conv2d-transpose-sparse-axpy16); from there on, the code is
 * regrouped by pixel and reduced against the sparse panels.
 */
export const SPARSE_AXPY_ONE_IN = 20;

/** Output tile side of each Winograd algorithm: F(2x2, 3x3) or F(4x4, 3x3). */
export type WinogradAlgorithm = 'winograd' | 'winograd4x4';

export function winogradTile(algorithm: WinogradAlgorithm): 2 | 4 {
  return algorithm === 'winograd4x4' ? 4 : 2;
}

/**
 * Sizes (in floats) and tilings of a Winograd F(2x2, 3x3) or F(4x4, 3x3) layer, forward and transposed. The
 * transpose is the correlation of the code, padded by 2 - padding, with the flipped filters, so
 * it runs on Winograd too when every padding is at most 2 (always so for 'same' and 'valid').
 */
export interface WinogradTiling {
  /** tiles of m x m outputs, tiles per block (a multiple of 8), padded input rows and columns */
  TY: number; TX: number; Tb: number; Hq: number; Wq: number;
  /** input channels, output channels rounded up to 4 */
  I: number; Op: number;
}

/** The tiling of an Ho x Wo output in m x m tiles ((m + 2)^2 transform planes). */
export function winogradTiling(Ho: number, Wo: number, I: number, O: number, m: 2 | 4 = 2): WinogradTiling {
  const TY = Math.ceil(Ho / m);
  const TX = Math.ceil(Wo / m);
  const Op = Math.ceil(O / 4) * 4;
  const planes = (m + 2) * (m + 2);
  const all = Math.ceil((TY * TX) / 8) * 8;
  const fit = Math.floor((m === 4 ? WINOGRAD_4X4_BLOCK_BYTES : WINOGRAD_BLOCK_BYTES) / (planes * (I + Op) * 4) / 8) * 8;
  return { TY, TX, Tb: Math.min(all, Math.max(8, fit)), Hq: m * TY + 2, Wq: m * TX + 2, I, Op };
}

/** The layer's shape before an algorithm is chosen. */
export type ConvShape = Omit<ConvGeometry, 'algorithm'>;

/** Whether 'auto' takes F(4x4, 3x3) rather than F(2x2, 3x3) for a Winograd layer (see WINOGRAD_4X4_MAX_WORK). */
export function prefersWinograd4x4(g: ConvShape): boolean {
  const lo = Math.min(g.M, g.K), hi = Math.max(g.M, g.K);
  if (lo < WINOGRAD_4X4_MIN_CHANNELS || hi > WINOGRAD_4X4_MAX_CHANNELS) return false;
  const work = (m: number, planes: number) => planes * Math.ceil((Math.ceil(g.Ho / m) * Math.ceil(g.Wo / m)) / 8) * 8;
  return work(4, 36) <= WINOGRAD_4X4_MAX_WORK * work(2, 16);
}

/**
 * 'auto' picks Winograd for 3x3 stride-1 layers of at least WINOGRAD_MIN_CHANNELS channels each
 * way: F(4x4, 3x3) where prefersWinograd4x4 says so, F(2x2, 3x3) otherwise.
 */
export function chooseAlgorithm(where: string, g: ConvShape, requested: 'auto' | 'direct' | WinogradAlgorithm): 'direct' | WinogradAlgorithm {
  const fits = g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1;
  if ((requested === 'winograd' || requested === 'winograd4x4') && !fits) {
    throw rangeError(where, `algorithm '${requested}' needs a 3x3 kernel and stride 1, got kernel ${g.kh}x${g.kw} and stride ${g.sh}x${g.sw}`);
  }
  if (requested === 'winograd' || requested === 'winograd4x4') return requested;
  if (requested === 'direct' || !fits || g.M < WINOGRAD_MIN_CHANNELS || g.K < WINOGRAD_MIN_CHANNELS) return 'direct';
  return prefersWinograd4x4(g) ? 'winograd4x4' : 'winograd';
}

/** How each dense direction of a layer runs in a module. */
export interface ConvPaths {
  forward: 'direct' | WinogradAlgorithm | 'pixel';
  transpose: 'direct' | WinogradAlgorithm | 'pixel';
  /** the sparse transpose: the grouped sparse GEMM (SIMD), its 3x3 kernel onto <= 4 channels, or the scalar reference */
  sparse: 'grouped' | 'c4' | 'scalar';
}

/**
 * A Winograd layer's transpose is Winograd too when every padding is at most 2 (the transpose is
 * the correlation of the code padded by 2 - padding with the flipped filters): always so for
 * 'same' and 'valid'. The pixel-vectorized kernel (SIMD only) takes the forward of stride-1 direct
 * layers with few output channels, and the transpose (as the correlation of the code padded by
 * kernel - 1 - padding with the flipped filters) of 3- or 6-channel inputs: see PIXEL_FORWARD_MAX.
 * The SIMD sparse transpose of a 3x3 layer onto at most 4 channels (a photograph's first layer)
 * adds each non-zero's filter into 4-float pixels (f32-conv2d-transpose-sparse-3x3c4-simd), needing
 * no regrouping of the code: faster there than the grouped sparse GEMM at every density measured
 * (bench/README.md, "Sparse transposes onto few channels").
 */
export function choosePaths(g: ConvGeometry, simd: boolean): ConvPaths {
  const winograd = g.algorithm !== 'direct';
  const winogradTranspose = winograd && Math.max(g.pt, g.pb, g.pl, g.pr) <= 2;
  const stride1 = g.sh === 1 && g.sw === 1;
  const pixelForward = simd && g.algorithm === 'direct' && stride1 && g.K <= PIXEL_FORWARD_MAX;
  const pixelTranspose = simd && !winogradTranspose && stride1 && g.M <= PIXEL_FORWARD_MAX && g.M % 3 === 0 &&
    Math.max(g.pt, g.pb) <= g.kh - 1 && Math.max(g.pl, g.pr) <= g.kw - 1;
  return {
    forward: g.algorithm !== 'direct' ? g.algorithm : pixelForward ? 'pixel' : 'direct',
    transpose: winogradTranspose ? g.algorithm as WinogradAlgorithm : pixelTranspose ? 'pixel' : 'direct',
    sparse: !simd ? 'scalar' : g.M <= 4 && g.kh === 3 && g.kw === 3 ? 'c4' : 'grouped',
  };
}

/**
 * Floats after each plane of the Winograd tile scratch (transformed tiles V, GEMM products Om):
 * one cache line, so that a tile's values, one per plane, do not all fall in one L1 set when a
 * plane is a multiple of 4 KB. The kernels step by the same (assembly/helpers/f32-winograd-plane-bytes.ts).
 */
export const WINOGRAD_PLANE_PAD_FLOATS = 16;

/** Floats of one plane of `rows` rows of Tb tiles in the Winograd tile scratch, its line of padding included. */
export function winogradPlaneFloats(rows: number, Tb: number): number {
  return rows * Tb + WINOGRAD_PLANE_PAD_FLOATS;
}

/** Floats of a Winograd layer's buffers: forward and transposed filters, padded input, tiles, products. */
export function winogradSizes(g: ConvGeometry): { fwd: WinogradTiling; tr: WinogradTiling | undefined; U: number; UT: number; P: number; V: number; O: number } {
  const m = winogradTile(g.algorithm as WinogradAlgorithm);
  const planes = (m + 2) * (m + 2);
  const transposed = choosePaths(g, false).transpose !== 'direct';
  const fwd = winogradTiling(g.Ho, g.Wo, g.M, g.K, m);
  const tr = transposed ? winogradTiling(g.H, g.W, g.K, g.M, m) : undefined;
  return {
    fwd, tr,
    U: planes * fwd.Op * g.M,
    UT: tr ? planes * tr.Op * g.K : 0,
    P: Math.max(g.M * fwd.Hq * fwd.Wq, tr ? g.K * tr.Hq * tr.Wq : 0),
    V: planes * Math.max(winogradPlaneFloats(fwd.I, fwd.Tb), tr ? winogradPlaneFloats(tr.I, tr.Tb) : 0),
    O: planes * Math.max(winogradPlaneFloats(fwd.Op, fwd.Tb), tr ? winogradPlaneFloats(tr.Op, tr.Tb) : 0),
  };
}

/** How one sparse transpose of nnz non-zeros runs. */
export type SparseRoute = 'dense-winograd' | 'axpy16' | 'grouped' | 'c4' | 'scalar';

/**
 * On a Winograd-transposed layer, a code dense enough runs the dense Winograd transpose on the
 * scattered code (WINOGRAD_DENSE_FROM); otherwise the layer's sparse path runs, the grouped one
 * taking the axpy kernel below SPARSE_AXPY_ONE_IN and the grouped sparse GEMM from it on.
 */
export function chooseSparseRoute(paths: ConvPaths, nnz: number, codeSize: number): SparseRoute {
  const winograd = paths.transpose === 'winograd' || paths.transpose === 'winograd4x4';
  if (winograd && nnz > WINOGRAD_DENSE_FROM * codeSize) return 'dense-winograd';
  if (paths.sparse !== 'grouped') return paths.sparse;
  return nnz * SPARSE_AXPY_ONE_IN < codeSize ? 'axpy16' : 'grouped';
}

/** 2x2 pooling blocks take the four-blocks-per-f32x4 kernel in the SIMD module (same winners). */
export function chooseBlockMax(simd: boolean, ph: number, pw: number): '2x2-simd' | 'scalar' {
  return simd && ph === 2 && pw === 2 ? '2x2-simd' : 'scalar';
}

/**
 * Multiply-adds of one operation from which it is split between the instance's threads: below
 * this, waking them costs about what they would save (measured in bench/threads.ts).
 */
export const PARALLEL_MIN_WORK = 1 << 18;

/** Into how many parts an operation of `work` multiply-adds is split on an instance of `lanes`. */
export function chooseParts(lanes: number, work: number): number {
  return work >= PARALLEL_MIN_WORK ? lanes : 1;
}

/**
 * Parts per thread for an operation whose parts need no scratch of their own. The threads claim
 * parts as they free up, so a thread running slower than the others (a shared machine's virtual
 * core whose neighbours are busy, a phone's small core) ends up with fewer; two halves would
 * leave the faster one waiting. The cuts never change a bit.
 */
export const PARTS_PER_THREAD = 4;

/** chooseParts, in PARTS_PER_THREAD parts per thread once split (for parts without scratch of their own). */
export function chooseClaimedParts(lanes: number, work: number): number {
  const parts = chooseParts(lanes, work);
  return parts === 1 ? 1 : parts * PARTS_PER_THREAD;
}

/**
 * Floats from which the streaming element-wise operations are split between the threads: each
 * element costs a load or a store, not a multiply-add, so splitting pays later than for work of
 * the same count (bench/split-sizes.ts: one call against two halves, the thread asleep before).
 * Zeroing is the cheapest per element, so it is split the latest. Gathers and scatters, whose
 * reads or writes land all over a long code, keep PARALLEL_MIN_WORK.
 */
export const PARALLEL_MIN_FLOATS = { zero: 1 << 22, copy: 1 << 21, arithmetic: 1 << 20 } as const;

/** The kinds of streaming element-wise operation PARALLEL_MIN_FLOATS has a threshold for. */
export type StreamKind = keyof typeof PARALLEL_MIN_FLOATS;

/** Into how many parts a streaming element-wise operation on `floats` floats is split. */
export function chooseStreamParts(lanes: number, kind: StreamKind, floats: number): number {
  return floats >= PARALLEL_MIN_FLOATS[kind] ? lanes : 1;
}

/**
 * How the threads split a Winograd convolution of `tiles` tiles and `outChannels` output
 * channels into `parts`: by ranges of tiles, each part streaming all the transformed filters past
 * its tiles; or, with too few tiles for each part to fill its GEMM's blocks of 8 evenly, by ranges
 * of output channels, each part transforming all the input tiles itself (a few percent of the
 * work) and streaming only its share of the filters.
 */
export function chooseWinogradSplit(tiles: number, outChannels: number, parts: number): 'tiles' | 'channels' {
  return tiles < WINOGRAD_SPLIT_TILES_PER_PART * parts && outChannels >= 16 * parts ? 'channels' : 'tiles';
}

/** Tiles per part from which a Winograd convolution is split by tiles (chooseWinogradSplit). */
export const WINOGRAD_SPLIT_TILES_PER_PART = 32;
