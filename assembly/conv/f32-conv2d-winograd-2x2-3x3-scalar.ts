// The reference for f32-conv2d-winograd-2x2-3x3-simd: the same blocks of tiles through the
// scalar transforms and GEMM.
import { f32_winograd_2x2_3x3_input_transform_scalar } from "./f32-winograd-2x2-3x3-input-transform-scalar";
import { f32_winograd_gemm_scalar } from "./f32-winograd-gemm-scalar";
import { f32_winograd_2x2_3x3_output_transform_scalar } from "./f32-winograd-2x2-3x3-output-transform-scalar";

/** Arguments as f32_conv2d_winograd_2x2_3x3_simd. */
export function f32_conv2d_winograd_2x2_3x3_scalar(
  P: usize, I: i32, Hq: i32, Wq: i32, TX: i32, tBegin: i32, tEnd: i32, Tb: i32,
  U: usize, oBegin: i32, oEnd: i32, Op: i32, V: usize, Om: usize, Ho: i32, Wo: i32, out: usize,
): void {
  for (let t0 = tBegin; t0 < tEnd; t0 += Tb) {
    const n = min(Tb, tEnd - t0);
    f32_winograd_2x2_3x3_input_transform_scalar(P, 0, I, I, Hq, Wq, TX, t0, n, Tb, V);
    f32_winograd_gemm_scalar(U, V, Om, I, Op, oBegin, (oEnd + 3) & ~3, Tb, (n + 7) & ~7, 16);
    f32_winograd_2x2_3x3_output_transform_scalar(Om, oBegin, oEnd, Op, Tb, TX, t0, n, Ho, Wo, out);
  }
}
