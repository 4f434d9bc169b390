// Reference sparse transposed convolution: each (index, value) pair scatters its filter into the
// zero-padded input buffer, as f32-conv2d-transpose-scalar does for every entry of a dense code.
import { scatterTapScalar } from "../helpers/f32-conv2d-scatter-tap-scalar";

/**
 * Sparse code given as `nnz` flat indices into z[K][Ho][Wo] with their values: the same adjoint
 * in O(nnz * M * kh * kw).
 */
export function f32_conv2d_transpose_sparse_scalar(
  idx: usize, val: usize, nnz: i32, Ho: i32, Wo: i32,
  w: usize, M: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Hp: i32, Wp: i32,
  xp: usize,
): void {
  const P = Ho * Wo;
  for (let i = 0; i < nnz; i++) {
    const flat = load<i32>(idx + (<usize>i << 2));
    const v = load<f32>(val + (<usize>i << 2));
    if (v == 0) continue;
    const k = flat / P;
    scatterTapScalar(v, k, flat - k * P, Wo, w, M, kh, kw, sh, sw, Hp, Wp, xp);
  }
}
