// safetensors (Hugging Face; what PyTorch checkpoints are shared in): an 8-byte little-endian
// header length N, N bytes of UTF-8 JSON mapping each tensor name to
// { dtype, shape, data_offsets: [begin, end] } (offsets into the data that follows the header;
// an optional "__metadata__" entry maps strings to strings), then the raw little-endian data.
// Small enough to read directly; every entry is checked against the data length before any
// tensor is decoded, so a corrupt header cannot produce a wrong array.

import { rangeError } from '../validate.js';
import { WHERE, checkJsonStructure, checkShape, decodeElements, elementCount, shown } from './decode.js';
import type { ElementType } from './decode.js';

/** Bytes per element of every dtype the format defines; only some of them decode to float32. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
const DECODABLE: Record<string, ElementType> = { F16: 'f16', BF16: 'bf16', F32: 'f32', F64: 'f64' };

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  entries: SafetensorsEntry[];
  /** Byte offset of the data section in the file. */
  dataStart: number;
}

/** The root object, a tensor's entry, its shape or offsets: three levels; anything far deeper is not a header. */
const MAX_HEADER_DEPTH = 8;

function fail(message: string): RangeError {
  return rangeError(WHERE, `safetensors: ${message}`);
}

/** The header length if the bytes look like safetensors: a length that fits, then '{'. */
export function safetensorsHeaderLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 10) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  if (hi !== 0 || lo < 2 || 8 + lo > bytes.length) return undefined;
  return bytes[8] === 0x7b ? lo : undefined; // '{'
}

export function parseSafetensorsHeader(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw fail(`truncated: ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLength = hi * 2 ** 32 + lo;
  if (8 + headerLength > bytes.length) {
    throw fail(`truncated or not safetensors: the header length is ${headerLength} bytes but only ${bytes.length - 8} follow`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw fail('the header is not valid UTF-8 JSON (its bytes are not UTF-8)');
  }
  // A tensor named twice (JSON.parse keeps the last silently) and absurd nesting are refused first.
  checkJsonStructure(text, MAX_HEADER_DEPTH, (m) => fail(`the header is not a valid safetensors header: ${m}`));
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fail('the header must be a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const what = `tensor '${name}'`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail(`${what}: entry must be an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string') throw fail(`${what}: 'dtype' must be a string, got ${shown(dtype)}`);
    const dims = checkShape(shape, `safetensors: ${what}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((v) => Number.isSafeInteger(v) && v >= 0)) {
      throw fail(`${what}: 'data_offsets' must be [begin, end] with non-negative integers, got ${shown(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      throw fail(`${what}: data_offsets [${begin}, ${end}] lie outside the ${dataLength} data bytes (truncated file?)`);
    }
    const size = DTYPE_BYTES[dtype];
    if (size !== undefined) {
      // Unknown dtypes are only refused when that tensor is asked for: newer writers add types.
      const count = elementCount(dims, `safetensors: ${what}`);
      if (end - begin !== count * size) {
        throw fail(`${what}: shape [${dims.join(', ')}] of ${dtype} needs ${count * size} bytes, data_offsets give ${end - begin}`);
      }
    }
    entries.push({ name, dtype, shape: dims, begin, end });
  }
  // As the format's reference reader requires: the tensors tile the data section exactly, in
  // offset order, so no two share bytes and no byte belongs to none.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of byOffset) {
    if (e.begin < covered) throw fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap another tensor's bytes`);
    if (e.begin > covered) throw fail(`data bytes [${covered}, ${e.begin}) belong to no tensor`);
    covered = e.end;
  }
  if (covered !== dataLength) throw fail(`data bytes [${covered}, ${dataLength}) belong to no tensor`);
  return { entries, dataStart };
}

export function decodeSafetensor(bytes: Uint8Array, file: SafetensorsFile, entry: SafetensorsEntry): Float32Array {
  const what = `tensor '${entry.name}'`;
  const type = DECODABLE[entry.dtype];
  if (type === undefined) {
    const known = DTYPE_BYTES[entry.dtype] !== undefined;
    throw fail(`${what} has ${known ? 'dtype' : 'unknown dtype'} '${entry.dtype}'; supported: ${Object.keys(DECODABLE).join(', ')}`);
  }
  const count = (entry.end - entry.begin) / DTYPE_BYTES[entry.dtype]!;
  return decodeElements(bytes, file.dataStart + entry.begin, count, type, true, `safetensors: ${what}`);
}
