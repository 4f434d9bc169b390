// Learned filters (issue 7): the paper's Table 2, Table 3 and Figure 3 on a real trained CNN.
// Writes docs/learned-filters.md and docs/learned-filters.json.
//
//   node --import tsx scripts/learned.ts            full run (about a minute and a half)
//   node --import tsx scripts/learned.ts --quick    small run, prints the report, writes nothing
//   node --import tsx scripts/learned.ts --make-data   (re)makes data/astronaut-face.png
//
// The network is the face-recognition ResNet that @vladmandic/face-api ships (a dev dependency,
// read from node_modules with cs.loadWeights; nothing is downloaded). Its forward pass is
// rebuilt here from convcs convolutions plus the few elementwise steps between them, and checked
// against face-api's own forward pass on the same inputs. Nothing is tuned to match the paper.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { cpus } from 'node:os';
import { PNG } from 'pngjs';
import { load } from '../src/index.js';
import { f3, log, textHistogram, timed } from './report-kit.js';
import type { Convcs, ConvOperator, Summary, TfjsWeightsSource } from '../src/index.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const root = new URL('../', import.meta.url);
const started = performance.now();

// ------------------------------------------------------------------------------ data
const FACE_CROP = { x: 150, y: 40, size: 150 }; // the face in astronaut.png, at the network's input size

if (argv.includes('--make-data')) {
  // The one derived image: a 150 x 150 crop (no resampling) of the shared astronaut photograph,
  // so the repository holds ~50 kB instead of the 790 kB original.
  const src = PNG.sync.read(readFileSync(new URL('../shared/data/images/astronaut.png', root)));
  const out = new PNG({ width: FACE_CROP.size, height: FACE_CROP.size });
  for (let y = 0; y < FACE_CROP.size; y++) {
    for (let x = 0; x < FACE_CROP.size; x++) {
      const s = ((FACE_CROP.y + y) * src.width + FACE_CROP.x + x) * 4;
      const d = (y * FACE_CROP.size + x) * 4;
      for (let c = 0; c < 4; c++) out.data[d + c] = src.data[s + c]!;
    }
  }
  writeFileSync(new URL('data/astronaut-face.png', root), PNG.sync.write(out, { colorType: 2 }));
  log('wrote data/astronaut-face.png');
  process.exit(0);
}

const cs: Convcs = await load();
const md: string[] = [];
const json: Record<string, unknown> = {};
const pct = (v: number) => (100 * v).toFixed(1);

const summaryHeader = ['| | n | median | mean | p05 | p95 | min | max |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
const summaryRow = (name: string, n: number, s: Summary) =>
  `| ${name} | ${n} | ${f3(s.median)} | ${f3(s.mean)} | ${f3(s.p05)} | ${f3(s.p95)} | ${f3(s.min)} | ${f3(s.max)} |`;

interface Image { width: number; height: number; rgb: Float32Array } // HWC, 0..255

function readImage(file: string): Image {
  const png = PNG.sync.read(readFileSync(new URL(`data/${file}`, root)));
  const rgb = new Float32Array(png.width * png.height * 3);
  for (let p = 0; p < png.width * png.height; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = png.data[p * 4 + c]!; // grey PNGs decode to r = g = b
  return { width: png.width, height: png.height, rgb };
}

/** Area-average resampling of the square [x0, x0 + size)^2 of an image to out x out (HWC). */
function resample(img: Image, x0: number, y0: number, size: number, out: number): Float32Array {
  // Per output index, the source indices it covers and their overlap weights (separable box filter).
  const taps = (start: number) => Array.from({ length: out }, (_, i) => {
    const a = start + (i * size) / out;
    const b = start + ((i + 1) * size) / out;
    const list: Array<[number, number]> = [];
    for (let s = Math.floor(a); s < b; s++) list.push([s, (Math.min(b, s + 1) - Math.max(a, s)) / (b - a)]);
    return list;
  });
  const rows = taps(y0);
  const cols = taps(x0);
  const res = new Float32Array(out * out * 3);
  for (let i = 0; i < out; i++) {
    for (let j = 0; j < out; j++) {
      for (const [r, wr] of rows[i]!) {
        for (const [c, wc] of cols[j]!) {
          const s = (r * img.width + c) * 3;
          for (let k = 0; k < 3; k++) res[(i * out + j) * 3 + k] = res[(i * out + j) * 3 + k]! + wr * wc * img.rgb[s + k]!;
        }
      }
    }
  }
  return res;
}

// ------------------------------------------------------------------------------ weights
const MODEL = 'face_recognition_model';
const modelDir = new URL('node_modules/@vladmandic/face-api/model/', root);
const manifest = JSON.parse(readFileSync(new URL(`${MODEL}-weights_manifest.json`, modelDir), 'utf8')) as Array<{
  paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }>;
}>;
const source: TfjsWeightsSource = { manifest, shards: manifest[0]!.paths.map((p) => readFileSync(new URL(p, modelDir))) };
const weight = (name: string) => cs.loadWeights(source, { name });
const specs = manifest.flatMap((g) => g.weights);
const conv3x3Prefixes = specs.filter((s) => s.name.endsWith('/conv/filters') && s.shape[0] === 3).map((s) => s.name.replace('/conv/filters', ''));

// ------------------------------------------------------------------------------ the network
// face-api's FaceRecognitionNet (a ResNet-34-like network, dlib's face descriptor): input 150 x 150
// RGB, minus the mean colour, / 255; a 7x7 stride-2 'valid' convolution, 3x3 stride-2 max pooling,
// 14 residual blocks of two 3x3 convolutions (32, 64, 128, 256 channels; the first block of each
// width downsamples with a stride-2 'valid' convolution and a 2x2 average-pooled shortcut, zero-
// padded in channels and, where the sizes disagree, by one row and column), global average
// pooling and a 256 -> 128 linear map. Each convolution is followed by its bias and a per-channel
// scale and shift (batch normalization folded), and by ReLU except the second of each block, whose
// ReLU comes after the shortcut is added.
const MEAN_RGB = [122.782, 117.001, 104.298];
const BLOCKS = ['conv32_1', 'conv32_2', 'conv32_3', 'conv64_down', 'conv64_1', 'conv64_2', 'conv64_3',
  'conv128_down', 'conv128_1', 'conv128_2', 'conv256_down', 'conv256_1', 'conv256_2', 'conv256_down_out'];

interface Tensor { data: Float32Array; C: number; H: number; W: number } // a batch of n maps [n, C, H, W]

class Conv {
  readonly op: ConvOperator;
  readonly K: number;
  private readonly bias: Float32Array;
  private readonly mul: Float32Array;
  private readonly add: Float32Array;
  constructor(readonly prefix: string, H: number, Wd: number, stride: 1 | 2) {
    const f = weight(`${prefix}/conv/filters`); // OIHW after the loader's HWIO conversion
    const [K, M, kh] = f.shape as [number, number, number, number];
    this.K = K;
    // TF 'same' at stride 1 with an odd kernel is symmetric zero padding; 'valid' is none.
    this.op = cs.conv2d({ inChannels: M, outChannels: K, kernelSize: kh, height: H, width: Wd, stride, padding: stride === 1 ? (kh - 1) / 2 : 0 });
    this.op.setWeights(f.data);
    this.bias = weight(`${prefix}/conv/bias`).data;
    this.mul = weight(`${prefix}/scale/weights`).data;
    this.add = weight(`${prefix}/scale/biases`).data;
  }
  /** (W x + bias) * scale + shift, before any ReLU. */
  run(x: Tensor): Tensor {
    const y = this.op.forward(x.data);
    const [, Ho, Wo] = this.op.outputShape as [number, number, number];
    const P = Ho * Wo;
    for (let i = 0; i < y.length; i++) {
      const k = Math.floor(i / P) % this.K;
      y[i] = (y[i]! + this.bias[k]!) * this.mul[k]! + this.add[k]!;
    }
    return { data: y, C: this.K, H: Ho, W: Wo };
  }
}

const relu = (t: Tensor): Tensor => ({ ...t, data: t.data.map((v) => (v > 0 ? v : 0)) });
const addTensors = (a: Tensor, b: Tensor): Tensor => ({ ...a, data: a.data.map((v, i) => v + b.data[i]!) });

function maxPool3s2(t: Tensor): Tensor {
  const Ho = Math.floor((t.H - 3) / 2) + 1;
  const Wo = Math.floor((t.W - 3) / 2) + 1;
  const planes = t.data.length / (t.H * t.W);
  const out = new Float32Array(planes * Ho * Wo);
  for (let p = 0; p < planes; p++) for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++) {
    let m = -Infinity;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) m = Math.max(m, t.data[(p * t.H + 2 * i + a) * t.W + 2 * j + b]!);
    out[(p * Ho + i) * Wo + j] = m;
  }
  return { data: out, C: t.C, H: Ho, W: Wo };
}

