// Reference transposed convolution (the exact adjoint of f32_conv2d_scalar): every code entry
// scatters its filter into the zero-padded input buffer; the caller then crops the padding.

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

// @ts-ignore: decorator
@inline
function scatterTapScalar(
  v: f32, k: i32, p: i32, Wo: i32,
  w: usize, M: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Hp: i32, Wp: i32,
  xp: usize,
): void {
  const oy = p / Wo;
  const ox = p - oy * Wo;
  const base = oy * sh * Wp + ox * sw;
  const plane = Hp * Wp;
  let wp = w + (<usize>(k * M * kh * kw) << 2);
  for (let m = 0; m < M; m++) {
    for (let ky = 0; ky < kh; ky++) {
      const row = xp + (<usize>(m * plane + base + ky * Wp) << 2);
      for (let kx = 0; kx < kw; kx++) {
        const dst = row + (<usize>kx << 2);
        store<f32>(dst, load<f32>(dst) + v * load<f32>(wp));
        wp += 4;
      }
    }
  }
}
