// Winograd F(4x4, 3x3) input transform, four horizontally adjacent tiles per f32x4: the same
// f32 operations as f32-winograd-4x4-3x3-input-transform-scalar (its reference) in the same
// order, lane by lane. Tile tx's column c sits at 4 tx + c, so a 4x4 register transpose of four
// loads gives the four tiles' columns 0 .. 3, and columns 4 and 5 are columns 0 and 1 shifted by
// one tile, with the 17th and 18th floats of the row appended.
import { f32_winograd_4x4_3x3_input_tile_scalar } from "../helpers/f32-winograd-4x4-3x3-tile-scalar";
import { bt0x4 as bt0, bt1x4 as bt1, bt2x4 as bt2, bt3x4 as bt3, bt4x4 as bt4, bt5x4 as bt5 } from "../helpers/f32-winograd-4x4-3x3-steps";

export function f32_winograd_4x4_3x3_input_transform_4x_simd(
  P: usize, C: i32, Hq: i32, Wq: i32, TX: i32, t0: i32, n: i32, Tb: i32, V: usize,
): void {
  const planeXi = <usize>(C * Tb) << 2;
  const rowBytes = <usize>Wq << 2;
  const nPad = (n + 7) & ~7;
  const t1 = t0 + n;
  const tyFirst = t0 / TX;
  const tyLast = (t1 - 1) / TX;
  for (let c = 0; c < C; c++) {
    const plane = P + (<usize>(c * Hq * Wq) << 2);
    const vc = V + (<usize>(c * Tb) << 2);
    // The block's tiles, row by row of tiles: four at a time along a row, then one at a time.
    for (let ty = tyFirst; ty <= tyLast; ty++) {
      const row = plane + (<usize>(4 * ty * Wq) << 2);
      const rowT = ty * TX;
      let tx = max(0, t0 - rowT);
      const txEnd = min(TX, t1 - rowT);
      // Four tiles read columns 4 tx .. 4 tx + 17, inside Wq >= 4 TX + 2 while tx + 4 <= TX.
      for (; tx + 4 <= txEnd; tx += 4) {
        let s = row + (<usize>(4 * tx) << 2);
        const dst = vc + (<usize>(rowT + tx - t0) << 2);
        let q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, h0: v128, h1: v128, h2: v128, h3: v128;
        let c0: v128, c1: v128, c2: v128, c3: v128, c4: v128, c5: v128;
        // rows of d B
        q0 = v128.load(s); q1 = v128.load(s, 16); q2 = v128.load(s, 32); q3 = v128.load(s, 48); q4 = v128.load64_zero(s, 64);
        h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
        h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
        c0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); c1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
        c2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); c3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
        c4 = v128.shuffle<f32>(c0, q4, 1, 2, 3, 4); c5 = v128.shuffle<f32>(c1, q4, 1, 2, 3, 5);
        const e00 = bt0(c0, c2, c4), e01 = bt1(c1, c2, c3, c4), e02 = bt2(c1, c2, c3, c4);
        const e03 = bt3(c1, c2, c3, c4), e04 = bt4(c1, c2, c3, c4), e05 = bt5(c1, c3, c5);
        s += rowBytes;
        q0 = v128.load(s); q1 = v128.load(s, 16); q2 = v128.load(s, 32); q3 = v128.load(s, 48); q4 = v128.load64_zero(s, 64);
        h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
        h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
        c0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); c1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
        c2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); c3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
        c4 = v128.shuffle<f32>(c0, q4, 1, 2, 3, 4); c5 = v128.shuffle<f32>(c1, q4, 1, 2, 3, 5);
        const e10 = bt0(c0, c2, c4), e11 = bt1(c1, c2, c3, c4), e12 = bt2(c1, c2, c3, c4);
        const e13 = bt3(c1, c2, c3, c4), e14 = bt4(c1, c2, c3, c4), e15 = bt5(c1, c3, c5);
        s += rowBytes;
        q0 = v128.load(s); q1 = v128.load(s, 16); q2 = v128.load(s, 32); q3 = v128.load(s, 48); q4 = v128.load64_zero(s, 64);
        h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
        h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
        c0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); c1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
        c2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); c3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
        c4 = v128.shuffle<f32>(c0, q4, 1, 2, 3, 4); c5 = v128.shuffle<f32>(c1, q4, 1, 2, 3, 5);
        const e20 = bt0(c0, c2, c4), e21 = bt1(c1, c2, c3, c4), e22 = bt2(c1, c2, c3, c4);
        const e23 = bt3(c1, c2, c3, c4), e24 = bt4(c1, c2, c3, c4), e25 = bt5(c1, c3, c5);
        s += rowBytes;
        q0 = v128.load(s); q1 = v128.load(s, 16); q2 = v128.load(s, 32); q3 = v128.load(s, 48); q4 = v128.load64_zero(s, 64);
        h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
        h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
        c0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); c1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
        c2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); c3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
        c4 = v128.shuffle<f32>(c0, q4, 1, 2, 3, 4); c5 = v128.shuffle<f32>(c1, q4, 1, 2, 3, 5);
        const e30 = bt0(c0, c2, c4), e31 = bt1(c1, c2, c3, c4), e32 = bt2(c1, c2, c3, c4);
        const e33 = bt3(c1, c2, c3, c4), e34 = bt4(c1, c2, c3, c4), e35 = bt5(c1, c3, c5);
        s += rowBytes;
        q0 = v128.load(s); q1 = v128.load(s, 16); q2 = v128.load(s, 32); q3 = v128.load(s, 48); q4 = v128.load64_zero(s, 64);
        h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
        h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
        c0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); c1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
        c2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); c3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
        c4 = v128.shuffle<f32>(c0, q4, 1, 2, 3, 4); c5 = v128.shuffle<f32>(c1, q4, 1, 2, 3, 5);
        const e40 = bt0(c0, c2, c4), e41 = bt1(c1, c2, c3, c4), e42 = bt2(c1, c2, c3, c4);
        const e43 = bt3(c1, c2, c3, c4), e44 = bt4(c1, c2, c3, c4), e45 = bt5(c1, c3, c5);
        s += rowBytes;
        q0 = v128.load(s); q1 = v128.load(s, 16); q2 = v128.load(s, 32); q3 = v128.load(s, 48); q4 = v128.load64_zero(s, 64);
        h0 = v128.shuffle<f32>(q0, q1, 0, 4, 1, 5); h1 = v128.shuffle<f32>(q2, q3, 0, 4, 1, 5);
        h2 = v128.shuffle<f32>(q0, q1, 2, 6, 3, 7); h3 = v128.shuffle<f32>(q2, q3, 2, 6, 3, 7);
        c0 = v128.shuffle<f32>(h0, h1, 0, 1, 4, 5); c1 = v128.shuffle<f32>(h0, h1, 2, 3, 6, 7);
        c2 = v128.shuffle<f32>(h2, h3, 0, 1, 4, 5); c3 = v128.shuffle<f32>(h2, h3, 2, 3, 6, 7);
        c4 = v128.shuffle<f32>(c0, q4, 1, 2, 3, 4); c5 = v128.shuffle<f32>(c1, q4, 1, 2, 3, 5);
        const e50 = bt0(c0, c2, c4), e51 = bt1(c1, c2, c3, c4), e52 = bt2(c1, c2, c3, c4);
        const e53 = bt3(c1, c2, c3, c4), e54 = bt4(c1, c2, c3, c4), e55 = bt5(c1, c3, c5);
        // B^T (d B), column by column
        v128.store(dst, bt0(e00, e20, e40)); v128.store(dst + 6 * planeXi, bt1(e10, e20, e30, e40));
        v128.store(dst + 12 * planeXi, bt2(e10, e20, e30, e40)); v128.store(dst + 18 * planeXi, bt3(e10, e20, e30, e40));
        v128.store(dst + 24 * planeXi, bt4(e10, e20, e30, e40)); v128.store(dst + 30 * planeXi, bt5(e10, e30, e50));
        v128.store(dst + 1 * planeXi, bt0(e01, e21, e41)); v128.store(dst + 7 * planeXi, bt1(e11, e21, e31, e41));
        v128.store(dst + 13 * planeXi, bt2(e11, e21, e31, e41)); v128.store(dst + 19 * planeXi, bt3(e11, e21, e31, e41));
        v128.store(dst + 25 * planeXi, bt4(e11, e21, e31, e41)); v128.store(dst + 31 * planeXi, bt5(e11, e31, e51));
        v128.store(dst + 2 * planeXi, bt0(e02, e22, e42)); v128.store(dst + 8 * planeXi, bt1(e12, e22, e32, e42));
        v128.store(dst + 14 * planeXi, bt2(e12, e22, e32, e42)); v128.store(dst + 20 * planeXi, bt3(e12, e22, e32, e42));
        v128.store(dst + 26 * planeXi, bt4(e12, e22, e32, e42)); v128.store(dst + 32 * planeXi, bt5(e12, e32, e52));
        v128.store(dst + 3 * planeXi, bt0(e03, e23, e43)); v128.store(dst + 9 * planeXi, bt1(e13, e23, e33, e43));
        v128.store(dst + 15 * planeXi, bt2(e13, e23, e33, e43)); v128.store(dst + 21 * planeXi, bt3(e13, e23, e33, e43));
        v128.store(dst + 27 * planeXi, bt4(e13, e23, e33, e43)); v128.store(dst + 33 * planeXi, bt5(e13, e33, e53));
        v128.store(dst + 4 * planeXi, bt0(e04, e24, e44)); v128.store(dst + 10 * planeXi, bt1(e14, e24, e34, e44));
        v128.store(dst + 16 * planeXi, bt2(e14, e24, e34, e44)); v128.store(dst + 22 * planeXi, bt3(e14, e24, e34, e44));
        v128.store(dst + 28 * planeXi, bt4(e14, e24, e34, e44)); v128.store(dst + 34 * planeXi, bt5(e14, e34, e54));
        v128.store(dst + 5 * planeXi, bt0(e05, e25, e45)); v128.store(dst + 11 * planeXi, bt1(e15, e25, e35, e45));
        v128.store(dst + 17 * planeXi, bt2(e15, e25, e35, e45)); v128.store(dst + 23 * planeXi, bt3(e15, e25, e35, e45));
        v128.store(dst + 29 * planeXi, bt4(e15, e25, e35, e45)); v128.store(dst + 35 * planeXi, bt5(e15, e35, e55));
      }
      for (; tx < txEnd; tx++) {
        f32_winograd_4x4_3x3_input_tile_scalar(row + (<usize>(4 * tx) << 2), rowBytes, vc + (<usize>(rowT + tx - t0) << 2), planeXi);
      }
    }
    for (let j = n; j < nPad; j++) {
      for (let xi = 0; xi < 36; xi++) store<f32>(vc + <usize>xi * planeXi + (<usize>j << 2), 0);
    }
  }
}
