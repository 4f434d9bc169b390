// Scale-out with the same bits: rip and ihtBatch over worker threads (1, 2 and 4 workers give the
// in-thread bits), sharded studies merged back into the unsharded report, failures inside a
// worker, and the workers of the built package.
import { test, after } from 'node:test';
import assert from './assert.js';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { load, mergeRipReports } from '../src/index.js';
import type { Convcs, LinearOperator, RipReport, RipOptions, IhtResult, WorkerLike } from '../src/index.js';
import { INJECT_FAULT } from '../src/parallel/testing.js';
import { deserializeError, serializeError } from '../src/parallel/messages.js';
import { bitsEqual } from './helpers.js';

const cs = await load();
after(() => cs.closeWorkers());

// The Figure 2 layer (1-D, M = 32, D = 32, K = 96, l = 5), and a small 2-D one with pooling.
const W1 = cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 });
const W2 = cs.conv2d({ inChannels: 3, outChannels: 6, kernelSize: 3, height: 10, width: 9, padding: 'same' }).randomize({ seed: 2 });

function sameF64(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && bitsEqual(new Float32Array(a.buffer, a.byteOffset, a.length * 2), new Float32Array(b.buffer, b.byteOffset, b.length * 2));
}

/** Two reports are the same bits: arrays, deltas, bound, summaries (NaN equal to NaN), k, trials. */
function assertSameReport(got: RipReport, want: RipReport, what: string): void {
  for (const key of ['forward', 'gram', 'reconstruction'] as const) assert.ok(sameF64(got[key], want[key]), `${what}: ${key} differs`);
  for (const key of ['deltaK', 'delta2K', 'bound', 'k', 'trials'] as const) assert.ok(Object.is(got[key], want[key]), `${what}: ${key} ${got[key]} != ${want[key]}`);
  for (const s of ['forward', 'gram', 'reconstruction'] as const) {
    for (const [k, v] of Object.entries(want.summary[s])) {
      assert.ok(Object.is((got.summary[s] as unknown as Record<string, number>)[k], v), `${what}: summary.${s}.${k}`);
    }
  }
  assert.deepEqual(got.shard, want.shard, `${what}: shard`);
}

function sameIht(a: IhtResult, b: IhtResult): boolean {
  return bitsEqual(a.z, b.z) && bitsEqual(a.xHat, b.xHat) && a.support.join() === b.support.join() &&
    Object.is(a.relativeError, b.relativeError) && a.iterations === b.iterations && sameF64(a.history, b.history);
}

// Identical unit-norm filters: one code keeps its norm exactly (deltaK ~ 0), while two codes on
// different filters add up (delta2K near 1), so the sum-of-two-codes maximum is what decides delta2K.
const W3 = cs.conv1d({ inChannels: 2, outChannels: 4, kernelSize: 3, length: 12 });
W3.setWeights(Float32Array.from({ length: 4 * 2 * 3 }, (_, i) => [0.5, -0.5, 0.5, 0.25, -0.25, 0.25 * Math.sqrt(2)][i % 6]!));

const studies: Array<[string, LinearOperator, RipOptions]> = [
  ['identical filters', W3, { k: 1, trials: 60, seed: 1 }],
  ['Figure 2 layer', W1, { pool: 'global', k: 10, trials: 300, seed: 2 }],
  ['2-D, pool 2, density, sign values', W2, { pool: 2, density: 0.05, trials: 120, seed: 3, values: 'sign' }],
  ['CReLU pair, ReLU mode', cs.crelu(W2), { pool: 2, k: 5, mode: 'relu', trials: 80, seed: 4 }],
  ['a stack of two 1-D layers', cs.stack([
    cs.conv1d({ inChannels: 4, outChannels: 8, kernelSize: 3, length: 16, padding: 'same' }).randomize({ seed: 5 }),
    cs.conv1d({ inChannels: 8, outChannels: 12, kernelSize: 3, length: 16 }).randomize({ seed: 6 }),
  ]), { k: 4, trials: 60, seed: 7, values: 'bounded' }],
  ['measure forward only', W1, { k: 10, trials: 200, seed: 8, measure: 'forward' }],
];

test('rip: 1, 2 and 4 workers give the in-thread report bit for bit', async () => {
  for (const [name, W, options] of studies) {
    const want = cs.rip(W, options);
    for (const workers of [1, 2, 4]) assertSameReport(await cs.rip(W, { ...options, workers }), want, `${name}, ${workers} workers`);
  }
});

