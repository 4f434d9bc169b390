// Shared pieces of the weight loaders: element decoders that read any byte order at any byte
// offset (weights in a tfjs shard follow uint8 tensors, so they are often not 4-byte aligned),
// the half-precision formats, and an axis permutation for layout changes (Fortran order,
// TensorFlow's HWIO). Every loader decodes into a fresh Float32Array, so the caller's bytes are
// never aliased or modified.

import { MAX_ELEMENTS, describe, rangeError } from '../validate.js';

export const WHERE = 'loadWeights';

/** A storage element type the loaders can decode to float32. */
export type ElementType = 'f16' | 'bf16' | 'f32' | 'f64';

export const ELEMENT_BYTES: Record<ElementType, number> = { f16: 2, bf16: 2, f32: 4, f64: 8 };

/** IEEE 754 binary16 bits to a number, exactly (every half value is a float32 value). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

const bf16Scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 bits are the top half of a float32's bits. */
export function bfloat16ToNumber(h: number): number {
  bf16Scratch.setUint32(0, (h & 0xffff) << 16);
  return bf16Scratch.getFloat32(0);
}

const hostLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * `count` elements of `type` starting at `offset` of `bytes`, as float32. float64 values that are
 * finite but too large for float32 are refused: rounding them to Infinity would be a wrong array.
 */
export function decodeElements(
  bytes: Uint8Array, offset: number, count: number, type: ElementType, littleEndian: boolean, what: string,
): Float32Array {
  const out = new Float32Array(count);
  if (type === 'f32' && littleEndian === hostLittleEndian) {
    // One copy into an aligned buffer; no per-element work.
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * ELEMENT_BYTES[type]);
  switch (type) {
    case 'f32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, littleEndian);
      break;
    case 'f64':
      for (let i = 0; i < count; i++) {
        const v = view.getFloat64(i * 8, littleEndian);
        out[i] = v;
        if (!Number.isFinite(out[i]!) && Number.isFinite(v)) {
          throw rangeError(WHERE, `${what}: element ${i} (${v}) is too large for float32`);
        }
      }
      break;
    case 'f16':
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(i * 2, littleEndian));
      break;
    case 'bf16':
      for (let i = 0; i < count; i++) out[i] = bfloat16ToNumber(view.getUint16(i * 2, littleEndian));
      break;
  }
  return out;
}

/** Product of a shape, refusing shapes whose element count would not fit one Float32Array. */
export function elementCount(shape: readonly number[], what: string): number {
  let n = 1;
  for (const d of shape) n *= d;
  if (n > MAX_ELEMENTS) throw rangeError(WHERE, `${what}: shape [${shape.join(', ')}] holds ${n} elements, more than ${MAX_ELEMENTS}`);
  return n;
}

/** A shape read from a file: a list of non-negative safe integers. */
export function checkShape(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw rangeError(WHERE, `${what}: shape must be a list of non-negative integers, got ${shown(value)}`);
  for (const d of value) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw rangeError(WHERE, `${what}: shape must be a list of non-negative integers, got ${shown(value)}`);
    }
  }
  return value as number[];
}

/**
 * Axis permutation of a C-order array: the result has shape perm.map((p) => shape[p]) and
 * result[j_0, ..., j_{n-1}] = src[i] with i_{perm[k]} = j_k.
 */
export function permute(src: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const out = new Float32Array(src.length);
  if (src.length === 0) return out;
  const srcStrides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    srcStrides[a] = s;
    s *= shape[a]!;
  }
  const outShape = perm.map((p) => shape[p]!);
  const step = perm.map((p) => srcStrides[p]!); // source stride of each output axis
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = src[from]!;
    // Odometer over the output axes, last fastest; the source offset follows incrementally.
    for (let a = rank - 1; a >= 0; a--) {
      index[a]!++;
      from += step[a]!;
      if (index[a]! < outShape[a]!) break;
      from -= step[a]! * outShape[a]!;
      index[a] = 0;
    }
  }
  return out;
}

/** The bytes of an ArrayBuffer or a Uint8Array (a Node Buffer too), without copying. */
export function asBytes(v: ArrayBuffer | Uint8Array): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(v);
}

/** A name list for error messages: all of them when few, else the first 40 and a count. */
export function listNames(names: readonly string[]): string {
  const listed = names.slice(0, 40).map((n) => JSON.stringify(n)).join(', ');
  return names.length > 40 ? `${listed}, ... (${names.length} in all)` : listed;
}

/**
 * A value from a file (or a caller's manifest) as an error message shows it: JSON when it can be
 * written as JSON, cut to 80 characters; otherwise a plain description. JSON.stringify itself
 * throws on a BigInt or a cycle and overflows the stack on deep nesting, none of which may escape
 * as anything but our own RangeError.
 */
export function shown(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return describe(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * One pass over JSON text before JSON.parse: no deeper than maxDepth (the parse, and anything that
 * walks the result, then cannot run out of stack), and no object holding the same key twice
 * (JSON.parse would keep the last one silently). Malformed text is left for JSON.parse to report.
 */
export function checkJsonStructure(text: string, maxDepth: number, fail: (message: string) => Error): void {
  const open: Array<Set<string> | undefined> = []; // a Set of keys per object, undefined per array
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const keys = open[open.length - 1];
      if (keys && keyNext) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return;
        }
        if (keys.has(key)) throw fail(`the key ${shown(key)} appears twice in one object`);
        keys.add(key);
        keyNext = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      open.push(c === 0x7b ? new Set() : undefined);
      if (open.length > maxDepth) throw fail(`it nests more than ${maxDepth} levels deep`);
      keyNext = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      keyNext = false;
    } else if (c === 0x2c) {
      keyNext = open[open.length - 1] !== undefined;
    }
  }
}
