// One tile of the Winograd F(4x4, 3x3) input transform (V = B^T d B, a 6x6 tile d) and of the
// output transform (Y = A^T M A, 4x4 outputs): the scalar references' loops, and the edge tiles
// of the 4x SIMD kernels. The input applies B^T along each row first, then down each column;
// the output applies A^T down each column first, then along each row.
import { bt0, bt1, bt2, bt3, bt4, bt5, at0, at1, at2, at3 } from "./f32-winograd-4x4-3x3-steps";

/** One tile: reads src[r * rowBytes + 4 col] (r, col < 6), writes dst[xi * planeXi], xi = 6 row + col. */
// @ts-ignore: decorator
@inline
export function f32_winograd_4x4_3x3_input_tile_scalar(src: usize, rowBytes: usize, dst: usize, planeXi: usize): void {
  const r0 = src, r1 = src + rowBytes, r2 = src + 2 * rowBytes, r3 = src + 3 * rowBytes, r4 = src + 4 * rowBytes, r5 = src + 5 * rowBytes;
  // rows of d B
  const d00 = load<f32>(r0), d01 = load<f32>(r0, 4), d02 = load<f32>(r0, 8), d03 = load<f32>(r0, 12), d04 = load<f32>(r0, 16), d05 = load<f32>(r0, 20);
  const e00 = bt0(d00, d01, d02, d03, d04), e01 = bt1(d01, d02, d03, d04), e02 = bt2(d01, d02, d03, d04);
  const e03 = bt3(d01, d02, d03, d04), e04 = bt4(d01, d02, d03, d04), e05 = bt5(d01, d02, d03, d04, d05);
  const d10 = load<f32>(r1), d11 = load<f32>(r1, 4), d12 = load<f32>(r1, 8), d13 = load<f32>(r1, 12), d14 = load<f32>(r1, 16), d15 = load<f32>(r1, 20);
  const e10 = bt0(d10, d11, d12, d13, d14), e11 = bt1(d11, d12, d13, d14), e12 = bt2(d11, d12, d13, d14);
  const e13 = bt3(d11, d12, d13, d14), e14 = bt4(d11, d12, d13, d14), e15 = bt5(d11, d12, d13, d14, d15);
  const d20 = load<f32>(r2), d21 = load<f32>(r2, 4), d22 = load<f32>(r2, 8), d23 = load<f32>(r2, 12), d24 = load<f32>(r2, 16), d25 = load<f32>(r2, 20);
  const e20 = bt0(d20, d21, d22, d23, d24), e21 = bt1(d21, d22, d23, d24), e22 = bt2(d21, d22, d23, d24);
  const e23 = bt3(d21, d22, d23, d24), e24 = bt4(d21, d22, d23, d24), e25 = bt5(d21, d22, d23, d24, d25);
  const d30 = load<f32>(r3), d31 = load<f32>(r3, 4), d32 = load<f32>(r3, 8), d33 = load<f32>(r3, 12), d34 = load<f32>(r3, 16), d35 = load<f32>(r3, 20);
  const e30 = bt0(d30, d31, d32, d33, d34), e31 = bt1(d31, d32, d33, d34), e32 = bt2(d31, d32, d33, d34);
  const e33 = bt3(d31, d32, d33, d34), e34 = bt4(d31, d32, d33, d34), e35 = bt5(d31, d32, d33, d34, d35);
  const d40 = load<f32>(r4), d41 = load<f32>(r4, 4), d42 = load<f32>(r4, 8), d43 = load<f32>(r4, 12), d44 = load<f32>(r4, 16), d45 = load<f32>(r4, 20);
  const e40 = bt0(d40, d41, d42, d43, d44), e41 = bt1(d41, d42, d43, d44), e42 = bt2(d41, d42, d43, d44);
  const e43 = bt3(d41, d42, d43, d44), e44 = bt4(d41, d42, d43, d44), e45 = bt5(d41, d42, d43, d44, d45);
  const d50 = load<f32>(r5), d51 = load<f32>(r5, 4), d52 = load<f32>(r5, 8), d53 = load<f32>(r5, 12), d54 = load<f32>(r5, 16), d55 = load<f32>(r5, 20);
  const e50 = bt0(d50, d51, d52, d53, d54), e51 = bt1(d51, d52, d53, d54), e52 = bt2(d51, d52, d53, d54);
  const e53 = bt3(d51, d52, d53, d54), e54 = bt4(d51, d52, d53, d54), e55 = bt5(d51, d52, d53, d54, d55);
  // B^T (d B), column by column
  store<f32>(dst, bt0(e00, e10, e20, e30, e40)); store<f32>(dst + 6 * planeXi, bt1(e10, e20, e30, e40));
  store<f32>(dst + 12 * planeXi, bt2(e10, e20, e30, e40)); store<f32>(dst + 18 * planeXi, bt3(e10, e20, e30, e40));
  store<f32>(dst + 24 * planeXi, bt4(e10, e20, e30, e40)); store<f32>(dst + 30 * planeXi, bt5(e10, e20, e30, e40, e50));
  store<f32>(dst + 1 * planeXi, bt0(e01, e11, e21, e31, e41)); store<f32>(dst + 7 * planeXi, bt1(e11, e21, e31, e41));
  store<f32>(dst + 13 * planeXi, bt2(e11, e21, e31, e41)); store<f32>(dst + 19 * planeXi, bt3(e11, e21, e31, e41));
  store<f32>(dst + 25 * planeXi, bt4(e11, e21, e31, e41)); store<f32>(dst + 31 * planeXi, bt5(e11, e21, e31, e41, e51));
  store<f32>(dst + 2 * planeXi, bt0(e02, e12, e22, e32, e42)); store<f32>(dst + 8 * planeXi, bt1(e12, e22, e32, e42));
  store<f32>(dst + 14 * planeXi, bt2(e12, e22, e32, e42)); store<f32>(dst + 20 * planeXi, bt3(e12, e22, e32, e42));
  store<f32>(dst + 26 * planeXi, bt4(e12, e22, e32, e42)); store<f32>(dst + 32 * planeXi, bt5(e12, e22, e32, e42, e52));
  store<f32>(dst + 3 * planeXi, bt0(e03, e13, e23, e33, e43)); store<f32>(dst + 9 * planeXi, bt1(e13, e23, e33, e43));
  store<f32>(dst + 15 * planeXi, bt2(e13, e23, e33, e43)); store<f32>(dst + 21 * planeXi, bt3(e13, e23, e33, e43));
  store<f32>(dst + 27 * planeXi, bt4(e13, e23, e33, e43)); store<f32>(dst + 33 * planeXi, bt5(e13, e23, e33, e43, e53));
  store<f32>(dst + 4 * planeXi, bt0(e04, e14, e24, e34, e44)); store<f32>(dst + 10 * planeXi, bt1(e14, e24, e34, e44));
  store<f32>(dst + 16 * planeXi, bt2(e14, e24, e34, e44)); store<f32>(dst + 22 * planeXi, bt3(e14, e24, e34, e44));
  store<f32>(dst + 28 * planeXi, bt4(e14, e24, e34, e44)); store<f32>(dst + 34 * planeXi, bt5(e14, e24, e34, e44, e54));
  store<f32>(dst + 5 * planeXi, bt0(e05, e15, e25, e35, e45)); store<f32>(dst + 11 * planeXi, bt1(e15, e25, e35, e45));
  store<f32>(dst + 17 * planeXi, bt2(e15, e25, e35, e45)); store<f32>(dst + 23 * planeXi, bt3(e15, e25, e35, e45));
  store<f32>(dst + 29 * planeXi, bt4(e15, e25, e35, e45)); store<f32>(dst + 35 * planeXi, bt5(e15, e25, e35, e45, e55));
}

