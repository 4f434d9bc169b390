// The loops of the scalar Winograd transforms (filter, input and output), shared by F(2x2, 3x3) (m = 2) and F(4x4, 3x3)
// (m = 4): over channels and the tiles of one block, each tile handed to its size's tile
// function. Inlined with m a constant, so each kernel keeps a single direct call per tile.
import { winogradPlaneBytes } from "./f32-winograd-plane-bytes";
import { f32_winograd_2x2_3x3_filter_tile_scalar, f32_winograd_2x2_3x3_input_tile_scalar, f32_winograd_2x2_3x3_output_tile_scalar } from "./f32-winograd-2x2-3x3-tile-scalar";
import { f32_winograd_4x4_3x3_filter_tile_scalar, f32_winograd_4x4_3x3_input_tile_scalar, f32_winograd_4x4_3x3_output_tile_scalar } from "./f32-winograd-4x4-3x3-tile-scalar";

/**
 * V[xi][c][j] = B^T d B of input tile t0 + j (tiles of m+2 x m+2 stepping by m, tile t at row
 * m (t / TX), column m (t % TX) of P[C][Hq][Wq]); columns n .. (n rounded up to 8) - 1 zeroed, so
 * that the GEMM may run over whole groups of 8 tiles.
 */
// @ts-ignore: decorator
@inline
export function winogradInputTransformScalar(
  m: i32, P: usize, cBegin: i32, cEnd: i32, C: i32, Hq: i32, Wq: i32, TX: i32, t0: i32, n: i32, Tb: i32, V: usize,
): void {
  const planes = (m + 2) * (m + 2);
  const planeXi = winogradPlaneBytes(C, Tb);
  const rowBytes = <usize>Wq << 2;
  const nPad = (n + 7) & ~7;
  for (let c = cBegin; c < cEnd; c++) {
    const plane = P + (<usize>(c * Hq * Wq) << 2);
    const vc = V + (<usize>(c * Tb) << 2);
    for (let j = 0; j < n; j++) {
      const t = t0 + j;
      const ty = t / TX;
      const tx = t - ty * TX;
      const src = plane + (<usize>(m * ty * Wq + m * tx) << 2);
      if (m == 4) f32_winograd_4x4_3x3_input_tile_scalar(src, rowBytes, vc + (<usize>j << 2), planeXi);
      else f32_winograd_2x2_3x3_input_tile_scalar(src, rowBytes, vc + (<usize>j << 2), planeXi);
    }
    for (let j = n; j < nPad; j++) {
      for (let xi = 0; xi < planes; xi++) store<f32>(vc + <usize>xi * planeXi + (<usize>j << 2), 0);
    }
  }
}

/**
 * Y = A^T m A of each product tile Om[xi][o][j] (tile t0 + j, output channels [oBegin, oEnd)),
 * written as the tile's m x m outputs into out[O][Ho][Wo], dropping what falls past the edges.
 */
// @ts-ignore: decorator
@inline
export function winogradOutputTransformScalar(
  m: i32, Om: usize, oBegin: i32, oEnd: i32, Op: i32, Tb: i32, TX: i32, t0: i32, n: i32, Ho: i32, Wo: i32, out: usize,
): void {
  const planeXi = winogradPlaneBytes(Op, Tb);
  for (let o = oBegin; o < oEnd; o++) {
    const src = Om + (<usize>(o * Tb) << 2);
    const dst = out + (<usize>(o * Ho * Wo) << 2);
    for (let j = 0; j < n; j++) {
      const t = t0 + j;
      const ty = t / TX;
      const tx = t - ty * TX;
      if (m == 4) f32_winograd_4x4_3x3_output_tile_scalar(src + (<usize>j << 2), planeXi, dst, 4 * ty, 4 * tx, Ho, Wo);
      else f32_winograd_2x2_3x3_output_tile_scalar(src + (<usize>j << 2), planeXi, dst, 2 * ty, 2 * tx, Ho, Wo);
    }
  }
}

/**
 * U[xi][ob][i][r] = G g G^T for every (output o = 4 ob + r, input i) pair of the weights w
 * [K][M][3][3] (transpose = 1: the flipped filters, channel roles swapped); the padding outputs
 * of the last block of 4 are zero.
 */
// @ts-ignore: decorator
@inline
export function winogradFilterTransformScalar(m: i32, w: usize, K: i32, M: i32, transpose: i32, U: usize): void {
  const planes = (m + 2) * (m + 2);
  const O = transpose ? M : K;
  const I = transpose ? K : M;
  const Op = (O + 3) & ~3;
  const planeXi = <usize>(Op * I) << 2; // bytes per xi plane
  for (let o = 0; o < Op; o++) {
    const ob = o >> 2;
    const r = o & 3;
    for (let i = 0; i < I; i++) {
      const dst = U + (<usize>((ob * I + i) * 4 + r) << 2);
      if (o >= O) {
        for (let xi = 0; xi < planes; xi++) store<f32>(dst + <usize>xi * planeXi, 0);
        continue;
      }
      const src = transpose ? w + (<usize>((i * M + o) * 9) << 2) : w + (<usize>((o * M + i) * 9) << 2);
      let g00: f64, g01: f64, g02: f64, g10: f64, g11: f64, g12: f64, g20: f64, g21: f64, g22: f64;
      if (transpose) {
        g00 = <f64>load<f32>(src, 32); g01 = <f64>load<f32>(src, 28); g02 = <f64>load<f32>(src, 24);
        g10 = <f64>load<f32>(src, 20); g11 = <f64>load<f32>(src, 16); g12 = <f64>load<f32>(src, 12);
        g20 = <f64>load<f32>(src, 8); g21 = <f64>load<f32>(src, 4); g22 = <f64>load<f32>(src, 0);
      } else {
        g00 = <f64>load<f32>(src, 0); g01 = <f64>load<f32>(src, 4); g02 = <f64>load<f32>(src, 8);
        g10 = <f64>load<f32>(src, 12); g11 = <f64>load<f32>(src, 16); g12 = <f64>load<f32>(src, 20);
        g20 = <f64>load<f32>(src, 24); g21 = <f64>load<f32>(src, 28); g22 = <f64>load<f32>(src, 32);
      }
      if (m == 4) f32_winograd_4x4_3x3_filter_tile_scalar(dst, planeXi, g00, g01, g02, g10, g11, g12, g20, g21, g22);
      else f32_winograd_2x2_3x3_filter_tile_scalar(dst, planeXi, g00, g01, g02, g10, g11, g12, g20, g21, g22);
    }
  }
}
