// Structure-aware fuzzing of cs.loadWeights: a valid .npy, safetensors or TF.js description is
// drawn, rendered to bytes, and then (most of the time) one part of its structure is mutated: a
// length field, a shape, a dtype, the offsets, the keys, the nesting, the quantization, the data's
// length. The description is the reference reader: it says whether the file is valid and, if so,
// what each value decodes to, computed here by plain DataView reads. Every outcome must be the
// reference's tensor, bit for bit, or a convcs. TypeError/RangeError (never another error), and no
// more memory than a small multiple of the file.

import fc from 'fast-check';
import type { Convcs } from '../../src/index.js';
import { make } from './arbitraries.js';

export type WeightsVerdict = { ok: true; data: Float32Array; shape: number[] } | { ok: false };

export interface WeightsCase {
  what: string;
  source: Uint8Array | { manifest: unknown; shards: Uint8Array[] };
  options: { name?: string };
  verdict: WeightsVerdict;
  /** Bytes of the file(s): the result may not be larger than a small multiple of them. */
  bytes: number;
}

// ------------------------------------------------------------------- element codecs (reference)

function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

type Kind = 'f16' | 'bf16' | 'f32' | 'f64';
const SIZE: Record<Kind, number> = { f16: 2, bf16: 2, f32: 4, f64: 8 };

/** Values from raw bits (so NaN payloads and subnormals occur), and the bytes that hold them. */
function encode(kind: Kind, raw: number[], little: boolean): { bytes: Uint8Array; values: number[] } {
  const n = raw.length;
  const bytes = new Uint8Array(n * SIZE[kind]);
  const view = new DataView(bytes.buffer);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = raw[i]!;
    if (kind === 'f16') {
      view.setUint16(i * 2, r & 0xffff, little);
      values.push(half(r & 0xffff));
    } else if (kind === 'bf16') {
      view.setUint16(i * 2, r & 0xffff, little);
      values.push(new Float32Array(new Uint32Array([(r & 0xffff) << 16]).buffer)[0]!);
    } else if (kind === 'f32') {
      view.setUint32(i * 4, r >>> 0, little);
      values.push(view.getFloat32(i * 4, little));
    } else {
      // a float64 from a float32 (so it fits), or beyond float32 when the raw value says so
      const v = (r & 7) === 0 ? 1e39 * (r & 8 ? -1 : 1) : new Float32Array(new Uint32Array([r >>> 0]).buffer)[0]!;
      view.setFloat64(i * 8, v, little);
      values.push(v);
    }
  }
  return { bytes, values };
}

/** What float32 the loader must give for a decoded value, or undefined when it must refuse it. */
function asFloat32(v: number): number | undefined {
  const f = Math.fround(v);
  return Number.isFinite(v) && !Number.isFinite(f) ? undefined : f;
}

function finish(values: number[], shape: number[]): WeightsVerdict {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const f = asFloat32(values[i]!);
    if (f === undefined) return { ok: false };
    out[i] = f;
  }
  return { ok: true, data: out, shape };
}

const int = (min: number, max: number) => fc.integer({ min, max });
const shapeArb = fc.array(int(0, 4), { minLength: 0, maxLength: 3 });
const rawArb = (n: number) => fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: n, maxLength: n });

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function deep(open: string, close: string, n: number): string {
  return open.repeat(n) + close.repeat(n);
}

// ------------------------------------------------------------------------------------- .npy

const NPY_KINDS: Array<[string, Kind]> = [['f2', 'f16'], ['f4', 'f32'], ['f8', 'f64']];

function npyBytes(header: string, data: Uint8Array, version: number, lengthDelta = 0): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const padded = header + ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, Math.max(0, Math.min(0xffff, padded.length + lengthDelta)), true);
  else view.setUint32(8, Math.max(0, padded.length + lengthDelta), true);
  for (let i = 0; i < padded.length; i++) out[pre + i] = padded.charCodeAt(i);
  out.set(data, pre + padded.length);
  return out;
}

