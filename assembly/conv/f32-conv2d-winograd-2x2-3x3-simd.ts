// Winograd F(2x2, 3x3) convolution, stride 1, on the f32x4 micro-kernels: the input transform,
// the 16 GEMMs and the output transform, one block of tiles at a time. The same f32 operations
// in the same order as f32-conv2d-winograd-2x2-3x3-scalar, so the two agree bit for bit.
import { f32_winograd_2x2_3x3_input_transform_4x_simd } from "./f32-winograd-2x2-3x3-input-transform-4x-simd";
import { f32_winograd_gemm_4x8_simd } from "./f32-winograd-gemm-4x8-simd";
import { f32_winograd_2x2_3x3_output_transform_4x_simd } from "./f32-winograd-2x2-3x3-output-transform-4x-simd";

/**
 * P[I][Hq][Wq] a zero-padded channel-first input holding TY x TX tiles of 2x2 outputs
 * (Hq >= 2 TY + 2, Wq >= 2 TX + 2); U[16][Op/4][I][4] the transformed filters; V[16][I][Tb] and
 * Om[16][Op][Tb] scratch for Tb tiles (a multiple of 8); out[O][Ho][Wo]. Tiles are numbered
 * row by row (tile t is row t / TX, column t % TX). This call computes tiles [tBegin, tEnd) of the
 * output channels [oBegin, oEnd) (oBegin a multiple of 4), in blocks of Tb that bound the scratch
 * and keep it in cache; threads, each with scratch of its own, split the tiles or the channels.
 */
export function f32_conv2d_winograd_2x2_3x3_simd(
  P: usize, I: i32, Hq: i32, Wq: i32, TX: i32, tBegin: i32, tEnd: i32, Tb: i32,
  U: usize, oBegin: i32, oEnd: i32, Op: i32, V: usize, Om: usize, Ho: i32, Wo: i32, out: usize,
): void {
  for (let t0 = tBegin; t0 < tEnd; t0 += Tb) {
    const n = min(Tb, tEnd - t0);
    f32_winograd_2x2_3x3_input_transform_4x_simd(P, 0, I, I, Hq, Wq, TX, t0, n, Tb, V);
    f32_winograd_gemm_4x8_simd(U, V, Om, I, Op, oBegin, (oEnd + 3) & ~3, Tb, (n + 7) & ~7, 16);
    f32_winograd_2x2_3x3_output_transform_4x_simd(Om, oBegin, oEnd, Op, Tb, TX, t0, n, Ho, Wo, out);
  }
}
