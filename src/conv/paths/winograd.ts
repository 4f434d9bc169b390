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

/** The blocked driver's name: the kernel every lane calls on its range of tiles. */
function driver(engine: Engine, algorithm: WinogradAlgorithm): string {
  const tile = algorithm === 'winograd4x4' ? '4x4' : '2x2';
  return `f32_conv2d_winograd_${tile}_3x3_${engine.simd ? 'simd' : 'scalar'}`;
}

/** Scratch of one lane: the transformed tiles and the GEMM products of a block (bytes). */
interface LaneScratch { tiles: number; products: number; tileBytes: number; productBytes: number }

/**
 * The driver over all tiles and output channels of t: in one call, or split between the parts by
 * ranges of tiles or of output channels (chooseWinogradSplit), each part with its lane's scratch.
 */
function runTiles(engine: Engine, parts: number, where: string, name: string, P: number, I: number, t: WinogradTiling, U: number, O: number,
  s: LaneScratch, Ho: number, Wo: number, out: number): void {
  const T = t.TY * t.TX;
  const byChannels = parts > 1 && chooseWinogradSplit(T, O, parts) === 'channels';
  const ranges = byChannels
    ? splitRange(t.Op / 4, parts).map(([b, e]): [number, number, number, number] => [0, T, 4 * b, Math.min(O, 4 * e)])
    : splitRange(T, parts, 8).map(([b, e]): [number, number, number, number] => [b, e, 0, O]);
  engine.parallel(where, name, ranges.map(([tBegin, tEnd, oBegin, oEnd], lane) => [
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
  private readonly drive: string;
  private readonly transform: FilterTransform;

  constructor(engine: Engine, g: ConvGeometry, layer: LayerBuffers) {
    super(engine, g, layer);
    this.plan = winogradSizes(g);
    this.drive = driver(engine, g.algorithm as WinogradAlgorithm);
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
    runTiles(this.engine, this.parts, 'forward', this.drive, paddedInput!, g.M, t, filters!, g.K, this.laneScratch(tiles!, products!), g.Ho, g.Wo, outPtr);
  }

  /** Each lane's share of the tile scratch. */
  laneScratch(tiles: number, products: number): LaneScratch {
    return { tiles, products, tileBytes: this.plan.V * 4, productBytes: this.plan.O * 4 };
  }
}

export class WinogradTranspose extends TransposePath {
  override readonly usesPadded = false;
  private readonly drive: string;
  private readonly transform: FilterTransform;

  constructor(engine: Engine, g: ConvGeometry, layer: LayerBuffers, private readonly forward: WinogradForward) {
    super(engine, g, layer);
    this.drive = driver(engine, g.algorithm as WinogradAlgorithm);
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
    runTiles(this.engine, this.forward.parts, 'transpose', this.drive, paddedInput!, g.K, t, this.ptr.filters!, g.M, this.forward.laneScratch(tiles!, products!), g.H, g.W, outPtr);
  }
}
