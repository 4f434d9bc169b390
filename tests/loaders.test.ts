// cs.loadWeights: .npy and safetensors files written by NumPy / by hand in Python
// (tests/fixtures/weights/make_weight_fixtures.py), TensorFlow.js manifests built here with
// hand-computed dequantized values, the real @vladmandic/face-api model files checked bit for bit
// against tfjs-core's own reader, the HWIO -> OIHW conversion on a filter whose every value names
// its position, and every error path.
import { test } from 'node:test';
import assert from './assert.js';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { instance, relErr } from './helpers.js';
import type { LoadedWeights, WeightsSource } from '../src/index.js';

const fixtures = new URL('./fixtures/weights/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, fixtures));
interface Expected {
  npy: Record<string, { shape: number[]; descr: string; values: number[] }>;
  safetensors: Record<string, { dtype: string; shape: number[]; values?: number[]; negative_zero_index?: number }> & { names: string[] };
  torch_conv2d: { input_shape: number[]; padding: number; x: number[]; y: number[]; output_shape: number[] };
}
const expected = JSON.parse(read('expected.json').toString('utf8')) as Expected;

const faceApi = new URL('../node_modules/@vladmandic/face-api/model/', import.meta.url);
const faceModel = (name: string) => ({
  manifest: JSON.parse(readFileSync(new URL(`${name}-weights_manifest.json`, faceApi), 'utf8')) as Array<{
    paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string; quantization?: { dtype: string; scale: number; min: number } }>;
  }>,
  bin: readFileSync(new URL(`${name}.bin`, faceApi)),
});

/** Exact equality that tells -0 from 0 and accepts NaN = NaN. */
function sameValues(actual: ArrayLike<number>, wanted: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, wanted.length, `${what}: length`);
  for (let i = 0; i < wanted.length; i++) {
    if (!Object.is(actual[i], wanted[i])) assert.fail(`${what}[${i}]: got ${actual[i]}, want ${wanted[i]}`);
  }
}

const cs = await instance('simd');

// ------------------------------------------------------------------------------------ .npy

test('.npy: every NumPy-written fixture loads with its shape and exact values (auto-detected and forced)', () => {
  const files = Object.keys(expected.npy);
  assert.ok(files.length >= 10, 'fixture set');
  for (const f of files) {
    const e = expected.npy[f]!;
    for (const options of [undefined, { format: 'npy' as const }]) {
      const w = cs.loadWeights(read(f), options);
      assert.equal(w.format, 'npy');
      assert.equal(w.name, null);
      assert.deepEqual(w.names, []);
      assert.equal(w.dtype, e.descr, `${f}: dtype`);
      assert.deepEqual(w.shape, e.shape, `${f}: shape`);
      assert.ok(w.data instanceof Float32Array);
      sameValues(w.data, e.values, f);
    }
  }
});

test('.npy and safetensors: bytes inside a larger buffer at an odd offset, and a bare ArrayBuffer, load the same', () => {
  for (const [file, name] of [['conv_f64_be_fortran.npy', undefined], ['conv_f32_c.npy', undefined], ['tensors.safetensors', 'conv.weight'], ['tensors.safetensors', 'half']] as const) {
    const bytes = read(file);
    const host = new Uint8Array(bytes.length + 8);
    host.set(bytes, 3);
    const options = name === undefined ? undefined : { name };
    const want = cs.loadWeights(bytes, options).data;
    sameValues(cs.loadWeights(host.subarray(3, 3 + bytes.length), options).data, want, `${file} at offset 3`);
    sameValues(cs.loadWeights(host.slice(3, 3 + bytes.length).buffer, options).data, want, `${file} as ArrayBuffer`);
  }
});

test('.npy fixtures cover both byte orders, both memory orders, versions 1 and 2, f2/f4/f8, 0-d and empty', () => {
  const descrs = new Set(Object.values(expected.npy).map((e) => e.descr));
  for (const d of ['<f4', '>f4', '<f8', '>f8', '<f2']) assert.ok(descrs.has(d), d);
  const header = (f: string) => read(f).subarray(0, 128).toString('latin1');
  assert.match(header('conv_f32_fortran.npy'), /'fortran_order': True/);
  assert.match(header('conv_f64_be_fortran.npy'), /'descr': '>f8', 'fortran_order': True/);
  assert.equal(read('conv_f32_c.npy')[6], 1, 'version 1.0 file');
  assert.equal(read('conv_f32_v2.npy')[6], 2, 'version 2.0 file');
  assert.deepEqual(expected.npy['scalar_f64.npy']!.shape, []);
  assert.deepEqual(expected.npy['empty_f32.npy']!.shape, [0, 3]);
});

