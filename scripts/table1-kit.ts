// The pieces of the Table 1 reproduction (scripts/table1.ts), kept apart so tests can check them:
// the digits, seeded splits, random-filter features computed by convcs, and the classifiers
// trained with TensorFlow.js (tfjs-core's Adam on its WebAssembly backend).
//
// A network layer is conv ('same', no bias) -> batch norm -> ReLU -> 2x2 max pooling, as in the
// paper's section 4.1 and footnote 5. Random-filter layers are convcs convolutions; learned ones
// are tfjs graphs trained end to end.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Convcs } from '../src/index.js';

export type Tf = typeof TfCore;
type Tensor = TfCore.Tensor;
type Variable = TfCore.Variable;

export const SIDE = 8; // the digits are 8 x 8
export const CLASSES = 10;
const BN_EPS = 1e-5;

/** tfjs-core on its WebAssembly backend, one thread, the binaries read from node_modules. */
export async function initTf(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  // tfjs-core's Node build leaves out the gradients of its ops; tfjs-layers's build registers all of them.
  await import('@tensorflow/tfjs-layers');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not start');
  await tf.ready();
  return tf;
}

// ------------------------------------------------------------------------------ data

export interface Digits {
  n: number;
  /** n images of 8 x 8 values in [0, 1] (the file's 0..16 divided by 16), row by row. */
  x: Float32Array;
  y: Int32Array;
}

export function readDigits(file: URL): Digits {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
  const n = lines.length;
  const x = new Float32Array(n * SIDE * SIDE);
  const y = new Int32Array(n);
  lines.forEach((line, i) => {
    const v = line.split(',').map(Number);
    if (v.length !== SIDE * SIDE + 1) throw new Error(`digits line ${i + 1}: ${v.length} fields`);
    for (let j = 0; j < SIDE * SIDE; j++) x[i * SIDE * SIDE + j] = v[j]! / 16;
    y[i] = v[SIDE * SIDE]!;
  });
  return { n, x, y };
}

/** mulberry32: a small seeded generator for shuffles (the filters use convcs's own). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled(idx: ArrayLike<number>, random: () => number): Int32Array {
  const a = Int32Array.from(idx);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** Deal the members of each class, shuffled, round robin into `parts` parts (stratified). */
export function stratifiedParts(y: Int32Array, idx: ArrayLike<number>, parts: number, seed: number): Int32Array[] {
  const random = rng(seed);
  const out: number[][] = Array.from({ length: parts }, () => []);
  let next = 0;
  for (let c = 0; c < CLASSES; c++) {
    const members = Array.from(idx).filter((i) => y[i] === c);
    for (const i of shuffled(members, random)) out[next++ % parts]!.push(i);
  }
  return out.map((p) => Int32Array.from(p.sort((a, b) => a - b)));
}

export function concatIdx(parts: Int32Array[]): Int32Array {
  return Int32Array.from(parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b));
}

// ------------------------------------------------------------------------------ random features

export interface RandomNetSpec {
  layers: number;
  kernel: number;
  channels: number;
  /** Filters of layer l are convcs's Gaussian draws from stream l of this seed. */
  seed: number;
}

export interface RandomFeatures {
  n: number;
  channels: number;
  /** Pooled positions per channel after the last layer. */
  spatial: number;
  /** ReLU then 2x2 max pooling of the last layer's standardised pre-activation, [n, C, spatial]. */
  fixed: Float32Array;
  /** Largest and smallest standardised pre-activation in each 2x2 block of the last layer, [n, C, spatial]. */
  max: Float32Array;
  min: Float32Array;
}

/**
 * The random-filter network's features. Every layer's pre-activation is standardised per channel
 * with the mean and variance over the images `statsFrom` (the training split): batch norm with
 * scale 1 and bias 0, whose statistics do not move since the filters are fixed. `max`/`min` let a
 * learned per-channel scale g and bias b be applied exactly after pooling:
 * maxpool(relu(g h + b)) = relu(max(g max h, g min h) + b), for either sign of g.
 */
