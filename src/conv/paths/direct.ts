// The direct forward and dense transpose: the 4x8 micro-kernels on packed panels in the SIMD
// modules (the transpose accumulating channel-last), the scalar references on the plain weights
// in the scalar module.

import { ForwardPath, TransposePath, taps } from './path.js';

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
    this.engine.k.pad2dChw(inPtr, this.layer.padded, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
    this.engine.simdAbi!.f32_conv2d_4x8_simd(this.layer.padded, g.Wp, this.ptr.tapOffsets!, taps(g), this.ptr.panels!, g.K, g.sh, g.sw, g.Ho, g.Wo, outPtr);
  }
}

/** f32-conv2d-scalar on the plain weights. */
export class DirectForwardScalar extends ForwardPath {
  readonly sizes = {};

  pack(): void {}

  run(inPtr: number, outPtr: number): void {
    const g = this.g;
    this.engine.k.pad2dChw(inPtr, this.layer.padded, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
    this.engine.abi.f32_conv2d_scalar(this.layer.padded, g.Hp, g.Wp, g.M, this.layer.weights, g.K, g.kh, g.kw, g.sh, g.sw, g.Ho, g.Wo, outPtr);
  }
}

/** f32-conv2d-transpose-4x8-simd: transposed panels of 8 columns and each column's accumulator offset. */
export class DirectTransposeSimd extends TransposePath {
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
    s.f32_conv2d_transpose_4x8_simd(codePtr, g.K, g.Ho, g.Wo, this.ptr.panels!, taps(g), this.ptr.columnOffsets!, g.M, g.sh, g.sw, g.Wp, this.layer.padded);
    s.f32_crop2d_hwc_to_chw_4x4_simd(this.layer.padded, outPtr, g.M, g.H, g.W, g.Wp, g.pt, g.pl);
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