test('.npy: Fortran order is transposed to C order (a matrix whose values are its C-order indices)', () => {
  // NumPy wrote arange(12).reshape(3, 4) in column-major order: the file's bytes go 0, 4, 8, 1, ...
  const bytes = read('matrix_f32_fortran.npy');
  const raw = new Float32Array(bytes.buffer.slice(bytes.byteOffset + bytes.length - 48, bytes.byteOffset + bytes.length));
  assert.deepEqual(Array.from(raw.subarray(0, 4)), [0, 4, 8, 1]);
  const w = cs.loadWeights(bytes);
  assert.deepEqual(Array.from(w.data), Array.from({ length: 12 }, (_, i) => i));
});

test('.npy and safetensors: a PyTorch Conv2d weight goes straight into W.setWeights and matches torch conv2d', async () => {
  const t = expected.torch_conv2d;
  const sources: Array<[string, LoadedWeights]> = [
    ['npy C', cs.loadWeights(read('conv_f32_c.npy'))],
    ['npy Fortran big-endian f64', cs.loadWeights(read('conv_f64_be_fortran.npy'))],
    ['safetensors', cs.loadWeights(read('tensors.safetensors'), { name: 'conv.weight' })],
  ];
  for (const backend of ['simd', 'scalar'] as const) {
    const c = await instance(backend);
    for (const [what, w] of sources) {
      const [K, M, kh, kw] = w.shape as [number, number, number, number];
      const W = c.conv2d({ inChannels: M, outChannels: K, kernelSize: [kh, kw], height: t.input_shape[1]!, width: t.input_shape[2]!, padding: t.padding });
      assert.deepEqual([...W.weightShape], w.shape);
      W.setWeights(w.data);
      const y = W.forward(Float32Array.from(t.x));
      assert.deepEqual([...W.outputShape], t.output_shape);
      // The f64 file holds weights * (1 + 2^-30): rounded to float32 they are the same weights.
      assert.ok(relErr(y, t.y) < 1e-5, `${backend} ${what}: rel err ${relErr(y, t.y)}`);
      W.dispose();
    }
  }
});

// ------------------------------------------------------------------------------ safetensors

test('safetensors: F32, F64, F16 and BF16 tensors load exactly, names in file order', () => {
  const bytes = read('tensors.safetensors');
  const names = expected.safetensors.names;
  for (const name of names) {
    const e = expected.safetensors[name]!;
    if (e.values === undefined) continue;
    const w = cs.loadWeights(bytes, { name });
    assert.equal(w.format, 'safetensors');
    assert.equal(w.name, name);
    assert.equal(w.dtype, e.dtype);
    assert.deepEqual(w.shape, e.shape);
    assert.deepEqual(w.names, names);
    sameValues(w.data, e.values, name);
  }
  const half = cs.loadWeights(bytes, { name: 'half', format: 'safetensors' }).data;
  assert.ok(Object.is(half[1], -0), 'F16 negative zero survives');
  assert.equal(half[4], 65504, 'largest half');
  assert.equal(half[6], 2 ** -24, 'smallest subnormal half');
});

// ------------------------------------------------------------------------------------ tfjs

/** A one-group tfjs source from (spec, raw bytes) pairs, its shard optionally split in two. */
function tfjsSource(weights: Array<[Record<string, unknown>, number[]]>, split?: number): WeightsSource {
  const bytes = Uint8Array.from(weights.flatMap(([, b]) => b));
  const shards = split === undefined ? [bytes] : [bytes.slice(0, split), bytes.slice(split)];
  const paths = shards.map((_, i) => `shard${i + 1}of${shards.length}`);
  return { manifest: [{ paths, weights: weights.map(([s]) => s) }], shards };
}
const f32le = (...v: number[]) => Array.from(new Uint8Array(Float32Array.from(v).buffer));
const u16le = (...v: number[]) => v.flatMap((x) => [x & 0xff, x >> 8]);

