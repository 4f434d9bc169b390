// Forward convolution micro-kernel: a tile of 4 output pixels x 8 output channels held in eight
// f32x4 accumulators, reducing over the taps (m, ky, kx) with filters from f32_pack_conv2d_8_scalar
// panels and input offsets from i32_conv2d_tap_offsets_scalar.
// Vectorizing over output channels rather than pixels makes any stride and padding the same code:
// each pixel only needs the base address of its receptive field in the padded input.
import { madd4 } from "../helpers/f32x4-madd";
import { f32x4_transpose_store } from "../helpers/f32x4-transpose-store";
import { scratch, SCRATCH_TILE_4X8 } from "../helpers/instance-scratch";


export function f32_conv2d_4x8_simd(
  xp: usize, Wp: i32, tapOff: usize, taps: i32,
  packed: usize, K: i32,
  sh: i32, sw: i32, Ho: i32, Wo: i32,
  out: usize,
): void {
  // 4 pixels x 8 channels spill tile for the edge tiles and the transpose into [K][P] order.
  const tile = scratch + SCRATCH_TILE_4X8;
  const P = Ho * Wo;
  const blocks = (K + 7) >> 3;
  // One flat loop over the taps (m, ky, kx), their input offsets read from a table: nested
  // loops cost more in loop control and register pressure than the table load.
  const tapEnd = tapOff + (<usize>taps << 2);
  const pixStep = <usize>sw << 2;
  for (let blk = 0; blk < blocks; blk++) {
    const panel = packed + (<usize>(blk * taps * 8) << 2);
    const kBase = blk << 3;
    const kCount = min(8, K - kBase);
    // Tiles never straddle two output rows, so the four pixels of a tile read inputs at a fixed
    // distance sw apart: with sw = 1 or 2 that distance is an immediate offset of one pointer.
    for (let oy = 0; oy < Ho; oy++) {
      const rowIn = xp + (<usize>(oy * sh * Wp) << 2);
      const rowOut = oy * Wo;
      // Quads along the row; a row whose length is not a multiple of 4 ends with one more quad
      // that overlaps the previous one (recomputing up to 3 pixels, storing only the new ones),
      // which is cheaper than 1x8 tiles for the remainder.
      let ox = 0;
      let done = 0;
      while (Wo >= 4 && done < Wo) {
        ox = min(done, Wo - 4);
        const skip = done - ox;
        const i0 = rowIn + <usize>ox * pixStep;
        let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
        let a1 = f32x4.splat(0), b1 = f32x4.splat(0);
        let a2 = f32x4.splat(0), b2 = f32x4.splat(0);
        let a3 = f32x4.splat(0), b3 = f32x4.splat(0);
        let wp = panel;
        if (sw == 1) {
          for (let t = tapOff; t < tapEnd; t += 4) {
            const src = i0 + <usize>load<i32>(t);
            const wlo = v128.load(wp);
            const whi = v128.load(wp, 16);
            const x0 = v128.load32_splat(src);
            const x1 = v128.load32_splat(src, 4);
            const x2 = v128.load32_splat(src, 8);
            const x3 = v128.load32_splat(src, 12);
            a0 = madd4(a0, x0, wlo); b0 = madd4(b0, x0, whi);
            a1 = madd4(a1, x1, wlo); b1 = madd4(b1, x1, whi);
            a2 = madd4(a2, x2, wlo); b2 = madd4(b2, x2, whi);
            a3 = madd4(a3, x3, wlo); b3 = madd4(b3, x3, whi);
            wp += 32;
          }
        } else if (sw == 2) {
          for (let t = tapOff; t < tapEnd; t += 4) {
            const src = i0 + <usize>load<i32>(t);
            const wlo = v128.load(wp);
            const whi = v128.load(wp, 16);
            const x0 = v128.load32_splat(src);
            const x1 = v128.load32_splat(src, 8);
            const x2 = v128.load32_splat(src, 16);
            const x3 = v128.load32_splat(src, 24);
            a0 = madd4(a0, x0, wlo); b0 = madd4(b0, x0, whi);
            a1 = madd4(a1, x1, wlo); b1 = madd4(b1, x1, whi);
            a2 = madd4(a2, x2, wlo); b2 = madd4(b2, x2, whi);
            a3 = madd4(a3, x3, wlo); b3 = madd4(b3, x3, whi);
            wp += 32;
          }
        } else {
          const i1 = i0 + pixStep;
          const i2 = i1 + pixStep;
          const i3 = i2 + pixStep;
          for (let t = tapOff; t < tapEnd; t += 4) {
            const off = <usize>load<i32>(t);
            const wlo = v128.load(wp);
            const whi = v128.load(wp, 16);
            const x0 = v128.load32_splat(i0 + off);
            const x1 = v128.load32_splat(i1 + off);
            const x2 = v128.load32_splat(i2 + off);
            const x3 = v128.load32_splat(i3 + off);
            a0 = madd4(a0, x0, wlo); b0 = madd4(b0, x0, whi);
            a1 = madd4(a1, x1, wlo); b1 = madd4(b1, x1, whi);
            a2 = madd4(a2, x2, wlo); b2 = madd4(b2, x2, whi);
            a3 = madd4(a3, x3, wlo); b3 = madd4(b3, x3, whi);
            wp += 32;
          }
        }
        const p = rowOut + ox;
        if (skip == 0 && kCount == 8) {
          // Transpose the 4 pixels x 8 channels in registers (two 4x4 shuffles) and store each
          // channel's 4 pixels with one v128 store: 8 stores instead of 32 scalar copies.
          const dst = out + (<usize>(kBase * P + p) << 2);
          const plane = <usize>P << 2;
          f32x4_transpose_store(dst, plane, a0, a1, a2, a3);
          f32x4_transpose_store(dst + 4 * plane, plane, b0, b1, b2, b3);
          done = ox + 4;
          continue;
        }
        v128.store(tile, a0, 0); v128.store(tile, b0, 16);
        v128.store(tile, a1, 32); v128.store(tile, b1, 48);
        v128.store(tile, a2, 64); v128.store(tile, b2, 80);
        v128.store(tile, a3, 96); v128.store(tile, b3, 112);
        if (skip == 0) {
          for (let c = 0; c < kCount; c++) {
            const dst = out + (<usize>((kBase + c) * P + p) << 2);
            store<f32>(dst, load<f32>(tile + (<usize>c << 2)));
            store<f32>(dst, load<f32>(tile + (<usize>(8 + c) << 2)), 4);
            store<f32>(dst, load<f32>(tile + (<usize>(16 + c) << 2)), 8);
            store<f32>(dst, load<f32>(tile + (<usize>(24 + c) << 2)), 12);
          }
        } else {
          for (let c = 0; c < kCount; c++) {
            const dst = out + (<usize>((kBase + c) * P + p) << 2);
            for (let j = skip; j < 4; j++) {
              store<f32>(dst + (<usize>j << 2), load<f32>(tile + (<usize>(j * 8 + c) << 2)));
            }
          }
        }
        done = ox + 4;
      }
      ox = done;
      // Rows shorter than 4 pixels: 1x8 tiles.
      for (; ox < Wo; ox++) {
        const i0 = rowIn + <usize>ox * pixStep;
        let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
        let wp = panel;
        for (let t = tapOff; t < tapEnd; t += 4) {
          const x0 = v128.load32_splat(i0 + <usize>load<i32>(t));
          a0 = madd4(a0, x0, v128.load(wp));
          b0 = madd4(b0, x0, v128.load(wp, 16));
          wp += 32;
        }
        v128.store(tile, a0, 0); v128.store(tile, b0, 16);
        const p = rowOut + ox;
        for (let c = 0; c < kCount; c++) {
          store<f32>(out + (<usize>((kBase + c) * P + p) << 2), load<f32>(tile + (<usize>c << 2)));
        }
      }
    }
  }
}
