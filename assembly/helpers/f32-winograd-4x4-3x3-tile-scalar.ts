// One tile of the Winograd F(4x4, 3x3) input transform (V = B^T d B, a 6x6 tile d) and of the
// output transform (Y = A^T M A, 4x4 outputs): the scalar references' loops. Both go in two
// passes through the tile's own 36 transform planes, as the 4x SIMD kernels do: the input applies
// B^T along each row into the planes, then down each column in place; the output applies A^T
// down each column in place (rows 0 .. 3 of the planes), then along each row into the result.
import { bt0, bt1, bt2, bt3, bt4, bt5, at0, at1, at2, at3 } from "./f32-winograd-4x4-3x3-steps";

/** One tile: reads src[r * rowBytes + 4 col] (r, col < 6), writes dst[xi * planeXi], xi = 6 row + col. */
// @ts-ignore: decorator
@inline
export function f32_winograd_4x4_3x3_input_tile_scalar(src: usize, rowBytes: usize, dst: usize, planeXi: usize): void {
  // rows of d B
  for (let r = 0; r < 6; r++) {
    const s = src + <usize>r * rowBytes;
    const d0 = load<f32>(s), d1 = load<f32>(s, 4), d2 = load<f32>(s, 8), d3 = load<f32>(s, 12), d4 = load<f32>(s, 16), d5 = load<f32>(s, 20);
    const p = dst + <usize>(6 * r) * planeXi;
    store<f32>(p, bt0(d0, d1, d2, d3, d4)); store<f32>(p + planeXi, bt1(d1, d2, d3, d4)); store<f32>(p + 2 * planeXi, bt2(d1, d2, d3, d4));
    store<f32>(p + 3 * planeXi, bt3(d1, d2, d3, d4)); store<f32>(p + 4 * planeXi, bt4(d1, d2, d3, d4)); store<f32>(p + 5 * planeXi, bt5(d1, d2, d3, d4, d5));
  }
  // B^T (d B), column by column, in place
  for (let k = 0; k < 6; k++) {
    const p = dst + <usize>k * planeXi;
    const e0 = load<f32>(p), e1 = load<f32>(p + 6 * planeXi), e2 = load<f32>(p + 12 * planeXi);
    const e3 = load<f32>(p + 18 * planeXi), e4 = load<f32>(p + 24 * planeXi), e5 = load<f32>(p + 30 * planeXi);
    store<f32>(p, bt0(e0, e1, e2, e3, e4)); store<f32>(p + 6 * planeXi, bt1(e1, e2, e3, e4)); store<f32>(p + 12 * planeXi, bt2(e1, e2, e3, e4));
    store<f32>(p + 18 * planeXi, bt3(e1, e2, e3, e4)); store<f32>(p + 24 * planeXi, bt4(e1, e2, e3, e4)); store<f32>(p + 30 * planeXi, bt5(e1, e2, e3, e4, e5));
  }
}

/**
 * One tile: reads m[xi] at src + xi * planeXi (and overwrites planes 0 .. 23 with A^T m), writes
 * the in-bounds outputs at (y .. y + 3, x .. x + 3).
 */
// @ts-ignore: decorator
@inline
export function f32_winograd_4x4_3x3_output_tile_scalar(
  src: usize, planeXi: usize, dst: usize, y: i32, x: i32, Ho: i32, Wo: i32,
): void {
  // A^T m, column by column, into rows 0 .. 3 of the planes
  for (let k = 0; k < 6; k++) {
    const p = src + <usize>k * planeXi;
    const m0 = load<f32>(p), m1 = load<f32>(p + 6 * planeXi), m2 = load<f32>(p + 12 * planeXi);
    const m3 = load<f32>(p + 18 * planeXi), m4 = load<f32>(p + 24 * planeXi), m5 = load<f32>(p + 30 * planeXi);
    store<f32>(p, at0(m0, m1, m2, m3, m4)); store<f32>(p + 6 * planeXi, at1(m1, m2, m3, m4));
    store<f32>(p + 12 * planeXi, at2(m1, m2, m3, m4)); store<f32>(p + 18 * planeXi, at3(m1, m2, m3, m4, m5));
  }
  // (A^T m) A, row by row, the in-bounds part
  const rows = min(4, Ho - y), cols = min(4, Wo - x);
  for (let r = 0; r < rows; r++) {
    const p = src + <usize>(6 * r) * planeXi;
    const g0 = load<f32>(p), g1 = load<f32>(p + planeXi), g2 = load<f32>(p + 2 * planeXi);
    const g3 = load<f32>(p + 3 * planeXi), g4 = load<f32>(p + 4 * planeXi), g5 = load<f32>(p + 5 * planeXi);
    const q = dst + (<usize>((y + r) * Wo + x) << 2);
    store<f32>(q, at0(g0, g1, g2, g3, g4));
    if (cols > 1) store<f32>(q, at1(g1, g2, g3, g4), 4);
    if (cols > 2) store<f32>(q, at2(g1, g2, g3, g4), 8);
    if (cols > 3) store<f32>(q, at3(g1, g2, g3, g4, g5), 12);
  }
}

/** U = G g G^T of one 3x3 filter g (in f64, each value rounded to f32 once), its planes planeXi bytes apart. */
// @ts-ignore: decorator
@inline
export function f32_winograd_4x4_3x3_filter_tile_scalar(dst: usize, planeXi: usize, g00: f64, g01: f64, g02: f64, g10: f64, g11: f64, g12: f64, g20: f64, g21: f64, g22: f64): void {
  // G g: 6 rows x 3 columns; then each row becomes 6 values (G g) G^T
  storeFilterRow4x4(dst, planeXi, 0, g00, g01, g02);
  storeFilterRow4x4(dst, planeXi, 1, -(g00 - g10 + g20) / 3, -(g01 - g11 + g21) / 3, -(g02 - g12 + g22) / 3);
  storeFilterRow4x4(dst, planeXi, 2, (g00 + g10 + g20) / 3, (g01 + g11 + g21) / 3, (g02 + g12 + g22) / 3);
  storeFilterRow4x4(dst, planeXi, 3, -(4 * g00 + 2 * g10 + g20) * 4 / 15, -(4 * g01 + 2 * g11 + g21) * 4 / 15, -(4 * g02 + 2 * g12 + g22) * 4 / 15);
  storeFilterRow4x4(dst, planeXi, 4, (g00 - 2 * g10 + 4 * g20) / 15, (g01 - 2 * g11 + 4 * g21) / 15, (g02 - 2 * g12 + 4 * g22) / 15);
  storeFilterRow4x4(dst, planeXi, 5, g20, g21, g22);
}

function storeFilterRow4x4(dst: usize, planeXi: usize, row: i32, x0: f64, x1: f64, x2: f64): void {
  const base = dst + <usize>(row * 6) * planeXi;
  store<f32>(base, <f32>x0);
  store<f32>(base + planeXi, <f32>(-(x0 - x1 + x2) / 3));
  store<f32>(base + 2 * planeXi, <f32>((x0 + x1 + x2) / 3));
  store<f32>(base + 3 * planeXi, <f32>(-(4 * x0 + 2 * x1 + x2) * 4 / 15));
  store<f32>(base + 4 * planeXi, <f32>((x0 - 2 * x1 + 4 * x2) / 15));
  store<f32>(base + 5 * planeXi, <f32>x2);
}
