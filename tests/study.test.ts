// Studies: exact sums, the mergeable sketch, the spec's checks, and the report of any split into
// parts (any count, any order, through JSON) equal bit for bit to the one-call study; trials
// recomputed one by one from their streams agree with the cells' statistics.
import { test } from 'node:test';
import assert from './assert.js';
import { load } from '../src/index.js';
import type { StudyPart } from '../src/index.js';
import { ExactSum, fromScaled, toScaled } from '../src/study/exact-sum.js';
import { QuantileSketch, SUB_BITS } from '../src/study/sketch.js';
import { cellSeed } from '../src/study/run.js';

const cs = await load();

/** A deterministic stream of doubles over many magnitudes (no Math.random: failures reproduce). */
function doubles(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const next = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  return Array.from({ length: n }, () => (next() - 0.3) * 2 ** Math.floor(next() * 80 - 40));
}

test('exact sums: any order and any split give the same integer, and the correctly rounded value', () => {
  const xs = doubles(5000, 7);
  const ref = xs.reduce((a, x) => a + toScaled(x), 0n);
  const whole = new ExactSum();
  for (const x of xs) whole.add(x);
  assert.equal(whole.scaled(), ref);
  // reversed, in three pieces merged as canonical integers
  const parts = [new ExactSum(), new ExactSum(), new ExactSum()];
  [...xs].reverse().forEach((x, i) => parts[i % 3]!.add(x));
  const merged = new ExactSum();
  for (const p of parts) merged.addScaled(p.scaled());
  assert.equal(merged.scaled(), ref);
  // cancellation a plain sum gets wrong
  const c = new ExactSum();
  for (const x of [1e16, 1, -1e16]) c.add(x);
  assert.equal(fromScaled(c.scaled()), 1);
  assert.notEqual(1e16 + 1 - 1e16, 1);
  // round trips, subnormals included, and ties to even
  for (const x of [...xs.slice(0, 200), 5e-324, -3e-320, 2 ** -1022, 1.7976931348623157e308]) assert.equal(fromScaled(toScaled(x)), x);
  const unit = toScaled(1);
  assert.equal(fromScaled(unit * (2n ** 53n + 1n)), 2 ** 53);
  assert.equal(fromScaled(unit * (2n ** 53n + 3n)), 2 ** 53 + 4);
  assert.equal(fromScaled(unit * (2n ** 80n + 2n ** 27n + 1n)), 2 ** 80 + 2 ** 28);
});

test('the quantile sketch: within its relative accuracy of the exact quantile, and merges by adding counts', () => {
  const xs = doubles(20_000, 3).map(Math.abs);
  const whole = new QuantileSketch();
  for (const x of xs) whole.add(x);
  const sorted = [...xs].sort((a, b) => a - b);
  for (const q of [0, 0.05, 0.5, 0.95, 1]) {
    const exact = sorted[Math.floor(q * (xs.length - 1))]!;
    const got = whole.quantile(q);
    assert.ok(Math.abs(got - exact) <= exact * 2 ** -SUB_BITS, `q ${q}: ${got} vs ${exact}`);
  }
  const a = new QuantileSketch();
  const b = new QuantileSketch();
  xs.forEach((x, i) => (i % 5 === 0 ? a : b).add(x));
  a.merge(b.toJSON());
  assert.deepEqual(a.toJSON(), whole.toJSON());
});

const spec = {
  layer: { type: 'conv1d', inChannels: 8, kernelSize: 5, length: 16, weights: { seed: 3 } },
  grid: { outChannels: [12, 24], k: [1, 3, 6], method: ['reconstruct', 'iht-normalized'] },
  trials: 29, seed: 11, tolerance: 1e-2, iterations: 20,
};

