// NIHT's comparison of two iterates held as sparse codes (ascending support, values): what
// changed between the supports, and the squared distance between the codes, in one merge of the
// two supports instead of a pass over the dense codes.

/**
 * z = (sup, val, count) and z' = (supTry, valTry, c), both supports ascending; z' was projected
 * from b = z + mu g (z dense), which is evaluated only where listed (the bits of f32_waxpy). Lists the entries of S' not in S (value b[i]) and of S not in S'
 * (value -b[i]), in ascending index order, into (delta, deltaVal), at most cap of them, and
 * returns how many there are in all (0: the same support). Stores ||z' - z||^2 at dist: the
 * squared differences over the union of the supports, in f64 and in ascending index order, which
 * is f32_distsq_scalar over the dense codes, bit for bit (every other term of its sum is 0).
 */
export function i32_support_change_scalar(
  sup: usize, val: usize, count: i32, supTry: usize, valTry: usize, c: i32, z: usize, g: usize, mu: f32,
  cap: i32, delta: usize, deltaVal: usize, dist: usize,
): i32 {
  let i = 0, j = 0, d = 0;
  let acc: f64 = 0;
  while (i < count && j < c) {
    const s = load<i32>(sup + (<usize>i << 2));
    const t = load<i32>(supTry + (<usize>j << 2));
    if (s == t) {
      const e = <f64>load<f32>(valTry + (<usize>j << 2)) - <f64>load<f32>(val + (<usize>i << 2));
      acc += e * e;
      i++;
      j++;
    } else if (t < s) {
      const e = <f64>load<f32>(valTry + (<usize>j << 2));
      acc += e * e;
      d = change(t, bAt(z, g, mu, t), d, cap, delta, deltaVal);
      j++;
    } else {
      const e = -<f64>load<f32>(val + (<usize>i << 2));
      acc += e * e;
      d = change(s, -bAt(z, g, mu, s), d, cap, delta, deltaVal);
      i++;
    }
  }
  for (; j < c; j++) {
    const t = load<i32>(supTry + (<usize>j << 2));
    const e = <f64>load<f32>(valTry + (<usize>j << 2));
    acc += e * e;
    d = change(t, bAt(z, g, mu, t), d, cap, delta, deltaVal);
  }
  for (; i < count; i++) {
    const s = load<i32>(sup + (<usize>i << 2));
    const e = -<f64>load<f32>(val + (<usize>i << 2));
    acc += e * e;
    d = change(s, -bAt(z, g, mu, s), d, cap, delta, deltaVal);
  }
  store<f64>(dist, acc);
  return d;
}

/** Lists entry d of the change when there is room for it; returns d + 1. */
// @ts-ignore: decorator
@inline
function change(idx: i32, v: f32, d: i32, cap: i32, delta: usize, deltaVal: usize): i32 {
  if (d < cap) {
    store<i32>(delta + (<usize>d << 2), idx);
    store<f32>(deltaVal + (<usize>d << 2), v);
  }
  return d + 1;
}

/** b[i] = z[i] + mu g[i] */
// @ts-ignore: decorator
@inline
function bAt(z: usize, g: usize, mu: f32, i: i32): f32 {
  const o = <usize>i << 2;
  return load<f32>(z + o) + mu * load<f32>(g + o);
}