/** 2x2 stride-2 average pooling, zero channels appended up to C, zero rows/columns up to H x W. */
function shortcut(t: Tensor, C: number, H: number, W: number): Tensor {
  const n = t.data.length / (t.C * t.H * t.W);
  const ph = Math.floor(t.H / 2);
  const pw = Math.floor(t.W / 2);
  const out = new Float32Array(n * C * H * W);
  for (let s = 0; s < n; s++) for (let c = 0; c < t.C; c++) for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) {
    const base = ((s * t.C + c) * t.H + 2 * i) * t.W + 2 * j;
    out[((s * C + c) * H + i) * W + j] = (t.data[base]! + t.data[base + 1]! + t.data[base + t.W]! + t.data[base + t.W + 1]!) / 4;
  }
  return { data: out, C, H, W };
}

/** A map padded with zeros at the bottom and right to H x W. */
function padTo(t: Tensor, H: number, W: number): Tensor {
  if (t.H === H && t.W === W) return t;
  const planes = t.data.length / (t.H * t.W);
  const out = new Float32Array(planes * H * W);
  for (let p = 0; p < planes; p++) for (let i = 0; i < t.H; i++) out.set(t.data.subarray((p * t.H + i) * t.W, (p * t.H + i + 1) * t.W), (p * H + i) * W);
  return { data: out, C: t.C, H, W };
}

interface Trace {
  /** Per layer, the activation the next layer sees (after ReLU), for the sparsity table. */
  layers: Array<{ name: string; shape: [number, number, number]; data: Float32Array }>;
  /** Pre-ReLU output of conv1 of every block (the x of Figure 3(b)). */
  preRelu: Map<string, Tensor>;
  /** Per block, the non-zero fraction of ReLU(second branch) alone, as if there were no shortcut. */
  branchDensity: Map<string, number>;
  descriptor: Float32Array;
}

class FaceResNet {
  private readonly stem: Conv;
  private readonly blocks: Array<{ name: string; down: boolean; conv1: Conv; conv2: Conv }> = [];
  private readonly fc = weight('fc'); // [256, 128]

  constructor(readonly size: number) {
    this.stem = new Conv('conv32_down', size, size, 2);
    let H = Math.floor((this.stem.op.outputShape[1]! - 3) / 2) + 1; // after the max pooling
    for (const name of BLOCKS) {
      const down = name.endsWith('down') || name.endsWith('down_out');
      const conv1 = new Conv(`${name}/conv1`, H, H, down ? 2 : 1);
      const h1 = conv1.op.outputShape[1]!;
      const conv2 = new Conv(`${name}/conv2`, h1, h1, 1);
      this.blocks.push({ name, down, conv1, conv2 });
      if (down) H = Math.max(h1, Math.floor(H / 2));
    }
  }

  /** images: n HWC 0..255 inputs of size x size x 3. */
  forward(images: Float32Array[]): Trace {
    const S = this.size;
    const x = new Float32Array(images.length * 3 * S * S);
    images.forEach((img, n) => {
      for (let p = 0; p < S * S; p++) for (let c = 0; c < 3; c++) x[(n * 3 + c) * S * S + p] = (img[p * 3 + c]! - MEAN_RGB[c]!) / 255;
    });
    const layers: Trace['layers'] = [];
    const preRelu = new Map<string, Tensor>();
    const branchDensity = new Map<string, number>();
    const keep = (name: string, t: Tensor) => layers.push({ name, shape: [t.C, t.H, t.W], data: t.data });
    let t = relu(this.stem.run({ data: x, C: 3, H: S, W: S }));
    keep('conv32_down', t);
    t = maxPool3s2(t);
    keep('pool', t);
    for (const b of this.blocks) {
      const pre = b.conv1.run(t);
      preRelu.set(b.name, pre);
      const a = relu(pre);
      keep(`${b.name}/conv1`, a);
      let out = b.conv2.run(a);
      let positive = 0;
      for (const v of out.data) if (v > 0) positive++;
      branchDensity.set(b.name, positive / out.data.length);
      let short = t;
      if (b.down) {
        short = shortcut(t, out.C, Math.floor(t.H / 2), Math.floor(t.W / 2));
        out = padTo(out, short.H, short.W);
      }
      t = relu(addTensors(out, short));
      keep(b.name, t);
    }
    // global average pooling and the linear map
    const n = images.length;
    const P = t.H * t.W;
    const descriptor = new Float32Array(n * 128);
    for (let s = 0; s < n; s++) {
      for (let c = 0; c < t.C; c++) {
        let m = 0;
        for (let p = 0; p < P; p++) m += t.data[(s * t.C + c) * P + p]!;
        m /= P;
        for (let j = 0; j < 128; j++) descriptor[s * 128 + j] = descriptor[s * 128 + j]! + m * this.fc.data[c * 128 + j]!;
      }
    }
    return { layers, preRelu, branchDensity, descriptor };
  }

  conv(name: string): Conv {
    const b = this.blocks.find((x) => x.name === name.split('/')[0]);
    if (!b) throw new Error(`no block ${name}`);
    return name.endsWith('conv1') ? b.conv1 : b.conv2;
  }

  dispose(): void {
    this.stem.op.dispose();
    for (const b of this.blocks) {
      b.conv1.op.dispose();
      b.conv2.op.dispose();
    }
  }
}

/**
 * face-api's own forward pass on the same inputs, for the cross-check. face-api's Node builds
 * require the full '@tensorflow/tfjs' bundle, which is not installed; tfjs-core with its CPU
 * backend (both installed) is enough once the tensor methods face-api chains are attached, so the
 * require of '@tensorflow/tfjs' is answered with that, for this one load only.
 */
