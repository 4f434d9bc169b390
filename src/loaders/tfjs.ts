// TensorFlow.js weights: a manifest (the `weightsManifest` of a model.json, or a bare
// *-weights_manifest.json) lists groups; each group's weights are stored back to back, in manifest
// order, in the concatenation of the group's shard files (`paths`), and the groups' shards follow
// one another in the order given. A weight is float32 or int32, optionally quantized:
// uint8/uint16 with { scale, min } (value = q * scale + min, computed in double and rounded once
// to float32, as tfjs does; int32 weights are then rounded to integers), or float16 (float32
// only). Sizes are checked against the shards before anything is decoded.

import { rangeError, typeError } from '../validate.js';
import { WHERE, asBytes, checkShape, decodeElements, elementCount, shown } from './decode.js';

export interface TfjsWeightsSource {
  /** The parsed model.json (with `weightsManifest`) or the bare weights manifest (an array of groups). */
  manifest: object;
  /** The shard files named by the groups' `paths`, all groups' in order. */
  shards: ReadonlyArray<ArrayBuffer | Uint8Array>;
}

export interface TfjsEntry {
  name: string;
  shape: number[];
  dtype: string;
  /** Storage type: the quantization dtype if quantized, else dtype. */
  stored: string;
  scale: number;
  min: number;
  group: number;
  offset: number;
  count: number;
}

const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