function cOrder(values: number[], shape: number[]): number[] {
  // the file holds column-major data: element (i0, i1, ...) at sum(i_k * stride_k), stride_0 = 1
  if (shape.length < 2) return values;
  const out = new Array<number>(values.length);
  const n = count(shape);
  for (let c = 0; c < n; c++) {
    let rem = c;
    let f = 0;
    let stride = 1;
    const idx: number[] = [];
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k] = rem % shape[k]!;
      rem = Math.floor(rem / shape[k]!);
    }
    for (let k = 0; k < shape.length; k++) {
      f += idx[k]! * stride;
      stride *= shape[k]!;
    }
    out[c] = values[f]!;
  }
  return out;
}

const npyMutation = fc.constantFrom('none', 'none', 'none', 'length', 'shape-negative', 'shape-huge', 'shape-nested', 'shape-float', 'descr',
  'extra-key', 'proto-key', 'twice', 'truncate', 'extend', 'version', 'deep');

const npyCase = fc.record({
  kind: fc.constantFrom(...NPY_KINDS), little: fc.boolean(), fortran: fc.boolean(), shape: shapeArb, version: fc.constantFrom(1, 2, 3),
  mutation: npyMutation, k: int(1, 9), seed: int(0, 2 ** 31 - 1),
}).chain((d) => rawArb(count(d.shape)).map((raw) => ({ ...d, raw })))
  .map((d): WeightsCase => {
    const [code, kind] = d.kind;
    const { bytes: data, values } = encode(kind, d.raw, d.little);
    const shapeText = `(${d.shape.join(', ')}${d.shape.length === 1 ? ',' : ''})`;
    let descr = `${d.little ? '<' : '>'}${code}`;
    let shape = shapeText;
    let extra = '';
    let body = data;
    let version: number = d.version;
    let lengthDelta = 0;
    let valid = true;
    switch (d.mutation) {
      case 'length': lengthDelta = d.k % 2 ? -d.k : d.k * 64; valid = false; break;
      case 'shape-negative': shape = `(-${d.k},)`; valid = false; break;
      case 'shape-huge': shape = `(${2 ** 31}, ${2 ** 31}, ${d.k})`; valid = false; break;
      case 'shape-nested': shape = `((${d.k},),)`; valid = false; break;
      case 'shape-float': shape = `(${d.k}.5,)`; valid = false; break;
      case 'descr': descr = ['<i4', '|u1', '<f16', '=f4', '<c8', 'f4', "<f4' "][d.k % 7]!; valid = false; break;
      case 'extra-key': extra = `'extra': ${d.k}, `; valid = false; break;
      case 'proto-key': extra = `'__proto__': {}, `; valid = false; break;
      case 'twice': extra = `'shape': ${shapeText}, `; valid = false; break;
      case 'truncate': if (body.length > 0) { body = body.subarray(0, Math.max(0, body.length - d.k)); valid = false; } break;
      case 'extend': body = Uint8Array.from([...body, ...new Array(d.k).fill(1)]); valid = false; break;
      case 'version': version = [0, 4, 255][d.k % 3]!; valid = false; break;
      case 'deep': shape = deep('(', ')', 1000 * d.k); valid = false; break;
    }
    const header = `{'descr': '${descr}', 'fortran_order': ${d.fortran ? 'True' : 'False'}, 'shape': ${shape}, ${extra}}`;
    const bytes = npyBytes(header, body, version, lengthDelta);
    const verdict = valid ? finish(d.fortran ? cOrder(values, d.shape) : values, d.shape) : { ok: false as const };
    return { what: `.npy ${descr} ${shape.slice(0, 30)} (${d.mutation})`, source: bytes, options: {}, verdict, bytes: bytes.length };
  });

// ------------------------------------------------------------------------------- safetensors