/** The in-bounds part (cols <= 4 values) of one output row. */
// @ts-ignore: decorator
@inline
function storeRow(p: usize, cols: i32, y0: f32, y1: f32, y2: f32, y3: f32): void {
  store<f32>(p, y0);
  if (cols > 1) store<f32>(p, y1, 4);
  if (cols > 2) store<f32>(p, y2, 8);
  if (cols > 3) store<f32>(p, y3, 12);
}

/** One tile: reads m[xi] at src + xi * planeXi, writes the in-bounds outputs at (y .. y + 3, x .. x + 3). */
// @ts-ignore: decorator
@inline
export function f32_winograd_4x4_3x3_output_tile_scalar(
  src: usize, planeXi: usize, dst: usize, y: i32, x: i32, Ho: i32, Wo: i32,
): void {
  const rowBytes = <usize>Wo << 2;
  const p = dst + (<usize>(y * Wo + x) << 2);
  const cols = min(4, Wo - x);
  // A^T m, column by column
  const m00 = load<f32>(src), m10 = load<f32>(src + 6 * planeXi), m20 = load<f32>(src + 12 * planeXi), m30 = load<f32>(src + 18 * planeXi), m40 = load<f32>(src + 24 * planeXi), m50 = load<f32>(src + 30 * planeXi);
  const g00 = at0(m00, m10, m20, m30, m40), g10 = at1(m10, m20, m30, m40);
  const g20 = at2(m10, m20, m30, m40), g30 = at3(m10, m20, m30, m40, m50);
  const m01 = load<f32>(src + 1 * planeXi), m11 = load<f32>(src + 7 * planeXi), m21 = load<f32>(src + 13 * planeXi), m31 = load<f32>(src + 19 * planeXi), m41 = load<f32>(src + 25 * planeXi), m51 = load<f32>(src + 31 * planeXi);
  const g01 = at0(m01, m11, m21, m31, m41), g11 = at1(m11, m21, m31, m41);
  const g21 = at2(m11, m21, m31, m41), g31 = at3(m11, m21, m31, m41, m51);
  const m02 = load<f32>(src + 2 * planeXi), m12 = load<f32>(src + 8 * planeXi), m22 = load<f32>(src + 14 * planeXi), m32 = load<f32>(src + 20 * planeXi), m42 = load<f32>(src + 26 * planeXi), m52 = load<f32>(src + 32 * planeXi);
  const g02 = at0(m02, m12, m22, m32, m42), g12 = at1(m12, m22, m32, m42);
  const g22 = at2(m12, m22, m32, m42), g32 = at3(m12, m22, m32, m42, m52);
  const m03 = load<f32>(src + 3 * planeXi), m13 = load<f32>(src + 9 * planeXi), m23 = load<f32>(src + 15 * planeXi), m33 = load<f32>(src + 21 * planeXi), m43 = load<f32>(src + 27 * planeXi), m53 = load<f32>(src + 33 * planeXi);
  const g03 = at0(m03, m13, m23, m33, m43), g13 = at1(m13, m23, m33, m43);
  const g23 = at2(m13, m23, m33, m43), g33 = at3(m13, m23, m33, m43, m53);
  const m04 = load<f32>(src + 4 * planeXi), m14 = load<f32>(src + 10 * planeXi), m24 = load<f32>(src + 16 * planeXi), m34 = load<f32>(src + 22 * planeXi), m44 = load<f32>(src + 28 * planeXi), m54 = load<f32>(src + 34 * planeXi);
  const g04 = at0(m04, m14, m24, m34, m44), g14 = at1(m14, m24, m34, m44);
  const g24 = at2(m14, m24, m34, m44), g34 = at3(m14, m24, m34, m44, m54);
  const m05 = load<f32>(src + 5 * planeXi), m15 = load<f32>(src + 11 * planeXi), m25 = load<f32>(src + 17 * planeXi), m35 = load<f32>(src + 23 * planeXi), m45 = load<f32>(src + 29 * planeXi), m55 = load<f32>(src + 35 * planeXi);
  const g05 = at0(m05, m15, m25, m35, m45), g15 = at1(m15, m25, m35, m45);
  const g25 = at2(m15, m25, m35, m45), g35 = at3(m15, m25, m35, m45, m55);
  // (A^T m) A, row by row
  storeRow(p, cols, at0(g00, g01, g02, g03, g04), at1(g01, g02, g03, g04), at2(g01, g02, g03, g04), at3(g01, g02, g03, g04, g05));
  if (y + 1 >= Ho) return;
  storeRow(p + 1 * rowBytes, cols, at0(g10, g11, g12, g13, g14), at1(g11, g12, g13, g14), at2(g11, g12, g13, g14), at3(g11, g12, g13, g14, g15));
  if (y + 2 >= Ho) return;
  storeRow(p + 2 * rowBytes, cols, at0(g20, g21, g22, g23, g24), at1(g21, g22, g23, g24), at2(g21, g22, g23, g24), at3(g21, g22, g23, g24, g25));
  if (y + 3 >= Ho) return;
  storeRow(p + 3 * rowBytes, cols, at0(g30, g31, g32, g33, g34), at1(g31, g32, g33, g34), at2(g31, g32, g33, g34), at3(g31, g32, g33, g34, g35));
}