test('tfjs: uint8/uint16/float16 dequantization and int32 rounding against hand-computed values', () => {
  const source = tfjsSource([
    [{ name: 'q8', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } }, [0, 1, 2, 255]],
    [{ name: 'q16', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 2 ** -10, min: 3 } }, u16le(0, 1024, 65535)],
    // 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24, 0x7bff = 65504, 0x8000 = -0
    [{ name: 'h', shape: [5], dtype: 'float32', quantization: { dtype: 'float16' } }, u16le(0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000)],
    // int32 weights quantized as uint8 are rounded: 0.1, 0.4, 0.7, 1.6 -> 0, 0, 1, 2
    [{ name: 'i', shape: [4], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.3, min: 0.1 } }, [0, 1, 2, 5]],
    // a plain float32 weight after 2*2 + 3*2 + 5*2 + 4 = 24 bytes, then one at an odd offset
    [{ name: 'f', shape: [2], dtype: 'float32' }, f32le(1.5, -7.25)],
    [{ name: 'odd', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }, [9]],
    [{ name: 'g', shape: [1], dtype: 'float32' }, f32le(0.1)],
  ]);
  const get = (name: string) => Array.from(cs.loadWeights(source, { name }).data);
  assert.deepEqual(get('q8'), [-1, -0.5, 0, 126.5]);
  assert.deepEqual(get('q16'), [3, 4, Math.fround(3 + 65535 / 1024)]);
  const h = get('h');
  assert.deepEqual(h, [1, -2, 2 ** -24, 65504, -0]);
  assert.ok(Object.is(h[4], -0));
  assert.deepEqual(get('i'), [0, 0, 1, 2]);
  assert.deepEqual(get('f'), [1.5, -7.25]);
  assert.deepEqual(get('g'), [Math.fround(0.1)], 'float32 at an unaligned offset (33)');
  const w = cs.loadWeights(source, { name: 'q8' });
  assert.equal(w.dtype, 'uint8');
  assert.equal(w.format, 'tfjs');
  assert.deepEqual(w.names, ['q8', 'q16', 'h', 'i', 'f', 'odd', 'g']);
  // The same bytes split over two shards (mid-weight), and wrapped as a model.json, give the same values.
  for (const split of [1, 13, 30]) {
    const s = tfjsSource([[{ name: 'f', shape: [8], dtype: 'float32' }, f32le(1, 2, 3, 4, 5, 6, 7, 8)]], split);
    assert.deepEqual(Array.from(cs.loadWeights(s).data), [1, 2, 3, 4, 5, 6, 7, 8], `split at ${split}`);
    const m = s as { manifest: object; shards: Uint8Array[] };
    const modelJson = { format: 'layers-model', modelTopology: {}, weightsManifest: m.manifest };
    assert.deepEqual(Array.from(cs.loadWeights({ manifest: modelJson, shards: m.shards }).data), [1, 2, 3, 4, 5, 6, 7, 8]);
  }
});

test('tfjs: HWIO -> OIHW on a filter whose values name their position; as-is keeps HWIO', () => {
  const [KH, KW, I, O] = [2, 3, 4, 5];
  const value = (h: number, w: number, i: number, o: number) => 1000 * o + 100 * i + 10 * h + w;
  const hwio: number[] = [];
  for (let h = 0; h < KH; h++) for (let w = 0; w < KW; w++) for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) hwio.push(value(h, w, i, o));
  const source = tfjsSource([[{ name: 'k', shape: [KH, KW, I, O], dtype: 'float32' }, f32le(...hwio)]]);
  const w = cs.loadWeights(source);
  assert.deepEqual(w.shape, [O, I, KH, KW]);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let h = 0; h < KH; h++) for (let x = 0; x < KW; x++) {
    assert.equal(w.data[((o * I + i) * KH + h) * KW + x], value(h, x, i, o));
  }
  const raw = cs.loadWeights(source, { layout: 'as-is' });
  assert.deepEqual(raw.shape, [KH, KW, I, O]);
  assert.deepEqual(Array.from(raw.data), hwio);
  // Tensors of other ranks are never permuted.
  const m = tfjsSource([[{ name: 'fc', shape: [2, 3], dtype: 'float32' }, f32le(1, 2, 3, 4, 5, 6)]]);
  assert.deepEqual(cs.loadWeights(m).shape, [2, 3]);
});

test('tfjs: a converted TF kernel computes the same convolution as TF semantics by hand (property)', () => {
  // TF: y[o, p, q] = sum_{h, w, i} x[i, p + h, q + w] * k[h, w, i, o] (NHWC, HWIO, 'valid').
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    (KH, KW, I, O, seed) => {
      const H = KH + 2;
      const Wd = KW + 3;
      let s = seed;
      const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const k = Array.from({ length: KH * KW * I * O }, rnd);
      const x = Float32Array.from({ length: I * H * Wd }, rnd); // [I, H, W]
      const w = cs.loadWeights(tfjsSource([[{ name: 'k', shape: [KH, KW, I, O], dtype: 'float32' }, f32le(...k)]]));
      const W = cs.conv2d({ inChannels: I, outChannels: O, kernelSize: [KH, KW], height: H, width: Wd });
      try {
        const y = W.setWeights(w.data).forward(x);
        const kf = Float32Array.from(k);
        const [Ho, Wo] = [H - KH + 1, Wd - KW + 1];
        for (let o = 0; o < O; o++) for (let p = 0; p < Ho; p++) for (let q = 0; q < Wo; q++) {
          let sum = 0;
          for (let h = 0; h < KH; h++) for (let c = 0; c < KW; c++) for (let i = 0; i < I; i++) {
            sum += x[(i * H + p + h) * Wd + q + c]! * kf[((h * KW + c) * I + i) * O + o]!;
          }
          const got = y[(o * Ho + p) * Wo + q]!;
          if (Math.abs(got - sum) > 1e-5 * (1 + Math.abs(sum))) return false;
        }
        return true;
      } finally {
        W.dispose();
      }
    },
  ), { numRuns: 60, seed: 7 });
});

// ------------------------------------------------------------------- the real face-api files

