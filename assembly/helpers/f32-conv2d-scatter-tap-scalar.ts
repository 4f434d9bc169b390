// One code entry's filter scattered into the zero-padded channel-first buffer: the step shared by
// the dense and sparse reference transposes.

// @ts-ignore: decorator
@inline
export function scatterTapScalar(
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
