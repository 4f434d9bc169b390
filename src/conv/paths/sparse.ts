// The sparse transpose x = W^T z from (index, value) pairs. SIMD modules: below one non-zero in
// SPARSE_AXPY_ONE_IN, f32-conv2d-transpose-sparse-axpy16-simd adds each non-zero's channel-last
// filter; from there on the code is regrouped by (block of filters, pixel) and reduced against
// the 24- or 32-column sparse panels (the tile and blocks from sparsePlan). A 3x3 layer onto at
// most 4 channels takes f32-conv2d-transpose-sparse-3x3c4-simd at every density instead, into the
// padded scratch as 4-float pixels. The scalar module runs the reference on the plain weights. All
// accumulate in a padded scratch, then crop. With threads, the SIMD kernels split the kept rows
// into bands (each thread adds only into its own); the scalar module's route runs on the calling
// thread.

import type { Engine } from '../../instance.js';
import type { ConvGeometry } from '../geometry.js';
import { chooseParts, sparsePlan, type SparsePlan, type SparseRoute } from '../choose.js';
import { splitRange } from '../../threads/split.js';
import { ConvPath, taps, type LayerBuffers } from './path.js';

/** The routes a sparse path runs (the dense Winograd one is the operator's). */
export type SparsePathRoute = Exclude<SparseRoute, 'dense-winograd'>;

export abstract class SparseTransposePath extends ConvPath {
  /** Bytes of scratch per non-zero beyond the pairs themselves. */
  abstract readonly bytesPerNonZero: number;
  /** `scratch`: this path's growable buffer for the code's current capacity. */
  abstract run(idxPtr: number, valPtr: number, nnz: number, outPtr: number, route: SparsePathRoute, scratch: number): void;

  /** The accumulator rows the crop keeps, in one band per thread that a code of nnz non-zeros is split over. */
  protected keptRowBands(nnz: number): Array<readonly [number, number]> {
    const g = this.g;
    return splitRange(g.H, chooseParts(this.engine.lanes, nnz * taps(g))).map(([a, b]) => [g.pt + a, g.pt + b] as const);
  }
}

export class SparseTransposeSimd extends SparseTransposePath {
  readonly plan: Readonly<SparsePlan>;
  readonly bytesPerNonZero = 8; // the regrouped (filter, value) pairs
  override readonly readsChannelLast = true;

  constructor(engine: Engine, g: ConvGeometry, layer: LayerBuffers) {
    super(engine, g, layer);
    this.plan = Object.freeze(sparsePlan(g.K, taps(g)));
  }

  private get columns(): number {
    return Math.ceil(taps(this.g) / this.plan.tile) * this.plan.tile;
  }

  get sizes() {
    const g = this.g;
    return {
      panels: this.columns * g.K * 4 + 48, // aligned to 64 in setup
      columnOffsets: this.columns * 4,
      rowStarts: (this.plan.blocks * g.Ho * g.Wo + 1) * 4,
      // the regrouping's counters, then cursors: one set per range of entries (one per thread),
      // then one flag per range (whether its indices ascend)
      regroupCursors: this.engine.lanes * (this.plan.blocks * g.Ho * g.Wo + 1) * 4,
    };
  }

  /** Panel rows (96 or 128 bytes) start on cache-line boundaries, so each spans 2 lines, not 3. */
  private get panels(): number {
    return Math.ceil(this.ptr.panels! / 64) * 64;
  }

  override setup(): void {
    const g = this.g;
    this.engine.abi.i32_conv2d_transpose_offsets_scalar(g.M, g.kh, g.kw, g.Wp, this.ptr.columnOffsets!, this.columns);
  }

  pack(): void {
    const a = this.engine.abi;
    if (this.plan.tile === 24) a.f32_pack_conv2d_transpose_24_scalar(this.layer.channelLast, this.g.K, taps(this.g), this.panels);
    else a.f32_pack_conv2d_transpose_32_scalar(this.layer.channelLast, this.g.K, taps(this.g), this.panels);
  }

  /**
   * The code's (index, value) pairs regrouped by (block of filters, pixel) into `grouped`, with
   * each bucket's start in rowStarts: a stable counting sort. Its count pass runs by ranges of
   * entries on the threads, each with its own counters (then cursors). A code in index order
   * (a support) is then placed by ranges of pixels, in tiles that keep its writes in cache; any
   * other order, by the ranges of entries. Both give the pairs of one pass.
   */
  private regroup(idxPtr: number, valPtr: number, nnz: number, grouped: number): void {
    const g = this.g;
    const { tile, kbShift, blocks } = this.plan;
    const P = g.Ho * g.Wo, buckets = blocks * P;
    const cursors = this.ptr.regroupCursors!;
    const ascending = cursors + this.engine.lanes * buckets * 4; // one flag per range of entries
    const parts = chooseParts(this.engine.lanes, nnz);
    const ranges = nnz === 0 ? [[0, 0] as [number, number]] : splitRange(nnz, parts);
    this.engine.parallel('transposeSparse', 'i32_sparse_code_count_scalar', ranges.map(([j0, j1], t) => [
      idxPtr, j0, j1, P, kbShift, buckets, cursors + t * buckets * 4, ascending + t * 4,
    ]));
    this.engine.abi.i32_sparse_code_offsets_scalar(cursors, ranges.length, buckets, this.ptr.rowStarts!);
    const idx = this.engine.i32(idxPtr, nnz);
    const inOrder = this.engine.i32(ascending, ranges.length).every((a) => a === 1) &&
      ranges.every(([j0], t) => t === 0 || idx[j0 - 1]! <= idx[j0]!);
    if (inOrder) {
      // the first range's cursors start at each bucket's start; each range of pixels owns its buckets
      this.engine.parallel('transposeSparse', 'i32_sparse_code_place_ascending_scalar', splitRange(P, parts).map(([p0, p1]) => [
        idxPtr, valPtr, nnz, g.K, P, kbShift, tile << 2, cursors, grouped, p0, p1,
      ]));
      return;
    }
    this.engine.parallel('transposeSparse', 'i32_sparse_code_place_scalar', ranges.map(([j0, j1], t) => [
      idxPtr, valPtr, j0, j1, P, kbShift, tile << 2, cursors + t * buckets * 4, grouped,
    ]));
  }

