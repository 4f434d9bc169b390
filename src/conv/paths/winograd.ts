// Winograd F(2x2, 3x3) or F(4x4, 3x3) (the layer's algorithm), stride 1: the forward, and the
// transpose as the correlation of the code (padded by 2 - padding) with the flipped filters. The
// tile scratch (padded input, transformed tiles, GEMM products) is the forward's, sized for both
// directions, and the transpose borrows it. The blocked driver is
// f32-conv2d-winograd-{2x2,4x4}-3x3-simd in the SIMD modules and its scalar reference otherwise:
// the same bits. With threads, each lane computes a range of tiles with scratch of its own.

import type { Engine } from '../../instance.js';
import type { ConvGeometry } from '../geometry.js';
import { chooseWinogradSplit, winogradSizes, type WinogradAlgorithm } from '../choose.js';
import type { WinogradTiling } from '../choose.js';
import { ForwardPath, TransposePath, type LayerBuffers } from './path.js';
import { splitRange } from '../../threads/split.js';

type FilterTransform = (w: number, K: number, M: number, transpose: number, U: number) => void;

/** The kernels of one tile size in this module: the blocked driver and the three steps it runs. */
interface WinogradKernels { driver: string; input: string; gemm: string; output: string; planes: number }

function kernels(engine: Engine, algorithm: WinogradAlgorithm): WinogradKernels {
  const tile = algorithm === 'winograd4x4' ? '4x4' : '2x2';
  const step = engine.simd ? '4x_simd' : 'scalar';
  return {
    driver: `f32_conv2d_winograd_${tile}_3x3_${engine.simd ? 'simd' : 'scalar'}`,
    input: `f32_winograd_${tile}_3x3_input_transform_${step}`,
    gemm: engine.simd ? 'f32_winograd_gemm_4x8_simd' : 'f32_winograd_gemm_scalar',
    output: `f32_winograd_${tile}_3x3_output_transform_${step}`,
    planes: algorithm === 'winograd4x4' ? 36 : 16,
  };
}

/** Scratch of one lane: the transformed tiles and the GEMM products of a block (bytes). */
interface LaneScratch { tiles: number; products: number; tileBytes: number; productBytes: number }

/**
 * The driver over all tiles and output channels of t: in one call, or split between the parts by
 * ranges of tiles or of output channels (chooseWinogradSplit), each part with its lane's scratch.
 */
function runTiles(engine: Engine, parts: number, where: string, k: WinogradKernels, P: number, I: number, t: WinogradTiling, U: number, O: number,
  s: LaneScratch, Ho: number, Wo: number, out: number): void {
  const T = t.TY * t.TX;
  const byChannels = parts > 1 && chooseWinogradSplit(T, O, parts) === 'channels';
  if (byChannels && T <= t.Tb) {
    // One block of tiles: transform the input tiles once, split by input channels, into one
    // shared V; then each part multiplies and transforms back its own output channels. (The
    // driver would have every part transform all the input tiles, about a tenth of the work at
    // 256 channels.) A part's channels are whole rows of V; split by tiles, the parts wrote
    // pieces of every row and shared the cache lines at each cut.
    const V = s.tiles, Om = s.products;
    engine.parallel(where, k.input, splitRange(I, parts).map(([c0, c1]) => [P, c0, c1, I, t.Hq, t.Wq, t.TX, 0, T, t.Tb, V]));
    const channels = splitRange(t.Op / 4, parts).map(([b, e]) => [4 * b, 4 * e] as const);
    engine.parallel(where, k.gemm, channels.map(([o0, o1]) => [U, V, Om, I, t.Op, o0, o1, t.Tb, T, k.planes]));
    engine.parallel(where, k.output, channels.map(([o0, o1]) => [Om, o0, Math.min(O, o1), t.Op, t.Tb, t.TX, 0, T, Ho, Wo, out]));
    return;
  }
  const ranges = byChannels
    ? splitRange(t.Op / 4, parts).map(([b, e]): [number, number, number, number] => [0, T, 4 * b, Math.min(O, 4 * e)])
    : splitRange(T, parts, 8).map(([b, e]): [number, number, number, number] => [b, e, 0, O]);
  engine.parallel(where, k.driver, ranges.map(([tBegin, tEnd, oBegin, oEnd], lane) => [
    P, I, t.Hq, t.Wq, t.TX, tBegin, tEnd, t.Tb, U, oBegin, oEnd, t.Op, s.tiles + lane * s.tileBytes, s.products + lane * s.productBytes, Ho, Wo, out,
  ]));
}

