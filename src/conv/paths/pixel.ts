// The pixel-vectorized path (SIMD modules only): f32-conv2d-s1-3x8-simd, 3 channels x 8 pixels,
// for the forward of stride-1 layers with few output channels and the transpose of 3- or
// 6-channel inputs (the correlation of the code, padded by kernel - 1 - padding, with the flipped
// filters). With threads, the lanes split the output rows (such layers have too few channels).

import { ForwardPath, TransposePath, taps } from './path.js';
import { splitRange } from '../../threads/split.js';

export class PixelForward extends ForwardPath {
  get sizes() {
    return { panels: Math.ceil(this.g.K / 3) * 3 * taps(this.g) * 4, tapOffsets: taps(this.g) * 4 };
  }

  override setup(): void {
    const g = this.g;
    this.engine.abi.i32_conv2d_tap_offsets_scalar(g.M, g.kh, g.kw, g.Hp, g.Wp, this.ptr.tapOffsets!);
  }

  pack(): void {
    const g = this.g;
    this.engine.abi.f32_pack_conv2d_3_scalar(this.layer.weights, g.K, g.M, g.kh, g.kw, 0, this.ptr.panels!);
  }

  run(inPtr: number, outPtr: number): void {
    const g = this.g;
    this.pad('forward', inPtr, this.layer.padded, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
    this.engine.parallel('forward', 'f32_conv2d_s1_3x8_simd', splitRange(g.Ho, this.claimedParts).map(([y0, y1]) => [
      this.layer.padded, g.Wp, this.ptr.tapOffsets!, taps(g), this.ptr.panels!, g.K, g.Ho, g.Wo, y0, y1, outPtr,
    ]));
  }
}

export class PixelTranspose extends TransposePath {
  override readonly usesPadded = false;

  /** the code padded by kernel - 1 - padding: rows and columns */
  private get Hq(): number {
    return this.g.H + this.g.kh - 1;
  }

  private get Wq(): number {
    return this.g.W + this.g.kw - 1;
  }

  get sizes() {
    const g = this.g;
    const tapsT = g.K * g.kh * g.kw;
    return { panels: Math.ceil(g.M / 3) * 3 * tapsT * 4, tapOffsets: tapsT * 4, paddedCode: g.K * this.Hq * this.Wq * 4 };
  }

  override setup(): void {
    const g = this.g;
    this.engine.abi.i32_conv2d_tap_offsets_scalar(g.K, g.kh, g.kw, this.Hq, this.Wq, this.ptr.tapOffsets!);
  }

  pack(): void {
    const g = this.g;
    this.engine.abi.f32_pack_conv2d_3_scalar(this.layer.weights, g.K, g.M, g.kh, g.kw, 1, this.ptr.panels!);
  }

  run(codePtr: number, outPtr: number): void {
    const g = this.g;
    this.pad('transpose', codePtr, this.ptr.paddedCode!, g.K, g.Ho, g.Wo, this.Hq, this.Wq, g.kh - 1 - g.pt, g.kw - 1 - g.pl);
    this.engine.parallel('transpose', 'f32_conv2d_s1_3x8_simd', splitRange(g.H, this.claimedParts).map(([y0, y1]) => [
      this.ptr.paddedCode!, this.Wq, this.ptr.tapOffsets!, g.K * g.kh * g.kw, this.ptr.panels!, g.M, g.H, g.W, y0, y1, outPtr,
    ]));
  }
}
