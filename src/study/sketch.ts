// A mergeable quantile sketch in the manner of DDSketch: values fall into buckets whose width is
// a fixed fraction of their magnitude, and a sketch is only the count in each bucket, so merging
// sketches adds counts and the result does not depend on how the values were split. The bucket
// of a double is read from its bits (exponent and the top SUB_BITS bits of the mantissa: the
// log-linear mapping), which every machine computes identically, unlike a logarithm. Each
// bucket [lo, hi) has hi / lo <= 1 + 2^-SUB_BITS, so a quantile is within that relative error.

export const SUB_BITS = 7;

const view = new DataView(new ArrayBuffer(8));

/** The bucket of |x| (x finite, non-zero): exponent and top mantissa bits, as one integer. */
export function bucketOf(x: number): number {
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  return hi >>> (20 - SUB_BITS);
}

/** The bounds [lo, hi) of a bucket, exactly. */
export function bucketBounds(b: number): [number, number] {
  view.setUint32(0, b << (20 - SUB_BITS));
  view.setUint32(4, 0);
  const lo = view.getFloat64(0);
  view.setUint32(0, (b + 1) << (20 - SUB_BITS));
  const hi = view.getFloat64(0);
  return [lo, hi];
}

/** Serialized: [bucket, count] pairs in ascending bucket order. */
export interface SketchData {
  zeros: number;
  positive: Array<[number, number]>;
  negative: Array<[number, number]>;
}

export class QuantileSketch {
  zeros = 0;
  readonly positive = new Map<number, number>();
  readonly negative = new Map<number, number>();

  add(x: number): void {
    if (x === 0) { this.zeros++; return; }
    const m = x > 0 ? this.positive : this.negative;
    const b = bucketOf(x);
    m.set(b, (m.get(b) ?? 0) + 1);
  }

  count(): number {
    let n = this.zeros;
    for (const c of this.positive.values()) n += c;
    for (const c of this.negative.values()) n += c;
    return n;
  }

  merge(d: SketchData): void {
    this.zeros += d.zeros;
    for (const [b, c] of d.positive) this.positive.set(b, (this.positive.get(b) ?? 0) + c);
    for (const [b, c] of d.negative) this.negative.set(b, (this.negative.get(b) ?? 0) + c);
  }

  toJSON(): SketchData {
    const sorted = (m: Map<number, number>): Array<[number, number]> => [...m.entries()].sort((a, b) => a[0] - b[0]);
    return { zeros: this.zeros, positive: sorted(this.positive), negative: sorted(this.negative) };
  }

  /**
   * The q-quantile: the bucket holding the value of rank floor(q (n - 1)) in ascending order,
   * reported as the middle of that bucket (NaN with no values).
   */
  quantile(q: number): number {
    const n = this.count();
    if (n === 0) return NaN;
    let rank = Math.floor(q * (n - 1));
    const neg = [...this.negative.entries()].sort((a, b) => b[0] - a[0]);
    for (const [b, c] of neg) {
      if (rank < c) { const [lo, hi] = bucketBounds(b); return -(lo + (hi - lo) / 2); }
      rank -= c;
    }
    if (rank < this.zeros) return 0;
    rank -= this.zeros;
    const pos = [...this.positive.entries()].sort((a, b) => a[0] - b[0]);
    for (const [b, c] of pos) {
      if (rank < c) { const [lo, hi] = bucketBounds(b); return lo + (hi - lo) / 2; }
      rank -= c;
    }
    return NaN; // unreachable: the ranks add up to n
  }
}
