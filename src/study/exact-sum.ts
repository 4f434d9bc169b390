// An exactly accumulated sum of doubles, so that a mean does not depend on the order in which
// trials, shards or machines added up. In the hot loop the running sum is a Shewchuk expansion
// (non-overlapping partials whose exact sum is the sum so far); to store or merge it becomes one
// canonical integer: the exact sum in units of 2^-1074 (the smallest double), as a bigint.
// Integers add exactly, so any split of the trials gives the same integer, and the same mean.

/** A finite double as an exact bigint multiple of 2^-1074. */
export function toScaled(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const exp = (hi >>> 20) & 0x7ff;
  const mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  // subnormals are mant * 2^-1074; normals (2^52 + mant) * 2^(exp - 1075)
  const scaled = exp === 0 ? mant : ((1n << 52n) | mant) << BigInt(exp - 1);
  return sign * scaled;
}

/** x * 2^e without intermediate overflow (exact whenever the result is a normal double). */
function ldexp(x: number, e: number): number {
  while (e > 1000) { x *= 2 ** 1000; e -= 1000; }
  while (e < -1000) { x *= 2 ** -1000; e += 1000; }
  return x * 2 ** e;
}

/** The double nearest to S * 2^-1074 (ties to even): the correctly rounded exact sum. */
export function fromScaled(s: bigint): number {
  if (s === 0n) return 0;
  const neg = s < 0n;
  let a = neg ? -s : s;
  const bits = a.toString(2).length;
  let v: number;
  if (bits <= 60) {
    // at most 60 bits: Number() rounds once (53 bits or fewer: not at all), and the power-of-two
    // scale is exact: a value with more than 53 bits is >= 2^-1021, normal
    v = ldexp(Number(a), -1074);
  } else {
    // keep 60 bits and fold the rest into a sticky bit, so Number() rounds as the full value would
    const d = bits - 60;
    const rest = a & ((1n << BigInt(d)) - 1n);
    a = (a >> BigInt(d)) | (rest !== 0n ? 1n : 0n);
    v = ldexp(Number(a), d - 1074);
  }
  return neg ? -v : v;
}

/** The running exact sum of one statistic. */
export class ExactSum {
  private partials: number[] = [];
  /** Sums merged in from other accumulators, already canonical. */
  private merged = 0n;

  /** Add a finite double (Shewchuk's grow-expansion, as in Python's math.fsum). */
  add(value: number): void {
    let x = value;
    const p = this.partials;
    let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) { const t = x; x = y; y = t; }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
    // a sum beyond the finite doubles cannot be held as partials (values here are ratios of norms)
    if (!Number.isFinite(x)) throw new RangeError('convcs.study: an exact sum overflowed the doubles');
  }

  addScaled(s: bigint): void {
    this.merged += s;
  }

  /** The exact sum in units of 2^-1074. */
  scaled(): bigint {
    let s = this.merged;
    for (const p of this.partials) s += toScaled(p);
    return s;
  }
}