async function faceApiDescriptors(images: Float32Array[]): Promise<Float32Array[]> {
  const require = createRequire(import.meta.url);
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = loader._load;
  const [quietLog, quietWarn] = [console.log, console.warn];
  loader._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request !== '@tensorflow/tfjs') return original.call(this, request, parent, isMain);
    const tf = original.call(this, '@tensorflow/tfjs-core', parent, isMain) as Record<string, (...a: unknown[]) => unknown> & { Tensor: { prototype: Record<string, unknown> } };
    original.call(this, '@tensorflow/tfjs-backend-cpu', parent, isMain);
    const proto = tf.Tensor.prototype;
    const reshape = (dims: (t: { size: number }, a: number[]) => number[]) => function (this: { size: number }, ...a: number[]) { return tf.reshape!(this, dims(this, a)); };
    proto.as1D ??= reshape((t) => [t.size]);
    proto.as2D ??= reshape((_, a) => a.slice(0, 2));
    proto.as3D ??= reshape((_, a) => a.slice(0, 3));
    proto.as4D ??= reshape((_, a) => a.slice(0, 4));
    proto.toFloat ??= function (this: unknown) { return tf.cast!(this, 'float32'); };
    for (const op of ['add', 'sub', 'mul', 'div', 'relu', 'expandDims', 'squeeze', 'reshape', 'transpose', 'cast', 'slice', 'concat', 'mean', 'sum', 'matMul', 'pad', 'resizeBilinear']) {
      if (proto[op] === undefined && typeof tf[op] === 'function') proto[op] = function (this: unknown, ...a: unknown[]) { return tf[op]!(this, ...a); };
    }
    return tf;
  };
  console.log = console.warn = () => {}; // tfjs greets Node users
  try {
    const faceapi = require(new URL('node_modules/@vladmandic/face-api/dist/face-api.node-wasm.js', root).pathname);
    const tf = faceapi.tf;
    await tf.setBackend('cpu');
    const bin = source.shards[0] as Uint8Array;
    const weights = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), specs);
    const net = new faceapi.FaceRecognitionNet();
    net.loadFromWeightMap(weights);
    const out: Float32Array[] = [];
    for (const img of images) {
      const input = tf.tensor3d(img, [150, 150, 3]);
      out.push(Float32Array.from(await net.computeFaceDescriptor(input) as Float32Array));
      input.dispose();
    }
    net.dispose();
    return out;
  } finally {
    loader._load = original;
    console.log = quietLog;
    console.warn = quietWarn;
  }
}

// ------------------------------------------------------------------------------ inputs
log('Inputs and the network');
const photos = {
  face: readImage('astronaut-face.png'), camera: readImage('camera.png'), chelsea: readImage('chelsea.png'), brick: readImage('brick.png'),
};
const inputSpecs: Array<[string, Image, number, number, number]> = [
  ['astronaut face (150 crop)', photos.face, 0, 0, 150],
  ['camera (whole)', photos.camera, 0, 0, 512],
  ['camera top-left', photos.camera, 0, 0, 256],
  ['camera top-right', photos.camera, 256, 0, 256],
  ['camera bottom-left', photos.camera, 0, 256, 256],
  ['camera bottom-right', photos.camera, 256, 256, 256],
  ['camera centre', photos.camera, 128, 128, 256],
  ['chelsea left', photos.chelsea, 0, 0, 300],
  ['chelsea centre', photos.chelsea, 75, 0, 300],
  ['chelsea right', photos.chelsea, 151, 0, 300],
  ['brick (whole)', photos.brick, 0, 0, 512],
  ['brick centre', photos.brick, 128, 128, 256],
];
const used = quick ? inputSpecs.slice(0, 4) : inputSpecs;
const inputs = used.map(([, img, x0, y0, size]) => resample(img, x0, y0, size, 150));

const net = new FaceResNet(150);
const [trace, forwardMs] = timed(`forward pass, ${inputs.length} images`, () => net.forward(inputs));

// Cross-check against face-api on the first few inputs.
let check: { images: number; maxAbs: number; maxRel: number; ms: number } | { error: string };
{
  const t0 = performance.now();
  const n = quick ? 1 : 3;
  try {
    const ref = await faceApiDescriptors(inputs.slice(0, n));
    let maxAbs = 0;
    let maxRel = 0;
    ref.forEach((r, s) => {
      const ours = trace.descriptor.subarray(s * 128, (s + 1) * 128);
      let num = 0;
      let den = 0;
      for (let j = 0; j < 128; j++) {
        maxAbs = Math.max(maxAbs, Math.abs(ours[j]! - r[j]!));
        num += (ours[j]! - r[j]!) ** 2;
        den += r[j]! ** 2;
      }
      maxRel = Math.max(maxRel, Math.sqrt(num / den));
    });
    check = { images: n, maxAbs, maxRel, ms: performance.now() - t0 };
    log(`  face-api cross-check on ${n} images: max |difference| ${maxAbs.toExponential(2)}, relative ${maxRel.toExponential(2)}`);
  } catch (e) {
    check = { error: (e as Error).message };
    log(`  face-api cross-check unavailable: ${(e as Error).message}`);
  }
}
json.crossCheck = check;
json.forwardMs = forwardMs;


// ------------------------------------------------------------------------------ Table 2
log('Table 2 (sparsity of the real activations)');
const nImages = inputs.length;
const table2 = trace.layers.map((l) => {
  const size = l.shape[0] * l.shape[1] * l.shape[2];
  const per = Array.from({ length: nImages }, (_, s) => cs.sparsity(l.data.subarray(s * size, (s + 1) * size)));
  return { layer: l.name, shape: l.shape, nonZero: cs.sparsity(l.data), min: Math.min(...per), max: Math.max(...per) };
});
// Per channel of every conv1 pre-activation: mean / std over positions and inputs, and the
// fraction ReLU keeps. Batch normalization (folded into the scale and shift) centres channels.
const centring: Array<{ z: number; kept: number }> = [];
for (const t of trace.preRelu.values()) {
  const P = t.H * t.W;
  for (let c = 0; c < t.C; c++) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    let kept = 0;
    for (let s = 0; s < nImages; s++) for (let p = 0; p < P; p++) {
      const v = t.data[(s * t.C + c) * P + p]!;
      n++;
      sum += v;
      sq += v * v;
      if (v > 0) kept++;
    }
    const mean = sum / n;
    centring.push({ z: Math.abs(mean) / Math.sqrt(Math.max(sq / n - mean * mean, 1e-30)), kept: kept / n });
  }
}
const centredShare = centring.filter((c) => c.kept >= 0.25 && c.kept <= 0.75).length / centring.length;
const medianZ = cs.summarize(centring.map((c) => c.z)).median;
json.table2 = { layers: table2, branchNonZero: Object.fromEntries(trace.branchDensity), conv1Channels: centring.length, medianAbsMeanOverStd: medianZ, channelsKeeping25to75: centredShare };

/** Fraction of p x p blocks (ceil mode) of each channel holding a non-zero, over a batch of [C, H, W] maps. */
function blockDensity(data: Float32Array, shape: readonly [number, number, number], p: number): number {
  const [, H, W] = shape;
  const planes = data.length / (H * W);
  let any = 0;
  let blocks = 0;
  for (let q = 0; q < planes; q++) for (let i = 0; i < H; i += p) for (let j = 0; j < W; j += p) {
    blocks++;
    let nz = false;
    for (let a = i; a < Math.min(i + p, H) && !nz; a++) for (let b = j; b < Math.min(j + p, W) && !nz; b++) nz = data[(q * H + a) * W + b] !== 0;
    if (nz) any++;
  }
  return any / blocks;
}