test('ihtBatch: the same bits as cs.iht on each input, in this thread and on 1, 2 and 4 workers', async () => {
  const count = 7;
  const n = W1.inputSize;
  const xs = new Float32Array(count * n);
  for (let i = 0; i < count; i++) {
    const { z } = cs.sampleModelSparse(W1.outputShape, { k: 10, seed: 9, stream: i });
    xs.set(W1.transpose(z), i * n);
  }
  const options = { pool: 'global' as const, k: 10, iterations: 20 };
  const want = Array.from({ length: count }, (_, i) => cs.iht(W1, xs.subarray(i * n, (i + 1) * n), options));
  const inThread = cs.ihtBatch(W1, xs, options);
  const asArray = cs.ihtBatch(W1, want.map((_, i) => xs.slice(i * n, (i + 1) * n)), options);
  assert.equal(inThread.length, count);
  for (let i = 0; i < count; i++) assert.ok(sameIht(inThread[i]!, want[i]!) && sameIht(asArray[i]!, want[i]!), `input ${i} in thread`);
  for (const workers of [1, 2, 4]) {
    const got = await cs.ihtBatch(W1, xs, { ...options, workers });
    assert.equal(got.length, count);
    for (let i = 0; i < count; i++) assert.ok(sameIht(got[i]!, want[i]!), `input ${i}, ${workers} workers`);
  }
  // A CReLU layer in ReLU mode, unit steps, through the pool.
  const C = cs.crelu(W2);
  const x2 = [W2.transpose(cs.sampleModelSparse(W2.outputShape, { pool: 2, k: 4, seed: 1 }).z), W2.transpose(cs.sampleModelSparse(W2.outputShape, { pool: 2, k: 4, seed: 2 }).z)];
  const opts2 = { pool: 2 as const, k: 8, mode: 'relu' as const, step: 'unit' as const, iterations: 6 };
  const want2 = x2.map((x) => cs.iht(C, x, opts2));
  const got2 = await cs.ihtBatch(C, x2, { ...opts2, workers: 2 });
  for (let i = 0; i < 2; i++) assert.ok(sameIht(got2[i]!, want2[i]!), `CReLU input ${i}`);
});

