// Every argument check and error message of the public API, in one place. Each check runs
// before any kernel, and throws a TypeError (wrong kind of value) or a RangeError (right kind,
// wrong value) whose message names the call, the argument and what was expected.

/** Largest number of float32 elements in one buffer: keeps every byte offset inside i32. */
export const MAX_ELEMENTS = 2 ** 28;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const name = (value as object).constructor?.name ?? 'typed array';
    return `a ${name} of length ${(value as unknown as { length: number }).length}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function typeError(where: string, what: string, expected: string, got: unknown): TypeError {
  return new TypeError(`convcs.${where}: ${what} must be ${expected}, got ${describe(got)}`);
}

export function rangeError(where: string, message: string): RangeError {
  return new RangeError(`convcs.${where}: ${message}`);
}

/** Options must be undefined or a plain object whose keys are all known. */
export function checkOptions<T extends object>(where: string, options: unknown, allowed: readonly string[]): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw typeError(where, 'options', 'an object', options);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`convcs.${where}: unknown option '${key}' (known options: ${allowed.join(', ')})`);
    }
  }
  return options as Partial<T>;
}

export function requireOption<T>(where: string, name: string, value: T | undefined): T {
  if (value === undefined) throw new TypeError(`convcs.${where}: option '${name}' is required`);
  return value;
}

export function positiveInt(where: string, name: string, v: unknown, max = MAX_ELEMENTS): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(where, `'${name}'`, 'a positive integer', v);
  if (v < 1) throw rangeError(where, `'${name}' must be a positive integer, got ${describe(v)}`);
  if (v > max) throw rangeError(where, `'${name}' must be at most ${max}, got ${v}`);
  return v;
}

export function nonNegativeInt(where: string, name: string, v: unknown, max = MAX_ELEMENTS): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(where, `'${name}'`, 'a non-negative integer', v);
  if (v < 0) throw rangeError(where, `'${name}' must be a non-negative integer, got ${describe(v)}`);
  if (v > max) throw rangeError(where, `'${name}' must be at most ${max}, got ${v}`);
  return v;
}

/** A number or a pair [a, b] of them, each checked by `check`. */
export function intPair(
  where: string, name: string, v: unknown,
  check: (where: string, name: string, v: unknown) => number,
): [number, number] {
  if (Array.isArray(v)) {
    if (v.length !== 2) throw typeError(where, `'${name}'`, 'a number or a pair [a, b]', v);
    return [check(where, `${name}[0]`, v[0]), check(where, `${name}[1]`, v[1])];
  }
  if (typeof v !== 'number') throw typeError(where, `'${name}'`, 'a number or a pair [a, b]', v);
  const n = check(where, name, v);
  return [n, n];
}

export function finiteNumber(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw typeError(where, `'${name}'`, 'a finite number', v);
  if (!Number.isFinite(v)) throw rangeError(where, `'${name}' must be a finite number, got ${describe(v)}`);
  return v;
}

export function oneOf<T extends string>(where: string, name: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw typeError(where, `'${name}'`, `one of ${values.map((s) => `'${s}'`).join(', ')}`, v);
  }
  return v as T;
}

/**
 * A Float32Array whose length is a positive multiple of `unit` (the size of one sample), with
 * every value finite. Returns the number of samples. NaN and infinity are refused up front:
 * they would poison sums and top-k rankings silently.
 */
export function float32Batch(where: string, name: string, v: unknown, unit: number): number {
  const n = float32BatchLength(where, name, v, unit);
  checkFinite(where, name, v as Float32Array);
  return n;
}

/** float32Batch without the finiteness check (for callers that check in wasm, nonFiniteError). */
export function float32BatchLength(where: string, name: string, v: unknown, unit: number): number {
  if (!(v instanceof Float32Array)) throw typeError(where, name, 'a Float32Array', v);
  if (v.length === 0 || v.length % unit !== 0) {
    throw rangeError(where, `${name} must hold a positive multiple of ${unit} values (one sample), got length ${v.length}`);
  }
  return v.length / unit;
}

/** checkFinite's error for v[i]. */
export function nonFiniteError(where: string, name: string, i: number, value: number): RangeError {
  return rangeError(where, `${name}[${i}] is ${value}; inputs must be finite (NaN and Infinity are refused)`);
}

export function float32Exact(where: string, name: string, v: unknown, length: number): Float32Array {
  if (!(v instanceof Float32Array)) throw typeError(where, name, 'a Float32Array', v);
  if (v.length !== length) throw rangeError(where, `${name} must have length ${length}, got ${v.length}`);
  return v;
}

export function checkFinite(where: string, name: string, v: Float32Array): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x - x !== 0) throw nonFiniteError(where, name, i, x);
  }
}

/** A caller's output buffer: undefined, or a Float32Array of exactly the result's length. */
export function outputBuffer(where: string, out: unknown, length: number): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (!(out instanceof Float32Array)) throw typeError(where, 'out', 'a Float32Array or undefined', out);
  if (out.length !== length) throw rangeError(where, `out must have length ${length}, got ${out.length}`);
  return out;
}

/** True when two typed arrays share any byte of memory. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Seeds are integers in [0, 2^64): a safe-integer number or a bigint. Returns [lo, hi] u32 words. */
export function seedWords(where: string, name: string, v: unknown): [number, number] {
  if (typeof v === 'bigint') {
    if (v < 0n || v >= 1n << 64n) throw rangeError(where, `'${name}' must be in [0, 2^64), got ${v}n`);
    return [Number(v & 0xffffffffn), Number(v >> 32n)];
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(where, `'${name}'`, 'a non-negative integer or a bigint', v);
  if (v < 0 || v > Number.MAX_SAFE_INTEGER) {
    throw rangeError(where, `'${name}' must be a safe non-negative integer (or pass a bigint), got ${describe(v)}`);
  }
  return [v % 2 ** 32, Math.floor(v / 2 ** 32)];
}

/**
 * The sizes an algorithm reads from an operator must agree: buffers are sized by inputSize and
 * outputSize while the projection walks outputShape, so a LinearOperator whose outputShape holds
 * more values than outputSize would make the kernels read and write past its buffers.
 */
export function operatorSizes(where: string, inputSize: number, outputSize: number, outputShape: readonly number[]): void {
  for (const [name, v] of [['inputSize', inputSize], ['outputSize', outputSize]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_ELEMENTS) {
      throw rangeError(where, `the operator's ${name} must be an integer in [1, ${MAX_ELEMENTS}], got ${describe(v)}`);
    }
  }
  let n = 1;
  for (const d of outputShape) n *= typeof d === 'number' ? d : NaN;
  if (n !== outputSize) {
    throw rangeError(where, `the operator's outputShape [${outputShape.map(describe).join(', ')}] does not hold outputSize = ${outputSize} values`);
  }
}