const ST_KINDS: Array<[string, Kind]> = [['F16', 'f16'], ['BF16', 'bf16'], ['F32', 'f32'], ['F64', 'f64']];

const stMutation = fc.constantFrom('none', 'none', 'none', 'overlap', 'gap', 'beyond', 'unowned-tail', 'duplicate', 'dtype-unknown',
  'dtype-undecodable', 'shape', 'length', 'deep', 'metadata', 'not-object', 'missing-name');

const tensorArb = fc.record({ kind: fc.constantFrom(...ST_KINDS), shape: shapeArb })
  .chain((t) => rawArb(count(t.shape)).map((raw) => ({ ...t, raw })));

const stCase = fc.record({ tensors: fc.array(tensorArb, { minLength: 1, maxLength: 3 }), pick: int(0, 2), mutation: stMutation, k: int(1, 9) })
  .map((d): WeightsCase => {
    const names = d.tensors.map((_, i) => `t${i}`);
    const encoded = d.tensors.map((t) => encode(t.kind[1], t.raw, true));
    const header: Record<string, unknown> = {};
    let at = 0;
    const offsets = encoded.map((e) => {
      const o: [number, number] = [at, at + e.bytes.length];
      at += e.bytes.length;
      return o;
    });
    d.tensors.forEach((t, i) => {
      header[names[i]!] = { dtype: t.kind[0], shape: t.shape, data_offsets: offsets[i] };
    });
    const target = d.pick % d.tensors.length;
    let data = new Uint8Array(at);
    encoded.forEach((e, i) => data.set(e.bytes, offsets[i]![0]));
    let valid = true;
    let text: string | undefined;
    let name = names[target]!;
    let lengthDelta = 0;
    const entry = (i: number) => header[names[i]!] as { dtype: string; shape: unknown; data_offsets: [number, number] };
    const last = d.tensors.length - 1;
    switch (d.mutation) {
      case 'overlap':
        if (d.tensors.length > 1 && offsets[1]![1] > offsets[1]![0]) {
          entry(1).data_offsets = [Math.max(0, offsets[1]![0] - 1), offsets[1]![1] - 1];
          valid = false;
        }
        break;
      case 'gap': data = Uint8Array.from([...new Array(d.k).fill(0), ...data]); valid = false; break; // every offset now leaves bytes [0, k) unowned
      case 'beyond': entry(last).data_offsets = [offsets[last]![0], at + d.k]; valid = false; break;
      case 'unowned-tail': data = Uint8Array.from([...data, ...new Array(d.k).fill(0)]); valid = false; break;
      case 'duplicate': {
        const body = JSON.stringify(header);
        text = `${body.slice(0, -1)},${JSON.stringify(names[target])}:${JSON.stringify(entry(target))}}`;
        valid = false;
        break;
      }
      case 'dtype-unknown': entry(target).dtype = 'X9'; valid = false; break;
      case 'dtype-undecodable': if (count(d.tensors[target]!.shape) > 0) { entry(target).dtype = 'I32'; valid = false; } break;
      case 'shape': if (count(d.tensors[target]!.shape) > 0) { entry(target).shape = [...d.tensors[target]!.shape, d.k + 1]; valid = false; } break;
      case 'length': lengthDelta = d.k % 2 ? -d.k : 1e6; valid = false; break;
      case 'deep': entry(target).shape = 'DEEP'; text = JSON.stringify(header).replace('"DEEP"', deep('[', ']', 2000 * d.k)); valid = false; break;
      case 'metadata': header.__metadata__ = { format: 'pt', note: `k${d.k}` }; break;
      case 'not-object': text = JSON.stringify([header]); valid = false; break;
      case 'missing-name': name = 'absent'; valid = false; break;
    }
    const headerText = new TextEncoder().encode(text ?? JSON.stringify(header));
    const bytes = new Uint8Array(8 + headerText.length + data.length);
    new DataView(bytes.buffer).setUint32(0, Math.max(0, headerText.length + lengthDelta), true);
    bytes.set(headerText, 8);
    bytes.set(data, 8 + headerText.length);
    const t = d.tensors[target]!;
    const verdict = valid ? finish(encoded[target]!.values, t.shape) : { ok: false as const };
    return { what: `safetensors ${d.tensors.map((x) => x.kind[0]).join('+')} (${d.mutation})`, source: bytes, options: { name }, verdict, bytes: bytes.length };
  });