export function randomFeatures(cs: Convcs, images: Float32Array, n: number, spec: RandomNetSpec, statsFrom: Int32Array): RandomFeatures {
  let input = images;
  let side = SIDE;
  let inChannels = 1;
  const C = spec.channels;
  const out: Partial<RandomFeatures> = { n, channels: C };
  for (let l = 0; l < spec.layers; l++) {
    const last = l === spec.layers - 1;
    const W = cs.conv2d({ inChannels, outChannels: C, kernelSize: spec.kernel, height: side, width: side, padding: 'same' })
      .randomize({ seed: spec.seed, stream: l });
    const inSize = inChannels * side * side;
    const mapSize = side * side;
    const outSize = C * mapSize;
    const half = side / 2;
    const pooledSize = C * half * half;
    // Keep the whole pre-activation when it is small; otherwise compute it twice (stats, then use).
    const keep = n * outSize <= 1 << 24 ? new Float32Array(n * outSize) : undefined;
    const chunk = Math.max(1, Math.floor((1 << 21) / outSize));
    const buf = new Float32Array(chunk * outSize);
    const forward = (indices: ArrayLike<number>, from: number, count: number): Float32Array => {
      const xin = new Float32Array(count * inSize);
      for (let b = 0; b < count; b++) xin.set(input.subarray(indices[from + b]! * inSize, (indices[from + b]! + 1) * inSize), b * inSize);
      const h = buf.subarray(0, count * outSize);
      W.forward(xin, h);
      return h;
    };
    // Per-channel statistics over the training images.
    const sum = new Float64Array(C);
    const sumSq = new Float64Array(C);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const isStat = new Uint8Array(n);
    for (const i of statsFrom) isStat[i] = 1;
    const accumulate = (h: Float32Array, count: number, which: ArrayLike<number> | undefined, from: number) => {
      for (let b = 0; b < count; b++) {
        if (which && !isStat[which[from + b]!]) continue;
        for (let c = 0; c < C; c++) {
          let s = 0;
          let q = 0;
          const o = b * outSize + c * mapSize;
          for (let p = 0; p < mapSize; p++) {
            const v = h[o + p]!;
            s += v;
            q += v * v;
          }
          sum[c] = sum[c]! + s;
          sumSq[c] = sumSq[c]! + q;
        }
      }
    };
    if (keep) {
      for (let from = 0; from < n; from += chunk) {
        const count = Math.min(chunk, n - from);
        const h = forward(all, from, count);
        keep.set(h, from * outSize);
        accumulate(h, count, all, from);
      }
    } else {
      for (let from = 0; from < statsFrom.length; from += chunk) {
        const count = Math.min(chunk, statsFrom.length - from);
        accumulate(forward(statsFrom, from, count), count, undefined, 0);
      }
    }
    const mean = new Float32Array(C);
    const inv = new Float32Array(C);
    const m = statsFrom.length * mapSize;
    for (let c = 0; c < C; c++) {
      mean[c] = sum[c]! / m;
      inv[c] = 1 / Math.sqrt(Math.max(sumSq[c]! / m - (sum[c]! / m) ** 2, 0) + BN_EPS);
    }
    const next = new Float32Array(n * pooledSize);
    const mx = last ? new Float32Array(n * pooledSize) : undefined;
    const mn = last ? new Float32Array(n * pooledSize) : undefined;
    const one = new Float32Array(outSize);
    for (let from = 0; from < n; from += chunk) {
      const count = Math.min(chunk, n - from);
      const h = keep ? keep.subarray(from * outSize, (from + count) * outSize) : forward(all, from, count);
      for (let b = 0; b < count; b++) {
        const i = from + b;
        for (let c = 0; c < C; c++) {
          const o = b * outSize + c * mapSize;
          for (let p = 0; p < mapSize; p++) one[c * mapSize + p] = (h[o + p]! - mean[c]!) * inv[c]!;
        }
        // ReLU and 2x2 max pooling in one convcs call: the largest value after ReLU of each block.
        next.set(cs.maxPool(one, { shape: [C, side, side], pool: 2, mode: 'relu' }).values, i * pooledSize);
        if (mx && mn) {
          // Signed extremes of each block (convcs pools by |h| or after ReLU, so these are plain loops).
          for (let c = 0; c < C; c++) {
            for (let by = 0; by < half; by++) {
              for (let bx = 0; bx < half; bx++) {
                let hi = -Infinity;
                let lo = Infinity;
                for (let dy = 0; dy < 2; dy++) {
                  for (let dx = 0; dx < 2; dx++) {
                    const v = one[c * mapSize + (2 * by + dy) * side + 2 * bx + dx]!;
                    if (v > hi) hi = v;
                    if (v < lo) lo = v;
                  }
                }
                const q = i * pooledSize + c * half * half + by * half + bx;
                mx[q] = hi;
                mn[q] = lo;
              }
            }
          }
        }
      }
    }
    W.dispose();
    input = next;
    inChannels = C;
    side = half;
    if (last) {
      out.fixed = next;
      out.max = mx;
      out.min = mn;
      out.spatial = half * half;
    }
  }
  return out as RandomFeatures;
}