// ------------------------------------------------------------------------------ Table 3
log('Table 3 (coherence of the learned filters beside Gaussian ones)');
/** Each filter scaled to unit l2 norm (the paper normalizes before comparing). */
function unitFilters(w: Float32Array, K: number): Float32Array {
  const taps = w.length / K;
  const out = new Float32Array(w.length);
  for (let k = 0; k < K; k++) {
    let ss = 0;
    for (let t = 0; t < taps; t++) ss += w[k * taps + t]! ** 2;
    for (let t = 0; t < taps; t++) out[k * taps + t] = w[k * taps + t]! / Math.sqrt(ss);
  }
  return out;
}
/**
 * The bulk of the |cosine| distribution (for the second experiment on Table 3). The K x K Gram
 * matrix of the unit filters is one batched forward pass: a 'valid' layer on a filter-sized input
 * maps each unit filter, fed as a sample, to its inner products with all K filters.
 */
function pairStats(W: ConvOperator): { mean: number; p99: number; over05: number; negativeMax: boolean } {
  const K = W.weightShape[0]!;
  const unit = unitFilters(W.getWeights(), K);
  const P = cs.conv2d({ inChannels: W.weightShape[1]!, outChannels: K, kernelSize: [W.weightShape[2]!, W.weightShape[3]!], height: W.weightShape[2]!, width: W.weightShape[3]! });
  const gram = P.setWeights(unit).forward(unit);
  P.dispose();
  const abs: number[] = [];
  let best = 0;
  let negativeMax = false;
  for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) {
    const g = gram[a * K + b]!;
    abs.push(Math.abs(g));
    if (Math.abs(g) > best) [best, negativeMax] = [Math.abs(g), g < 0];
  }
  const sorted = Float64Array.from(abs).sort();
  return { mean: cs.summarize(abs).mean, p99: sorted[Math.floor(0.99 * (sorted.length - 1))]!, over05: abs.filter((v) => v > 0.5).length, negativeMax };
}
interface Table3Row {
  layer: string; M: number; K: number; k: number; stored: string; learned: number; random: number;
  learnedPairs: ReturnType<typeof pairStats>; randomPairs: ReturnType<typeof pairStats>;
}
const table3: Table3Row[] = [];
const randomCache = new Map<string, { coherence: number; pairs: ReturnType<typeof pairStats> }>();
const [, table3Ms] = timed('coherence, 29 layers', () => {
  for (const prefix of ['conv32_down', ...conv3x3Prefixes]) {
    const f = weight(`${prefix}/conv/filters`);
    const [K, M, k] = f.shape as [number, number, number];
    const L = cs.conv2d({ inChannels: M, outChannels: K, kernelSize: k, height: k, width: k }).setWeights(f.data);
    const key = `${M}-${K}-${k}`;
    if (!randomCache.has(key)) {
      // Gaussian filters of the same size, seed 1 (the same filters for every layer of this size)
      const R = cs.conv2d({ inChannels: M, outChannels: K, kernelSize: k, height: k, width: k }).randomize({ seed: 1 });
      randomCache.set(key, { coherence: cs.coherence(R, { rows: false }).filters, pairs: pairStats(R) });
      R.dispose();
    }
    const random = randomCache.get(key)!;
    const spec = specs.find((s) => s.name === `${prefix}/conv/filters`)!;
    table3.push({
      layer: prefix, M, K, k, stored: spec.quantization?.dtype ?? spec.dtype,
      learned: cs.coherence(L, { rows: false }).filters, random: random.coherence, learnedPairs: pairStats(L), randomPairs: random.pairs,
    });
    L.dispose();
  }
});
json.table3 = { ms: table3Ms, rows: table3 };

// ------------------------------------------------------------------------------ Figure 3
const FIG3 = 'conv128_2'; // x: the output of its conv1 (128 x 8 x 8); W: its conv2 (128 -> 128, 3x3)
log(`Figure 3 (${FIG3}/conv2 filters, x from ${FIG3}/conv1)`);
const layerOut = trace.layers.find((l) => l.name === FIG3)!;
const rawDensity = cs.sparsity(layerOut.data);
const blocks2 = blockDensity(layerOut.data, layerOut.shape, 2);
// A model-k-sparse code keeps one entry per 2x2 block: k = the number of blocks holding a non-zero
// in the real activation, i.e. a code density of (that fraction) / 4.
const modelDensity = blocks2 / 4;
const w2 = weight(`${FIG3}/conv2/conv/filters`);
const [K2, M2] = w2.shape as [number, number];
const unit2 = unitFilters(w2.data, K2);
const [, D2] = layerOut.shape;
function fig3Layer(kind: 'learned' | 'random', padding: 'same' | 'valid'): ConvOperator {
  // 'valid' on a (D + 2)^2 input gives the same D x D code with every column of W^T a whole filter.
  const size = padding === 'valid' ? D2 + 2 : D2;
  const W = cs.conv2d({ inChannels: M2, outChannels: K2, kernelSize: 3, height: size, width: size, padding: padding === 'same' ? 1 : 0 });
  return kind === 'learned' ? W.setWeights(unit2) : W.randomize({ seed: 1, normalize: 'unit' });
}
const TRIALS = quick ? 50 : 300;
const fig3a: Record<string, { k: number; deltaK: number; summary: Summary; ms: number; raw: Float64Array }> = {};
for (const padding of ['same', 'valid'] as const) {
  for (const kind of ['learned', 'random'] as const) {
    const W = fig3Layer(kind, padding);
    const [r, ms] = timed(`rip ${kind} ${padding}`, () => cs.rip(W, { pool: 2, density: modelDensity, trials: TRIALS, seed: 1, measure: 'forward' }));
    fig3a[`${kind}/${padding}`] = { k: r.k, deltaK: r.deltaK, summary: r.summary.forward, ms, raw: r.forward };
    W.dispose();
  }
}
json.figure3a = { layer: `${FIG3}/conv2`, codeShape: [K2, D2, D2], rawDensity, blockDensity2x2: blocks2, density: modelDensity, trials: TRIALS, runs: fig3a };

/** ||W^T e||^2 of every code position of a 'same' 3x3 layer of unit filters: below 1 where taps fall in the padding. */
function columnNormsSquared(W: ConvOperator): Float64Array {
  const [K, M, kh, kw] = W.weightShape as [number, number, number, number];
  const [, H, Wd] = W.outputShape as [number, number, number];
  const w = W.getWeights();
  const out = new Float64Array(K * H * Wd);
  for (let k = 0; k < K; k++) {
    const tap = new Float64Array(kh * kw); // energy of each tap, summed over input channels
    for (let m = 0; m < M; m++) for (let t = 0; t < kh * kw; t++) tap[t] = tap[t]! + w[(k * M + m) * kh * kw + t]! ** 2;
    for (let i = 0; i < H; i++) for (let j = 0; j < Wd; j++) {
      let e = 0;
      for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) {
        const y = i + a - (kh - 1) / 2;
        const x = j + b - (kw - 1) / 2;
        if (y >= 0 && y < H && x >= 0 && x < Wd) e += tap[a * kw + b]!;
      }
      out[(k * H + i) * Wd + j] = e;
    }
  }
  return out;
}