function filterTransform(engine: Engine, algorithm: WinogradAlgorithm): FilterTransform {
  return algorithm === 'winograd4x4'
    ? engine.abi.f32_winograd_4x4_3x3_filter_transform_scalar : engine.abi.f32_winograd_2x2_3x3_filter_transform_scalar;
}

export class WinogradForward extends ForwardPath {
  override readonly usesPadded = false;
  readonly plan: ReturnType<typeof winogradSizes>;
  private readonly kernels: WinogradKernels;
  private readonly transform: FilterTransform;

  constructor(engine: Engine, g: ConvGeometry, layer: LayerBuffers) {
    super(engine, g, layer);
    this.plan = winogradSizes(g);
    this.kernels = kernels(engine, g.algorithm as WinogradAlgorithm);
    this.transform = filterTransform(engine, g.algorithm as WinogradAlgorithm);
  }

  get sizes() {
    const p = this.plan;
    const lanes = this.parts;
    return { filters: p.U * 4, paddedInput: p.P * 4, tiles: p.V * 4 * lanes, products: p.O * 4 * lanes };
  }

  pack(): void {
    this.transform(this.layer.weights, this.g.K, this.g.M, 0, this.ptr.filters!);
  }

  run(inPtr: number, outPtr: number): void {
    const g = this.g;
    const t = this.plan.fwd;
    const { filters, paddedInput, tiles, products } = this.ptr as Record<string, number>;
    this.pad('forward', inPtr, paddedInput!, g.M, g.H, g.W, t.Hq, t.Wq, g.pt, g.pl);
    runTiles(this.engine, this.parts, 'forward', this.kernels, paddedInput!, g.M, t, filters!, g.K, this.laneScratch(tiles!, products!), g.Ho, g.Wo, outPtr);
  }

  /** Each lane's share of the tile scratch. */
  laneScratch(tiles: number, products: number): LaneScratch {
    return { tiles, products, tileBytes: this.plan.V * 4, productBytes: this.plan.O * 4 };
  }
}

export class WinogradTranspose extends TransposePath {
  override readonly usesPadded = false;
  private readonly kernels: WinogradKernels;
  private readonly transform: FilterTransform;

  constructor(engine: Engine, g: ConvGeometry, layer: LayerBuffers, private readonly forward: WinogradForward) {
    super(engine, g, layer);
    this.kernels = kernels(engine, g.algorithm as WinogradAlgorithm);
    this.transform = filterTransform(engine, g.algorithm as WinogradAlgorithm);
  }

  get sizes() {
    return { filters: this.forward.plan.UT * 4 };
  }

  pack(): void {
    this.transform(this.layer.weights, this.g.K, this.g.M, 1, this.ptr.filters!);
  }

  run(codePtr: number, outPtr: number): void {
    const g = this.g;
    const t = this.forward.plan.tr!;
    const { paddedInput, tiles, products } = this.forward.ptr as Record<string, number>;
    this.pad('transpose', codePtr, paddedInput!, g.K, g.Ho, g.Wo, t.Hq, t.Wq, 2 - g.pt, 2 - g.pl);
    runTiles(this.engine, this.forward.parts, 'transpose', this.kernels, paddedInput!, g.K, t, this.ptr.filters!, g.M, this.forward.laneScratch(tiles!, products!), g.H, g.W, outPtr);
  }
}
