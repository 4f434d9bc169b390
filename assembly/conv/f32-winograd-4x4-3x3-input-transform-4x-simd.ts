// Winograd F(4x4, 3x3) input transform, four consecutive tiles of the block per f32x4: the same
// f32 operations as f32-winograd-4x4-3x3-input-transform-scalar (its reference) in the same
// order, lane by lane. Each tile's 6-float row is read as 4 + 2 floats; a 4x4 register transpose
// of the four tiles' first 4 columns and a 2x4 one of their last 2 give the six columns as
// f32x4, one tile per lane. The four tiles may lie on different rows of tiles, so every tile of
// the block goes through the vector path, whatever the image width: the last group repeats the
// block's last tile in its spare lanes and stores zeros there.
import { winogradPlaneBytes } from "../helpers/f32-winograd-plane-bytes";
import { bt0x4 as bt0, bt1x4 as bt1, bt2x4 as bt2, bt3x4 as bt3, bt4x4 as bt4, bt5x4 as bt5 } from "../helpers/f32-winograd-4x4-3x3-steps";

/** Byte offset of tile t's top-left input in a channel plane of Wq columns. */
// @ts-ignore: decorator
@inline
function tileOffset(t: i32, TX: i32, Wq: i32): usize {
  const ty = t / TX;
  return <usize>(4 * ty * Wq + 4 * (t - ty * TX)) << 2;
}