interface CodeRow { image: string; ratio: number; diagonal: number; cross: number; signFlipped: number; relativeError: number; density: number; lambda: number }
const ITER = 100;
const pre = trace.preRelu.get(FIG3)!;
const xSize = pre.C * pre.H * pre.W;
const norm = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
};
/** Algorithm 2 on the real x of the given images; the ratio ||W^T z|| / ||z|| and its parts. */
function recover(kind: 'learned' | 'random', reluX: boolean, images: number[], lambdaFraction?: number): { rows: CodeRow[]; ms: number } {
  const W = fig3Layer(kind, 'same');
  const col = columnNormsSquared(W);
  const rows: CodeRow[] = [];
  const label = `sparseCode ${kind}, x ${reluX ? 'after' : 'before'} ReLU${lambdaFraction ? `, lambda ${lambdaFraction} lambda_max` : ''}, ${images.length} images`;
  let lipschitz: number | undefined;
  const [, ms] = timed(label, () => {
    for (const s of images) {
      const x = pre.data.slice(s * xSize, (s + 1) * xSize);
      if (reluX) for (let i = 0; i < x.length; i++) x[i] = Math.max(0, x[i]!);
      let lambda: number | undefined;
      if (lambdaFraction !== undefined) {
        // lambda_max = ||2 W x||_inf, the smallest lambda whose solution is zero (sparseCode's default is 0.1 of it)
        lambda = 0;
        for (const v of W.forward(x)) lambda = Math.max(lambda, Math.abs(2 * v));
        lambda *= lambdaFraction;
      }
      const r = cs.sparseCode(W, x, { pool: 2, iterations: ITER, seed: 1, ...(lambda === undefined ? {} : { lambda }), ...(lipschitz === undefined ? {} : { lipschitz }) });
      lipschitz = r.lipschitz; // the same W throughout: estimate ||W|| once
      const zz = norm(r.z) ** 2;
      // ||W^T z||^2 = sum_i z_i^2 ||W^T e_i||^2 (diagonal) + sum_{i != j} z_i z_j <W^T e_i, W^T e_j> (cross)
      let diagonal = 0;
      for (const i of r.support) diagonal += r.z[i]! ** 2 * col[i]!;
      diagonal /= zz;
      const ratio = norm(r.xHat) / Math.sqrt(zz);
      // Same support and magnitudes, independent random signs: removes any sign pattern.
      const u = cs.rand(r.z.length, { seed: 3, stream: s });
      const flipped = r.z.map((v, i) => (u[i]! < 0.5 ? -v : v));
      rows.push({
        image: used[s]![0], ratio, diagonal, cross: ratio ** 2 - diagonal, signFlipped: norm(W.transpose(flipped)) / Math.sqrt(zz),
        relativeError: r.relativeError, density: r.support.length / r.z.length, lambda: r.lambda,
      });
    }
  });
  W.dispose();
  return { rows, ms };
}
const all = Array.from({ length: nImages }, (_, i) => i);
const half = all.filter((i) => i % 2 === 0); // random filters: every other input (each call costs about as much)
const few = quick ? [0] : [0, 4, 8];
const fig3bc: Record<string, { rows: CodeRow[]; ms: number }> = {
  'learned/before': recover('learned', false, all),
  'learned/after': recover('learned', true, all),
  'random/before': recover('random', false, half),
  'random/after': recover('random', true, half),
  'learned/before/lambda0.01': recover('learned', false, few, 0.01),
  'learned/after/lambda0.01': recover('learned', true, few, 0.01),
  'random/before/lambda0.01': recover('random', false, few, 0.01),
  'random/after/lambda0.01': recover('random', true, few, 0.01),
};
json.figure3bc = { layer: `${FIG3}/conv2`, x: `${FIG3}/conv1`, iterations: ITER, runs: fig3bc };
net.dispose();
const totalS = (performance.now() - started) / 1000;
json.totalSeconds = totalS;

// ------------------------------------------------------------------------------ report
const med = (v: number[]) => cs.summarize(v).median;
const range = (v: number[]) => `${f3(Math.min(...v))} to ${f3(Math.max(...v))}`;
const cpu = cpus()[0]?.model ?? 'unknown CPU';

md.push('# Learned filters: Table 2, Table 3 and Figure 3 on a trained CNN', '');
md.push(`Generated by \`node --import tsx scripts/learned.ts\` on ${cpu}, Node ${process.version}, backend \`${cs.backend}\`, in ${totalS.toFixed(0)} s ` +
  '(run times per step at the end). Fixed seeds and fixed inputs: every number is recomputed by that command, and nothing is tuned to match the paper. ' +
  'Raw numbers: `docs/learned-filters.json`. The paper\'s numbers are VGG-16\'s on ILSVRC 2012; ours are another trained network\'s on 12 crops of 4 photographs, ' +
  'so the comparison is of patterns, not of digits.', '');

md.push('## The network and how its activations were computed', '');
md.push('**Weights.** The best pretrained CNN that an installed package ships is the face-recognition ResNet of `@vladmandic/face-api` 1.7.15 ' +
  '(`node_modules/@vladmandic/face-api/model/face_recognition_model*`: dlib\'s ResNet-34-like face descriptor network, trained on faces, 6.4 MB). ' +
  'Nothing ImageNet-trained is installed: no `@tensorflow-models` package, no `.onnx`/`.safetensors`/`.pth` file anywhere in the tree, and face-api\'s ' +
  'other models (SSD-MobileNet v1 and tiny face detectors, 68-point landmark nets, age/gender and expression heads) are built from depthwise-separable or ' +
  'few-channel convolutions. This one has 28 full 3x3 convolutions of 32 to 256 channels after a 7x7 stem.');
const nQuant = specs.filter((s) => s.name.endsWith('/filters') && s.quantization).length;
md.push(`All ${specs.length} tensors are read by \`cs.loadWeights({ manifest, shards: [bin] }, { name })\`; ${nQuant} of the 29 kernels are uint8-quantized ` +
  '(dequantized as q·scale + min), the 64-channel stage is float32, and the loader turns TensorFlow\'s [kh, kw, in, out] into PyTorch\'s [out, in, kh, kw]. ' +
  '(tests/loaders.test.ts checks every tensor of all six face-api models against tfjs-core\'s own reader, bit for bit.)', '');
md.push('**Forward pass.** Rebuilt from convcs `conv2d` layers with the loaded weights plus the steps between them, as face-api computes it: ' +
  'input 150x150 RGB minus the mean colour (122.782, 117.001, 104.298), divided by 255; 7x7 stride-2 \'valid\' convolution, bias, per-channel scale and shift ' +
  '(folded batch normalization), ReLU; 3x3 stride-2 max pooling; 14 residual blocks (conv, bias, scale, ReLU, conv, bias, scale, + shortcut, ReLU; the first ' +
  'block of each width has a stride-2 \'valid\' first convolution and a 2x2 average-pooled, zero-channel-padded shortcut); global average pooling; 256 → 128 linear map. ' +
  'Map sizes: 72 (stem), 35 (32 channels), 17 (64), 8 (128), 4 (256).', '');
if ('error' in check) {
  md.push(`**Cross-check:** face-api's own forward pass could not be run here (${check.error}); the activations below are unverified against it.`, '');
} else {
  md.push(`**Cross-check:** on the first ${check.images} inputs, face-api's own \`FaceRecognitionNet.computeFaceDescriptor\` (its Node build on tfjs-core's CPU ` +
    `backend) and our pass give descriptors that differ by at most ${check.maxAbs.toExponential(1)} (relative ${check.maxRel.toExponential(1)}), float32 rounding: ` +
    'every activation below is the real network\'s.', '');
}
md.push(`**Inputs** (${nImages}, each 150x150, area-averaged from the photographs in \`data/\`, see \`data/LICENSES.md\`): ` +
  used.map(([name]) => name).join('; ') + '. Grey photographs are used as R = G = B. Only the astronaut crop is a face; the network was trained on faces, ' +
  'but its early layers see edges and textures in any photograph.', '');

// Table 2
md.push('## Table 2: layer-wise sparsity of the real activations', '');
md.push(`Fraction of non-zeros (cs.sparsity) of each layer's output after its ReLU, over all ${nImages} inputs (min–max over inputs in brackets). ` +
  '"conv1" is the first convolution of a block; "block out" is ReLU(second convolution + shortcut), what the next block sees. The last column is the second ' +
  'experiment below: ReLU of the second convolution\'s branch alone, without the shortcut.', '');