test('recoverBatch: every method gives the bits of its own call on each input, in this thread and on 1, 2 and 3 workers', async () => {
  const count = 5;
  const n = W1.inputSize;
  const xs = new Float32Array(count * n);
  for (let i = 0; i < count; i++) {
    const { z } = cs.sampleModelSparse(W1.outputShape, { k: 12, seed: 19, stream: i });
    xs.set(W1.transpose(z), i * n);
  }
  const one = (x: Float32Array, method: string, o: Record<string, unknown>): IhtResult => (cs as never as Record<string, (W: unknown, x: Float32Array, o: unknown) => IhtResult>)[method]!.call(cs, W1, x, o);
  for (const [method, extra] of [['cosamp', {}], ['htp', { step: 'unit' }], ['subspacePursuit', { lsIterations: 5 }], ['iht', { step: 'unit' }]] as const) {
    const options = { pool: 'global' as const, k: 12, iterations: 8, ...extra };
    const want = Array.from({ length: count }, (_, i) => one(xs.subarray(i * n, (i + 1) * n), method, options));
    const got = cs.recoverBatch(W1, xs, { method, ...options });
    for (let i = 0; i < count; i++) assert.ok(sameIht(got[i]!, want[i]!), `${method} input ${i} in thread`);
    if (method !== 'iht') for (let i = 0; i < count; i++) assert.equal((got[i] as { lsSteps: number }).lsSteps, (want[i] as unknown as { lsSteps: number }).lsSteps);
    for (const workers of [1, 2, 3]) {
      const par = await cs.recoverBatch(W1, xs, { method, ...options, workers });
      for (let i = 0; i < count; i++) assert.ok(sameIht(par[i]!, want[i]!), `${method} input ${i}, ${workers} workers`);
    }
  }
  // a CReLU pair in ReLU mode, through the pool
  const C = cs.crelu(W2);
  const x2 = [1, 2].map((seed) => W2.transpose(cs.sampleModelSparse(W2.outputShape, { pool: 2, k: 4, seed }).z));
  const opts2 = { pool: 2 as const, k: 8, mode: 'relu' as const, iterations: 4 };
  const want2 = x2.map((x) => cs.cosamp(C, x, opts2));
  const got2 = await cs.recoverBatch(C, x2, { method: 'cosamp', ...opts2, workers: 2 });
  for (let i = 0; i < 2; i++) assert.ok(sameIht(got2[i]!, want2[i]!), `CReLU input ${i}`);
  // bad calls are refused before anything runs (rejected when workers are asked for)
  const x = [new Float32Array(n)];
  const cases: Array<[string, () => unknown, typeof TypeError | typeof RangeError, RegExp]> = [
    ['no method', () => cs.recoverBatch(W1, x, { k: 1 } as never), TypeError, /^convcs\.recoverBatch: option 'method' is required/],
    ['an unknown method', () => cs.recoverBatch(W1, x, { method: 'omp' as never, k: 1 }), TypeError, /^convcs\.recoverBatch: 'method' must be one of 'iht', 'cosamp', 'htp', 'subspacePursuit'/],
    ["cosamp with IHT's step", () => cs.recoverBatch(W1, x, { method: 'cosamp', step: 'unit', k: 1 }), TypeError, /^convcs\.recoverBatch: unknown option 'step'/],
    ['iht with lsIterations', () => cs.recoverBatch(W1, x, { method: 'iht', lsIterations: 3, k: 1 }), TypeError, /^convcs\.recoverBatch: unknown option 'lsIterations'/],
    ['lsTolerance -1', () => cs.recoverBatch(W1, x, { method: 'htp', lsTolerance: -1, k: 1 }), RangeError, /^convcs\.recoverBatch: 'lsTolerance' must be >= 0/],
    ['onIteration', () => cs.recoverBatch(W1, x, { method: 'cosamp', k: 1, onIteration: () => {} } as never), TypeError, /unknown option 'onIteration'/],
  ];
  for (const [name, fn, type, pattern] of cases) {
    assert.throws(fn, (e: unknown) => e instanceof type && pattern.test((e as Error).message), name);
  }
  await assert.rejects(cs.recoverBatch(W1, x, { method: 'sp' as never, k: 1, workers: 2 }), (e: unknown) => e instanceof TypeError && /'method'/.test((e as Error).message));
});

test('sharding: the shards of any split merge into exactly the unsharded report', async () => {
  const options: RipOptions = { pool: 'global', k: 10, trials: 50, seed: 11 };
  const whole = cs.rip(W1, options);
  for (const count of [1, 2, 3, 7, 50]) {
    const shards = Array.from({ length: count }, (_, index) => cs.rip(W1, { ...options, shard: { index, count } }));
    // Contiguous ranges covering every trial once, each the same bits as in the whole run.
    let next = 0;
    for (const [index, r] of shards.entries()) {
      const s = r.shard!;
      assert.equal(s.index, index);
      assert.equal(s.start, next);
      next = s.end;
      assert.ok(sameF64(r.forward, whole.forward.subarray(s.start, s.end)), `count ${count}: shard ${index}'s trials differ`);
      assert.equal(r.trials, options.trials);
    }
    assert.equal(next, options.trials);
    assertSameReport(mergeRipReports(shards), whole, `${count} shards`);
    assertSameReport(cs.mergeRipReports([...shards].reverse()), whole, `${count} shards, reversed`);
    // As they come back from serverless functions: JSON, typed arrays as plain arrays.
    const wire = JSON.parse(JSON.stringify(shards.map((r) => ({
      ...r, forward: Array.from(r.forward), gram: Array.from(r.gram), reconstruction: Array.from(r.reconstruction),
    }))));
    assertSameReport(mergeRipReports(wire), whole, `${count} shards through JSON`);
  }
  // Where delta2K comes from the sums of two codes, not from deltaK.
  const w3 = { k: 1, trials: 30, seed: 2 };
  const w3Whole = cs.rip(W3, w3);
  assert.ok(w3Whole.delta2K > 10 * w3Whole.deltaK);
  assertSameReport(mergeRipReports([0, 1, 2].map((index) => cs.rip(W3, { ...w3, shard: { index, count: 3 } }))), w3Whole, 'identical filters, 3 shards');
  // A shard over workers is the in-thread shard.
  const shard = { index: 1, count: 3 };
  assertSameReport(await cs.rip(W1, { ...options, shard, workers: 2 }), cs.rip(W1, { ...options, shard }), 'shard 1/3 on 2 workers');
  // measure 'forward': delta2K and bound stay NaN through the merge.
  const fwd = { ...options, measure: 'forward' as const };
  assertSameReport(mergeRipReports([0, 1].map((index) => cs.rip(W1, { ...fwd, shard: { index, count: 2 } }))), cs.rip(W1, fwd), 'measure forward');
});

