// Sparse transposed convolution: each non-zero z[k][oy][ox] = v adds v * w[k] into the
// channel-last padded accumulator xc[Hp][Wp][M]. With channel-last filters (f32_pack_conv2d_hwc_scalar)
// one filter row ky is a single contiguous run of kw*M floats in both buffers, so each non-zero
// costs kh vector axpys and no index arithmetic per tap: O(nnz * M * kh * kw) in total.
// Contributions reach each output float in the order of the non-zeros, exactly as in
// f32_conv2d_transpose_sparse_scalar, so the two give the same bits. Only accumulator rows
// [yBegin, yEnd) are written: threads split the rows into bands, and each float still receives
// its contributions in the order of the non-zeros.
import { pixelOffsetHwc } from "../helpers/f32-conv2d-col2im-scatter";
import { madd4 } from "../helpers/f32x4-madd";

export function f32_conv2d_transpose_sparse_axpy16_simd(
  idx: usize, val: usize, nnz: i32, Ho: i32, Wo: i32,
  wcl: usize, M: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Wp: i32, yBegin: i32, yEnd: i32,
  xc: usize,
): void {
  const P = Ho * Wo;
  const run = kw * M;
  const runBytes = <usize>run << 2;
  const filterBytes = <usize>(kh * run) << 2;
  const rowBytes = <usize>(Wp * M) << 2;
  for (let i = 0; i < nnz; i++) {
    const flat = load<i32>(idx + (<usize>i << 2));
    const v = load<f32>(val + (<usize>i << 2));
    if (v == 0) continue;
    const k = flat / P;
    const p = flat - k * P;
    // the filter rows ky whose accumulator row oy*sh + ky lies in [yBegin, yEnd)
    const y = (p / Wo) * sh;
    const ky0 = max(0, yBegin - y), ky1 = min(kh, yEnd - y);
    // Filter rows bottom-up: each row touches its own output floats, so the order changes no
    // bit. Top-down, two threads on neighbouring bands slowed each other down, as if each
    // non-zero's walk down the rows carried on into the band below (bench/README.md, "Sparse
    // transposes across threads").
    let dst = xc + pixelOffsetHwc(p, Wo, sh, sw, Wp, M) + <usize>(ky1 - 1) * rowBytes;
    let src = wcl + <usize>k * filterBytes + <usize>(ky1 - 1) * runBytes;
    for (let ky = ky1 - 1; ky >= ky0; ky--) {
      axpyRun(v, src, dst, run);
      src -= runBytes;
      dst -= rowBytes;
    }
  }
}

/**
 * dst[0..n) += v * src[0..n): sixteen floats per iteration (four independent vectors keep the
 * load/store units busy and the loop overhead small), then four at a time, then a scalar tail.
 */
// @ts-ignore: decorator
@inline
function axpyRun(v: f32, src: usize, dst: usize, n: i32): void {
  const vv = f32x4.splat(v);
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    const o = <usize>j << 2;
    const d = dst + o;
    const s = src + o;
    const r0 = madd4(v128.load(d), vv, v128.load(s));
    const r1 = madd4(v128.load(d, 16), vv, v128.load(s, 16));
    const r2 = madd4(v128.load(d, 32), vv, v128.load(s, 32));
    const r3 = madd4(v128.load(d, 48), vv, v128.load(s, 48));
    v128.store(d, r0);
    v128.store(d, r1, 16);
    v128.store(d, r2, 32);
    v128.store(d, r3, 48);
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, madd4(v128.load(dst + o), vv, v128.load(src + o)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + v * load<f32>(src + o));
  }
}