test('spec errors name the field, before any trial runs', () => {
  const bad: Array<[unknown, RegExp, ErrorConstructor]> = [
    [{ ...spec, layer: undefined }, /spec\.layer is required/, RangeError],
    [{ ...spec, grid: { ...spec.grid, k: [1, -2] } }, /spec\.grid\.k\[1\] must be in \[0,/, RangeError],
    [{ ...spec, grid: { ...spec.grid, k: [1, 1.5] } }, /spec\.grid\.k\[1\] must be an integer/, TypeError],
    [{ ...spec, grid: { ...spec.grid, density: [0.1] } }, /exactly one of 'k' and 'density'/, RangeError],
    [{ ...spec, grid: { ...spec.grid, method: ['magic'] } }, /spec\.grid\.method\[0\] must be one of/, TypeError],
    [{ ...spec, trials: 0 }, /spec\.trials must be in \[1,/, RangeError],
    [{ ...spec, extra: 1 }, /unknown field 'extra'/, TypeError],
    [{ ...spec, layer: { ...spec.layer, weights: { seed: 1, file: 'w.npy' } } }, /'file' \(and 'name'\) or 'seed'/, RangeError],
    // k = 13 blocks of 'global' pooling on 12 filters: caught with the layer, before trials
    [{ ...spec, grid: { ...spec.grid, k: [13] } }, /convcs\.study: 'k' must be in \[0, 12\]|convcs\.study \(cell 0\): 'k' must be in \[0, 12\]/, RangeError],
  ];
  for (const [s, re, E] of bad) {
    assert.throws(() => cs.study(s), (e: unknown) => e instanceof E && re.test((e as Error).message) && (e as Error).message.startsWith('convcs.'));
  }
  assert.throws(() => cs.studyPart(spec, { shard: { index: 3, count: 3 } }), /shard\.index' must be in \[0, 2\]/);
  assert.throws(() => cs.studyPart(spec, { shard: { index: 0, count: 30 } }), /shard\.count' must be at most 29/);
});

test('any split of a study into parts, in any order and through JSON, gives the one-call report bit for bit', () => {
  const whole = cs.study(spec);
  const wholeJson = JSON.stringify(whole);
  for (const count of [1, 2, 5, 29]) {
    const parts: StudyPart[] = [];
    for (let i = count - 1; i >= 0; i--) parts.push(JSON.parse(JSON.stringify(cs.studyPart(spec, { shard: { index: i, count } }))) as StudyPart);
    const merged = cs.mergeStudyParts(parts);
    assert.equal(JSON.stringify(merged), wholeJson, `${count} parts`);
    // means too, bit for bit (JSON prints the shortest round-tripping digits)
    for (const [j, c] of merged.cells.entries()) assert.ok(Object.is(c.forward.mean, whole.cells[j]!.forward.mean));
  }
  assert.equal(whole.cells.length, 2 * 2 * 3);
  assert.ok(whole.cells.some((c) => c.successRate > 0) && whole.cells.some((c) => c.successRate < 1), 'the grid crosses the transition');
});

test("a cell's statistics are those of its trials recomputed one by one from their streams", () => {
  const report = cs.study(spec);
  const c = report.cells.find((x) => x.outChannels === 24 && x.k === 3 && x.method === 'reconstruct')!;
  const W = cs.conv1d({ inChannels: 8, outChannels: 24, kernelSize: 5, length: 16 }).randomize({ seed: 3 });
  const seed = cellSeed(11, c.index, 1n);
  const ratios: number[] = [];
  const errors: number[] = [];
  let success = 0;
  let support = 0;
  for (let t = 0; t < 29; t++) {
    const { z, support: s } = cs.sampleModelSparse(W.outputShape, { k: 3, seed, stream: t });
    const x = W.transpose(z);
    let zz = 0; let xx = 0;
    for (const v of z) zz += v * v;
    for (const v of x) xx += v * v;
    ratios.push(Math.sqrt(xx) / Math.sqrt(zz));
    const r = cs.reconstruct(W, x, { k: 3 });
    errors.push(r.relativeError);
    if (r.relativeError <= 1e-2) success++;
    if (r.support.join() === s.join()) support++;
  }
  assert.equal(c.forward.min, Math.min(...ratios));
  assert.equal(c.forward.max, Math.max(...ratios));
  assert.equal(c.error!.max, Math.max(...errors));
  assert.equal(c.successRate, success / 29);
  assert.equal(c.supportRate, support / 29);
  const exactMean = fromScaled(ratios.reduce((a, x) => a + toScaled(x), 0n)) / 29;
  assert.ok(Object.is(c.forward.mean, exactMean));
  assert.equal(c.deltaK, Math.max(...ratios.map((r) => Math.abs(r * r - 1))));
  assert.ok(c.delta2K >= c.deltaK);
});

test('merge refuses parts that are missing, doubled, from another study, or altered', () => {
  const parts = [0, 1, 2].map((index) => JSON.parse(JSON.stringify(cs.studyPart(spec, { shard: { index, count: 3 } }))) as StudyPart);
  assert.throws(() => cs.mergeStudyParts(parts.slice(0, 2)), /shards 2 of 3 are missing/);
  assert.throws(() => cs.mergeStudyParts([parts[0]!, parts[1]!, parts[1]!]), /shard 1 of 3 is given twice/);
  const other = cs.studyPart({ ...spec, layer: { ...spec.layer, weights: { seed: 4 } } }, { shard: { index: 2, count: 3 } });
  assert.notEqual(other.fingerprint, parts[2]!.fingerprint, 'other weights, other fingerprint');
  assert.throws(() => cs.mergeStudyParts([parts[0]!, parts[1]!, other]), /parts\[2\] is from a different study/);
  const counted = structuredClone(parts);
  counted[1]!.results[4]!.success += 100;
  assert.throws(() => cs.mergeStudyParts(counted), /parts\[1\] \(shard 1\) cell 4 is malformed/);
  const binned = structuredClone(parts);
  binned[2]!.results[0]!.forward.histogram[20]! += 1;
  assert.throws(() => cs.mergeStudyParts(binned), /cell 0 is malformed/);
  const header = structuredClone(parts);
  header[0]!.spec.trials = 30;
  assert.throws(() => cs.mergeStudyParts(header), /does not match its spec and weights/);
  assert.throws(() => cs.mergeStudyParts([]), TypeError);
});

test('weights from a file: passed as options.weights, hashed into the fingerprint, parts merge', () => {
  const fileSpec = { ...spec, layer: { ...spec.layer, weights: { file: 'layer.npy' } }, grid: { ...spec.grid, outChannels: [12] } };
  const w = cs.conv1d({ inChannels: 8, outChannels: 12, kernelSize: 5, length: 16 }).randomize({ seed: 9 }).getWeights();
  assert.throws(() => cs.study(fileSpec), /options\.weights must be a Float32Array/);
  const whole = cs.study(fileSpec, { weights: w });
  const parts = [1, 0].map((index) => JSON.parse(JSON.stringify(cs.studyPart(fileSpec, { weights: w, shard: { index, count: 2 } }))) as StudyPart);
  assert.equal(JSON.stringify(cs.mergeStudyParts(parts)), JSON.stringify(whole));
  assert.equal(whole.spec.layer.weights.file, '*', 'the path is not part of the study');
  const other = Float32Array.from(w, (v, i) => (i === 0 ? v + 1 : v));
  assert.notEqual(cs.studyHeader(fileSpec, { weights: other }).fingerprint, whole.fingerprint, 'one weight changed, another study');
  assert.throws(() => cs.study(fileSpec, { weights: w.subarray(1) }), /options\.weights has 479 values/);
});
