// f32x4 versions of the BLAS-1 kernels in f32-blas1-scalar.ts. Reductions promote f32 lanes to
// f64x2 before multiplying and keep two f64x2 partial sums, so their bits differ from the scalar
// module's by the order of summation only.

// @ts-ignore: decorator
@inline
export function highHalf(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 2, 3, 0, 1);
}
