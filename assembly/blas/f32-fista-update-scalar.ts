// One proximal l1 step with momentum (FISTA) over every element, with an optional support mask.

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
