// The one-dimensional steps of Winograd F(4x4, 3x3) on the interpolation points 0, -1, 1, 1/2,
// -2 and infinity (the set Barabasz et al. 2020 found most accurate in f32 for F(4, 3); their
// error measured in docs/winograd.md), on f32 and on f32x4 with the same operations in the same
// order, so that a kernel applying them lane by lane gives its scalar reference's bits.
//   B^T = [[1, -3/2, -2, 3/2, 1, 0], [0, 1, -5/2, 1/2, 1, 0], [0, -1, 1/2, 5/2, 1, 0],
//          [0, -2, -1, 2, 1, 0], [0, 1/2, -1, -1/2, 1, 0], [0, 1, -3/2, -2, 3/2, 1]]
//   A^T = [[1, 1, 1, 1, 1, 0], [0, -1, 1, 1/2, -2, 0], [0, 1, 1, 1/4, 4, 0], [0, -1, 1, 1/8, -8, 1]]
// btK is row K of B^T applied to (d0 .. d5), atK row K of A^T applied to (m0 .. m5). A^T's
// factors are powers of 2 (exact); B^T's 3/2 and 5/2 round once.

// @ts-ignore: decorator
@inline export function bt0(d0: f32, d1: f32, d2: f32, d3: f32, d4: f32): f32 { return ((d0 - <f32>2 * d2) + d4) + <f32>1.5 * (d3 - d1); }
// @ts-ignore: decorator
@inline export function bt1(d1: f32, d2: f32, d3: f32, d4: f32): f32 { return (d1 + d4) + (<f32>0.5 * d3 - <f32>2.5 * d2); }
// @ts-ignore: decorator
@inline export function bt2(d1: f32, d2: f32, d3: f32, d4: f32): f32 { return (d4 - d1) + (<f32>0.5 * d2 + <f32>2.5 * d3); }
// @ts-ignore: decorator
@inline export function bt3(d1: f32, d2: f32, d3: f32, d4: f32): f32 { return (d4 - d2) + <f32>2 * (d3 - d1); }
// @ts-ignore: decorator
@inline export function bt4(d1: f32, d2: f32, d3: f32, d4: f32): f32 { return (d4 - d2) + <f32>0.5 * (d1 - d3); }
// @ts-ignore: decorator
@inline export function bt5(d1: f32, d2: f32, d3: f32, d4: f32, d5: f32): f32 { return ((d1 - <f32>2 * d3) + d5) + <f32>1.5 * (d4 - d2); }

// @ts-ignore: decorator
@inline export function at0(m0: f32, m1: f32, m2: f32, m3: f32, m4: f32): f32 { return (m0 + (m1 + m2)) + (m3 + m4); }
// @ts-ignore: decorator
@inline export function at1(m1: f32, m2: f32, m3: f32, m4: f32): f32 { return (m2 - m1) + (<f32>0.5 * m3 - <f32>2 * m4); }
// @ts-ignore: decorator
@inline export function at2(m1: f32, m2: f32, m3: f32, m4: f32): f32 { return (m1 + m2) + (<f32>0.25 * m3 + <f32>4 * m4); }
// @ts-ignore: decorator
@inline export function at3(m1: f32, m2: f32, m3: f32, m4: f32, m5: f32): f32 { return ((m2 - m1) + (<f32>0.125 * m3 - <f32>8 * m4)) + m5; }

// @ts-ignore: decorator
@inline function k4(x: f32): v128 { return f32x4.splat(x); }

// @ts-ignore: decorator
@inline export function bt0x4(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.sub(d0, f32x4.mul(k4(2), d2)), d4), f32x4.mul(k4(1.5), f32x4.sub(d3, d1)));
}
// @ts-ignore: decorator
@inline export function bt1x4(d1: v128, d2: v128, d3: v128, d4: v128): v128 {
  return f32x4.add(f32x4.add(d1, d4), f32x4.sub(f32x4.mul(k4(0.5), d3), f32x4.mul(k4(2.5), d2)));
}
// @ts-ignore: decorator
@inline export function bt2x4(d1: v128, d2: v128, d3: v128, d4: v128): v128 {
  return f32x4.add(f32x4.sub(d4, d1), f32x4.add(f32x4.mul(k4(0.5), d2), f32x4.mul(k4(2.5), d3)));
}
// @ts-ignore: decorator
@inline export function bt3x4(d1: v128, d2: v128, d3: v128, d4: v128): v128 { return f32x4.add(f32x4.sub(d4, d2), f32x4.mul(k4(2), f32x4.sub(d3, d1))); }
// @ts-ignore: decorator
@inline export function bt4x4(d1: v128, d2: v128, d3: v128, d4: v128): v128 { return f32x4.add(f32x4.sub(d4, d2), f32x4.mul(k4(0.5), f32x4.sub(d1, d3))); }
// @ts-ignore: decorator
@inline export function bt5x4(d1: v128, d2: v128, d3: v128, d4: v128, d5: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.sub(d1, f32x4.mul(k4(2), d3)), d5), f32x4.mul(k4(1.5), f32x4.sub(d4, d2)));
}

// @ts-ignore: decorator
@inline export function at0x4(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128): v128 { return f32x4.add(f32x4.add(m0, f32x4.add(m1, m2)), f32x4.add(m3, m4)); }
// @ts-ignore: decorator
@inline export function at1x4(m1: v128, m2: v128, m3: v128, m4: v128): v128 {
  return f32x4.add(f32x4.sub(m2, m1), f32x4.sub(f32x4.mul(k4(0.5), m3), f32x4.mul(k4(2), m4)));
}
// @ts-ignore: decorator
@inline export function at2x4(m1: v128, m2: v128, m3: v128, m4: v128): v128 {
  return f32x4.add(f32x4.add(m1, m2), f32x4.add(f32x4.mul(k4(0.25), m3), f32x4.mul(k4(4), m4)));
}
// @ts-ignore: decorator
@inline export function at3x4(m1: v128, m2: v128, m3: v128, m4: v128, m5: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.sub(m2, m1), f32x4.sub(f32x4.mul(k4(0.125), m3), f32x4.mul(k4(8), m4))), m5);
}
