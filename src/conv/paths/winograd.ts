// Winograd F(2x2, 3x3) or F(4x4, 3x3) (the layer's algorithm), stride 1: the forward, and the
// transpose as the correlation of the code (padded by 2 - padding) with the flipped filters. The
// tile scratch (padded input, transformed tiles, GEMM products) is the forward's, sized for both
// directions, and the transpose borrows it. The blocked driver is
// f32-conv2d-winograd-{2x2,4x4}-3x3-simd in the SIMD modules and its scalar reference otherwise:
// the same bits.

import type { Engine } from '../../instance.js';
import type { ConvGeometry } from '../geometry.js';
import { winogradSizes, type WinogradAlgorithm } from '../choose.js';
import { ForwardPath, TransposePath, type LayerBuffers } from './path.js';

type Driver = (P: number, I: number, Hq: number, Wq: number, TY: number, TX: number, Tb: number,
  U: number, O: number, Op: number, V: number, Om: number, Ho: number, Wo: number, out: number) => void;

type FilterTransform = (w: number, K: number, M: number, transpose: number, U: number) => void;

function driver(engine: Engine, algorithm: WinogradAlgorithm): Driver {
  if (algorithm === 'winograd4x4') {
    return engine.simdAbi ? engine.simdAbi.f32_conv2d_winograd_4x4_3x3_simd : engine.abi.f32_conv2d_winograd_4x4_3x3_scalar;
  }
  return engine.simdAbi ? engine.simdAbi.f32_conv2d_winograd_2x2_3x3_simd : engine.abi.f32_conv2d_winograd_2x2_3x3_scalar;
}

function filterTransform(engine: Engine, algorithm: WinogradAlgorithm): FilterTransform {
  return algorithm === 'winograd4x4'
    ? engine.abi.f32_winograd_4x4_3x3_filter_transform_scalar : engine.abi.f32_winograd_2x2_3x3_filter_transform_scalar;
}

export class WinogradForward extends ForwardPath {
  override readonly usesPadded = false;
  readonly plan: ReturnType<typeof winogradSizes>;
  private readonly drive: Driver;
  private readonly transform: FilterTransform;

  constructor(engine: Engine, g: ConvGeometry, layer: LayerBuffers) {
    super(engine, g, layer);
    this.plan = winogradSizes(g);
    this.drive = driver(engine, g.algorithm as WinogradAlgorithm);
    this.transform = filterTransform(engine, g.algorithm as WinogradAlgorithm);
  }

  get sizes() {
    const p = this.plan;
    return { filters: p.U * 4, paddedInput: p.P * 4, tiles: p.V * 4, products: p.O * 4 };
  }

  pack(): void {
    this.transform(this.layer.weights, this.g.K, this.g.M, 0, this.ptr.filters!);
  }

  run(inPtr: number, outPtr: number): void {
    const g = this.g;
    const t = this.plan.fwd;
    const { filters, paddedInput, tiles, products } = this.ptr as Record<string, number>;
    this.engine.k.pad2dChw(inPtr, paddedInput!, g.M, g.H, g.W, t.Hq, t.Wq, g.pt, g.pl);
    this.drive(paddedInput!, g.M, t.Hq, t.Wq, t.TY, t.TX, t.Tb, filters!, g.K, t.Op, tiles!, products!, g.Ho, g.Wo, outPtr);
  }
}

export class WinogradTranspose extends TransposePath {
  override readonly usesPadded = false;
  private readonly drive: Driver;
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
    this.engine.k.pad2dChw(codePtr, paddedInput!, g.K, g.Ho, g.Wo, t.Hq, t.Wq, 2 - g.pt, 2 - g.pl);
    this.drive(paddedInput!, g.K, t.Hq, t.Wq, t.TY, t.TX, t.Tb, this.ptr.filters!, g.M, t.Op, tiles!, products!, g.H, g.W, outPtr);
  }
}