md.push('| layer | output (C x H x W) | % non-zeros | ReLU(branch) alone, % |', '| --- | --- | --- | --- |');
for (const row of table2) {
  const block = row.layer.split('/')[0]!;
  const isBlockOut = !row.layer.includes('/') && BLOCKS.includes(row.layer);
  const name = row.layer === 'pool' ? 'max pool 3x3/2' : row.layer === 'conv32_down' ? 'stem 7x7/2' : isBlockOut ? `${row.layer} block out` : row.layer;
  md.push(`| ${name} | ${row.shape.join(' x ')} | ${pct(row.nonZero)} (${pct(row.min)}–${pct(row.max)}) | ${isBlockOut ? pct(trace.branchDensity.get(block)!) : ''} |`);
}
md.push('', 'The paper\'s Table 2 (VGG-16, ILSVRC 2012 validation set), % of non-zeros:', '');
md.push('| c(1,1) | c(1,2) | p(1) | c(2,1) | c(2,2) | p(2) | c(3,1) | c(3,2) | c(3,3) | p(3) | c(4,1) | c(4,2) | c(4,3) | p(4) | c(5,1) | c(5,2) | c(5,3) | p(5) |');
md.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
md.push('| 49.1 | 69.7 | 80.8 | 67.4 | 49.7 | 70.7 | 53.4 | 51.9 | 28.7 | 45.9 | 35.6 | 29.6 | 12.6 | 23.1 | 23.9 | 20.6 | 7.3 | 13.1 |', '');
const conv1Rows = table2.filter((r) => r.layer.endsWith('/conv1')).map((r) => r.nonZero);
const outRows = table2.filter((r) => BLOCKS.includes(r.layer)).map((r) => r.nonZero);
const branchRows = [...trace.branchDensity.values()];
const stem = table2[0]!;
const pool = table2[1]!;
md.push(`**Agreement.** The first layers are alike: our stem has ${pct(stem.nonZero)}% non-zeros and the max pooling ${pct(pool.nonZero)}% ` +
  '(VGG: 49.1–69.7% for conv1, 80.8% for pool1); pooling raises the density in both.', '');
md.push(`**Difference: VGG's activations get sparser with depth (down to 7.3% in conv(5,3)); ours do not.** Our conv1 outputs hold ${pct(Math.min(...conv1Rows))}–${pct(Math.max(...conv1Rows))}% ` +
  `non-zeros at every depth and the block outputs ${pct(Math.min(...outRows))}–${pct(Math.max(...outRows))}%. Most likely reason: the residual shortcut. A block outputs ` +
  'ReLU(branch + x) where x, the previous block\'s output, is already non-negative, so an output is zero only where the branch is more negative than x is positive, ' +
  'and the non-zeros accumulate from block to block. Second experiment: the density of ReLU(branch) alone, the same convolution outputs without the shortcut: ' +
  `${pct(Math.min(...branchRows))}–${pct(Math.max(...branchRows))}% (median ${pct(med(branchRows))}%, against ${pct(med(outRows))}% with it): the shortcut accounts ` +
  'for the block outputs\' excess. It does not account for the rest: the branches and the conv1 outputs, which no shortcut touches, still keep about half of their ' +
  'values at every depth, where VGG\'s conv4 and conv5 keep 7–36%. The likely reason for that part is batch normalization (folded here into each convolution\'s ' +
  'per-channel scale and shift): it standardizes every channel on the training data, so its pre-activation sits around zero and ReLU keeps roughly half of it; ' +
  'VGG-16 has no normalization, and its deep channels can sit mostly below zero. Check: over the ' +
  `${centring.length} channels of all conv1 pre-activations, the median |mean|/std is ${f3(medianZ)} and ${pct(centredShare)}% of the channels keep between a quarter ` +
  'and three quarters of their values: centred channels, as normalization makes them. (We have no un-normalized twin of this network to rule the inputs out ' +
  'completely; they differ too, 12 crops of 4 photographs against 50,000 ImageNet images, but the per-input ranges above are narrow.)', '');

// Table 3
md.push('## Table 3: coherence of the learned filters beside Gaussian ones', '');
md.push('Coherence = max |⟨w_i, w_j⟩| over distinct filters, each scaled to unit norm (`cs.coherence(W, { rows: false })`, footnote 8). "Gaussian" is a layer of ' +
  'the same M, K and kernel size drawn with `randomize({ seed: 1 })`. The last four columns are the second experiment: the mean and the 99th percentile of |cos| over all ' +
  'K(K−1)/2 pairs.', '');
md.push('| layer | M → K | kernel | stored as | learned | Gaussian | learned mean \\|cos\\| | Gaussian mean \\|cos\\| | learned p99 | Gaussian p99 |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of table3) {
  md.push(`| ${r.layer} | ${r.M} → ${r.K} | ${r.k}x${r.k} | ${r.stored} | ${f3(r.learned)} | ${f3(r.random)} | ${f3(r.learnedPairs.mean)} | ${f3(r.randomPairs.mean)} | ` +
    `${f3(r.learnedPairs.p99)} | ${f3(r.randomPairs.p99)} |`);
}
md.push('', 'The paper\'s Table 3 (VGG-16):', '');
md.push('| | (1,1) | (1,2) | (2,1) | (2,2) | (3,1) | (3,2) | (3,3) | (4,1) | (4,2) | (4,3) | (5,1) | (5,2) | (5,3) |');
md.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
md.push('| learned | 0.943 | 0.734 | 0.644 | 0.747 | 0.584 | 0.484 | 0.519 | 0.460 | 0.457 | 0.404 | 0.410 | 0.410 | 0.405 |');
md.push('| random | 0.670 | 0.122 | 0.155 | 0.105 | 0.110 | 0.090 | 0.080 | 0.092 | 0.062 | 0.062 | 0.070 | 0.067 | 0.067 |', '');
const inner = table3.slice(1);
const ratios = inner.map((r) => r.learned / r.random);
const meanRatios = inner.map((r) => r.learnedPairs.mean / r.randomPairs.mean);
const negatives = table3.filter((r) => r.learnedPairs.negativeMax).length;
const top = [...inner].sort((a, b) => b.learned - a.learned).slice(0, 2);
md.push(`**Agreement.** As in the paper, every learned layer is far more coherent than Gaussian filters of its size: the 3x3 layers have coherence ` +
  `${range(inner.map((r) => r.learned))} against ${range(inner.map((r) => r.random))} for Gaussian ones (${Math.min(...ratios).toFixed(1)} to ${Math.max(...ratios).toFixed(1)} times as large), ` +
  `and the 7x7 stem on 3 colour channels has ${f3(table3[0]!.learned)} (VGG's 3x3 first layer: 0.943). Our Gaussian column repeats docs/reproduction.md's Table 3 for ` +
  'the sizes VGG shares with this network (e.g. 0.169 for 64 → 64, where the paper reports 0.122; see there).', '');