  run(idxPtr: number, valPtr: number, nnz: number, outPtr: number, route: SparsePathRoute, grouped: number): void {
    const g = this.g;
    const s = this.engine.simdAbi!;
    const acc = this.layer.padded;
    this.engine.k.zero(acc, g.M * g.Hp * g.Wp * 4);
    // With threads: bands of the rows the crop keeps, each thread adding into its own band.
    const bands = this.keptRowBands(nnz);
    if (route === 'axpy16') {
      this.engine.parallel('transposeSparse', 'f32_conv2d_transpose_sparse_axpy16_simd', bands.map(([y0, y1]) => [
        idxPtr, valPtr, nnz, g.Ho, g.Wo, this.layer.channelLast, g.M, g.kh, g.kw, g.sh, g.sw, g.Wp, y0, y1, acc,
      ]));
    } else {
      const { tile, blocks, groupTile } = this.plan;
      const L = taps(g);
      this.regroup(idxPtr, valPtr, nnz, grouped);
      if (tile === 24) {
        this.engine.parallel('transposeSparse', 'f32_conv2d_transpose_sparse_1x24_kblock_simd', bands.map(([y0, y1]) => [
          this.ptr.rowStarts!, grouped, blocks, groupTile, g.Ho, g.Wo, this.panels, g.K, L,
          this.ptr.columnOffsets!, g.M, g.kw, g.sh, g.sw, g.Wp, g.pt, g.pl, g.H, g.W, y0, y1, acc,
        ]));
      } else {
        this.engine.parallel('transposeSparse', 'f32_conv2d_transpose_sparse_1x32_simd', bands.map(([y0, y1]) => [
          this.ptr.rowStarts!, grouped, blocks, g.Ho, g.Wo, this.panels, g.K, L,
          this.ptr.columnOffsets!, g.M, g.kw, g.sh, g.sw, g.Wp, g.pt, g.pl, g.H, g.W, y0, y1, acc,
        ]));
      }
    }
    s.f32_crop2d_hwc_to_chw_4x4_simd(acc, outPtr, g.M, g.M, g.H, g.W, g.Wp, g.pt, g.pl);
  }
}

/**
 * 3x3 filters onto at most 4 channels: each non-zero's filter, 9 f32x4 of 4-channel taps, added
 * into the layer's padded scratch as a [Hp][Wp][4] accumulator in the order of the non-zeros (the
 * scalar reference's bits), then cropped to [M][H][W].
 */
export class SparseTransposeC4Simd extends SparseTransposePath {
  readonly bytesPerNonZero = 0;

  override get paddedPixelFloats(): number {
    return 4;
  }

  get sizes() {
    return { filters: this.g.K * 9 * 16 };
  }

  pack(): void {
    const g = this.g;
    this.engine.abi.f32_pack_conv2d_transpose_c4_scalar(this.layer.weights, g.K, g.M, g.kh, g.kw, this.ptr.filters!);
  }

  run(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void {
    const g = this.g;
    const acc = this.layer.padded;
    this.engine.k.zero(acc, g.Hp * g.Wp * 16);
    const bands = this.keptRowBands(nnz);
    this.engine.parallel('transposeSparse', 'f32_conv2d_transpose_sparse_3x3c4_simd', bands.map(([y0, y1]) => [
      idxPtr, valPtr, nnz, g.K, g.Ho, g.Wo, this.ptr.filters!, g.sh, g.sw, g.Wp, y0, y1, bands.length > 1 ? 1 : 0, acc,
    ]));
    this.engine.simdAbi!.f32_crop2d_hwc_to_chw_4x4_simd(acc, outPtr, g.M, 4, g.H, g.W, g.Wp, g.pt, g.pl);
  }
}

export class SparseTransposeScalar extends SparseTransposePath {
  readonly sizes = {};
  readonly bytesPerNonZero = 0;

  pack(): void {}

  run(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void {
    const g = this.g;
    const acc = this.layer.padded;
    this.engine.k.zero(acc, g.M * g.Hp * g.Wp * 4);
    this.engine.abi.f32_conv2d_transpose_sparse_scalar(idxPtr, valPtr, nnz, g.Ho, g.Wo, this.layer.weights, g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, acc);
    this.engine.k.crop2dChw(acc, outPtr, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
  }
}