test('mergeRipReports refuses anything but all the shards of one study', () => {
  const options: RipOptions = { k: 10, trials: 12, seed: 12 };
  const s = [0, 1, 2].map((index) => cs.rip(W1, { ...options, shard: { index, count: 3 } }));
  const other = cs.rip(W1, { ...options, seed: 13, shard: { index: 2, count: 3 } });
  const cases: Array<[string, unknown, typeof TypeError | typeof RangeError, RegExp]> = [
    ['no reports', [], TypeError, /reports must be a non-empty array/],
    ['not an array', s[0], TypeError, /reports/],
    ['a missing shard', [s[0], s[1]], RangeError, /3 shards, got 2/],
    ['a shard twice', [s[0], s[1], s[1]], RangeError, /shard 1 is given twice/],
    ['a shard of another study', [s[0], s[1], other], RangeError, /different study/],
    ['an unsharded report', [cs.rip(W1, options)], TypeError, /shard/],
    ['a shortened array', [s[0], s[1], { ...s[2], forward: s[2]!.forward.subarray(1) }], RangeError, /forward must have length 4/],
    ['NaN in an array', [s[0], s[1], { ...s[2], gram: Float64Array.from(s[2]!.gram, (v, i) => (i ? v : NaN)) }], RangeError, /gram\[0\] must be a finite number/],
    ['a bad deltaK', [s[0], s[1], { ...s[2], deltaK: -1 }], TypeError, /deltaK/],
  ];
  for (const [name, reports, type, pattern] of cases) {
    assert.throws(() => mergeRipReports(reports as never), (e: unknown) => e instanceof type && pattern.test((e as Error).message), name);
  }
});

test('a worker that fails mid-run fails the whole call with its error; the pool stays usable', async () => {
  const options: RipOptions = { pool: 'global', k: 10, trials: 240, seed: 14 };
  const want = cs.rip(W1, options);
  await assert.rejects(cs.rip(W1, { ...options, workers: 2, [INJECT_FAULT]: { at: 150, mode: 'throw' } } as RipOptions & { workers: number }),
    (e: unknown) => e instanceof Error && /injected failure at 150/.test(e.message) && /in convcs worker/.test(e.stack ?? ''));
  assertSameReport(await cs.rip(W1, { ...options, workers: 2 }), want, 'after a task threw');
  // A worker thread that dies (exits) fails the call too; the pool starts a new one.
  await assert.rejects(cs.rip(W1, { ...options, workers: 2, [INJECT_FAULT]: { at: 100, mode: 'exit' } } as RipOptions & { workers: number }),
    (e: unknown) => e instanceof Error && /worker thread exited/.test(e.message));
  assertSameReport(await cs.rip(W1, { ...options, workers: 2 }), want, 'after a worker exited');
  // A worker thread that never answers again (busy for good) is stopped by the watchdog.
  await assert.rejects(cs.rip(W1, { ...options, workers: 2, workerTimeout: 2000, [INJECT_FAULT]: { at: 100, mode: 'hang' } } as RipOptions & { workers: number }),
    (e: unknown) => e instanceof Error && /said nothing for \d+ ms while running a task/.test(e.message));
  assertSameReport(await cs.rip(W1, { ...options, workers: 2 }), want, 'after a worker hung');
  // The same for ihtBatch.
  const xs = [0, 1, 2, 3, 4].map((i) => W1.transpose(cs.sampleModelSparse(W1.outputShape, { k: 10, seed: 15, stream: i }).z));
  const ihtOptions = { k: 10, iterations: 5 };
  await assert.rejects(cs.ihtBatch(W1, xs, { ...ihtOptions, workers: 2, [INJECT_FAULT]: { at: 3, mode: 'throw' } } as never), /injected failure at 3/);
  const got = await cs.ihtBatch(W1, xs, { ...ihtOptions, workers: 2 });
  xs.forEach((x, i) => assert.ok(sameIht(got[i]!, cs.iht(W1, x, ihtOptions)), `ihtBatch input ${i} after a failure`));
  // An error thrown by the caller's own onProgress fails the call as it is.
  const mine = new TypeError('stop here');
  await assert.rejects(cs.rip(W1, { ...options, workers: 2, onProgress: () => { throw mine; } }), (e: unknown) => e === mine);
  assertSameReport(await cs.rip(W1, { ...options, workers: 2 }), want, 'after onProgress threw');
});

