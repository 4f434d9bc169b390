// How an operation is cut into parts for the threads: contiguous ranges of whole units (tiles,
// rows, blocks of channels), never across a reduction, so a part's result does not depend on
// where the cuts fall. The cuts depend on the instance's lanes only, and never on which thread
// runs which part.

/**
 * [0, n) in at most `parts` non-empty ranges, cut at multiples of `align` nearest to the even
 * cuts (so 49 tiles in 2 parts aligned to 8 are 24 and 25).
 */
export function splitRange(n: number, parts: number, align = 1): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 1; i <= parts && start < n; i++) {
    const end = i === parts ? n : Math.min(n, Math.max(start, Math.round((i * n) / parts / align) * align));
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}

/** The first position in the ascending list `a` whose value is at least `value` (a.length if none): where a range of indices starts in it. */
export function firstAtOrAfter(a: Int32Array, value: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Ranges that each wrote their own list at their own start (starts[r], in elements of 4 bytes,
 * ascending, each list no longer than the room before the next start) into the same buffers:
 * moves the lists together, range after range, in each buffer; returns their total length.
 */
export function closeGaps(move: (dst: number, src: number, bytes: number) => void, buffers: readonly number[],
  starts: readonly number[], lengths: readonly number[]): number {
  let total = lengths[0] ?? 0;
  for (let r = 1; r < starts.length; r++) {
    const n = lengths[r]!;
    if (n > 0 && total !== starts[r]) for (const p of buffers) move(p + total * 4, p + starts[r]! * 4, n * 4);
    total += n;
  }
  return total;
}
