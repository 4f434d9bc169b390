// Shared by the two placements of the sparse-code regrouping (i32-sparse-code-place-scalar and
// i32-sparse-code-place-ascending-scalar): one entry written as a (filter row offset, value) pair
// at its bucket's cursor, which advances.

/** The entry at flat index `flat` with value v into kv at its cursor (slots + flat * 4), advanced. */
// @ts-ignore: decorator
@inline
export function placePair(slots: usize, flat: i32, kv: usize, rowOff: i32, v: f32): void {
  const cursor = slots + (<usize>flat << 2);
  const at = load<i32>(cursor);
  const pair = kv + (<usize>at << 3);
  store<i32>(pair, rowOff);
  store<f32>(pair, v, 4);
  store<i32>(cursor, at + 1);
}