md.push(`**Differences.** Our middle layers are less coherent than VGG's (32–128 channels: ${range(inner.filter((r) => r.K <= 128).map((r) => r.learned))}, ` +
  `VGG 0.46–0.75), and two layers of the last stage more (${top.map((r) => `${r.layer} ${f3(r.learned)}`).join(', ')}). These are different networks trained on different data; ` +
  'a single maximum over tens of thousands of pairs is also a fragile statistic. Second experiment: is the gap between learned and Gaussian filters a few ' +
  'near-duplicate pairs or the whole distribution? The mean |cos| of the learned filters is ' +
  `${Math.min(...meanRatios).toFixed(1)} to ${Math.max(...meanRatios).toFixed(1)} times the Gaussian one in every layer, and the 99th percentiles differ as much: learned filters ` +
  'are more correlated throughout, not only in their most similar pair. The paper\'s section 3.1 expects learned filters to come in positive/negative pairs; ' +
  `the most coherent pair has a negative inner product in ${negatives} of our 29 layers, so here the high coherence is mostly filters that are alike, not opposite.`, '');

// Figure 3(a)
const s = (key: string) => fig3a[key]!;
md.push('## Figure 3(a): model-RIP of the learned filters on synthetic model-sparse codes', '');
md.push(`W is \`${FIG3}/conv2\` (128 → 128, 3x3, each filter scaled to unit norm as the paper does) on its real ${D2}x${D2} map with 'same' padding, as the network uses it; ` +
  'the paper uses VGG\'s conv(5,2) (512 → 512 on 14x14). At the network\'s 150x150 input the 256-channel stage runs on 4x4 maps (4 pooling blocks per channel, ' +
  '12 of 16 positions on the border), so the 128-channel stage is the deepest one with room for 2x2 pooling. ' +
  `Codes: ${TRIALS} model-sparse z (\`cs.rip(W, { pool: 2, density, trials: ${TRIALS}, seed: 1, measure: 'forward' })\`, values U[−1, 1)) at the density of this layer's ` +
  `real activations: the ${FIG3} block output has ${pct(rawDensity)}% non-zeros and ${pct(blocks2)}% of its 2x2 blocks hold a non-zero, so k = ${s('learned/same').k} ` +
  `(one per active block), a density of ${pct(modelDensity)}% (the paper's 23.9% is the same kind of number: below the 25% that one-per-block allows). ` +
  'The Gaussian rows use unit-norm Gaussian filters of the same size (seed 1).', '');
md.push('| W | geometry | k | median | mean | p05 | p95 | min | max | δ_k |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const key of ['learned/same', 'random/same', 'learned/valid', 'random/valid']) {
  const r = s(key);
  const [kind, geometry] = key.split('/');
  md.push(`| ${kind === 'learned' ? 'learned' : 'Gaussian'} | ${geometry === 'same' ? `'same', ${D2}x${D2} input` : `'valid', ${D2 + 2}x${D2 + 2} input`} | ${r.k} | ` +
    `${f3(r.summary.median)} | ${f3(r.summary.mean)} | ${f3(r.summary.p05)} | ${f3(r.summary.p95)} | ${f3(r.summary.min)} | ${f3(r.summary.max)} | ${f3(r.deltaK)} |`);
}
md.push('', `Learned filters, 'same' (as in the network), ‖Wᵀz‖/‖z‖:`, '', textHistogram(cs, s('learned/same').raw, 0.85, 1.1, 25), '');
md.push(`Learned filters, 'valid' (no border truncation):`, '', textHistogram(cs, s('learned/valid').raw, 0.85, 1.1, 25), '');
md.push(`Gaussian filters, 'valid':`, '', textHistogram(cs, s('random/valid').raw, 0.85, 1.1, 25), '');
const lv = s('learned/valid').summary;
const rv = s('random/valid').summary;
md.push(`**Agreement, once the border is accounted for.** With 'same' padding both filter banks centre at ${f3(s('learned/same').summary.median)} ` +
  `(learned) and ${f3(s('random/same').summary.median)} (Gaussian), not 1: on an ${D2}x${D2} map ${4 * D2 - 4} of ${D2 * D2} positions are on the border, where a 3x3 filter ` +
  'loses a third of its taps (five ninths at a corner) to the zero padding, so those columns of Wᵀ are shorter than 1 (the same effect docs/reproduction.md finds ' +
  `for random 512-channel filters on 15x15). Second experiment: the same filters and codes with 'valid' geometry (a ${D2 + 2}x${D2 + 2} input, every column a whole ` +
  `filter): the learned filters centre at ${f3(lv.median)} with p05–p95 ${f3(lv.p05)}–${f3(lv.p95)}, the Gaussian ones at ${f3(rv.median)} with ${f3(rv.p05)}–${f3(rv.p95)}. ` +
  'That is the paper\'s finding: centred at 1, with a somewhat wider spread for the learned filters than for random ones, despite their much higher coherence (Table 3).', '');

// Figure 3(b), (c)
const runs = fig3bc;
const col = (key: string, f: (r: CodeRow) => number) => runs[key]!.rows.map(f);
md.push('## Figure 3(b), (c): model-RIP on codes recovered from real activations (Algorithm 2)', '');
md.push(`x is the real output of \`${FIG3}/conv1\` (128 x ${D2} x ${D2}, after its bias and scale) for each input, before (b) and after (c) its ReLU; ` +
  `W is \`${FIG3}/conv2\` with unit-norm filters, 'same' as in the network. z = \`cs.sparseCode(W, x, { pool: 2, iterations: ${ITER}, seed: 1 })\` (Algorithm 2: ` +
  'l1 least squares by FISTA, support from 2x2 max-pool switches, refit on that support; default λ = 0.1·λ_max with λ_max = ‖2Wx‖_∞, the paper gives no λ); ' +
  `then ‖Wᵀz‖/‖z‖ per input. Learned filters on all ${nImages} inputs; Gaussian unit-norm filters (seed 1) on every other input (each call spends most of its ` +
  'time, more than half, estimating ‖W‖ by power iteration, so these runs are kept small). "fit error" is ‖x − Wᵀz‖/‖x‖ and "code density" the fraction of non-zeros in z.', '');
md.push('| W | x | n | median ‖Wᵀz‖/‖z‖ | p05 | p95 | min | max | fit error (median) | code density (median) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const key of ['learned/before', 'learned/after', 'random/before', 'random/after']) {
  const rows = runs[key]!.rows;
  const su = cs.summarize(rows.map((r) => r.ratio));
  const [kind, when] = key.split('/');
  md.push(`| ${kind === 'learned' ? 'learned' : 'Gaussian'} | ${when} ReLU | ${rows.length} | ${f3(su.median)} | ${f3(su.p05)} | ${f3(su.p95)} | ${f3(su.min)} | ${f3(su.max)} | ` +
    `${f3(med(rows.map((r) => r.relativeError)))} | ${pct(med(rows.map((r) => r.density)))}% |`);
}
md.push('', '(b) learned filters, x before ReLU, ‖Wᵀz‖/‖z‖ per input:', '', textHistogram(cs, col('learned/before', (r) => r.ratio), 0.5, 1.6, 22), '');
md.push('(c) learned filters, x after ReLU:', '', textHistogram(cs, col('learned/after', (r) => r.ratio), 0.5, 1.6, 22), '');
const lb = med(col('learned/before', (r) => r.ratio));
const la = med(col('learned/after', (r) => r.ratio));
const rb = med(col('random/before', (r) => r.ratio));
const ra = med(col('random/after', (r) => r.ratio));
md.push(`**Difference: the paper finds these ratios "close to 1" (centre offset under 0.05, spread under 0.05) for learned and random filters alike; ours centre at ` +
  `${f3(lb)} (b) and ${f3(la)} (c) for the learned filters and at ${f3(rb)} and ${f3(ra)} for Gaussian ones.** The spread over inputs is small; the centres are off, ` +
  'in opposite directions. Split the squared ratio as ‖Wᵀz‖²/‖z‖² = Σᵢ zᵢ²‖Wᵀeᵢ‖²/‖z‖² (diagonal: below 1 only through the border truncation of Figure 3(a), weighted ' +
  'by where z puts its energy) + Σᵢ≠ⱼ zᵢzⱼ⟨Wᵀeᵢ, Wᵀeⱼ⟩/‖z‖² (cross terms between different filters and overlapping shifts). For a model-sparse code with random signs the ' +
  'cross terms average out, which is why Figure 3(a) centres at 1.', '');