// ------------------------------------------------------------------------------ classifiers

export interface TrainOptions {
  /** L2 penalty (lambda / 2) ||W||^2 on the weights of the last, fully connected layer. */
  lambda: number;
  epochs: number;
  /** Epochs after which `evaluate` sets are scored (the last is `epochs`). */
  checkpoints?: number[];
  batch?: number;
  lr?: number;
  seed: number;
}

/** Accuracy on each evaluation set at each checkpoint: acc[checkpoint][set]. */
export interface TrainResult { checkpoints: number[]; accuracy: number[][] }

/** A model: trainable variables, a loss on a batch, and predicted classes for a set of rows. */
interface Model {
  vars: Variable[];
  logits(rows: Tensor, training: boolean): Tensor;
  /** Fix what training-mode statistics become for prediction (learned batch norm). */
  freeze?(train: Int32Array): void;
  dispose(): void;
}

function trainModel(tf: Tf, model: Model, y: Int32Array, train: Int32Array, evaluate: Int32Array[], o: TrainOptions): TrainResult {
  const batch = o.batch ?? 64;
  const checkpoints = (o.checkpoints ?? [o.epochs]).filter((e) => e <= o.epochs);
  // A scope around training frees what the optimizer leaves behind after its own dispose().
  tf.engine().startScope();
  const optimizer = tf.train.adam(o.lr ?? 0.01);
  const random = rng(o.seed * 7919 + 17);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), CLASSES));
  const fc = model.vars[model.vars.length - 2]!; // the fully connected weights (then its bias)
  const accuracy: number[][] = [];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = shuffled(train, random);
    for (let from = 0; from < order.length; from += batch) {
      const rows = tf.tensor1d(order.subarray(from, Math.min(from + batch, order.length)), 'int32');
      optimizer.minimize(() => {
        const ce = tf.losses.softmaxCrossEntropy(tf.gather(labels, rows), model.logits(rows, true));
        return tf.add(ce, tf.mul(o.lambda / 2, tf.sum(tf.square(fc)))) as TfCore.Scalar;
      }, false, model.vars);
      rows.dispose();
    }
    if (checkpoints.includes(epoch)) {
      model.freeze?.(train);
      accuracy.push(evaluate.map((set) => accuracyOf(tf, model, y, set)));
    }
  }
  labels.dispose();
  optimizer.dispose();
  tf.engine().endScope();
  return { checkpoints, accuracy };
}

function accuracyOf(tf: Tf, model: Model, y: Int32Array, set: Int32Array): number {
  let right = 0;
  for (let from = 0; from < set.length; from += 512) {
    const part = set.subarray(from, Math.min(from + 512, set.length));
    const classes = tf.tidy(() => tf.argMax(model.logits(tf.tensor1d(part, 'int32'), false), 1));
    const pred = classes.dataSync();
    classes.dispose();
    for (let i = 0; i < part.length; i++) if (pred[i] === y[part[i]!]) right++;
  }
  return right / set.length;
}

/** A trainable variable; its initial tensor is freed (a variable keeps its own reference to the data). */
function variable(tf: Tf, init: () => Tensor): Variable {
  return tf.tidy(() => tf.variable(init()));
}

/** Seeded N(0, 1) draws scaled, as a tfjs variable (initial weights reproducible across runs). */
function gaussianVariable(tf: Tf, cs: Convcs, shape: number[], scale: number, seed: number, stream: number): Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = cs.randn(size, { seed, stream });
  for (let i = 0; i < size; i++) v[i] = v[i]! * scale;
  return variable(tf, () => tf.tensor(v, shape));
}

/**
 * Multinomial logistic regression on fixed features [n, D] (standardised with the training rows'
 * mean and deviation inside), trained with Adam on minibatches.
 */
