// Reference forward convolution: plain loops over PyTorch's layouts, f32 accumulation.
// It is the scalar module's kernel and the oracle the SIMD micro-kernels are tested against.

/**
 * out[k][oy][ox] = sum_{m,ky,kx} w[k][m][ky][kx] * xp[m][oy*sh + ky][ox*sw + kx]
 * xp is the zero-padded input (see f32_pad2d_chw_scalar); out is [K][Ho][Wo].
 */
export function f32_conv2d_scalar(
  xp: usize, Hp: i32, Wp: i32, M: i32,
  w: usize, K: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Ho: i32, Wo: i32,
  out: usize,
): void {
  const plane = Hp * Wp;
  const taps = M * kh * kw;
  for (let k = 0; k < K; k++) {
    const wk = w + (<usize>(k * taps) << 2);
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const base = oy * sh * Wp + ox * sw;
        let acc: f32 = 0;
        let wp = wk;
        for (let m = 0; m < M; m++) {
          for (let ky = 0; ky < kh; ky++) {
            const row = xp + (<usize>(m * plane + base + ky * Wp) << 2);
            for (let kx = 0; kx < kw; kx++) {
              acc += load<f32>(wp) * load<f32>(row + (<usize>kx << 2));
              wp += 4;
            }
          }
        }
        store<f32>(out + (<usize>((k * Ho + oy) * Wo + ox) << 2), acc);
      }
    }
  }
}
