// The direct forward and dense transpose: the 4x8 micro-kernels on packed panels in the SIMD
// modules (the transpose accumulating channel-last), the scalar references on the plain weights
// in the scalar module. With threads, the forward splits the output channels between the lanes
// (blocks of 8 in the SIMD modules), and the SIMD transpose the output rows into bands (each lane
// adds only into its rows); the scalar transpose runs on one.

import { ForwardPath, TransposePath, taps } from './path.js';
import { splitRange } from '../../threads/split.js';

/** f32-conv2d-4x8-simd: panels of 8 filters [M][kh][kw][8], and the input offset of every tap. */
export class DirectForwardSimd extends ForwardPath {
  get sizes() {
    return { panels: Math.ceil(this.g.K / 8) * 8 * taps(this.g) * 4, tapOffsets: taps(this.g) * 4 };
  }

  override setup(): void {
    const g = this.g;
    this.engine.abi.i32_conv2d_tap_offsets_scalar(g.M, g.kh, g.kw, g.Hp, g.Wp, this.ptr.tapOffsets!);
  }

  pack(): void {
    this.engine.abi.f32_pack_conv2d_8_scalar(this.layer.weights, this.g.K, taps(this.g), this.ptr.panels!);
  }

  run(inPtr: number, outPtr: number): void {
    const g = this.g;
    this.pad('forward', inPtr, this.layer.padded, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
    const L = taps(g), P = g.Ho * g.Wo;
    this.engine.parallel('forward', 'f32_conv2d_4x8_simd', splitRange(Math.ceil(g.K / 8), this.claimedParts).map(([b0, b1]) => [
      this.layer.padded, g.Wp, this.ptr.tapOffsets!, L, this.ptr.panels! + b0 * 8 * L * 4, Math.min(g.K, b1 * 8) - b0 * 8, g.sh, g.sw, g.Ho, g.Wo,
      outPtr + b0 * 8 * P * 4,
    ]));
  }
}

/** f32-conv2d-scalar on the plain weights. */
export class DirectForwardScalar extends ForwardPath {
  readonly sizes = {};

  pack(): void {}

  run(inPtr: number, outPtr: number): void {
    const g = this.g;
    this.pad('forward', inPtr, this.layer.padded, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
    const L = taps(g), P = g.Ho * g.Wo;
    this.engine.parallel('forward', 'f32_conv2d_scalar', splitRange(g.K, this.claimedParts).map(([k0, k1]) => [
      this.layer.padded, g.Hp, g.Wp, g.M, this.layer.weights + k0 * L * 4, k1 - k0, g.kh, g.kw, g.sh, g.sw, g.Ho, g.Wo, outPtr + k0 * P * 4,
    ]));
  }
}

/** f32-conv2d-transpose-4x8-simd: transposed panels of 8 columns and each column's accumulator offset. */
export class DirectTransposeSimd extends TransposePath {
  override readonly readsChannelLast = true;

  private get columns(): number {
    return Math.ceil(taps(this.g) / 8) * 8;
  }

  get sizes() {
    return { panels: this.columns * this.g.K * 4, columnOffsets: this.columns * 4 };
  }

  override setup(): void {
    const g = this.g;
    this.engine.abi.i32_conv2d_transpose_offsets_scalar(g.M, g.kh, g.kw, g.Wp, this.ptr.columnOffsets!, this.columns);
  }

  pack(): void {
    this.engine.abi.f32_pack_conv2d_transpose_8_scalar(this.layer.channelLast, this.g.K, taps(this.g), this.ptr.panels!);
  }

  run(codePtr: number, outPtr: number): void {
    const g = this.g;
    const s = this.engine.simdAbi!;
    this.engine.k.zero(this.layer.padded, g.M * g.Hp * g.Wp * 4);
    // bands of the rows the crop keeps, each with the code rows that reach it
    const bands = splitRange(g.H, this.parts).map(([a, b]) => {
      const y0 = g.pt + a, y1 = g.pt + b;
      const oy0 = Math.max(0, Math.ceil((y0 - g.kh + 1) / g.sh)), oy1 = Math.min(g.Ho, Math.floor((y1 - 1) / g.sh) + 1);
      return [codePtr, g.K, g.Ho, g.Wo, this.ptr.panels!, taps(g), this.ptr.columnOffsets!, g.M, g.sh, g.sw, g.Wp,
        oy0 * g.Wo, Math.max(oy0, oy1) * g.Wo, y0, y1, this.layer.padded];
    });
    this.engine.parallel('transpose', 'f32_conv2d_transpose_4x8_simd', bands);
    s.f32_crop2d_hwc_to_chw_4x4_simd(this.layer.padded, outPtr, g.M, g.M, g.H, g.W, g.Wp, g.pt, g.pl);
  }
}

/** f32-conv2d-transpose-scalar on the plain weights, accumulating channel-first. */
export class DirectTransposeScalar extends TransposePath {
  readonly sizes = {};

  pack(): void {}

  run(codePtr: number, outPtr: number): void {
    const g = this.g;
    this.engine.k.zero(this.layer.padded, g.M * g.Hp * g.Wp * 4);
    this.engine.abi.f32_conv2d_transpose_scalar(codePtr, g.K, g.Ho, g.Wo, this.layer.weights, g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, this.layer.padded);
    this.engine.k.crop2dChw(this.layer.padded, outPtr, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
  }
}