md.push('| W | x | λ / λ_max | n | median ratio | median diagonal | median cross | median ratio, signs of z randomized | fit error | code density |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const key of ['learned/before', 'learned/after', 'random/before', 'random/after', 'learned/before/lambda0.01', 'learned/after/lambda0.01', 'random/before/lambda0.01', 'random/after/lambda0.01']) {
  const rows = runs[key]!.rows;
  const [kind, when, lam] = key.split('/');
  md.push(`| ${kind === 'learned' ? 'learned' : 'Gaussian'} | ${when} ReLU | ${lam ? '0.01' : '0.1'} | ${rows.length} | ${f3(med(rows.map((r) => r.ratio)))} | ` +
    `${f3(med(rows.map((r) => r.diagonal)))} | ${f3(med(rows.map((r) => r.cross)))} | ${f3(med(rows.map((r) => r.signFlipped)))} | ` +
    `${f3(med(rows.map((r) => r.relativeError)))} | ${pct(med(rows.map((r) => r.density)))}% |`);
}
const diag = [...col('learned/before', (r) => r.diagonal), ...col('learned/after', (r) => r.diagonal), ...col('random/before', (r) => r.diagonal), ...col('random/after', (r) => r.diagonal)];
const flipL = [...col('learned/before', (r) => r.signFlipped), ...col('learned/after', (r) => r.signFlipped)];
const crossL = [...col('learned/before', (r) => r.cross), ...col('learned/after', (r) => r.cross)];
const crossR = [...col('random/before', (r) => r.cross), ...col('random/after', (r) => r.cross)];
const l01 = [...col('learned/before/lambda0.01', (r) => r.ratio), ...col('learned/after/lambda0.01', (r) => r.ratio)];
const r01 = [...col('random/before/lambda0.01', (r) => r.ratio), ...col('random/after/lambda0.01', (r) => r.ratio)];
const fig3Row = table3.find((r) => r.layer === `${FIG3}/conv2`)!;
const flipR = [...col('random/before', (r) => r.signFlipped), ...col('random/after', (r) => r.signFlipped)];
md.push('', `Three things set the centre. **(1) The border:** the diagonal part is ${range(diag)}, at or below the square of Figure 3(a)'s 'same' centre, because ` +
  'Algorithm 2 gives the border positions, whose columns are short, larger coefficients to fit x there. This lowers every ratio here, learned or Gaussian; the ' +
  `border holds ${4 * D2 - 4} of the ${D2 * D2} positions of our map, 52 of the 196 of the paper's 14x14 one. **(2) The sign pattern of the recovered codes:** the ` +
  `cross terms are ${range(crossL)} for the learned filters and ${range(crossR)} for Gaussian ones. Second experiment: keep each recovered z's support and ` +
  `magnitudes but draw its signs at random (seeded): the ratios fall to ${range(flipL)} (learned) and ${range(flipR)} (Gaussian), each close to the square root of ` +
  'its diagonal part, so the cross terms come entirely from how the signs Algorithm 2 chose line up with the filters\' correlations: constructively for the ' +
  `learned filters (Table 3: ${FIG3}/conv2's mean |cos| is ${(fig3Row.learnedPairs.mean / fig3Row.randomPairs.mean).toFixed(1)} times the Gaussian one's, its most ` +
  `coherent pair ${fig3Row.learnedPairs.negativeMax ? 'negatively' : 'positively'} correlated), destructively for Gaussian ones (overlapping atoms get coefficients ` +
  'whose signs make them partly cancel). Synthetic codes with independent signs ' +
  '(Figure 3(a)) cannot show either effect; codes fitted to real activations do. **(3) λ,** which the paper does not state: with λ = 0.01·λ_max the codes are ' +
  `denser and fit x better, and the learned ratios come to ${range(l01)}, close to 1 as in the paper, while the Gaussian ones fall further (${range(r01)}). ` +
  'So the paper\'s near-1 centres for recovered codes are reproducible with learned filters for a suitable λ, but not robust to it, and in our ResNet the learned ' +
  'and Gaussian filters do not behave alike on codes fitted to real activations: the agreement of Figure 3(a) rests on codes with random signs.', '');

md.push('## What differs from the paper, in short', '');
md.push('- The network: a ResNet-34-like face descriptor (the best trained CNN any installed package ships), not ImageNet VGG-16; 12 crops of 4 photographs, not the ' +
  'ILSVRC validation set; Figure 3 uses a 128-channel layer on 8x8 maps, not a 512-channel one on 14x14, because of the network\'s 150x150 input.');
md.push('- Table 2: our densities do not fall with depth: the residual shortcuts keep the block outputs up (checked with the branch-alone densities), and ' +
  'batch normalization keeps every channel near half-on (checked with the per-channel centring); VGG-16 has neither.');
md.push('- Table 3: learned ≫ Gaussian coherence in every layer, as in the paper; individual values differ from VGG\'s (different network). The most coherent pairs are ' +
  'mostly alike rather than opposite, unlike the ± pairs section 3.1 anticipates.');
md.push('- Figure 3(a): centred at 1 with a slightly wider spread than Gaussian filters once border truncation is removed (\'valid\'); 0.92 with the network\'s ' +
  '\'same\' padding on 8x8 maps, for learned and Gaussian filters alike.');
md.push(`- Figure 3(b), (c): not close to 1 at sparseCode's default λ (learned ${f3(lb)}/${f3(la)}, Gaussian ${f3(rb)}/${f3(ra)}): correlated learned filters with ` +
  'sign-aligned codes push the ratio up, border truncation pulls it down; at λ = 0.01·λ_max the learned ratios are near 1.', '');

md.push('## Run times', '');
md.push(`Forward pass of ${nImages} inputs: ${(forwardMs / 1000).toFixed(1)} s; face-api cross-check: ${'ms' in check ? (check.ms / 1000).toFixed(1) : '–'} s; ` +
  `Table 3 (coherence and pair statistics of 29 layers): ${(table3Ms / 1000).toFixed(1)} s; Figure 3(a) (4 x ${TRIALS} codes): ` +
  `${(Object.values(fig3a).reduce((a, r) => a + r.ms, 0) / 1000).toFixed(1)} s; Figure 3(b), (c) and the λ experiment ` +
  `(${Object.values(fig3bc).reduce((a, r) => a + r.rows.length, 0)} Algorithm 2 solves): ${(Object.values(fig3bc).reduce((a, r) => a + r.ms, 0) / 1000).toFixed(1)} s; total ${totalS.toFixed(0)} s.`, '');

const toJson = (_: string, v: unknown) => (v instanceof Float64Array || v instanceof Float32Array ? Array.from(v, (x) => Number(x.toPrecision(6))) : v);
if (quick) {
  process.stdout.write(md.join('\n'));
} else {
  mkdirSync(new URL('docs/', root), { recursive: true });
  writeFileSync(new URL('docs/learned-filters.md', root), md.join('\n'));
  writeFileSync(new URL('docs/learned-filters.json', root), JSON.stringify(json, toJson));
  log(`wrote docs/learned-filters.md and docs/learned-filters.json (${totalS.toFixed(0)} s)`);
}