test("a worker's TypeError or RangeError reaches the caller as the same class and message", () => {
  for (const e of [new TypeError('convcs.rip: t'), new RangeError('convcs.rip: r'), new Error('plain'), Object.assign(new Error('named'), { name: 'AbortError' })]) {
    const back = deserializeError(structuredClone(serializeError(e)), 'convcs worker 0');
    assert.equal(back.constructor, e.constructor);
    assert.equal(back.name, e.name);
    assert.equal(back.message, e.message);
  }
  assert.equal(deserializeError(serializeError('a string'), 'w').message, 'a string');
});

test('bad calls with workers are refused (rejected) before any worker runs', async () => {
  const base: RipOptions = { k: 10, trials: 10, seed: 1 };
  const other = await load();
  const disposed = cs.conv1d({ inChannels: 2, outChannels: 3, kernelSize: 2, length: 6 });
  disposed.dispose();
  const own: LinearOperator = {
    inputShape: W1.inputShape, outputShape: W1.outputShape, inputSize: W1.inputSize, outputSize: W1.outputSize,
    forward: (x) => W1.forward(x), transpose: (z) => W1.transpose(z),
  };
  const cases: Array<[string, () => Promise<unknown>, typeof TypeError | typeof RangeError, RegExp]> = [
    ['workers 0', () => cs.rip(W1, { ...base, workers: 0 }), RangeError, /'workers' must be a positive integer/],
    ['workers 1.5', () => cs.rip(W1, { ...base, workers: 1.5 }), TypeError, /'workers'/],
    ['workers 1000', () => cs.rip(W1, { ...base, workers: 1000 }), RangeError, /'workers' must be at most 256/],
    ['workers "2"', () => cs.rip(W1, { ...base, workers: '2' as never }), TypeError, /'workers'/],
    ['trials -1', () => cs.rip(W1, { ...base, trials: -1, workers: 2 }), RangeError, /'trials'/],
    ['unknown option', () => cs.rip(W1, { ...base, workerz: 2, workers: 2 } as never), TypeError, /unknown option 'workerz'/],
    ["the caller's own operator", () => cs.rip(own, { ...base, workers: 2 }), TypeError, /run without 'workers' for other LinearOperators/],
    ['a disposed operator', () => cs.rip(disposed, { ...base, workers: 2 }), TypeError, /disposed/],
    ['an operator of another instance', () => cs.rip(other.conv1d({ inChannels: 2, outChannels: 3, kernelSize: 2, length: 6 }), { ...base, workers: 2 }), TypeError, /different convcs instance/],
    ['ihtBatch: NaN in an input', () => cs.ihtBatch(W1, [new Float32Array(W1.inputSize).fill(NaN)], { k: 1, workers: 2 }), RangeError, /xs\[0\]\[0\] is NaN/],
    ['ihtBatch: onIteration', () => cs.ihtBatch(W1, [new Float32Array(W1.inputSize)], { k: 1, workers: 2, onIteration: () => {} } as never), TypeError, /unknown option 'onIteration'/],
  ];
  for (const [name, fn, type, pattern] of cases) {
    await assert.rejects(fn(), (e: unknown) => e instanceof type && pattern.test((e as Error).message), name);
  }
  // The same checks without workers, synchronously.
  const sync: Array<[string, () => unknown, typeof TypeError | typeof RangeError, RegExp]> = [
    ['xs a string', () => cs.ihtBatch(W1, 'xs' as never, { k: 1 }), TypeError, /xs must be a Float32Array of inputs end to end/],
    ['xs empty', () => cs.ihtBatch(W1, [], { k: 1 }), RangeError, /at least one input/],
    ['xs of the wrong length', () => cs.ihtBatch(W1, new Float32Array(W1.inputSize + 1), { k: 1 }), RangeError, /positive multiple of 1024/],
    ['xs[1] a Float64Array', () => cs.ihtBatch(W1, [new Float32Array(W1.inputSize), new Float64Array(W1.inputSize) as never], { k: 1 }), TypeError, /xs\[1\] must be a Float32Array/],
    ['k too large', () => cs.ihtBatch(W1, [new Float32Array(W1.inputSize)], { k: 97 }), RangeError, /'k' must be in \[0, 96\]/],
    ['iterations 0', () => cs.ihtBatch(W1, [new Float32Array(W1.inputSize)], { k: 1, iterations: 0 }), RangeError, /'iterations'/],
  ];
  for (const [name, fn, type, pattern] of sync) assert.throws(fn, (e: unknown) => e instanceof type && pattern.test((e as Error).message), name);
});

