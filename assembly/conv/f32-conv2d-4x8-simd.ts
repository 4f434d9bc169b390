// Forward convolution micro-kernel: a tile of 4 output pixels x 8 output channels held in eight
// f32x4 accumulators, reducing over (m, ky, kx) with filters from f32_pack_conv2d_8 panels.
// Vectorizing over output channels rather than pixels makes any stride and padding the same code:
// each pixel only needs the base address of its receptive field in the padded input.

// 4 pixels x 8 channels spill buffer for the edge tiles and the transpose into [K][P] order.
const tile = memory.data(4 * 8 * 4, 16);

export function f32_conv2d_4x8_simd(
  xp: usize, Hp: i32, Wp: i32, M: i32,
  packed: usize, K: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Ho: i32, Wo: i32,
  out: usize,
): void {
  const P = Ho * Wo;
  const taps = M * kh * kw;
  const planeBytes = <usize>(Hp * Wp) << 2;
  const rowBytes = <usize>Wp << 2;
  const blocks = (K + 7) >> 3;
  for (let blk = 0; blk < blocks; blk++) {
    const panel = packed + (<usize>(blk * taps * 8) << 2);
    const kBase = blk << 3;
    const kCount = min(8, K - kBase);
    let p = 0;
    for (; p + 4 <= P; p += 4) {
      const i0 = xp + pixelOffset(p, Wo, sh, sw, Wp);
      const i1 = xp + pixelOffset(p + 1, Wo, sh, sw, Wp);
      const i2 = xp + pixelOffset(p + 2, Wo, sh, sw, Wp);
      const i3 = xp + pixelOffset(p + 3, Wo, sh, sw, Wp);
      let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
      let a1 = f32x4.splat(0), b1 = f32x4.splat(0);
      let a2 = f32x4.splat(0), b2 = f32x4.splat(0);
      let a3 = f32x4.splat(0), b3 = f32x4.splat(0);
      let wp = panel;
      let plane: usize = 0;
      for (let m = 0; m < M; m++) {
        let row = plane;
        for (let ky = 0; ky < kh; ky++) {
          let off = row;
          for (let kx = 0; kx < kw; kx++) {
            const wlo = v128.load(wp);
            const whi = v128.load(wp, 16);
            const x0 = f32x4.splat(load<f32>(i0 + off));
            const x1 = f32x4.splat(load<f32>(i1 + off));
            const x2 = f32x4.splat(load<f32>(i2 + off));
            const x3 = f32x4.splat(load<f32>(i3 + off));
            a0 = f32x4.add(a0, f32x4.mul(x0, wlo)); b0 = f32x4.add(b0, f32x4.mul(x0, whi));
            a1 = f32x4.add(a1, f32x4.mul(x1, wlo)); b1 = f32x4.add(b1, f32x4.mul(x1, whi));
            a2 = f32x4.add(a2, f32x4.mul(x2, wlo)); b2 = f32x4.add(b2, f32x4.mul(x2, whi));
            a3 = f32x4.add(a3, f32x4.mul(x3, wlo)); b3 = f32x4.add(b3, f32x4.mul(x3, whi));
            wp += 32;
            off += 4;
          }
          row += rowBytes;
        }
        plane += planeBytes;
      }
      v128.store(tile, a0, 0); v128.store(tile, b0, 16);
      v128.store(tile, a1, 32); v128.store(tile, b1, 48);
      v128.store(tile, a2, 64); v128.store(tile, b2, 80);
      v128.store(tile, a3, 96); v128.store(tile, b3, 112);
      for (let c = 0; c < kCount; c++) {
        const dst = out + (<usize>((kBase + c) * P + p) << 2);
        store<f32>(dst, load<f32>(tile + (<usize>c << 2)));
        store<f32>(dst, load<f32>(tile + (<usize>(8 + c) << 2)), 4);
        store<f32>(dst, load<f32>(tile + (<usize>(16 + c) << 2)), 8);
        store<f32>(dst, load<f32>(tile + (<usize>(24 + c) << 2)), 12);
      }
    }
    // Remaining 0..3 pixels: a 1x8 tile.
    for (; p < P; p++) {
      const i0 = xp + pixelOffset(p, Wo, sh, sw, Wp);
      let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
      let wp = panel;
      let plane: usize = 0;
      for (let m = 0; m < M; m++) {
        let row = plane;
        for (let ky = 0; ky < kh; ky++) {
          let off = row;
          for (let kx = 0; kx < kw; kx++) {
            const x0 = f32x4.splat(load<f32>(i0 + off));
            a0 = f32x4.add(a0, f32x4.mul(x0, v128.load(wp)));
            b0 = f32x4.add(b0, f32x4.mul(x0, v128.load(wp, 16)));
            wp += 32;
            off += 4;
          }
          row += rowBytes;
        }
        plane += planeBytes;
      }
      v128.store(tile, a0, 0); v128.store(tile, b0, 16);
      for (let c = 0; c < kCount; c++) {
        store<f32>(out + (<usize>((kBase + c) * P + p) << 2), load<f32>(tile + (<usize>c << 2)));
      }
    }
  }
}

/** Byte offset, in the padded input, of the top-left tap of output pixel p. */
// @ts-ignore: decorator
@inline
export function pixelOffset(p: i32, Wo: i32, sh: i32, sw: i32, Wp: i32): usize {
  const oy = p / Wo;
  const ox = p - oy * Wo;
  return <usize>(oy * sh * Wp + ox * sw) << 2;
}