// ------------------------------------------------------------------------------------ TF.js

const tfMutation = fc.constantFrom('none', 'none', 'none', 'scale-overflow', 'scale-bigint', 'min-nan', 'shape-cycle', 'shape-deep', 'shape-bigger',
  'paths', 'int32-large', 'quant-dtype', 'dtype-bigint');

const tfCase = fc.record({
  stored: fc.constantFrom('float32', 'uint8', 'uint16', 'float16', 'int32'), shape: shapeArb, scale: fc.constantFrom(0.5, 1 / 255, 3),
  min: fc.constantFrom(-1, 0, 2.5), mutation: tfMutation, k: int(1, 9),
}).chain((d) => rawArb(count(d.shape)).map((raw) => ({ ...d, raw })))
  .map((d): WeightsCase => {
    const n = count(d.shape);
    const dtype = d.stored === 'int32' ? 'int32' : 'float32';
    const spec: Record<string, unknown> = { name: 'w', shape: d.shape, dtype };
    let bytes: Uint8Array;
    let values: number[];
    if (d.stored === 'uint8' || d.stored === 'uint16') {
      spec.quantization = { dtype: d.stored, scale: d.scale, min: d.min };
      const size = d.stored === 'uint8' ? 1 : 2;
      bytes = new Uint8Array(n * size);
      const view = new DataView(bytes.buffer);
      values = d.raw.map((r, i) => {
        const q = size === 1 ? r & 0xff : r & 0xffff;
        if (size === 1) view.setUint8(i, q);
        else view.setUint16(i * 2, q, true);
        return q * d.scale + d.min;
      });
    } else if (d.stored === 'float16') {
      spec.quantization = { dtype: 'float16' };
      ({ bytes, values } = encode('f16', d.raw, true));
    } else if (d.stored === 'int32') {
      bytes = new Uint8Array(n * 4);
      const view = new DataView(bytes.buffer);
      values = d.raw.map((r, i) => {
        const v = (r % 2001) - 1000;
        view.setInt32(i * 4, v, true);
        return v;
      });
    } else {
      ({ bytes, values } = encode('f32', d.raw, true));
    }
    let valid = true;
    let shards = [bytes];
    const q = spec.quantization as Record<string, unknown> | undefined;
    switch (d.mutation) {
      case 'scale-overflow': if (q && q.dtype !== 'float16' && values.some((v) => v !== d.min)) { q.scale = 1e39 * d.k; valid = false; } break;
      case 'scale-bigint': if (q && q.dtype !== 'float16') { q.scale = BigInt(d.k); valid = false; } break;
      case 'min-nan': if (q && q.dtype !== 'float16') { q.min = [NaN, Infinity, -Infinity][d.k % 3]; valid = false; } break;
      case 'shape-cycle': { const c: unknown[] = [1]; c.push(c); spec.shape = c; valid = false; break; }
      case 'shape-deep': { let s: unknown = [1]; for (let i = 0; i < 5000 * d.k; i++) s = [s]; spec.shape = s; valid = false; break; }
      case 'shape-bigger': spec.shape = [...d.shape, d.k + 1]; valid = n === 0 ? true : false; if (n === 0) values = []; break;
      case 'paths': shards = [...shards, new Uint8Array(d.k)]; valid = false; break;
      case 'int32-large': if (d.stored === 'int32' && n > 0) { new DataView(bytes.buffer).setInt32(0, 2 ** 24 + d.k, true); valid = false; } break;
      case 'quant-dtype': spec.quantization = { dtype: 'int4', scale: 1, min: 0 }; valid = false; break;
      case 'dtype-bigint': spec.dtype = BigInt(d.k); valid = false; break;
    }
    const manifest = [{ paths: ['group1-shard1of1.bin'], weights: [spec] }];
    const shape = spec.shape as number[];
    // 4-D kernels come back [out, in, kh, kw] from [kh, kw, in, out]
    let verdict: WeightsVerdict = valid ? finish(values, shape) : { ok: false };
    if (verdict.ok && shape.length === 4) verdict = hwioToOihw(verdict.data, shape);
    return { what: `tfjs ${d.stored} [${d.shape}] (${d.mutation})`, source: { manifest, shards }, options: {}, verdict, bytes: shards.reduce((a, s) => a + s.length, 0) + 256 };
  });

