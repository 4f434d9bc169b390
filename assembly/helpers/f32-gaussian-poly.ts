// The f32 arithmetic of the Gaussian transform, shared by the scalar and the f32x4 samplers so
// that both modules give identical bits: every lane of the SIMD version performs exactly the
// operations of gaussianPairScalar, in the same order, each rounded to f32 (wasm has no fused
// multiply-add in baseline SIMD and binaryen does not reassociate floats).
//
// Box-Muller on 24-bit uniforms: u1 = (a + 1/2) 2^-24 in (0, 1), u2 = b 2^-24 in [0, 1),
// r = sqrt(-2 ln u1) (tails to 5.9 standard deviations), theta = 2 pi u2.
// ln by exponent/mantissa split and the atanh series on m in [sqrt(1/2), sqrt(2));
// sin and cos of theta by quadrant (exact, from u2's bits) and polynomials on [0, pi/2).

export const INV_2_24: f32 = 5.9604644775390625e-8;
export const SQRT2: f32 = 1.4142135;
export const LN2: f32 = 0.6931472;
export const HALF_PI: f32 = 1.5707964;
// ln(m) = 2s (1 + s^2/3 + s^4/5 + s^6/7 + s^8/9), s = (m - 1)/(m + 1), |s| <= 0.172
export const L3: f32 = <f32>(1.0 / 3.0);
export const L5: f32 = <f32>(1.0 / 5.0);
export const L7: f32 = <f32>(1.0 / 7.0);
export const L9: f32 = <f32>(1.0 / 9.0);
// Taylor coefficients of sin and cos; on [0, pi/2) the truncation error is below 1e-9.
export const S3: f32 = <f32>(-1.0 / 6.0);
export const S5: f32 = <f32>(1.0 / 120.0);
export const S7: f32 = <f32>(-1.0 / 5040.0);
export const S9: f32 = <f32>(1.0 / 362880.0);
export const S11: f32 = <f32>(-1.0 / 39916800.0);
export const S13: f32 = <f32>(1.0 / 6227020800.0);
export const C2: f32 = <f32>(-1.0 / 2.0);
export const C4: f32 = <f32>(1.0 / 24.0);
export const C6: f32 = <f32>(-1.0 / 720.0);
export const C8: f32 = <f32>(1.0 / 40320.0);
export const C10: f32 = <f32>(-1.0 / 3628800.0);
export const C12: f32 = <f32>(1.0 / 479001600.0);
export const C14: f32 = <f32>(-1.0 / 87178291200.0);

/**
 * The two normals of one 64-bit draw: cos-half to dst[0], sin-half to dst[1] (either may be
 * skipped with the write flags, for a stream slice that starts or ends inside a pair).
 */
// @ts-ignore: decorator
@inline
export function gaussianPairScalar(bits: u64, dst: usize, writeCos: bool, writeSin: bool, sinOffset: usize): void {
  const a = <u32>(bits >>> 40); // top 24 bits of the high word
  const b = <u32>(bits >>> 8) & 0xFFFFFF; // top 24 bits of the low word
  const u1: f32 = (<f32>a + <f32>0.5) * INV_2_24;
  const u2: f32 = <f32>b * INV_2_24;
  // ln u1
  const ub = reinterpret<i32>(u1);
  let e = (ub >> 23) - 127;
  let m = reinterpret<f32>((ub & 0x007FFFFF) | 0x3F800000);
  if (m > SQRT2) {
    m = m * <f32>0.5;
    e = e + 1;
  }
  const s: f32 = (m - <f32>1) / (m + <f32>1);
  const s2: f32 = s * s;
  const poly: f32 = (((s2 * L9 + L7) * s2 + L5) * s2 + L3) * s2 + <f32>1;
  const ln: f32 = <f32>e * LN2 + (s + s) * poly;
  const r: f32 = sqrt<f32>(<f32>-2 * ln);
  // theta = 2 pi u2 = quadrant q plus x in [0, pi/2)
  const u4: f32 = u2 * <f32>4;
  const qf: f32 = floor<f32>(u4);
  const x: f32 = (u4 - qf) * HALF_PI;
  const q = <i32>qf;
  const x2: f32 = x * x;
  const sp: f32 = x * ((((((S13 * x2 + S11) * x2 + S9) * x2 + S7) * x2 + S5) * x2 + S3) * x2 + <f32>1);
  const cp: f32 = ((((((C14 * x2 + C12) * x2 + C10) * x2 + C8) * x2 + C6) * x2 + C4) * x2 + C2) * x2 + <f32>1;
  let c: f32 = (q & 1) != 0 ? sp : cp;
  let sn: f32 = (q & 1) != 0 ? cp : sp;
  if (((q + 1) & 2) != 0) c = -c;
  if ((q & 2) != 0) sn = -sn;
  if (writeCos) store<f32>(dst, r * c);
  if (writeSin) store<f32>(dst + sinOffset, r * sn);
}