function fail(message: string): RangeError {
  return rangeError(WHERE, `tfjs: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

export function isTfjsSource(v: unknown): v is TfjsWeightsSource {
  return isRecord(v) && 'manifest' in v;
}

export interface TfjsModel {
  entries: TfjsEntry[];
  groups: Uint8Array[];
}

export function parseTfjs(source: TfjsWeightsSource): TfjsModel {
  const { manifest, shards } = source as unknown as Record<string, unknown>;
  const keys = Object.keys(source);
  for (const k of keys) {
    if (k !== 'manifest' && k !== 'shards') throw new TypeError(`convcs.${WHERE}: unknown key '${k}' in the tfjs source (known: manifest, shards)`);
  }
  let groupsRaw: unknown = manifest;
  if (isRecord(manifest)) {
    if (!('weightsManifest' in manifest)) {
      throw typeError(WHERE, 'source.manifest', "a weights manifest (array of groups) or a model.json object with 'weightsManifest'", manifest);
    }
    groupsRaw = manifest.weightsManifest;
  }
  if (!Array.isArray(groupsRaw)) {
    throw typeError(WHERE, 'source.manifest', "a weights manifest (array of groups) or a model.json object with 'weightsManifest'", groupsRaw);
  }
  if (!Array.isArray(shards) || !shards.every((s) => s instanceof ArrayBuffer || s instanceof Uint8Array)) {
    throw typeError(WHERE, 'source.shards', 'an array of ArrayBuffer or Uint8Array (the .bin files)', shards);
  }
  const paths: string[][] = groupsRaw.map((g, gi) => {
    if (!isRecord(g) || !Array.isArray(g.paths) || !g.paths.every((p) => typeof p === 'string') || !Array.isArray(g.weights)) {
      throw fail(`manifest group ${gi} must be { paths: string[], weights: [...] }`);
    }
    return g.paths as string[];
  });
  const totalPaths = paths.reduce((a, p) => a + p.length, 0);
  if (shards.length !== totalPaths) {
    throw rangeError(WHERE, `tfjs: the manifest names ${totalPaths} shard file(s) (${paths.flat().join(', ')}) but ${shards.length} were given`);
  }
  // Each group's bytes: its shards joined (no copy when a group has one shard, the usual case).
  const groups: Uint8Array[] = [];
  let next = 0;
  for (const p of paths) {
    const parts = shards.slice(next, next + p.length).map((s) => asBytes(s as ArrayBuffer | Uint8Array));
    next += p.length;
    if (parts.length === 1) {
      groups.push(parts[0]!);
    } else {
      const joined = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
      let at = 0;
      for (const part of parts) {
        joined.set(part, at);
        at += part.length;
      }
      groups.push(joined);
    }
  }
  const entries: TfjsEntry[] = [];
  groupsRaw.forEach((g, gi) => {
    const bytes = groups[gi]!;
    let offset = 0;
    for (const w of (g as { weights: unknown[] }).weights) {
      if (!isRecord(w) || typeof w.name !== 'string') throw fail(`group ${gi}: every weight needs a string 'name'`);
      const what = `weight '${w.name}'`;
      const shape = checkShape(w.shape, `tfjs: ${what}`);
      const count = elementCount(shape, `tfjs: ${what}`);
      if (typeof w.dtype !== 'string') throw fail(`${what}: 'dtype' must be a string, got ${shown(w.dtype)}`);
      let stored = w.dtype;
      let scale = 1;
      let min = 0;
      if (w.quantization !== undefined) {
        const q = w.quantization;
        if (!isRecord(q) || typeof q.dtype !== 'string') throw fail(`${what}: 'quantization' must be { dtype, scale, min }`);
        stored = q.dtype;
        if (stored === 'uint8' || stored === 'uint16') {
          if (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min)) {
            throw fail(`${what}: ${stored} quantization needs finite numbers 'scale' and 'min', got ${shown(q)}`);
          }
          scale = q.scale;
          min = q.min;
        } else if (stored !== 'float16') {
          throw fail(`${what}: unknown quantization dtype '${stored}' (known: uint8, uint16, float16)`);
        }
      }
      let size: number;
      if (stored === 'string') {
        // Variable length: each element is a uint32 byte count and that many bytes. Walked only to
        // find where the next weight starts; string weights themselves cannot be loaded.
        size = 0;
        for (let i = 0; i < count; i++) {
          if (offset + size + 4 > bytes.length) throw fail(`${what}: truncated string data`);
          size += 4 + new DataView(bytes.buffer, bytes.byteOffset + offset + size, 4).getUint32(0, true);
        }
      } else {
        const b = STORED_BYTES[stored];
        if (b === undefined) throw fail(`${what}: unknown dtype '${stored}'`);
        size = count * b;
      }
      if (offset + size > bytes.length) {
        throw fail(`${what} needs bytes ${offset}..${offset + size} of group ${gi} but its shards hold ${bytes.length} (truncated, or shards in the wrong order?)`);
      }
      entries.push({ name: w.name, shape, dtype: w.dtype, stored, scale, min, group: gi, offset, count });
      offset += size;
    }
    if (offset !== bytes.length) {
      throw fail(`group ${gi}: the manifest describes ${offset} bytes but its shards hold ${bytes.length}; they do not belong together`);
    }
  });
  return { entries, groups };
}

export function decodeTfjs(model: TfjsModel, entry: TfjsEntry): Float32Array {
  const what = `tfjs: weight '${entry.name}'`;
  const bytes = model.groups[entry.group]!;
  const { dtype, stored, count, offset } = entry;
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw rangeError(WHERE, `${what} has dtype '${dtype}'; supported: float32, int32 (as float32)`);
  }
  if (stored === 'uint8' || stored === 'uint16') {
    const out = new Float32Array(count);
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * (stored === 'uint8' ? 1 : 2));
    for (let i = 0; i < count; i++) {
      const q = stored === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
      const v = q * entry.scale + entry.min;
      // the same float32 rules as every other path: finite, and integers only where exact
      out[i] = dtype === 'int32' ? exactInt(Math.round(v), i, what) : v;
      if (!Number.isFinite(out[i]!)) {
        throw rangeError(WHERE, `${what}: element ${i} dequantizes to ${q} * ${entry.scale} + ${entry.min} = ${v}, beyond float32`);
      }
    }
    return out;
  }
  if (stored === 'float16') {
    if (dtype !== 'float32') throw rangeError(WHERE, `${what}: float16 quantization applies to float32 weights only, not ${dtype}`);
    return decodeElements(bytes, offset, count, 'f16', true, what);
  }
  if (stored === 'int32') {
    const out = new Float32Array(count);
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
    for (let i = 0; i < count; i++) out[i] = exactInt(view.getInt32(i * 4, true), i, what);
    return out;
  }
  return decodeElements(bytes, offset, count, 'f32', true, what);
}

/** An int32 weight becomes float32: refused where that would change its value. */
function exactInt(v: number, i: number, what: string): number {
  if (Math.abs(v) > 2 ** 24) throw rangeError(WHERE, `${what}: element ${i} (${v}) is not exactly representable in float32`);
  return v;
}

export function tfjsNames(model: TfjsModel): string[] {
  return model.entries.map((e) => e.name);
}
