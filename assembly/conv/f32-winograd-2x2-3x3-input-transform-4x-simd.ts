// Winograd F(2x2, 3x3) input transform, four horizontally adjacent tiles per f32x4: the same
// f32 operations as f32-winograd-2x2-3x3-input-transform-scalar (its reference) in the same
// order, lane by lane. Tile tx's column c sits at 2 tx + c, so the four tiles' columns c are the
// even (c = 0, 2) or odd (c = 1, 3) lanes of two loads, which one shuffle each picks out.
import { winogradPlaneBytes } from "../helpers/f32-winograd-plane-bytes";
import { f32_winograd_2x2_3x3_input_tile_scalar } from "../helpers/f32-winograd-2x2-3x3-tile-scalar";

export function f32_winograd_2x2_3x3_input_transform_4x_simd(
  P: usize, cBegin: i32, cEnd: i32, C: i32, Hq: i32, Wq: i32, TX: i32, t0: i32, n: i32, Tb: i32, V: usize,
): void {
  const planeXi = winogradPlaneBytes(C, Tb);
  const rowBytes = <usize>Wq << 2;
  const nPad = (n + 7) & ~7;
  const t1 = t0 + n;
  const tyFirst = t0 / TX;
  const tyLast = (t1 - 1) / TX;
  for (let c = cBegin; c < cEnd; c++) {
    const plane = P + (<usize>(c * Hq * Wq) << 2);
    const vc = V + (<usize>(c * Tb) << 2);
    // The block's tiles, row by row of tiles: four at a time along a row, then one at a time.
    for (let ty = tyFirst; ty <= tyLast; ty++) {
      const row = plane + (<usize>(2 * ty * Wq) << 2);
      const rowT = ty * TX;
      let tx = max(0, t0 - rowT);
      const txEnd = min(TX, t1 - rowT);
      // Four tiles read columns 2 tx .. 2 tx + 9, inside Wq >= 2 TX + 2 while tx + 4 <= TX.
      for (; tx + 4 <= txEnd; tx += 4) {
        const src = row + (<usize>(2 * tx) << 2);
        const dst = vc + (<usize>(rowT + tx - t0) << 2);
        let s = src;
        let a = v128.load(s), b = v128.load(s, 16), a2 = v128.load(s, 8), b2 = v128.load(s, 24);
        let d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        let d2 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6), d3 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
        const e00 = f32x4.sub(d0, d2), e01 = f32x4.add(d1, d2), e02 = f32x4.sub(d2, d1), e03 = f32x4.sub(d1, d3);
        s += rowBytes;
        a = v128.load(s); b = v128.load(s, 16); a2 = v128.load(s, 8); b2 = v128.load(s, 24);
        d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d2 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6); d3 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
        const e10 = f32x4.sub(d0, d2), e11 = f32x4.add(d1, d2), e12 = f32x4.sub(d2, d1), e13 = f32x4.sub(d1, d3);
        s += rowBytes;
        a = v128.load(s); b = v128.load(s, 16); a2 = v128.load(s, 8); b2 = v128.load(s, 24);
        d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d2 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6); d3 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
        const e20 = f32x4.sub(d0, d2), e21 = f32x4.add(d1, d2), e22 = f32x4.sub(d2, d1), e23 = f32x4.sub(d1, d3);
        s += rowBytes;
        a = v128.load(s); b = v128.load(s, 16); a2 = v128.load(s, 8); b2 = v128.load(s, 24);
        d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d2 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6); d3 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
        const e30 = f32x4.sub(d0, d2), e31 = f32x4.add(d1, d2), e32 = f32x4.sub(d2, d1), e33 = f32x4.sub(d1, d3);
        v128.store(dst, f32x4.sub(e00, e20)); v128.store(dst + planeXi, f32x4.sub(e01, e21));
        v128.store(dst + 2 * planeXi, f32x4.sub(e02, e22)); v128.store(dst + 3 * planeXi, f32x4.sub(e03, e23));
        v128.store(dst + 4 * planeXi, f32x4.add(e10, e20)); v128.store(dst + 5 * planeXi, f32x4.add(e11, e21));
        v128.store(dst + 6 * planeXi, f32x4.add(e12, e22)); v128.store(dst + 7 * planeXi, f32x4.add(e13, e23));
        v128.store(dst + 8 * planeXi, f32x4.sub(e20, e10)); v128.store(dst + 9 * planeXi, f32x4.sub(e21, e11));
        v128.store(dst + 10 * planeXi, f32x4.sub(e22, e12)); v128.store(dst + 11 * planeXi, f32x4.sub(e23, e13));
        v128.store(dst + 12 * planeXi, f32x4.sub(e10, e30)); v128.store(dst + 13 * planeXi, f32x4.sub(e11, e31));
        v128.store(dst + 14 * planeXi, f32x4.sub(e12, e32)); v128.store(dst + 15 * planeXi, f32x4.sub(e13, e33));
      }
      for (; tx < txEnd; tx++) {
        f32_winograd_2x2_3x3_input_tile_scalar(row + (<usize>(2 * tx) << 2), rowBytes, vc + (<usize>(rowT + tx - t0) << 2), planeXi);
      }
    }
    for (let j = n; j < nPad; j++) {
      for (let xi = 0; xi < 16; xi++) store<f32>(vc + <usize>xi * planeXi + (<usize>j << 2), 0);
    }
  }
}
