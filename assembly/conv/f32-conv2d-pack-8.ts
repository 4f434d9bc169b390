// Weight packing, done once per setWeights, so that every micro-kernel streams its filters
// from contiguous memory in exactly the order it consumes them.

/**
 * Forward panels: for each block of 8 output channels, [M][kh][kw][8] (channels padded with
 * zeros up to a multiple of 8). One 32-byte row feeds the two f32x4 weight registers of the
 * 4x8 micro-kernel at one filter tap.
 */
export function f32_pack_conv2d_8(w: usize, K: i32, taps: i32, packed: usize): void {
  const blocks = (K + 7) >> 3;
  memory.fill(packed, 0, <usize>(blocks * taps * 8) << 2);
  for (let k = 0; k < K; k++) {
    const blk = k >> 3;
    const lane = k & 7;
    const src = w + (<usize>(k * taps) << 2);
    const dst = packed + (<usize>(blk * taps * 8 + lane) << 2);
    for (let t = 0; t < taps; t++) {
      store<f32>(dst + (<usize>(t * 8) << 2), load<f32>(src + (<usize>t << 2)));
    }
  }
}

/**
 * Channel-last rows: w[k][m][ky][kx] -> wcl[k][ky][kx][m]. In a channel-last accumulator one
 * filter row (fixed k, ky) is then a single contiguous run of kw*M floats, which is what the
 * sparse transposed convolution adds per non-zero.
 */
export function f32_pack_conv2d_hwc(w: usize, K: i32, M: i32, kh: i32, kw: i32, wcl: usize): void {
  const taps = M * kh * kw;
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const src = w + (<usize>(k * taps + (m * kh + ky) * kw + kx) << 2);
          const dst = wcl + (<usize>(k * taps + (ky * kw + kx) * M + m) << 2);
          store<f32>(dst, load<f32>(src));
        }
      }
    }
  }
}

/**
 * Transposed-GEMM panels over the channel-last columns c = (ky*kw + kx)*M + m: for each block of
 * 8 columns, [K][8] (columns padded with zeros up to a multiple of 8).
 */
export function f32_pack_conv2d_transpose_8(wcl: usize, K: i32, L: i32, packed: usize): void {
  const blocks = (L + 7) >> 3;
  memory.fill(packed, 0, <usize>(blocks * K * 8) << 2);
  for (let k = 0; k < K; k++) {
    const src = wcl + (<usize>(k * L) << 2);
    for (let c = 0; c < L; c++) {
      const dst = packed + (<usize>(((c >> 3) * K + k) * 8 + (c & 7)) << 2);
      store<f32>(dst, load<f32>(src + (<usize>c << 2)));
    }
  }
}

/**
 * For each transposed-GEMM column c = (ky*kw + kx)*M + m, its float offset in the channel-last
 * padded accumulator relative to the pixel's top-left tap: ky*Wp*M + kx*M + m. Columns past L
 * (the zero padding of the last panel) get -1 so the scatter skips them.
 */
export function f32_conv2d_transpose_offsets(M: i32, kh: i32, kw: i32, Wp: i32, colOff: usize, Lpad: i32): void {
  const run = kw * M;
  const L = kh * run;
  for (let c = 0; c < Lpad; c++) {
    let o = -1;
    if (c < L) {
      const ky = c / run;
      o = ky * Wp * M + (c - ky * run);
    }
    store<i32>(colOff + (<usize>c << 2), o);
  }
}

/**
 * Sparse transposed-GEMM panels: for each group of 32 channel-last columns, [K][32] (columns
 * padded with zeros up to a multiple of 32). One filter's 32 columns are one 128-byte row, read
 * with immediate offsets by the 1x32 micro-kernel.
 */
export function f32_pack_conv2d_transpose_32(wcl: usize, K: i32, L: i32, packed: usize): void {
  const groups = (L + 31) >> 5;
  memory.fill(packed, 0, <usize>(groups * K * 32) << 2);
  for (let k = 0; k < K; k++) {
    const src = wcl + (<usize>(k * L) << 2);
    for (let c = 0; c < L; c++) {
      const dst = packed + (<usize>(((c >> 5) * K + k) * 32 + (c & 31)) << 2);
      store<f32>(dst, load<f32>(src + (<usize>c << 2)));
    }
  }
}

/**
 * Sparse transposed-GEMM panels of 24 columns: for each group of 24 channel-last columns,
 * [K][24] (columns padded with zeros up to a multiple of 24). One filter's 24 columns are one
 * 96-byte row, read with immediate offsets by the 1x24 micro-kernel.
 */
export function f32_pack_conv2d_transpose_24(wcl: usize, K: i32, L: i32, packed: usize): void {
  const groups = (L + 23) / 24;
  memory.fill(packed, 0, <usize>(groups * K * 24) << 2);
  for (let k = 0; k < K; k++) {
    const src = wcl + (<usize>(k * L) << 2);
    for (let c = 0; c < L; c++) {
      const g = c / 24;
      const dst = packed + (<usize>((g * K + k) * 24 + c - g * 24) << 2);
      store<f32>(dst, load<f32>(src + (<usize>c << 2)));
    }
  }
}
