// Small vector steps of the solvers that touch every element once: proximal l1 step with
// momentum (FISTA), scatter/clear of sparse codes, element-wise differences.

/**
 * One FISTA update, element-wise, with an optional support mask (0 = no mask):
 *   zn = soft(y - step*g, thresh) (zero off the mask);  y = zn + beta*(zn - z);  z = zn.
 */
export function f32_fista_update_scalar(
  y: usize, g: usize, z: usize, mask: usize, n: i32,
  step: f32, thresh: f32, beta: f32,
): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    let v = load<f32>(y + o) - step * load<f32>(g + o);
    let zn: f32 = 0;
    if (v > thresh) zn = v - thresh;
    else if (v < -thresh) zn = v + thresh;
    if (mask != 0 && load<f32>(mask + o) == 0) zn = 0;
    const zo = load<f32>(z + o);
    store<f32>(y + o, zn + beta * (zn - zo));
    store<f32>(z + o, zn);
  }
}

/** dense[idx[j]] += val[j] for j < n (duplicates add up). */
export function f32_scatter_add_scalar(idx: usize, val: usize, n: i32, dense: usize): void {
  for (let j = 0; j < n; j++) {
    const d = dense + (<usize>load<i32>(idx + (<usize>j << 2)) << 2);
    store<f32>(d, load<f32>(d) + load<f32>(val + (<usize>j << 2)));
  }
}

/** dense[idx[j]] = 0 for j < n: clears a sparse code without touching the rest. */
export function f32_scatter_zero_scalar(idx: usize, n: i32, dense: usize): void {
  for (let j = 0; j < n; j++) {
    store<f32>(dense + (<usize>load<i32>(idx + (<usize>j << 2)) << 2), 0);
  }
}

/** Sum of (a - b)^2 in f64: squared distance without a scratch copy. */
export function f32_distsq_scalar(a: usize, b: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const d = <f64>load<f32>(a + o) - <f64>load<f32>(b + o);
    acc += d * d;
  }
  return acc;
}

/** out = a - b */
export function f32_sub_scalar(a: usize, b: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) - load<f32>(b + o));
  }
}
