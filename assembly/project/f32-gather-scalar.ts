// out = z[support]: the values of a code on its support.

/** Gather the values of z at the given support (the compact form the sparse transpose takes). */
export function f32_gather_scalar(z: usize, support: usize, count: i32, out: usize): void {
  for (let j = 0; j < count; j++) {
    const i = load<i32>(support + (<usize>j << 2));
    store<f32>(out + (<usize>j << 2), load<f32>(z + (<usize>i << 2)));
  }
}
