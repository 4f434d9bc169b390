// NumPy's .npy format (numpy.lib.format): the magic "\x93NUMPY", a major and a minor version
// byte, the header length (uint16 little-endian in version 1, uint32 in versions 2 and 3), then a
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces and a newline, then the raw elements. The header is parsed as the small literal grammar
// NumPy writes (strings, True/False, tuples of integers), never evaluated.

import { rangeError } from '../validate.js';
import { WHERE, decodeElements, elementCount, permute, shown } from './decode.js';
import type { ElementType } from './decode.js';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93 N U M P Y

export interface NpyArray {
  data: Float32Array;
  shape: number[];
  /** The header's descr, e.g. '<f4'. */
  descr: string;
}

type Literal = string | boolean | number | Literal[] | { [key: string]: Literal };

const DESCR: Record<string, ElementType> = { f2: 'f16', f4: 'f32', f8: 'f64' };

function fail(message: string): RangeError {
  return rangeError(WHERE, `.npy: ${message}`);
}

/** Deeper than any header NumPy writes (a structured dtype's list of tuples is four levels). */
const MAX_HEADER_DEPTH = 8;

/** Parser for the subset of Python literals a .npy header holds. */
class HeaderParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parse(): Literal {
    const v = this.value();
    this.space();
    if (this.i !== this.s.length) throw fail(`unexpected ${shown(this.s.slice(this.i, this.i + 10))} after the header dict`);
    return v;
  }

  private space(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i]!)) this.i++;
  }

  private value(): Literal {
    this.space();
    const c = this.s[this.i];
    if (c === '{' || c === '(' || c === '[') {
      // NumPy's headers nest two levels (the dict, its shape tuple): refuse deep nesting in
      // words, before the recursion runs out of stack
      if (++this.depth > MAX_HEADER_DEPTH) throw fail(`the header nests more than ${MAX_HEADER_DEPTH} levels deep`);
      const v = c === '{' ? this.dict() : this.sequence(c === '(' ? ')' : ']');
      this.depth--;
      return v;
    }
    if (c === "'" || c === '"') return this.string();
    if (c !== undefined && /[0-9-]/.test(c)) return this.integer();
    for (const [word, v] of [['True', true], ['False', false]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    throw fail(`cannot read the header at ${shown(this.s.slice(this.i, this.i + 10))} (expected a Python literal)`);
  }

  private dict(): Literal {
    this.i++; // {
    // no prototype: a key named '__proto__' is a key like any other, not a prototype to set
    const out: { [key: string]: Literal } = Object.create(null) as { [key: string]: Literal };
    for (;;) {
      this.space();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value();
      if (typeof key !== 'string') throw fail('header dict keys must be strings');
      this.space();
      if (this.s[this.i] !== ':') throw fail(`expected ':' after key '${key}' in the header`);
      this.i++;
      if (Object.prototype.hasOwnProperty.call(out, key)) throw fail(`key '${key}' appears twice in the header`);
      out[key] = this.value();
      this.space();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw fail('expected \',\' or \'}\' in the header dict');
    }
  }

  private sequence(close: string): Literal {
    this.i++;
    const out: Literal[] = [];
    for (;;) {
      this.space();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.space();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw fail(`expected ',' or '${close}' in a header ${close === ')' ? 'tuple' : 'list'}`);
    }
  }

  private string(): string {
    const quote = this.s[this.i]!;
    const end = this.s.indexOf(quote, this.i + 1);
    if (end < 0) throw fail('unterminated string in the header');
    const body = this.s.slice(this.i + 1, end);
    // NumPy's keys and dtype strings never need escapes; a backslash means something else wrote this.
    if (body.includes('\\')) throw fail('escaped strings are not supported in the header');
    this.i = end + 1;
    return body;
  }

  private integer(): number {
    const m = /^-?[0-9]+L?/.exec(this.s.slice(this.i)); // 'L': Python 2 long, seen in old files
    if (!m) throw fail(`bad number in the header at ${shown(this.s.slice(this.i, this.i + 10))}`);
    this.i += m[0].length;
    const v = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(v)) throw fail(`number ${m[0]} in the header is too large`);
    return v;
  }
}

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && NPY_MAGIC.every((b, i) => bytes[i] === b);
}