test('progress, concurrent calls on one pool, and closing the pool', async () => {
  const options: RipOptions = { k: 10, trials: 160, seed: 16 };
  const seen: number[] = [];
  const r = await cs.rip(W1, { ...options, workers: 2, onProgress: (done, total) => { assert.equal(total, 160); seen.push(done); } });
  assert.ok(seen.length >= 2 && seen[seen.length - 1] === 160 && seen.every((d, i) => i === 0 || d > seen[i - 1]!), `progress ${seen}`);
  const [a, b] = await Promise.all([cs.rip(W1, { ...options, workers: 2 }), cs.rip(W2, { pool: 2, k: 3, trials: 40, seed: 17, workers: 2 })]);
  assertSameReport(a, r, 'concurrent call 1');
  assertSameReport(b, cs.rip(W2, { pool: 2, k: 3, trials: 40, seed: 17 }), 'concurrent call 2');
  await cs.closeWorkers();
  assertSameReport(await cs.rip(W1, { ...options, workers: 2 }), r, 'a new pool after closeWorkers');
});

test('setWorkerFactory: workers the caller makes (the Web Worker path), serving with serveWorker()', async () => {
  // A Node worker dressed as a Web Worker: what a bundled browser app hands convcs. Its script
  // imports the package's entry (here the sources' index.ts), as `import { serveWorker } from
  // 'convcs'` does: the entry is what registers the wasm modules.
  const entry = new URL('../src/index.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const factory = (): WorkerLike => {
    const w = new Worker(`import(${JSON.stringify(tsx)}).then((t) => t.register()).then(() => import(${JSON.stringify(entry)})).then((m) => m.serveWorker());`,
      { eval: true, execArgv: [] });
    return {
      postMessage: (m, transfer) => w.postMessage(m, transfer as never),
      addEventListener: (type, fn) => w.on(type, (data: unknown) => fn((type === 'message' ? { data } : { message: String(data), error: data }) as never)),
      terminate: () => w.terminate(),
    };
  };
  const own = await load();
  const W = own.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 });
  await own.setWorkerFactory(factory);
  const options: RipOptions = { k: 10, trials: 90, seed: 18 };
  assertSameReport(await own.rip(W, { ...options, workers: 2 }), cs.rip(W1, options), 'factory workers');
  await assert.rejects(own.setWorkerFactory('worker.js' as never), TypeError);
  await own.closeWorkers();
});

test('the built package (dist/index.mjs, dist/index.cjs) starts its own workers and gives the same bits', async () => {
  const require = createRequire(import.meta.url);
  const esm = await import('../dist/index.mjs' as string) as { load: typeof load };
  const cjs = require('../dist/index.cjs') as { load: typeof load };
  const options = { pool: 'global' as const, k: 10, trials: 100, seed: 19 };
  const want = cs.rip(W1, options);
  for (const [name, mod] of [['esm', esm], ['cjs', cjs]] as const) {
    const c: Convcs = await mod.load();
    const W = c.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 });
    assertSameReport(await c.rip(W, { ...options, workers: 2 }), want, `${name} build, 2 workers`);
    await c.closeWorkers();
  }
});