export function trainLinear(tf: Tf, features: Float32Array, D: number, y: Int32Array, train: Int32Array, evaluate: Int32Array[], o: TrainOptions): TrainResult {
  const n = y.length;
  const { mean, inv } = columnStats(features, D, train);
  const z = new Float32Array(n * D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) z[i * D + j] = (features[i * D + j]! - mean[j]!) * inv[j]!;
  const X = tf.tensor2d(z, [n, D]);
  const W = variable(tf, () => tf.zeros([D, CLASSES]));
  const b = variable(tf, () => tf.zeros([CLASSES]));
  const model: Model = {
    vars: [W, b],
    logits: (rows) => tf.add(tf.matMul(tf.gather(X, rows), W), b),
    dispose: () => tf.dispose([X, W, b]),
  };
  try {
    return trainModel(tf, model, y, train, evaluate, o);
  } finally {
    model.dispose();
  }
}

function columnStats(x: Float32Array, D: number, rows: Int32Array): { mean: Float32Array; inv: Float32Array } {
  const s = new Float64Array(D);
  const q = new Float64Array(D);
  for (const i of rows) {
    for (let j = 0; j < D; j++) {
      const v = x[i * D + j]!;
      s[j] = s[j]! + v;
      q[j] = q[j]! + v * v;
    }
  }
  const mean = new Float32Array(D);
  const inv = new Float32Array(D);
  for (let j = 0; j < D; j++) {
    mean[j] = s[j]! / rows.length;
    const sd = Math.sqrt(Math.max(q[j]! / rows.length - mean[j]! ** 2, 0));
    inv[j] = sd > 1e-6 ? 1 / sd : 0; // constant columns (the blank border pixels) carry nothing
  }
  return { mean, inv };
}

/**
 * Footnote 5 on fixed random filters: a per-channel batch-norm scale g and bias b on the last
 * layer's standardised pre-activation, then ReLU, 2x2 max pooling and the linear classifier, all
 * trained together; the filters (and the earlier layers) stay as convcs computed them.
 */
export function trainBnLinear(tf: Tf, f: RandomFeatures, y: Int32Array, train: Int32Array, evaluate: Int32Array[], o: TrainOptions): TrainResult {
  const { n, channels: C, spatial: S } = f;
  const Mx = tf.tensor3d(f.max, [n, C, S]);
  const Mn = tf.tensor3d(f.min, [n, C, S]);
  const g = variable(tf, () => tf.ones([1, C, 1]));
  const beta = variable(tf, () => tf.zeros([1, C, 1]));
  const W = variable(tf, () => tf.zeros([C * S, CLASSES]));
  const b = variable(tf, () => tf.zeros([CLASSES]));
  const model: Model = {
    vars: [g, beta, W, b],
    logits: (rows) => {
      const pre = tf.add(tf.maximum(tf.mul(tf.gather(Mx, rows), g), tf.mul(tf.gather(Mn, rows), g)), beta);
      return tf.add(tf.matMul(tf.reshape(tf.relu(pre), [-1, C * S]), W), b);
    },
    dispose: () => tf.dispose([Mx, Mn, g, beta, W, b]),
  };
  try {
    return trainModel(tf, model, y, train, evaluate, o);
  } finally {
    model.dispose();
  }
}

export interface LearnedNetSpec { layers: number; kernel: number; channels: number; seed: number }

/**
 * The same architecture with learned filters, trained end to end: conv ('same', no bias) ->
 * batch norm (batch statistics in training, the training set's for prediction; learned scale and
 * bias) -> ReLU -> 2x2 max pooling, per layer, then the linear classifier.
 */
