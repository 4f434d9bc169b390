// The upper two f32 lanes moved to the bottom, for promoting all four lanes to f64x2.

// @ts-ignore: decorator
@inline
export function highHalf(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 2, 3, 0, 1);
}
