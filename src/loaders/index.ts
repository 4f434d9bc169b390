// cs.loadWeights: one tensor of a weight file as float32 in PyTorch's layout, ready for
// W.setWeights. The three formats are parsed here rather than through a dependency: .npy and
// safetensors are a header and raw bytes, and the TensorFlow.js reader lives inside tfjs-core,
// far too large to ship for a few dozen lines of manifest arithmetic (the tests check this reader
// against tfjs-core's bit for bit). Nothing here touches the wasm instance.

import { checkOptions, oneOf, typeError, rangeError } from '../validate.js';
import { WHERE, asBytes, listNames, permute } from './decode.js';
import { isNpy, parseNpy } from './npy.js';
import { decodeSafetensor, parseSafetensorsHeader, safetensorsHeaderLength } from './safetensors.js';
import { decodeTfjs, isTfjsSource, parseTfjs } from './tfjs.js';
import type { TfjsWeightsSource } from './tfjs.js';

export type { TfjsWeightsSource };

export type WeightsFormat = 'npy' | 'safetensors' | 'tfjs';

/** A whole .npy or .safetensors file, or a TensorFlow.js manifest with its shard files. */
export type WeightsSource = ArrayBuffer | Uint8Array | TfjsWeightsSource;

export interface LoadWeightsOptions {
  /** Default: detected from the magic bytes (.npy: \x93NUMPY; safetensors: a length that fits, then '{'), or 'tfjs' for { manifest, shards }. */
  format?: WeightsFormat;
  /** Which tensor. Required when the file holds more than one; not accepted for .npy (one unnamed array). */
  name?: string;
  /**
   * 'oihw' (default): 4-D TensorFlow.js kernels, stored [kh, kw, in, out] (HWIO), are returned as
   * PyTorch's [out, in, kh, kw]; every other tensor, and every .npy/safetensors tensor (already in
   * the writer's layout, PyTorch's for PyTorch checkpoints), as stored. 'as-is': never permuted.
   * A manifest does not say which 4-D tensors are depthwise kernels ([kh, kw, in, multiplier]);
   * those come out as [multiplier, in, kh, kw] under 'oihw'.
   */
  layout?: 'oihw' | 'as-is';
}

export interface LoadedWeights {
  /** The values, row-major (C order) in `shape`. */
  data: Float32Array;
  /** Shape of `data` (after any layout change), e.g. [K, M, kh, kw]. */
  shape: number[];
  /** The tensor's name in the file (null for .npy). */
  name: string | null;
  format: WeightsFormat;
  /** The stored element type as the file spells it: '<f4', 'F16', 'uint8' (quantized tfjs), 'float32', ... */
  dtype: string;
  /** Every tensor name in the file, in file order (empty for .npy). */
  names: string[];
}

function detect(bytes: Uint8Array): WeightsFormat {
  if (isNpy(bytes)) return 'npy';
  if (safetensorsHeaderLength(bytes) !== undefined) return 'safetensors';
  throw rangeError(WHERE, `cannot tell the format of these ${bytes.length} bytes: not .npy (no \\x93NUMPY magic) and not safetensors ` +
    "(no 8-byte header length that fits the file followed by '{'); pass { format } if you know it");
}

/** The one entry called `name`, or the only entry when no name is given. */
function pick<T extends { name: string }>(entries: readonly T[], name: string | undefined, kind: string): T {
  const names = entries.map((e) => e.name);
  if (name === undefined) {
    if (entries.length === 1) return entries[0]!;
    if (entries.length === 0) throw rangeError(WHERE, `the ${kind} file holds no tensors`);
    throw new TypeError(`convcs.${WHERE}: option 'name' is required: the ${kind} file holds ${entries.length} tensors: ${listNames(names)}`);
  }
  const hits = entries.filter((e) => e.name === name);
  if (hits.length === 0) throw rangeError(WHERE, `no tensor named ${JSON.stringify(name)} in the ${kind} file; it holds: ${listNames(names)}`);
  if (hits.length > 1) throw rangeError(WHERE, `${hits.length} tensors are named ${JSON.stringify(name)} in the ${kind} file; which one is meant is ambiguous`);
  return hits[0]!;
}

export function loadWeights(source: unknown, options?: LoadWeightsOptions): LoadedWeights {
  const o = checkOptions<LoadWeightsOptions>(WHERE, options, ['format', 'name', 'layout']);
  const format = o.format === undefined ? undefined : oneOf(WHERE, 'format', o.format, ['npy', 'safetensors', 'tfjs'] as const);
  const layout = o.layout === undefined ? 'oihw' : oneOf(WHERE, 'layout', o.layout, ['oihw', 'as-is'] as const);
  if (o.name !== undefined && typeof o.name !== 'string') throw typeError(WHERE, "'name'", 'a string', o.name);
  const name = o.name;

  if (isTfjsSource(source)) {
    if (format !== undefined && format !== 'tfjs') {
      throw new TypeError(`convcs.${WHERE}: a { manifest, shards } source is TensorFlow.js weights, but format '${format}' was asked for`);
    }
    const model = parseTfjs(source);
    const entry = pick(model.entries, name, 'tfjs');
    let data = decodeTfjs(model, entry);
    let shape = entry.shape;
    if (layout === 'oihw' && shape.length === 4) {
      data = permute(data, shape, [3, 2, 0, 1]); // [kh, kw, in, out] -> [out, in, kh, kw]
      shape = [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
    }
    return { data, shape: [...shape], name: entry.name, format: 'tfjs', dtype: entry.stored, names: model.entries.map((e) => e.name) };
  }

  if (!(source instanceof ArrayBuffer || source instanceof Uint8Array)) {
    throw typeError(WHERE, 'source', 'an ArrayBuffer or Uint8Array (a .npy or .safetensors file) or { manifest, shards } (TensorFlow.js)', source);
  }
  const bytes = asBytes(source);
  if (format === 'tfjs') throw new TypeError(`convcs.${WHERE}: format 'tfjs' takes { manifest, shards }, not the bytes of one file`);
  const kind = format ?? detect(bytes);
  if (kind === 'npy') {
    if (name !== undefined) throw new TypeError(`convcs.${WHERE}: a .npy file holds one unnamed array; option 'name' does not apply`);
    const a = parseNpy(bytes);
    return { data: a.data, shape: a.shape, name: null, format: 'npy', dtype: a.descr, names: [] };
  }
  const file = parseSafetensorsHeader(bytes);
  const entry = pick(file.entries, name, 'safetensors');
  return {
    data: decodeSafetensor(bytes, file, entry), shape: [...entry.shape], name: entry.name, format: 'safetensors',
    dtype: entry.dtype, names: file.entries.map((e) => e.name),
  };
}