export function trainLearned(tf: Tf, cs: Convcs, d: Digits, spec: LearnedNetSpec, train: Int32Array, evaluate: Int32Array[], o: TrainOptions): TrainResult {
  const X = tf.tensor4d(d.x, [d.n, SIDE, SIDE, 1]);
  const k = spec.kernel;
  const C = spec.channels;
  const pad = (k - 1) / 2;
  const layers: { F: Variable; g: Variable; beta: Variable }[] = [];
  for (let l = 0, cin = 1; l < spec.layers; l++, cin = C) {
    // He initialisation from convcs's seeded Gaussian draws.
    layers.push({
      F: gaussianVariable(tf, cs, [k, k, cin, C], Math.sqrt(2 / (k * k * cin)), spec.seed, 100 + l),
      g: variable(tf, () => tf.ones([C])), beta: variable(tf, () => tf.zeros([C])),
    });
  }
  const side = SIDE >> spec.layers;
  const D = C * side * side;
  const W = variable(tf, () => tf.zeros([D, CLASSES]));
  const b = variable(tf, () => tf.zeros([CLASSES]));
  let frozen: { mean: Tensor; variance: Tensor }[] | undefined;

  // tf.conv2d forward; its gradients by hand-picked kernels that tfjs-backend-wasm has: the
  // input's by a transposed convolution, the filters' as patches^T times dY.
  const conv = tf.customGrad(((x: TfCore.Tensor4D, F: TfCore.Tensor4D, save: (t: Tensor[]) => void) => {
    save([x, F]);
    return {
      value: tf.conv2d(x, F, 1, 'same'),
      gradFunc: (dy: TfCore.Tensor4D, saved: Tensor[]) => {
        const [xs, Fs] = saved as [TfCore.Tensor4D, TfCore.Tensor4D];
        const [B, H, Wd, cin] = xs.shape;
        const xp = tf.pad(xs, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
        const patches: Tensor[] = [];
        for (let dy0 = 0; dy0 < k; dy0++) for (let dx0 = 0; dx0 < k; dx0++) patches.push(tf.slice(xp, [0, dy0, dx0, 0], [B, H, Wd, cin]));
        const cols = tf.reshape(patches.length === 1 ? patches[0]! : tf.concat(patches, 3), [B * H * Wd, k * k * cin]);
        const dF = tf.reshape(tf.matMul(cols, tf.reshape(dy, [B * H * Wd, C]), true, false), [k, k, cin, C]);
        return [tf.conv2dTranspose(dy, Fs, [B, H, Wd, cin], 1, 'same'), dF];
      },
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]) as unknown as (x: Tensor, F: Tensor) => Tensor;
  /** Forward through `upto` layers; `stats` gives each layer's batch-norm statistics, or batch moments. */
  const body = (x: Tensor, stats: ({ mean: Tensor; variance: Tensor } | undefined)[], upto = spec.layers, rawLast = false): Tensor => {
    let h = x;
    for (let l = 0; l < upto; l++) {
      const L = layers[l]!;
      const a = conv(h, L.F);
      if (rawLast && l === upto - 1) return a;
      const m = stats[l] ?? tf.moments(a, [0, 1, 2]);
      const norm = tf.mul(tf.sub(a, m.mean), tf.rsqrt(tf.add(m.variance, BN_EPS)));
      h = tf.maxPool(tf.relu(tf.add(tf.mul(norm, L.g), L.beta)) as TfCore.Tensor4D, 2, 2, 'valid');
    }
    return h;
  };
  const model: Model = {
    vars: [...layers.flatMap((L) => [L.F, L.g, L.beta]), W, b],
    logits: (rows, training) => {
      const h = body(tf.gather(X, rows), training || !frozen ? [] : frozen);
      return tf.add(tf.matMul(tf.reshape(h, [-1, D]), W), b);
    },
    // Prediction uses the training set's statistics of every layer, computed layer by layer.
    freeze: (rows) => {
      if (frozen) tf.dispose(frozen.flatMap((s) => [s.mean, s.variance]));
      frozen = [];
      for (let l = 0; l < spec.layers; l++) {
        const sum = new Float64Array(C);
        const sumSq = new Float64Array(C);
        let count = 0;
        for (let from = 0; from < rows.length; from += 256) {
          const part = rows.subarray(from, Math.min(from + 256, rows.length));
          const [s, q] = tf.tidy(() => {
            const a = body(tf.gather(X, tf.tensor1d(part, 'int32')), frozen!, l + 1, true);
            return [tf.sum(a, [0, 1, 2]).dataSync(), tf.sum(tf.square(a), [0, 1, 2]).dataSync()];
          });
          for (let c = 0; c < C; c++) {
            sum[c] = sum[c]! + s![c]!;
            sumSq[c] = sumSq[c]! + q![c]!;
          }
          count += part.length * (SIDE >> l) * (SIDE >> l);
        }
        const mean = Float32Array.from(sum, (v) => v / count);
        const variance = Float32Array.from(sumSq, (v, c) => Math.max(v / count - mean[c]! ** 2, 0));
        frozen.push({ mean: tf.tensor1d(mean), variance: tf.tensor1d(variance) });
      }
    },
    dispose: () => {
      tf.dispose([X, W, b, ...layers.flatMap((L) => [L.F, L.g, L.beta])]);
      if (frozen) tf.dispose(frozen.flatMap((s) => [s.mean, s.variance]));
    },
  };
  try {
    return trainModel(tf, model, d.y, train, evaluate, o);
  } finally {
    model.dispose();
  }
}
