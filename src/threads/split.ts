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