// Web Workers: the same check in a browser page and in Deno, on the built package. The script
// prints (or titles the page with) whether 2 workers gave the in-thread bits, and the report's
// delta2K as a number to compare with this process.
const webScript = (from: string) => `
import { load } from ${JSON.stringify(from)};
const cs = await load();
const W = cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 });
const o = { pool: 'global', k: 10, trials: 200, seed: 20 };
const a = cs.rip(W, o);
const b = await cs.rip(W, { ...o, workers: 2 });
const same = ['forward', 'gram', 'reconstruction'].every((k) => a[k].every((v, i) => Object.is(v, b[k][i]))) && a.delta2K === b.delta2K;
const xs = [0, 1, 2].map((i) => W.transpose(cs.sampleModelSparse(W.outputShape, { k: 10, seed: 21, stream: i }).z));
const r1 = cs.ihtBatch(W, xs, { k: 10, iterations: 10 });
const r2 = await cs.ihtBatch(W, xs, { k: 10, iterations: 10, workers: 2 });
const sameIht = r1.every((r, i) => r.xHat.every((v, j) => Object.is(v, r2[i].xHat[j])) && r.relativeError === r2[i].relativeError);
// a worker that vanishes without an event once it has a task (as a page kills a Web Worker): the
// call settles with an error in bounded time, and the pool works again afterwards
await cs.setWorkerFactory(() => {
  const w = new Worker(new URL(${JSON.stringify(from)}, import.meta.url), { type: 'module', name: 'convcs-worker' });
  let gone = false;
  return {
    postMessage(m, t) {
      if (gone) return;
      w.postMessage(m, t);
      if (m.type === 'rip') { gone = true; w.terminate(); }
    },
    addEventListener(type, fn) { w.addEventListener(type, (e) => { if (!gone) fn(e); }); },
    terminate() { w.terminate(); },
  };
});
const t0 = performance.now();
let vanished = '';
try { await cs.rip(W, { ...o, workers: 1, workerTimeout: 300 }); } catch (e) { vanished = e.message; }
const settledMs = performance.now() - t0;
await cs.setWorkerFactory(undefined);
const again = await cs.rip(W, { ...o, workers: 2 });
await cs.closeWorkers();
globalThis.result = JSON.stringify({ same, sameIht, delta2K: b.delta2K, vanished, settledMs, recovered: again.delta2K === a.delta2K });
`;

function checkWebResult(where: string, json: string): void {
  const r = JSON.parse(json) as { same: boolean; sameIht: boolean; delta2K: number; vanished: string; settledMs: number; recovered: boolean };
  assert.match(r.vanished, /^convcs: worker 0 said nothing for \d+ ms while running a task/, `${where}: a vanished worker`);
  assert.ok(r.settledMs < 10_000, `${where}: the call took ${r.settledMs} ms to settle`);
  assert.ok(r.recovered, `${where}: the pool gives the right report after a worker vanished`);
  assert.ok(r.same, `${where}: rip on 2 Web Workers differs from the page's own run`);
  assert.ok(r.sameIht, `${where}: ihtBatch on 2 Web Workers differs from the page's own run`);
  assert.equal(r.delta2K, cs.rip(W1, { pool: 'global', k: 10, trials: 200, seed: 20 }).delta2K, `${where}: a different report than Node's`);
}

test('Web Workers (headless Chromium, Deno) on the built package give the same bits', async () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const CHROMIUM = '/usr/bin/chromium';
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const page = `<!doctype html><script type="module">${webScript('/dist/convcs.browser.mjs')}document.title = globalThis.result;</script>`;
  const server = createServer((req, res) => {
    if (req.url === '/') {
      res.setHeader('content-type', 'text/html');
      res.end(page);
    } else if (req.url === '/dist/convcs.browser.mjs') {
      res.setHeader('content-type', 'text/javascript');
      res.end(readFileSync(join(root, 'dist', 'convcs.browser.mjs')));
    } else {
      res.statusCode = 404;
      res.end();
    }
  }).listen(0, '127.0.0.1');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const p = await browser.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await p.waitForFunction(() => document.title.startsWith('{'), null, { timeout: 60_000 }).catch(() => {
      throw new Error(`the page did not finish: ${errors.join('; ') || 'no error reported'}`);
    });
    checkWebResult('Chromium', await p.title());
  } finally {
    await browser.close();
    server.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'convcs-deno-'));
  const script = join(dir, 'workers.mjs');
  writeFileSync(script, `${webScript(new URL('../dist/index.mjs', import.meta.url).href)}console.log(globalThis.result);\n`);
  const env: Record<string, string | undefined> = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  let out: string;
  try {
    out = execFileSync(join(root, 'node_modules', '.bin', 'deno'), ['run', `--allow-read=${root}`, '--no-prompt', script], { env, encoding: 'utf8', timeout: 120_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  checkWebResult('Deno', out.trim().split('\n').pop()!);
});