test('face-api face recognition ResNet: shapes from the manifest, OIHW, values on the uint8 grid, a byte read by hand', () => {
  const { manifest, bin } = faceModel('face_recognition_model');
  const source = { manifest, shards: [bin] };
  const specs = manifest[0]!.weights;
  const filters = specs.filter((s) => s.name.endsWith('/filters'));
  // 7x7 stem, then 28 3x3 convolutions (14 residual blocks of two), 32 to 256 channels.
  assert.equal(filters.length, 29);
  assert.equal(filters.filter((s) => s.shape[0] === 3 && s.shape[1] === 3).length, 28);
  let quantized = 0;
  let plain = 0;
  for (const s of filters) {
    const w = cs.loadWeights(source, { name: s.name });
    const [kh, kw, ci, co] = s.shape as [number, number, number, number];
    assert.deepEqual(w.shape, [co, ci, kh, kw], s.name);
    assert.ok(co >= 32 && co <= 256, s.name);
    const q = s.quantization;
    if (q) {
      quantized++;
      assert.equal(q.dtype, 'uint8');
      assert.equal(w.dtype, 'uint8');
      // Every value is min + k * scale for an integer k in 0..255 (to float32 rounding).
      let kMin = 255;
      let kMax = 0;
      for (const v of w.data) {
        const k = (v - q.min) / q.scale;
        const r = Math.round(k) || 0; // -0 for k just below 0
        if (!(Math.abs(k - r) < 1e-3 && r >= 0 && r <= 255)) assert.fail(`${s.name}: ${v} is not on the grid`);
        kMin = Math.min(kMin, r);
        kMax = Math.max(kMax, r);
      }
      // tfjs's quantizer maps the range onto the full grid: both ends are used.
      assert.equal(kMin, 0, `${s.name}: grid bottom`);
      assert.equal(kMax, 255, `${s.name}: grid top`);
    } else {
      plain++;
      assert.equal(w.dtype, 'float32');
    }
  }
  assert.ok(quantized > 0 && plain > 0, `both kinds present (${quantized} uint8, ${plain} float32)`);
  // The shards hold exactly what the manifest describes.
  const bytesPer = (s: (typeof specs)[number]) => s.shape.reduce((a, b) => a * b, 1) * (s.quantization ? 1 : 4);
  assert.equal(specs.reduce((a, s) => a + bytesPer(s), 0), bin.length);
  // conv32_1/conv1/conv/filters starts after the stem's 7*7*3*32 filter bytes and three 32-byte
  // uint8 vectors (bias, scale weights, scale biases): offset 4704 + 96 = 4800. In HWIO order its
  // first bytes are (h 0, w 0, i 0, o 0), (0, 0, 0, 1), ...: OIHW indices 0 and 1 * (32 * 9).
  const spec = specs.find((s) => s.name === 'conv32_1/conv1/conv/filters')!;
  assert.equal(specs.slice(0, specs.indexOf(spec)).reduce((a, s) => a + bytesPer(s), 0), 4800);
  const w = cs.loadWeights(source, { name: spec.name });
  const { scale, min } = spec.quantization!;
  assert.equal(w.data[0], Math.fround(bin[4800]! * scale + min));
  assert.equal(w.data[288], Math.fround(bin[4801]! * scale + min));
  assert.equal(w.data[9], Math.fround(bin[4800 + 32]! * scale + min), '(h 0, w 0, i 1, o 0) -> OIHW index 9');
  assert.equal(w.data[1], Math.fround(bin[4800 + 32 * 32]! * scale + min), '(h 0, w 1, i 0, o 0) -> OIHW index 1');
});

test('face-api: every weight of all six models equals tfjs-core\'s own io.decodeWeights, bit for bit', async () => {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const models = ['face_recognition_model', 'ssd_mobilenetv1_model', 'age_gender_model', 'face_landmark_68_model',
    'tiny_face_detector_model', 'face_expression_model'];
  let checked = 0;
  for (const m of models) {
    const { manifest, bin } = faceModel(m);
    const ab = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const reference = tf.io.decodeWeights(ab, manifest.flatMap((g) => g.weights) as never);
    for (const spec of manifest[0]!.weights) {
      const w = cs.loadWeights({ manifest, shards: [bin] }, { name: spec.name, layout: 'as-is' });
      const ref = reference[spec.name]!;
      assert.deepEqual(w.shape, ref.shape, spec.name);
      sameValues(w.data, Float32Array.from(ref.dataSync() as ArrayLike<number>), `${m}/${spec.name}`);
      checked++;
    }
    for (const t of Object.values(reference)) t.dispose();
  }
  assert.ok(checked > 400, `${checked} weights`);
});

// --------------------------------------------------------------------------------- errors