export function parseNpy(bytes: Uint8Array): NpyArray {
  if (!isNpy(bytes)) throw fail('the file does not start with the magic \\x93NUMPY');
  if (bytes.length < 10) throw fail(`truncated: ${bytes.length} bytes, too short for the header length`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let start: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw fail(`truncated: ${bytes.length} bytes, too short for a version ${major} header length`);
    headerLength = view.getUint32(8, true);
    start = 12;
  } else {
    throw fail(`format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are)`);
  }
  if (start + headerLength > bytes.length) {
    throw fail(`truncated: the header claims ${headerLength} bytes but only ${bytes.length - start} follow`);
  }
  const headerBytes = bytes.subarray(start, start + headerLength);
  let header: string;
  if (major === 3) {
    try {
      header = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      throw fail('the version 3 header is not valid UTF-8');
    }
  } else {
    // Versions 1 and 2 promise an ASCII header (latin1 in practice); bytes above 0x7f are a corrupt header.
    if (headerBytes.some((b) => b > 0x7f)) throw fail(`the version ${major} header holds non-ASCII bytes`);
    header = new TextDecoder('latin1').decode(headerBytes);
  }
  const dict = new HeaderParser(header).parse();
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) throw fail('the header is not a dict');
  const keys = Object.keys(dict).sort();
  if (keys.join() !== 'descr,fortran_order,shape') {
    throw fail(`the header must have exactly the keys 'descr', 'fortran_order', 'shape', got ${keys.map((k) => `'${k}'`).join(', ') || 'none'}`);
  }
  const d = dict as Record<string, Literal>;
  const { descr, fortran_order: fortran, shape } = d;
  if (typeof descr !== 'string') throw fail('structured dtypes (a list as descr) are not supported; save a plain float array');
  if (typeof fortran !== 'boolean') throw fail(`'fortran_order' must be True or False, got ${shown(fortran)}`);
  if (!Array.isArray(shape) || shape.some((v) => typeof v !== 'number' || v < 0)) {
    throw fail(`'shape' must be a tuple of non-negative integers, got ${shown(shape)}`);
  }
  const dims = shape as number[];
  const order = descr[0];
  const type = DESCR[descr.slice(1)];
  if (type === undefined || (order !== '<' && order !== '>')) {
    // '=' (native order) never appears in files NumPy writes: it would not say which order was meant.
    throw fail(`dtype '${descr}' is not supported (supported: '<f2', '>f2', '<f4', '>f4', '<f8', '>f8')`);
  }
  const count = elementCount(dims, '.npy');
  const itemBytes = type === 'f64' ? 8 : type === 'f32' ? 4 : 2;
  const offset = start + headerLength;
  const available = bytes.length - offset;
  if (available < count * itemBytes) {
    throw fail(`truncated: shape (${dims.join(', ')}) of '${descr}' needs ${count * itemBytes} data bytes but the file holds ${available}`);
  }
  if (available > count * itemBytes) {
    throw fail(`${available - count * itemBytes} bytes follow the ${count * itemBytes} data bytes of shape (${dims.join(', ')}) of '${descr}'; the header does not describe this file`);
  }
  let data = decodeElements(bytes, offset, count, type, order === '<', '.npy');
  if (fortran && dims.length > 1) {
    // Column-major data of shape S is row-major data of shape reversed(S) with its axes reversed.
    const reversed = [...dims].reverse();
    data = permute(data, reversed, reversed.map((_, i) => reversed.length - 1 - i));
  }
  return { data, shape: dims, descr };
}
