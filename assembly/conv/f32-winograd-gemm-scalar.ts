// The independent matrix products of a Winograd convolution (16 for F(2x2, 3x3), 36 for
// F(4x4, 3x3)), one output at a time: the reference for f32-winograd-gemm-4x8-simd, summing over
// the input channels in the same order
// with a separate multiply and add, so the two agree bit for bit.
//
// For each of the `planes` transform positions xi: O[xi][o][t] = sum_i U[xi][o/4][i][o%4] V[xi][i][t],
// o in [oBegin, oEnd) (multiples of 4, oEnd <= Op), t < Tn (any count), i < I; rows of V and O are
// Tb floats apart, and their planes winogradPlaneBytes (a cache line past rows x Tb floats).
// Threads split the output channels between them by [oBegin, oEnd).
import { winogradPlaneBytes } from "../helpers/f32-winograd-plane-bytes";

export function f32_winograd_gemm_scalar(U: usize, V: usize, O: usize, I: i32, Op: i32, oBegin: i32, oEnd: i32, Tb: i32, Tn: i32, planes: i32): void {
  for (let xi = 0; xi < planes; xi++) {
    const Ux = U + (<usize>(xi * Op * I) << 2);
    const Vx = V + <usize>xi * winogradPlaneBytes(I, Tb);
    const Ox = O + <usize>xi * winogradPlaneBytes(Op, Tb);
    for (let o = oBegin; o < oEnd; o++) {
      const u = Ux + (<usize>((o >> 2) * I * 4 + (o & 3)) << 2);
      for (let t = 0; t < Tn; t++) {
        let acc: f32 = 0;
        for (let i = 0; i < I; i++) {
          acc = acc + load<f32>(u + (<usize>(i * 4) << 2)) * load<f32>(Vx + (<usize>(i * Tb + t) << 2));
        }
        store<f32>(Ox + (<usize>(o * Tb + t) << 2), acc);
      }
    }
  }
}