export function f32_winograd_4x4_3x3_input_transform_4x_simd(
  P: usize, cBegin: i32, cEnd: i32, C: i32, Hq: i32, Wq: i32, TX: i32, t0: i32, n: i32, Tb: i32, V: usize,
): void {
  const planeXi = winogradPlaneBytes(C, Tb);
  const planeP = <usize>(Hq * Wq) << 2;
  const rowBytes = <usize>Wq << 2;
  const nPad = (n + 7) & ~7;
  const last = t0 + n - 1;
  const ones = i32x4.splat(-1);
  for (let c = cBegin; c < cEnd; c++) {
    const plane = P + <usize>c * planeP;
    for (let j = 0; j < n; j += 4) {
      const t = t0 + j;
      const s0 = plane + tileOffset(t, TX, Wq), s1 = plane + tileOffset(min(t + 1, last), TX, Wq);
      const s2 = plane + tileOffset(min(t + 2, last), TX, Wq), s3 = plane + tileOffset(min(t + 3, last), TX, Wq);
      // all ones in the lanes of tiles of the block, zeros past its end
      const mask = j + 4 <= n ? ones : i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(n - j));
      const dst = V + (<usize>(c * Tb + j) << 2);
      let q0: v128, q1: v128, q2: v128, q3: v128, p0: v128, p1: v128, p2: v128, p3: v128;
      let h0: v128, h1: v128, h2: v128, h3: v128, h4: v128, h5: v128;
      let d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128;
      // rows of d B
      q0 = v128.load(s0); q1 = v128.load(s1); q2 = v128.load(s2); q3 = v128.load(s3);
      p0 = v128.load64_zero(s0, 16); p1 = v128.load64_zero(s1, 16); p2 = v128.load64_zero(s2, 16); p3 = v128.load64_zero(s3, 16);
      h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
      h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
      h4 = v128.shuffle<f32>(p0, p1, 0, 4, 1, 5); h5 = v128.shuffle<f32>(p2, p3, 0, 4, 1, 5);
      d0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); d1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
      d2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); d3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
      d4 = v128.shuffle<f32>(h4, h5, 0, 1, 4, 5); d5 = v128.shuffle<f32>(h4, h5, 2, 3, 6, 7);
      const e00 = bt0(d0, d1, d2, d3, d4), e01 = bt1(d1, d2, d3, d4), e02 = bt2(d1, d2, d3, d4);
      const e03 = bt3(d1, d2, d3, d4), e04 = bt4(d1, d2, d3, d4), e05 = bt5(d1, d2, d3, d4, d5);
      q0 = v128.load(s0 + rowBytes); q1 = v128.load(s1 + rowBytes); q2 = v128.load(s2 + rowBytes); q3 = v128.load(s3 + rowBytes);
      p0 = v128.load64_zero(s0 + rowBytes, 16); p1 = v128.load64_zero(s1 + rowBytes, 16); p2 = v128.load64_zero(s2 + rowBytes, 16); p3 = v128.load64_zero(s3 + rowBytes, 16);
      h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
      h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
      h4 = v128.shuffle<f32>(p0, p1, 0, 4, 1, 5); h5 = v128.shuffle<f32>(p2, p3, 0, 4, 1, 5);
      d0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); d1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
      d2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); d3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
      d4 = v128.shuffle<f32>(h4, h5, 0, 1, 4, 5); d5 = v128.shuffle<f32>(h4, h5, 2, 3, 6, 7);
      const e10 = bt0(d0, d1, d2, d3, d4), e11 = bt1(d1, d2, d3, d4), e12 = bt2(d1, d2, d3, d4);
      const e13 = bt3(d1, d2, d3, d4), e14 = bt4(d1, d2, d3, d4), e15 = bt5(d1, d2, d3, d4, d5);
      q0 = v128.load(s0 + 2 * rowBytes); q1 = v128.load(s1 + 2 * rowBytes); q2 = v128.load(s2 + 2 * rowBytes); q3 = v128.load(s3 + 2 * rowBytes);
      p0 = v128.load64_zero(s0 + 2 * rowBytes, 16); p1 = v128.load64_zero(s1 + 2 * rowBytes, 16); p2 = v128.load64_zero(s2 + 2 * rowBytes, 16); p3 = v128.load64_zero(s3 + 2 * rowBytes, 16);
      h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
      h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
      h4 = v128.shuffle<f32>(p0, p1, 0, 4, 1, 5); h5 = v128.shuffle<f32>(p2, p3, 0, 4, 1, 5);
      d0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); d1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
      d2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); d3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
      d4 = v128.shuffle<f32>(h4, h5, 0, 1, 4, 5); d5 = v128.shuffle<f32>(h4, h5, 2, 3, 6, 7);
      const e20 = bt0(d0, d1, d2, d3, d4), e21 = bt1(d1, d2, d3, d4), e22 = bt2(d1, d2, d3, d4);
      const e23 = bt3(d1, d2, d3, d4), e24 = bt4(d1, d2, d3, d4), e25 = bt5(d1, d2, d3, d4, d5);
      q0 = v128.load(s0 + 3 * rowBytes); q1 = v128.load(s1 + 3 * rowBytes); q2 = v128.load(s2 + 3 * rowBytes); q3 = v128.load(s3 + 3 * rowBytes);
      p0 = v128.load64_zero(s0 + 3 * rowBytes, 16); p1 = v128.load64_zero(s1 + 3 * rowBytes, 16); p2 = v128.load64_zero(s2 + 3 * rowBytes, 16); p3 = v128.load64_zero(s3 + 3 * rowBytes, 16);
      h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
      h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
      h4 = v128.shuffle<f32>(p0, p1, 0, 4, 1, 5); h5 = v128.shuffle<f32>(p2, p3, 0, 4, 1, 5);
      d0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); d1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
      d2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); d3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
      d4 = v128.shuffle<f32>(h4, h5, 0, 1, 4, 5); d5 = v128.shuffle<f32>(h4, h5, 2, 3, 6, 7);
      const e30 = bt0(d0, d1, d2, d3, d4), e31 = bt1(d1, d2, d3, d4), e32 = bt2(d1, d2, d3, d4);
      const e33 = bt3(d1, d2, d3, d4), e34 = bt4(d1, d2, d3, d4), e35 = bt5(d1, d2, d3, d4, d5);
      q0 = v128.load(s0 + 4 * rowBytes); q1 = v128.load(s1 + 4 * rowBytes); q2 = v128.load(s2 + 4 * rowBytes); q3 = v128.load(s3 + 4 * rowBytes);
      p0 = v128.load64_zero(s0 + 4 * rowBytes, 16); p1 = v128.load64_zero(s1 + 4 * rowBytes, 16); p2 = v128.load64_zero(s2 + 4 * rowBytes, 16); p3 = v128.load64_zero(s3 + 4 * rowBytes, 16);
      h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
      h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
      h4 = v128.shuffle<f32>(p0, p1, 0, 4, 1, 5); h5 = v128.shuffle<f32>(p2, p3, 0, 4, 1, 5);
      d0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); d1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
      d2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); d3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
      d4 = v128.shuffle<f32>(h4, h5, 0, 1, 4, 5); d5 = v128.shuffle<f32>(h4, h5, 2, 3, 6, 7);
      const e40 = bt0(d0, d1, d2, d3, d4), e41 = bt1(d1, d2, d3, d4), e42 = bt2(d1, d2, d3, d4);
      const e43 = bt3(d1, d2, d3, d4), e44 = bt4(d1, d2, d3, d4), e45 = bt5(d1, d2, d3, d4, d5);
      q0 = v128.load(s0 + 5 * rowBytes); q1 = v128.load(s1 + 5 * rowBytes); q2 = v128.load(s2 + 5 * rowBytes); q3 = v128.load(s3 + 5 * rowBytes);
      p0 = v128.load64_zero(s0 + 5 * rowBytes, 16); p1 = v128.load64_zero(s1 + 5 * rowBytes, 16); p2 = v128.load64_zero(s2 + 5 * rowBytes, 16); p3 = v128.load64_zero(s3 + 5 * rowBytes, 16);
      h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
      h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
      h4 = v128.shuffle<f32>(p0, p1, 0, 4, 1, 5); h5 = v128.shuffle<f32>(p2, p3, 0, 4, 1, 5);
      d0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); d1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
      d2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); d3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
      d4 = v128.shuffle<f32>(h4, h5, 0, 1, 4, 5); d5 = v128.shuffle<f32>(h4, h5, 2, 3, 6, 7);
      const e50 = bt0(d0, d1, d2, d3, d4), e51 = bt1(d1, d2, d3, d4), e52 = bt2(d1, d2, d3, d4);
      const e53 = bt3(d1, d2, d3, d4), e54 = bt4(d1, d2, d3, d4), e55 = bt5(d1, d2, d3, d4, d5);
      // B^T (d B), column by column
      v128.store(dst, v128.and(bt0(e00, e10, e20, e30, e40), mask)); v128.store(dst + 6 * planeXi, v128.and(bt1(e10, e20, e30, e40), mask));
      v128.store(dst + 12 * planeXi, v128.and(bt2(e10, e20, e30, e40), mask)); v128.store(dst + 18 * planeXi, v128.and(bt3(e10, e20, e30, e40), mask));
      v128.store(dst + 24 * planeXi, v128.and(bt4(e10, e20, e30, e40), mask)); v128.store(dst + 30 * planeXi, v128.and(bt5(e10, e20, e30, e40, e50), mask));
      v128.store(dst + 1 * planeXi, v128.and(bt0(e01, e11, e21, e31, e41), mask)); v128.store(dst + 7 * planeXi, v128.and(bt1(e11, e21, e31, e41), mask));
      v128.store(dst + 13 * planeXi, v128.and(bt2(e11, e21, e31, e41), mask)); v128.store(dst + 19 * planeXi, v128.and(bt3(e11, e21, e31, e41), mask));
      v128.store(dst + 25 * planeXi, v128.and(bt4(e11, e21, e31, e41), mask)); v128.store(dst + 31 * planeXi, v128.and(bt5(e11, e21, e31, e41, e51), mask));
      v128.store(dst + 2 * planeXi, v128.and(bt0(e02, e12, e22, e32, e42), mask)); v128.store(dst + 8 * planeXi, v128.and(bt1(e12, e22, e32, e42), mask));
      v128.store(dst + 14 * planeXi, v128.and(bt2(e12, e22, e32, e42), mask)); v128.store(dst + 20 * planeXi, v128.and(bt3(e12, e22, e32, e42), mask));
      v128.store(dst + 26 * planeXi, v128.and(bt4(e12, e22, e32, e42), mask)); v128.store(dst + 32 * planeXi, v128.and(bt5(e12, e22, e32, e42, e52), mask));
      v128.store(dst + 3 * planeXi, v128.and(bt0(e03, e13, e23, e33, e43), mask)); v128.store(dst + 9 * planeXi, v128.and(bt1(e13, e23, e33, e43), mask));
      v128.store(dst + 15 * planeXi, v128.and(bt2(e13, e23, e33, e43), mask)); v128.store(dst + 21 * planeXi, v128.and(bt3(e13, e23, e33, e43), mask));
      v128.store(dst + 27 * planeXi, v128.and(bt4(e13, e23, e33, e43), mask)); v128.store(dst + 33 * planeXi, v128.and(bt5(e13, e23, e33, e43, e53), mask));
      v128.store(dst + 4 * planeXi, v128.and(bt0(e04, e14, e24, e34, e44), mask)); v128.store(dst + 10 * planeXi, v128.and(bt1(e14, e24, e34, e44), mask));
      v128.store(dst + 16 * planeXi, v128.and(bt2(e14, e24, e34, e44), mask)); v128.store(dst + 22 * planeXi, v128.and(bt3(e14, e24, e34, e44), mask));
      v128.store(dst + 28 * planeXi, v128.and(bt4(e14, e24, e34, e44), mask)); v128.store(dst + 34 * planeXi, v128.and(bt5(e14, e24, e34, e44, e54), mask));
      v128.store(dst + 5 * planeXi, v128.and(bt0(e05, e15, e25, e35, e45), mask)); v128.store(dst + 11 * planeXi, v128.and(bt1(e15, e25, e35, e45), mask));
      v128.store(dst + 17 * planeXi, v128.and(bt2(e15, e25, e35, e45), mask)); v128.store(dst + 23 * planeXi, v128.and(bt3(e15, e25, e35, e45), mask));
      v128.store(dst + 29 * planeXi, v128.and(bt4(e15, e25, e35, e45), mask)); v128.store(dst + 35 * planeXi, v128.and(bt5(e15, e25, e35, e45, e55), mask));
    }
    // a last group of zeros up to the GEMM's multiple of 8
    const j4 = (n + 3) & ~3;
    if (j4 < nPad) {
      const dst = V + (<usize>(c * Tb + j4) << 2);
      for (let xi = 0; xi < 36; xi++) v128.store(dst + <usize>xi * planeXi, i32x4.splat(0));
    }
  }
}
