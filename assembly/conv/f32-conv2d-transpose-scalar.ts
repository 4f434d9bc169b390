// Reference transposed convolution (the exact adjoint of f32_conv2d_scalar): every code entry
// scatters its filter into the zero-padded input buffer; the caller then crops the padding.
import { scatterTapScalar } from "../helpers/f32-conv2d-scatter-tap-scalar";

/**
 * xp[m][oy*sh + ky][ox*sw + kx] += w[k][m][ky][kx] * z[k][oy][ox], for all k, oy, ox.
 * xp ([M][Hp][Wp]) must be zeroed by the caller.
 */
export function f32_conv2d_transpose_scalar(
  z: usize, K: i32, Ho: i32, Wo: i32,
  w: usize, M: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Hp: i32, Wp: i32,
  xp: usize,
): void {
  const P = Ho * Wo;
  for (let k = 0; k < K; k++) {
    for (let p = 0; p < P; p++) {
      const v = load<f32>(z + (<usize>(k * P + p) << 2));
      if (v == 0) continue; // a zero contributes nothing; skipping keeps sums bit-equal to the sparse path
      scatterTapScalar(v, k, p, Wo, w, M, kh, kw, sh, sw, Hp, Wp, xp);
    }
  }
}
