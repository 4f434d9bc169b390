// Stride-1 convolution micro-kernel for few output channels: a tile of 3 output channels x 8
// consecutive output pixels of one row in six f32x4 accumulators, vectorized over the pixels.
// With many output channels f32-conv2d-4x8-simd vectorizes over channels instead; with up to 6
// (an RGB output, or the transpose of an RGB input layer, which is this correlation with the
// flipped filters) most of its lanes would multiply zero padding, while here every lane is a
// pixel. Per tap: two input vectors (unaligned loads of 8 consecutive pixels) and three
// splatted weights for six multiply-adds. (A 3x12 tile needs 16 vector registers with its
// temporaries; V8 has 15 on x64 and spilled an accumulator to the stack every tap, which
// made it 1.2x slower than this tile.)
//
// Each lane sums the taps (c, ky, kx) in the order of f32-conv2d-scalar, its reference, so the
// two agree bit for bit. xp is the zero-padded channel-first input; tapOff the byte offsets of
// the taps (i32_conv2d_tap_offsets_scalar); packed the [O/3][taps][3] weights (f32_pack_conv2d_3_scalar).
// It computes output rows [oyBegin, oyEnd) of out[O][Ho][Wo]: threads split the rows, since a
// layer this kernel serves has too few channels to split.
import { madd4 } from "../helpers/f32x4-madd";

export function f32_conv2d_s1_3x8_simd(
  xp: usize, Wp: i32, tapOff: usize, taps: i32, packed: usize, O: i32, Ho: i32, Wo: i32, oyBegin: i32, oyEnd: i32, out: usize,
): void {
  const P = Ho * Wo;
  const plane = <usize>P << 2;
  const tapEnd = tapOff + (<usize>taps << 2);
  const blocks = (O + 2) / 3;
  for (let blk = 0; blk < blocks; blk++) {
    const panel = packed + <usize>(blk * taps * 12);
    const o0 = blk * 3;
    const oc = min(3, O - o0);
    const outBlk = out + <usize>o0 * plane;
    for (let oy = oyBegin; oy < oyEnd; oy++) {
      const rowIn = xp + (<usize>(oy * Wp) << 2);
      const rowOut = outBlk + (<usize>(oy * Wo) << 2);
      if (Wo >= 8) {
        // Tiles of 8; the last one is moved back to end at the row's end and recomputes a few
        // pixels, which give the same bits again, so storing them twice is harmless.
        for (let ox = 0; ; ox += 8) {
          const x0 = min(ox, Wo - 8);
          const base = rowIn + (<usize>x0 << 2);
          let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
          let b0 = f32x4.splat(0), b1 = f32x4.splat(0);
          let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
          let wp = panel;
          for (let t = tapOff; t < tapEnd; t += 4) {
            const src = base + <usize>load<i32>(t);
            const w0 = v128.load32_splat(wp);
            const w1 = v128.load32_splat(wp, 4);
            const w2 = v128.load32_splat(wp, 8);
            const v0 = v128.load(src);
            const v1 = v128.load(src, 16);
            a0 = madd4(a0, w0, v0); b0 = madd4(b0, w1, v0); c0 = madd4(c0, w2, v0);
            a1 = madd4(a1, w0, v1); b1 = madd4(b1, w1, v1); c1 = madd4(c1, w2, v1);
            wp += 12;
          }
          const dst = rowOut + (<usize>x0 << 2);
          v128.store(dst, a0); v128.store(dst, a1, 16);
          if (oc > 1) { v128.store(dst + plane, b0); v128.store(dst + plane, b1, 16); }
          if (oc > 2) { v128.store(dst + 2 * plane, c0); v128.store(dst + 2 * plane, c1, 16); }
          if (x0 == Wo - 8) break;
        }
      } else if (Wo >= 4) {
        for (let ox = 0; ; ox += 4) {
          const x0 = min(ox, Wo - 4);
          const base = rowIn + (<usize>x0 << 2);
          let a0 = f32x4.splat(0), b0 = f32x4.splat(0), c0 = f32x4.splat(0);
          let wp = panel;
          for (let t = tapOff; t < tapEnd; t += 4) {
            const v0 = v128.load(base + <usize>load<i32>(t));
            a0 = madd4(a0, v128.load32_splat(wp), v0);
            b0 = madd4(b0, v128.load32_splat(wp, 4), v0);
            c0 = madd4(c0, v128.load32_splat(wp, 8), v0);
            wp += 12;
          }
          const dst = rowOut + (<usize>x0 << 2);
          v128.store(dst, a0);
          if (oc > 1) v128.store(dst + plane, b0);
          if (oc > 2) v128.store(dst + 2 * plane, c0);
          if (x0 == Wo - 4) break;
        }
      } else {
        for (let ox = 0; ox < Wo; ox++) {
          const base = rowIn + (<usize>ox << 2);
          let a: f32 = 0, b: f32 = 0, c: f32 = 0;
          let wp = panel;
          for (let t = tapOff; t < tapEnd; t += 4) {
            const v = load<f32>(base + <usize>load<i32>(t));
            a += load<f32>(wp) * v;
            b += load<f32>(wp, 4) * v;
            c += load<f32>(wp, 8) * v;
            wp += 12;
          }
          const dst = rowOut + (<usize>ox << 2);
          store<f32>(dst, a);
          if (oc > 1) store<f32>(dst + plane, b);
          if (oc > 2) store<f32>(dst + 2 * plane, c);
        }
      }
    }
  }
}