/** .npy bytes with a given header text (padded as NumPy pads) and data. */
function npy(header: string, data: Uint8Array | number[] = [], version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const padded = header + ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) out[pre + i] = padded.charCodeAt(i);
  out.set(data, pre + padded.length);
  return out;
}
/** safetensors bytes from a header object (or raw header text) and data. */
function safetensors(header: object | string, data: number[] = []): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setUint32(0, text.length, true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

test('every malformed input is refused with a TypeError or RangeError naming what is wrong', () => {
  const good = read('conv_f32_c.npy');
  const st = read('tensors.safetensors');
  const before = [good, st].map((b) => createHash('sha256').update(b).digest('hex'));
  const f4 = (n: number) => Array.from(new Uint8Array(new Float32Array(n).buffer));
  const two = tfjsSource([[{ name: 'a', shape: [1], dtype: 'float32' }, f32le(1)], [{ name: 'b', shape: [1], dtype: 'float32' }, f32le(2)]]);
  const t = (manifest: unknown, shards: unknown) => ({ manifest, shards }) as unknown as WeightsSource;
  const oneGroup = (weights: unknown[], bytes: number[]) => t([{ paths: ['x.bin'], weights }], [Uint8Array.from(bytes)]);
  type Case = [what: string, source: unknown, options: unknown, type: typeof TypeError | typeof RangeError, message: RegExp];
  const cases: Case[] = [
    // arguments
    ['source: a number', 42, undefined, TypeError, /source must be an ArrayBuffer or Uint8Array .* or \{ manifest, shards \}/],
    ['source: a Float32Array', new Float32Array(4), undefined, TypeError, /source must be .*got a Float32Array of length 4/],
    ['source: null', null, undefined, TypeError, /source must be/],
    ['options: not an object', good, 'npy', TypeError, /options must be an object/],
    ['options: unknown key', good, { dtype: 'f4' }, TypeError, /unknown option 'dtype' \(known options: format, name, layout\)/],
    ['options: bad format', good, { format: 'pt' }, TypeError, /'format' must be one of 'npy', 'safetensors', 'tfjs'/],
    ['options: bad layout', good, { layout: 'nchw' }, TypeError, /'layout' must be one of 'oihw', 'as-is'/],
    ['options: name not a string', st, { name: 3 }, TypeError, /'name' must be a string, got 3/],
    ['detect: neither format', Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), undefined, RangeError, /cannot tell the format of these 12 bytes/],
    ['detect: empty', new ArrayBuffer(0), undefined, RangeError, /cannot tell the format of these 0 bytes/],
    ['format tfjs with bytes', good, { format: 'tfjs' }, TypeError, /format 'tfjs' takes \{ manifest, shards \}/],
    ['format npy with a tfjs source', two, { format: 'npy' }, TypeError, /is TensorFlow.js weights, but format 'npy'/],
    // .npy
    ['npy: name given', good, { name: 'w' }, TypeError, /a \.npy file holds one unnamed array; option 'name' does not apply/],
    ['npy: forced on safetensors', st, { format: 'npy' }, RangeError, /\.npy: the file does not start with the magic/],
    ['npy: truncated data', good.subarray(0, good.length - 3), undefined, RangeError, /\.npy: truncated: shape \(4, 3, 3, 3\) of '<f4' needs 432 data bytes but the file holds 429/],
    ['npy: extra bytes', Buffer.concat([good, Buffer.from([0, 0, 0, 0])]), undefined, RangeError, /\.npy: 4 bytes follow the 432 data bytes/],
    ['npy: truncated header', good.subarray(0, 40), undefined, RangeError, /\.npy: truncated: the header claims 118 bytes but only 30 follow/],
    ['npy: too short', good.subarray(0, 8), undefined, RangeError, /\.npy: truncated: 8 bytes, too short/],
    ['npy: version 4', Uint8Array.from([...good.subarray(0, 6), 4, 0, ...good.subarray(8)]), undefined, RangeError, /format version 4\.0 is not supported/],
    ['npy: int dtype', npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", [1, 0, 0, 0]), undefined, RangeError, /dtype '<i4' is not supported \(supported: '<f2'/],
    ['npy: native order', npy("{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", f4(1)), undefined, RangeError, /dtype '=f4' is not supported/],
    ['npy: structured', npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", f4(1)), undefined, RangeError, /structured dtypes/],
    ['npy: missing key', npy("{'descr': '<f4', 'shape': (1,), }", f4(1)), undefined, RangeError, /exactly the keys 'descr', 'fortran_order', 'shape', got 'descr', 'shape'/],
    ['npy: extra key', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", f4(1)), undefined, RangeError, /exactly the keys/],
    ['npy: fortran_order not bool', npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", f4(1)), undefined, RangeError, /'fortran_order' must be True or False, got 0/],
    ['npy: negative dim', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", f4(1)), undefined, RangeError, /'shape' must be a tuple of non-negative integers/],
    ['npy: shape not a tuple', npy("{'descr': '<f4', 'fortran_order': False, 'shape': 'x', }", f4(1)), undefined, RangeError, /'shape' must be a tuple/],
    ['npy: header not a dict', npy("('descr', '<f4')", f4(1)), undefined, RangeError, /the header is not a dict/],
    ['npy: garbage in header', npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", f4(1)), undefined, RangeError, /cannot read the header at "Maybe/],
    ['npy: unterminated string', npy("{'descr: '<f4'}", f4(1)), undefined, RangeError, /expected ':' after key|unterminated string/],
    ['npy: duplicate key', npy("{'descr': '<f4', 'descr': '<f4', 'shape': (1,), }", f4(1)), undefined, RangeError, /key 'descr' appears twice/],
    ['npy: non-ASCII header', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), '\u00e9': 1}", f4(1)), undefined, RangeError, /non-ASCII/],
    ['npy: huge shape', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }"), undefined, RangeError, /holds 10000000000 elements, more than 268435456/],
    ['npy: f8 overflows float32', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", [0, 0, 0, 0, 0, 0, 0, 0, ...new Uint8Array(Float64Array.of(1e300).buffer)]), undefined, RangeError, /element 1 \(1e\+300\) is too large for float32/],
    ['npy: version 2 truncated length', Uint8Array.from([...good.subarray(0, 6), 2, 0, 1, 0, 0]), undefined, RangeError, /too short for a version 2 header length/],
    // safetensors
    ['st: name required', st, undefined, TypeError, /option 'name' is required: the safetensors file holds 6 tensors: "conv.weight", "conv.bias", "conv.weight_f64", "half", "bf16", "steps"/],
    ['st: unknown name', st, { name: 'conv.w' }, RangeError, /no tensor named "conv.w" in the safetensors file; it holds: "conv.weight", "conv.bias"/],
    ['st: I64 not supported', st, { name: 'steps' }, RangeError, /tensor 'steps' has dtype 'I64'; supported: F16, BF16, F32, F64/],
    ['st: unknown dtype', safetensors({ a: { dtype: 'F4_E2M1', shape: [2], data_offsets: [0, 1] } }, [0]), { name: 'a' }, RangeError, /tensor 'a' has unknown dtype 'F4_E2M1'/],
    ['st: truncated data', st.subarray(0, st.length - 1), { name: 'conv.weight' }, RangeError, /tensor '.*': data_offsets \[\d+, \d+\] lie outside the \d+ data bytes \(truncated file\?\)/],
    ['st: truncated header', st.subarray(0, 100), { format: 'safetensors' }, RangeError, /safetensors: truncated or not safetensors: the header length is 480 bytes but only 92 follow/],
    ['st: too short', st.subarray(0, 5), { format: 'safetensors' }, RangeError, /safetensors: truncated: 5 bytes/],
    ['st: forced on npy', good, { format: 'safetensors' }, RangeError, /safetensors: truncated or not safetensors/],
    ['st: bad JSON', safetensors('{"a": '), { format: 'safetensors' }, RangeError, /the header is not valid UTF-8 JSON/],
    ['st: header an array', safetensors('[1, 2]'), { format: 'safetensors' }, RangeError, /the header must be a JSON object/],
    ['st: no tensors', safetensors({ __metadata__: { a: 'b' } }), undefined, RangeError, /the safetensors file holds no tensors/],
    ['st: entry not object', safetensors({ a: 3 }), undefined, RangeError, /tensor 'a': entry must be an object/],
    ['st: dtype missing', safetensors({ a: { shape: [1], data_offsets: [0, 4] } }, f4(1)), undefined, RangeError, /tensor 'a': 'dtype' must be a string/],
    ['st: bad shape', safetensors({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, f4(1)), undefined, RangeError, /tensor 'a': shape must be a list of non-negative integers, got \[1.5\]/],
    ['st: bad offsets', safetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f4(1)), undefined, RangeError, /'data_offsets' must be \[begin, end\]/],
    ['st: reversed offsets', safetensors({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f4(1)), undefined, RangeError, /data_offsets \[4, 0\] lie outside/],
    ['st: size mismatch', safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, f4(1)), undefined, RangeError, /tensor 'a': shape \[2\] of F32 needs 8 bytes, data_offsets give 4/],
    ['st: non-UTF-8 header', safetensors('{"\u00ff"}').map((b, i) => (i === 10 ? 0xff : b)), { format: 'safetensors' }, RangeError, /not valid UTF-8 JSON/],
    // tfjs
    ['tfjs: name required', two, undefined, TypeError, /option 'name' is required: the tfjs file holds 2 tensors: "a", "b"/],
    ['tfjs: unknown name', two, { name: 'c' }, RangeError, /no tensor named "c" in the tfjs file; it holds: "a", "b"/],
    ['tfjs: manifest not a list', t('x', []), undefined, TypeError, /source\.manifest must be a weights manifest/],
    ['tfjs: model.json without weightsManifest', t({ modelTopology: {} }, []), undefined, TypeError, /source\.manifest must be .*'weightsManifest'/],
    ['tfjs: shards not a list', t([], 'x'), undefined, TypeError, /source\.shards must be an array of ArrayBuffer or Uint8Array/],
    ['tfjs: shard of wrong type', t([], [new Float32Array(1)]), undefined, TypeError, /source\.shards must be/],
    ['tfjs: extra key', { manifest: [], shards: [], bin: 1 }, undefined, TypeError, /unknown key 'bin' in the tfjs source/],
    ['tfjs: bad group', t([{ weights: [] }], []), undefined, RangeError, /manifest group 0 must be \{ paths: string\[\], weights/],
    ['tfjs: shard count', t([{ paths: ['a.bin', 'b.bin'], weights: [] }], [new Uint8Array(0)]), undefined, RangeError, /the manifest names 2 shard file\(s\) \(a\.bin, b\.bin\) but 1 were given/],
    ['tfjs: truncated shard', oneGroup([{ name: 'a', shape: [2], dtype: 'float32' }], f4(1)), undefined, RangeError, /weight 'a' needs bytes 0\.\.8 of group 0 but its shards hold 4 \(truncated/],
    ['tfjs: extra bytes', oneGroup([{ name: 'a', shape: [1], dtype: 'float32' }], f4(2)), undefined, RangeError, /group 0: the manifest describes 4 bytes but its shards hold 8; they do not belong together/],
    ['tfjs: no name in entry', oneGroup([{ shape: [1], dtype: 'float32' }], f4(1)), undefined, RangeError, /every weight needs a string 'name'/],
    ['tfjs: bad shape', oneGroup([{ name: 'a', shape: [-1], dtype: 'float32' }], f4(1)), undefined, RangeError, /weight 'a': shape must be a list of non-negative integers/],
    ['tfjs: unknown dtype', oneGroup([{ name: 'a', shape: [1], dtype: 'float64' }], f4(2)), undefined, RangeError, /weight 'a': unknown dtype 'float64'/],
    ['tfjs: unsupported dtype', oneGroup([{ name: 'a', shape: [4], dtype: 'bool' }], [1, 0, 1, 1]), undefined, RangeError, /weight 'a' has dtype 'bool'; supported: float32, int32/],
    ['tfjs: string dtype', oneGroup([{ name: 's', shape: [1], dtype: 'string' }, { name: 'a', shape: [1], dtype: 'float32' }], [2, 0, 0, 0, 104, 105, ...f4(1)]), { name: 's' }, RangeError, /weight 's' has dtype 'string'/],
    ['tfjs: unknown quantization', oneGroup([{ name: 'a', shape: [1], dtype: 'float32', quantization: { dtype: 'int4', scale: 1, min: 0 } }], [0]), undefined, RangeError, /unknown quantization dtype 'int4' \(known: uint8, uint16, float16\)/],
    ['tfjs: quantization without scale', oneGroup([{ name: 'a', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8', min: 0 } }], [0]), undefined, RangeError, /uint8 quantization needs finite numbers 'scale' and 'min'/],
    ['tfjs: quantization not an object', oneGroup([{ name: 'a', shape: [1], dtype: 'float32', quantization: 'uint8' }], [0]), undefined, RangeError, /'quantization' must be \{ dtype, scale, min \}/],
    ['tfjs: float16 on int32', oneGroup([{ name: 'a', shape: [1], dtype: 'int32', quantization: { dtype: 'float16' } }], [0, 0x3c]), undefined, RangeError, /float16 quantization applies to float32 weights only, not int32/],
    ['tfjs: duplicate name', oneGroup([{ name: 'a', shape: [1], dtype: 'float32' }, { name: 'a', shape: [1], dtype: 'float32' }], f4(2)), { name: 'a' }, RangeError, /2 tensors are named "a" in the tfjs file; which one is meant is ambiguous/],
    ['tfjs: empty manifest', t([], []), undefined, RangeError, /the tfjs file holds no tensors/],
  ];
  for (const [what, source, options, type, message] of cases) {
    assert.throws(() => cs.loadWeights(source as WeightsSource, options as never), (e: unknown) => {
      assert.ok(e instanceof type, `${what}: expected ${type.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      assert.match((e as Error).message, /^convcs\.loadWeights: /, what);
      assert.match((e as Error).message, message, what);
      return true;
    }, what);
  }
  // Nothing was written into the caller's bytes, and the files still load.
  assert.deepEqual([good, st].map((b) => createHash('sha256').update(b).digest('hex')), before);
  assert.equal(cs.loadWeights(good).data.length, 108);
  // A face-api manifest with a misspelled name lists what exists.
  const { manifest, bin } = faceModel('face_recognition_model');
  assert.throws(() => cs.loadWeights({ manifest, shards: [bin] }, { name: 'conv32_1/conv1/filters' }),
    /no tensor named "conv32_1\/conv1\/filters" in the tfjs file; it holds: "conv32_down\/conv\/filters", .*\.\.\. \(117 in all\)/);
});

test('safetensors: overlapping, shared, unowned bytes and duplicate names are refused, as the reference reader does', () => {
  const f = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
  const data = Array.from({ length: 16 }, (_, i) => i);
  const refused = (header: object | string, pattern: RegExp, bytes = data) => {
    assert.throws(() => cs.loadWeights(safetensors(header, bytes), { name: 'a' }), (e: unknown) => e instanceof RangeError && pattern.test((e as Error).message),
      `${typeof header === 'string' ? header : JSON.stringify(header)} should be refused with ${pattern}`);
  };
  refused({ a: f(0, 8), b: f(4, 12) }, /^convcs\.loadWeights: safetensors: tensor '\w': data_offsets \[\d+, \d+\] overlap another tensor's bytes$/);
  refused({ a: f(0, 8), b: f(0, 8) }, /overlap another tensor's bytes/);
  refused({ a: f(0, 8) }, /data bytes \[8, 16\) belong to no tensor/);
  refused({ a: f(8, 16) }, /data bytes \[0, 8\) belong to no tensor/);
  refused({ a: f(0, 4), b: f(8, 16) }, /data bytes \[4, 8\) belong to no tensor/);
  refused('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}', /the key "a" appears twice in one object/);
  // the same tensors, tiling the data exactly, in any order of the header: accepted
  const ok = cs.loadWeights(safetensors({ b: f(8, 16), a: f(0, 8), empty: f(8, 8, [0]) }, data), { name: 'a' });
  assert.deepEqual(ok.shape, [2]);
});

test('malformed headers and manifests end in a convcs. error naming the part, never a raw JS error', () => {
  const isOurs = (e: unknown) => (e instanceof RangeError || e instanceof TypeError) && /^convcs\.loadWeights: /.test((e as Error).message);
  const deep = (open: string, close: string, n: number) => open.repeat(n) + close.repeat(n);
  // nesting deep enough to overflow a recursive parser or JSON.stringify
  assert.throws(() => cs.loadWeights(npy(`{'descr': '<f4', 'fortran_order': False, 'shape': ${deep('(', ')', 100_000)}, }`)),
    (e: unknown) => isOurs(e) && /nests more than 8 levels deep/.test((e as Error).message));
  assert.throws(() => cs.loadWeights(safetensors(`{"a":{"dtype":"F32","shape":${deep('[', ']', 100_000)},"data_offsets":[0,0]}}`)),
    (e: unknown) => isOurs(e) && /nests more than 8 levels deep/.test((e as Error).message));
  // a '__proto__' key is a fourth key, not a prototype that hides itself from the key check
  assert.throws(() => cs.loadWeights(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), '__proto__': 1, }", [0, 0, 0, 0])),
    (e: unknown) => isOurs(e) && /exactly the keys 'descr', 'fortran_order', 'shape', got '__proto__', 'descr'/.test((e as Error).message));
  // a BigInt, a cycle and deep nesting in a manifest built by the caller
  const cyclic: unknown[] = [1];
  cyclic.push(cyclic);
  let nested: unknown = [1];
  for (let i = 0; i < 100_000; i++) nested = [nested];
  for (const spec of [
    { name: 'w', shape: [1], dtype: 10n },
    { name: 'w', shape: cyclic, dtype: 'float32' },
    { name: 'w', shape: nested, dtype: 'float32' },
    { name: 'w', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8', scale: 10n, min: 0 } },
  ]) {
    assert.throws(() => cs.loadWeights(tfjsSource([[spec, [0, 0, 0, 0]]])), isOurs, `manifest ${String(spec.dtype)}`);
  }
});

test('TF.js dequantization follows the float32 rules of every other path', () => {
  // uint8 255 x 1e38 is finite in double and Infinity in float32
  assert.throws(() => cs.loadWeights(tfjsSource([[{ name: 'w', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1e38, min: 0 } }, [1, 255]]])),
    (e: unknown) => e instanceof RangeError && /element 1 dequantizes to 255 \* 1e\+38 \+ 0 = 2\.55e\+40, beyond float32/.test((e as Error).message));
  // int32 weights past 2^24 are refused quantized as they are stored
  assert.throws(() => cs.loadWeights(tfjsSource([[{ name: 'w', shape: [1], dtype: 'int32', quantization: { dtype: 'uint16', scale: 1000, min: 0 } }, u16le(60000)]])),
    (e: unknown) => e instanceof RangeError && /element 0 \(60000000\) is not exactly representable in float32/.test((e as Error).message));
  const fine = cs.loadWeights(tfjsSource([[{ name: 'w', shape: [2], dtype: 'int32', quantization: { dtype: 'uint8', scale: 2, min: -3 } }, [1, 200]]]));
  assert.deepEqual(Array.from(fine.data), [-1, 397]);
});
