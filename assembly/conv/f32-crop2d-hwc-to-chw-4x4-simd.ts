// The crop of a channel-last accumulator xc[Hp][Wp][C] (M channels in C >= M floats per pixel)
// into channel-first x[M][H][W] (the last step of the SIMD transposed convolutions), four pixels
// x four channels at a time: four loads of four channels, a 4x4 transpose in registers (8
// shuffles), four stores of four pixels, in place of sixteen scalar copies with a plane-sized
// stride each. A pure copy, so the result is f32_crop2d_hwc_to_chw_scalar (its reference) bit for
// bit.
import { f32x4_transpose_store } from "../helpers/f32x4-transpose-store";

export function f32_crop2d_hwc_to_chw_4x4_simd(
  xc: usize, x: usize,
  M: i32, C: i32, H: i32, W: i32,
  Wp: i32, padTop: i32, padLeft: i32,
): void {
  const plane = <usize>(H * W) << 2;
  const pixelBytes = <usize>C << 2;
  const M4 = M & ~3;
  const W4 = W & ~3;
  for (let y = 0; y < H; y++) {
    const row = xc + (<usize>(((y + padTop) * Wp + padLeft) * C) << 2);
    const dstRow = x + (<usize>(y * W) << 2);
    let xx = 0;
    for (; xx < W4; xx += 4) {
      const p0 = row + <usize>xx * pixelBytes;
      const p1 = p0 + pixelBytes, p2 = p1 + pixelBytes, p3 = p2 + pixelBytes;
      let dst = dstRow + (<usize>xx << 2);
      let m = 0;
      for (; m < M4; m += 4) {
        const off = <usize>m << 2;
        const r0 = v128.load(p0 + off), r1 = v128.load(p1 + off), r2 = v128.load(p2 + off), r3 = v128.load(p3 + off);
        f32x4_transpose_store(dst, plane, r0, r1, r2, r3);
        dst += 4 * plane;
      }
      if (C == 4 && m < M) {
        // Fewer than 4 channels in 4-float pixels: one transpose, its first M rows stored.
        f32x4_transpose_store(dst, plane, v128.load(p0), v128.load(p1), v128.load(p2), v128.load(p3), M);
        continue;
      }
      // Channels past the last multiple of 4: four pixels each, gathered.
      for (; m < M; m++) {
        const off = <usize>m << 2;
        store<f32>(dst, load<f32>(p0 + off));
        store<f32>(dst, load<f32>(p1 + off), 4);
        store<f32>(dst, load<f32>(p2 + off), 8);
        store<f32>(dst, load<f32>(p3 + off), 12);
        dst += plane;
      }
    }
    // Pixels past the last multiple of 4: one at a time.
    for (; xx < W; xx++) {
      const px = row + <usize>xx * pixelBytes;
      let dst = dstRow + (<usize>xx << 2);
      for (let m = 0; m < M; m++) {
        store<f32>(dst, load<f32>(px + (<usize>m << 2)));
        dst += plane;
      }
    }
  }
}
