// The Table 1 pipeline (scripts/table1-kit.ts): the random-filter features convcs computes against
// a plain-JS computation of the same network, the seeded stratified splits, and the classifiers
// trained on a small run scoring far above chance on held-out digits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../src/index.js';
import {
  CLASSES, SIDE, concatIdx, initTf, randomFeatures, readDigits, stratifiedParts, trainBnLinear, trainLearned, trainLinear,
} from '../scripts/table1-kit.js';

const digits = readDigits(new URL('../data/digits/digits.csv.gz', import.meta.url));

/** conv 'same' (cross-correlation, OIHW weights, no bias) of one [cin, s, s] map, in float64. */
function convSame(x: ArrayLike<number>, cin: number, s: number, w: ArrayLike<number>, cout: number, k: number): Float64Array {
  const out = new Float64Array(cout * s * s);
  const p = (k - 1) / 2;
  for (let o = 0; o < cout; o++) {
    for (let y = 0; y < s; y++) {
      for (let xx = 0; xx < s; xx++) {
        let acc = 0;
        for (let c = 0; c < cin; c++) {
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++) {
              const yy = y + i - p;
              const xj = xx + j - p;
              if (yy < 0 || yy >= s || xj < 0 || xj >= s) continue;
              acc += w[((o * cin + c) * k + i) * k + j]! * x[(c * s + yy) * s + xj]!;
            }
          }
        }
        out[(o * s + y) * s + xx] = acc;
      }
    }
  }
  return out;
}

/** The network of randomFeatures, written out directly: conv, standardise, ReLU, 2x2 max (and signed max/min at the end). */
function reference(images: number[], weights: Float32Array[], k: number, C: number) {
  let maps = images.map((i) => Array.from(digits.x.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE)));
  let cin = 1;
  let s = SIDE;
  let result = { fixed: [] as number[], max: [] as number[], min: [] as number[] };
  weights.forEach((w, l) => {
    const h = maps.map((m) => convSame(m, cin, s, w, C, k));
    const mean = new Float64Array(C);
    const vari = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      let sq = 0;
      for (const hi of h) for (let q = 0; q < s * s; q++) { sum += hi[c * s * s + q]!; sq += hi[c * s * s + q]! ** 2; }
      const m = images.length * s * s;
      mean[c] = sum / m;
      vari[c] = sq / m - (sum / m) ** 2;
    }
    const half = s / 2;
    result = { fixed: [], max: [], min: [] };
    maps = h.map((hi) => {
      const pooled: number[] = [];
      for (let c = 0; c < C; c++) {
        for (let by = 0; by < half; by++) {
          for (let bx = 0; bx < half; bx++) {
            const v = [0, 1, 2, 3].map((d) => (hi[c * s * s + (2 * by + (d >> 1)) * s + 2 * bx + (d & 1)]! - mean[c]!) / Math.sqrt(vari[c]! + 1e-5));
            pooled.push(Math.max(0, ...v));
            if (l === weights.length - 1) {
              result.max.push(Math.max(...v));
              result.min.push(Math.min(...v));
            }
          }
        }
      }
      result.fixed.push(...pooled);
      return pooled;
    });
    cin = C;
    s = half;
  });
  return result;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

test('random-filter features (convcs conv, batch norm, ReLU, 2x2 max pool) match a plain-JS computation', async () => {
  const cs = await load();
  const images = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const subset = new Float32Array(images.length * SIDE * SIDE);
  images.forEach((i, b) => subset.set(digits.x.subarray(i * 64, (i + 1) * 64), b * 64));
  const all = Int32Array.from(images, (_, b) => b);
  for (const spec of [{ layers: 1, kernel: 5, channels: 6, seed: 4 }, { layers: 2, kernel: 3, channels: 8, seed: 3 }]) {
    const f = randomFeatures(cs, subset, images.length, spec, all);
    const weights = Array.from({ length: spec.layers }, (_, l) => {
      const W = cs.conv2d({ inChannels: l === 0 ? 1 : spec.channels, outChannels: spec.channels, kernelSize: spec.kernel, height: SIDE >> l, width: SIDE >> l, padding: 'same' })
        .randomize({ seed: spec.seed, stream: l });
      const w = W.getWeights();
      W.dispose();
      return w;
    });
    const ref = reference(images, weights, spec.kernel, spec.channels);
    assert.equal(f.spatial, (SIDE >> spec.layers) ** 2);
    // Standardised values are O(1); float32 against float64 leaves errors near 1e-6.
    assert.ok(maxAbsDiff(f.fixed, ref.fixed) < 1e-4, `fixed features differ by ${maxAbsDiff(f.fixed, ref.fixed)}`);
    assert.ok(maxAbsDiff(f.max!, ref.max) < 1e-4, `block maxima differ by ${maxAbsDiff(f.max!, ref.max)}`);
    assert.ok(maxAbsDiff(f.min!, ref.min) < 1e-4, `block minima differ by ${maxAbsDiff(f.min!, ref.min)}`);
    // With scale 1 and bias 0 the learned-BN input reduces to the fixed features exactly.
    for (let i = 0; i < f.fixed.length; i++) assert.equal(f.fixed[i], Math.max(f.max[i]!, 0));
    assert.ok(f.fixed.some((v) => v > 0) && f.fixed.some((v) => v === 0));
  }
});

test('stratified parts are disjoint, cover the set, and balance every class', () => {
  const all = Int32Array.from({ length: digits.n }, (_, i) => i);
  const parts = stratifiedParts(digits.y, all, 3, 2017);
  assert.deepEqual(Array.from(concatIdx(parts)), Array.from(all));
  for (let c = 0; c < CLASSES; c++) {
    const counts = parts.map((p) => Array.from(p).filter((i) => digits.y[i] === c).length);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `class ${c}: ${counts}`);
  }
  assert.deepEqual(parts.map((p) => Array.from(p)), stratifiedParts(digits.y, all, 3, 2017).map((p) => Array.from(p)));
  assert.notDeepEqual(Array.from(parts[0]!), Array.from(stratifiedParts(digits.y, all, 3, 2018)[0]!));
});

test('a small run of each classifier scores far above chance (10%) on held-out digits', async () => {
  const cs = await load();
  const tf = await initTf();
  const all = Int32Array.from({ length: digits.n }, (_, i) => i);
  const [held, ...rest] = stratifiedParts(digits.y, all, 3, 1);
  const train = concatIdx(rest);
  const f = randomFeatures(cs, digits.x, digits.n, { layers: 1, kernel: 3, channels: 8, seed: 1 }, train);
  const o = { lambda: 1e-4, epochs: 3, seed: 1 };
  const accuracy = {
    raw: trainLinear(tf, digits.x, 64, digits.y, train, [held!], o).accuracy[0]![0]!,
    randomFixed: trainLinear(tf, f.fixed, f.channels * f.spatial, digits.y, train, [held!], o).accuracy[0]![0]!,
    randomBn: trainBnLinear(tf, f, digits.y, train, [held!], o).accuracy[0]![0]!,
    learned: trainLearned(tf, cs, digits, { layers: 1, kernel: 3, channels: 8, seed: 1 }, train, [held!], o).accuracy[0]![0]!,
  };
  for (const [name, a] of Object.entries(accuracy)) assert.ok(a > 0.8, `${name}: ${a}`);
  assert.equal(tf.memory().numTensors, 0, 'every tensor disposed');
});