function hwioToOihw(data: Float32Array, [kh, kw, cin, cout]: number[]): WeightsVerdict {
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh!; y++) {
    for (let x = 0; x < kw!; x++) {
      for (let i = 0; i < cin!; i++) {
        for (let o = 0; o < cout!; o++) out[((o * cin! + i) * kh! + y) * kw! + x] = data[((y * kw! + x) * cin! + i) * cout! + o]!;
      }
    }
  }
  return { ok: true, data: out, shape: [cout!, cin!, kh!, kw!] };
}

export const weightsCase: fc.Arbitrary<WeightsCase> = fc.oneof(npyCase, stCase, tfCase);

/**
 * One case: the reference's tensor bit for bit, or a convcs. TypeError/RangeError, which is thrown
 * on (so that the fuzz harness checks that the refusal changed nothing). Anything else throws an
 * Error saying what went wrong.
 */
export function checkWeightsCase(cs: Convcs, c: WeightsCase): void {
  let got: { data: Float32Array; shape: number[] } | undefined;
  let error: unknown;
  try {
    got = cs.loadWeights(c.source as never, c.options);
  } catch (e) {
    error = e;
  }
  if (got === undefined) {
    const e = error as Error;
    if (!(e instanceof TypeError || e instanceof RangeError) || !/^convcs\.loadWeights: /.test(e.message)) {
      throw new Error(`${c.what}: threw ${e?.constructor?.name ?? typeof e}: ${String(e?.message ?? e).slice(0, 200)}`);
    }
    if (c.verdict.ok) throw new Error(`${c.what}: a valid file was refused: ${e.message}`);
    throw e;
  }
  if (!c.verdict.ok) throw new Error(`${c.what}: an invalid file was loaded as [${got.shape}]`);
  if (got.data.byteLength > 4 * c.bytes + 64) throw new Error(`${c.what}: ${got.data.byteLength} bytes loaded from ${c.bytes}`);
  if (got.shape.join() !== c.verdict.shape.join()) throw new Error(`${c.what}: shape [${got.shape}], the reference says [${c.verdict.shape}]`);
  const a = new Uint32Array(got.data.buffer, got.data.byteOffset, got.data.length);
  const b = new Uint32Array(c.verdict.data.buffer, c.verdict.data.byteOffset, c.verdict.data.length);
  for (let i = 0; i < a.length; i++) {
    // NaN payloads may differ between decoders; every other value must agree to the bit
    if (a[i] !== b[i] && !(Number.isNaN(got.data[i]) && Number.isNaN(c.verdict.data[i]))) {
      throw new Error(`${c.what}: element ${i} is ${got.data[i]}, the reference decodes ${c.verdict.data[i]}`);
    }
  }
}

/** The harness's case: expected to load when the reference says the file is valid, else to be refused. */
export const weightsFileCase = weightsCase.map((c) => make('loadWeights', c.verdict.ok ? 'ok' : 'refuse', c.what, (h) => ({
  call: () => checkWeightsCase(h.cs, c),
})));
