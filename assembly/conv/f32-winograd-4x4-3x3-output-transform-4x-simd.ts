// Winograd F(4x4, 3x3) output transform, four consecutive tiles of the block per f32x4: the same
// operations as f32-winograd-4x4-3x3-output-transform-scalar (its reference) in the same order
// (which uses Om as scratch; this kernel keeps everything in registers).
// Each output row of the four tiles is 4 vectors (one per column, a tile per lane), which a 4x4
// register transpose turns into one 4-pixel row per tile, stored whole inside the image and
// lane by lane at its right edge. The four tiles may lie on different rows of tiles, so every tile
// of the block goes through the vector path, whatever the image size (the last group's spare
// lanes read the GEMM's products of zero columns and store nothing).
import { winogradPlaneBytes } from "../helpers/f32-winograd-plane-bytes";
import { at0x4 as at0, at1x4 as at1, at2x4 as at2, at3x4 as at3 } from "../helpers/f32-winograd-4x4-3x3-steps";

/** The in-bounds part (cols of 4) of one tile's output row. */
// @ts-ignore: decorator
@inline
function storeRow(p: usize, v: v128, cols: i32): void {
  if (cols >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (cols > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (cols > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Row r of four tiles (lane l of yc: tile l, column c) into each tile's output row, if inside the image. */
// @ts-ignore: decorator
@inline
function storeRows(
  dst: usize, r: i32, rowBytes: usize, y0: v128, y1: v128, y2: v128, y3: v128,
  o0: usize, o1: usize, o2: usize, o3: usize, rows0: i32, rows1: i32, rows2: i32, rows3: i32,
  cols0: i32, cols1: i32, cols2: i32, cols3: i32,
): void {
  const h0 = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), h1 = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7);
  const h2 = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5), h3 = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
  const p = dst + <usize>r * rowBytes;
  if (r < rows0) storeRow(p + o0, v128.shuffle<f32>(h0, h2, 0, 1, 4, 5), cols0);
  if (r < rows1) storeRow(p + o1, v128.shuffle<f32>(h0, h2, 2, 3, 6, 7), cols1);
  if (r < rows2) storeRow(p + o2, v128.shuffle<f32>(h1, h3, 0, 1, 4, 5), cols2);
  if (r < rows3) storeRow(p + o3, v128.shuffle<f32>(h1, h3, 2, 3, 6, 7), cols3);
}

export function f32_winograd_4x4_3x3_output_transform_4x_simd(
  Om: usize, oBegin: i32, oEnd: i32, Op: i32, Tb: i32, TX: i32, t0: i32, n: i32, Ho: i32, Wo: i32, out: usize,
): void {
  const planeXi = winogradPlaneBytes(Op, Tb);
  const planeOut = <usize>(Ho * Wo) << 2;
  const rowBytes = <usize>Wo << 2;
  for (let o = oBegin; o < oEnd; o++) {
    const dstO = out + <usize>o * planeOut;
    for (let j = 0; j < n; j += 4) {
      // Each tile's output offset and how many of its rows and columns are inside the image.
      let t = t0 + j, ty = t / TX, tx = t - ty * TX;
      const o0 = <usize>(4 * ty * Wo + 4 * tx) << 2, rows0 = min(4, Ho - 4 * ty), cols0 = min(4, Wo - 4 * tx);
      t++; ty = t / TX; tx = t - ty * TX;
      const o1 = <usize>(4 * ty * Wo + 4 * tx) << 2, rows1 = j + 1 < n ? min(4, Ho - 4 * ty) : 0, cols1 = min(4, Wo - 4 * tx);
      t++; ty = t / TX; tx = t - ty * TX;
      const o2 = <usize>(4 * ty * Wo + 4 * tx) << 2, rows2 = j + 2 < n ? min(4, Ho - 4 * ty) : 0, cols2 = min(4, Wo - 4 * tx);
      t++; ty = t / TX; tx = t - ty * TX;
      const o3 = <usize>(4 * ty * Wo + 4 * tx) << 2, rows3 = j + 3 < n ? min(4, Ho - 4 * ty) : 0, cols3 = min(4, Wo - 4 * tx);
      const s = Om + (<usize>(o * Tb + j) << 2);
      // A^T m, column by column
      const m00 = v128.load(s), m10 = v128.load(s + 6 * planeXi), m20 = v128.load(s + 12 * planeXi), m30 = v128.load(s + 18 * planeXi), m40 = v128.load(s + 24 * planeXi), m50 = v128.load(s + 30 * planeXi);
      const g00 = at0(m00, m10, m20, m30, m40), g10 = at1(m10, m20, m30, m40);
      const g20 = at2(m10, m20, m30, m40), g30 = at3(m10, m20, m30, m40, m50);
      const m01 = v128.load(s + 1 * planeXi), m11 = v128.load(s + 7 * planeXi), m21 = v128.load(s + 13 * planeXi), m31 = v128.load(s + 19 * planeXi), m41 = v128.load(s + 25 * planeXi), m51 = v128.load(s + 31 * planeXi);
      const g01 = at0(m01, m11, m21, m31, m41), g11 = at1(m11, m21, m31, m41);
      const g21 = at2(m11, m21, m31, m41), g31 = at3(m11, m21, m31, m41, m51);
      const m02 = v128.load(s + 2 * planeXi), m12 = v128.load(s + 8 * planeXi), m22 = v128.load(s + 14 * planeXi), m32 = v128.load(s + 20 * planeXi), m42 = v128.load(s + 26 * planeXi), m52 = v128.load(s + 32 * planeXi);
      const g02 = at0(m02, m12, m22, m32, m42), g12 = at1(m12, m22, m32, m42);
      const g22 = at2(m12, m22, m32, m42), g32 = at3(m12, m22, m32, m42, m52);
      const m03 = v128.load(s + 3 * planeXi), m13 = v128.load(s + 9 * planeXi), m23 = v128.load(s + 15 * planeXi), m33 = v128.load(s + 21 * planeXi), m43 = v128.load(s + 27 * planeXi), m53 = v128.load(s + 33 * planeXi);
      const g03 = at0(m03, m13, m23, m33, m43), g13 = at1(m13, m23, m33, m43);
      const g23 = at2(m13, m23, m33, m43), g33 = at3(m13, m23, m33, m43, m53);
      const m04 = v128.load(s + 4 * planeXi), m14 = v128.load(s + 10 * planeXi), m24 = v128.load(s + 16 * planeXi), m34 = v128.load(s + 22 * planeXi), m44 = v128.load(s + 28 * planeXi), m54 = v128.load(s + 34 * planeXi);
      const g04 = at0(m04, m14, m24, m34, m44), g14 = at1(m14, m24, m34, m44);
      const g24 = at2(m14, m24, m34, m44), g34 = at3(m14, m24, m34, m44, m54);
      const m05 = v128.load(s + 5 * planeXi), m15 = v128.load(s + 11 * planeXi), m25 = v128.load(s + 17 * planeXi), m35 = v128.load(s + 23 * planeXi), m45 = v128.load(s + 29 * planeXi), m55 = v128.load(s + 35 * planeXi);
      const g05 = at0(m05, m15, m25, m35, m45), g15 = at1(m15, m25, m35, m45);
      const g25 = at2(m15, m25, m35, m45), g35 = at3(m15, m25, m35, m45, m55);
      // (A^T m) A, row by row: the four tiles' row r, transposed to one f32x4 per tile
      storeRows(dstO, 0, rowBytes, at0(g00, g01, g02, g03, g04), at1(g01, g02, g03, g04), at2(g01, g02, g03, g04), at3(g01, g02, g03, g04, g05), o0, o1, o2, o3, rows0, rows1, rows2, rows3, cols0, cols1, cols2, cols3);
      storeRows(dstO, 1, rowBytes, at0(g10, g11, g12, g13, g14), at1(g11, g12, g13, g14), at2(g11, g12, g13, g14), at3(g11, g12, g13, g14, g15), o0, o1, o2, o3, rows0, rows1, rows2, rows3, cols0, cols1, cols2, cols3);
      storeRows(dstO, 2, rowBytes, at0(g20, g21, g22, g23, g24), at1(g21, g22, g23, g24), at2(g21, g22, g23, g24), at3(g21, g22, g23, g24, g25), o0, o1, o2, o3, rows0, rows1, rows2, rows3, cols0, cols1, cols2, cols3);
      storeRows(dstO, 3, rowBytes, at0(g30, g31, g32, g33, g34), at1(g31, g32, g33, g34), at2(g31, g32, g33, g34), at3(g31, g32, g33, g34, g35), o0, o1, o2, o3, rows0, rows1, rows2, rows3, cols0, cols1, cols2, cols3);
    }
  }
}
