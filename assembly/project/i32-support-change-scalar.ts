// NIHT's comparison of two iterates held as sparse codes (ascending support, values): what
// changed between the supports, and the squared distance between the codes, in one merge of the
// two supports instead of a pass over the dense codes. Threads split the index space: each call
// merges the parts of the two supports inside its range of indices.

/**
 * z = (sup, val) and z' = (supTry, valTry), both supports ascending, restricted to the entries
 * [i0, i1) and [j0, j1), all inside the indices [lo, hi); z' was projected from b = z + mu g
 * (z dense), which is evaluated only where a change is listed (the bits of f32_waxpy). Lists the
 * entries of S' not in S (value b[i]) and of S not in S' (value -b[i]), in ascending order, from
 * (delta, deltaVal) on, and stores how many at changes. The squared differences over the union of
 * the supports are summed in f64 by chunks of 2^chunkShift indices, in ascending order within a
 * chunk: dist[c] receives the sum of chunk c for every chunk in [lo, hi) (lo and hi multiples of
 * the chunk or hi the end). The caller adds the chunks in order, so the distance does not depend
 * on how the index space was split.
 */
export function i32_support_change_scalar(
  sup: usize, val: usize, i0: i32, i1: i32, supTry: usize, valTry: usize, j0: i32, j1: i32,
  z: usize, g: usize, mu: f32, lo: i32, hi: i32, chunkShift: i32,
  delta: usize, deltaVal: usize, dist: usize, changes: usize,
): void {
  for (let c = lo >> chunkShift, e = ((hi - 1) >> chunkShift) + 1; c < e; c++) store<f64>(dist + (<usize>c << 3), 0);
  let i = i0, j = j0, d = 0;
  let acc: f64 = 0;
  let chunk = lo >> chunkShift;
  while (i < i1 || j < j1) {
    const s = i < i1 ? load<i32>(sup + (<usize>i << 2)) : 0x7fffffff;
    const t = j < j1 ? load<i32>(supTry + (<usize>j << 2)) : 0x7fffffff;
    const at = min(s, t);
    if (at >> chunkShift != chunk) {
      store<f64>(dist + (<usize>chunk << 3), acc);
      acc = 0;
      chunk = at >> chunkShift;
    }
    if (s == t) {
      const e = <f64>load<f32>(valTry + (<usize>j << 2)) - <f64>load<f32>(val + (<usize>i << 2));
      acc += e * e;
      i++;
      j++;
    } else if (t < s) {
      const e = <f64>load<f32>(valTry + (<usize>j << 2));
      acc += e * e;
      store<i32>(delta + (<usize>d << 2), t);
      store<f32>(deltaVal + (<usize>d << 2), bAt(z, g, mu, t));
      d++;
      j++;
    } else {
      const e = -<f64>load<f32>(val + (<usize>i << 2));
      acc += e * e;
      store<i32>(delta + (<usize>d << 2), s);
      store<f32>(deltaVal + (<usize>d << 2), -bAt(z, g, mu, s));
      d++;
      i++;
    }
  }
  store<f64>(dist + (<usize>chunk << 3), acc);
  store<i32>(changes, d);
}

/** b[i] = z[i] + mu g[i] */
// @ts-ignore: decorator
@inline
function bAt(z: usize, g: usize, mu: f32, i: i32): f32 {
  const o = <usize>i << 2;
  return load<f32>(z + o) + mu * load<f32>(g + o);
}
