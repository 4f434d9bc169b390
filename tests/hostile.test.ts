// Hostile input, round two: one test per class of defect found by trying the package as an
// attacker would. Each asserts the promise that did not hold: a typed convcs. error before anything
// runs or grows, and an instance that afterwards computes exactly what it computed before.
import { test } from 'node:test';
import assert from './assert.js';
import { load } from '../src/index.js';
import type { Convcs, ConvOperator, LinearOperator } from '../src/index.js';
import { bitsEqual, randomArray } from './helpers.js';

const MiB = 1024 * 1024;

/** A layer, an input, and the bits of a reference IHT run and of every operator's forward. */
async function fixture(cs: Convcs) {
  const W = cs.conv1d({ inChannels: 4, outChannels: 12, kernelSize: 5, length: 40 }).randomize({ seed: 1 });
  const x = W.transpose(cs.sampleModelSparse(W.outputShape, { pool: 'global', k: 4, seed: 2 }).z);
  return { W, x, reference: cs.iht(W, x, { pool: 'global', k: 4, iterations: 8 }) };
}

test('an operator in use by a running call cannot be disposed or re-weighted from its callback', async () => {
  const cs = await load();
  const { W, x, reference } = await fixture(cs);
  const other = cs.conv1d({ inChannels: 4, outChannels: 12, kernelSize: 5, length: 40 }).randomize({ seed: 9 });
  const otherWeights = other.getWeights();
  const attempts: Array<[string, (op: ConvOperator) => unknown]> = [
    ['dispose', (op) => op.dispose()],
    ['setWeights', (op) => op.setWeights(new Float32Array(op.weightShape.reduce((a, b) => a * b, 1)))],
    ['randomize', (op) => op.randomize({ seed: 5 })],
  ];
  for (const [what, act] of attempts) {
    const errors: unknown[] = [];
    const r = cs.iht(W, x, {
      pool: 'global', k: 4, iterations: 8,
      onIteration: () => {
        try {
          act(W);
        } catch (e) {
          errors.push(e);
        }
        // what the callback allocates lands anywhere but in W's buffers
        cs.conv1d({ inChannels: 4, outChannels: 12, kernelSize: 5, length: 40 }).randomize({ seed: 3 }).dispose();
      },
    });
    assert.equal(errors.length, 8, `${what}: refused at every iteration`);
    for (const e of errors) {
      assert.ok(e instanceof TypeError, `${what}: ${String(e)}`);
      assert.match((e as Error).message, /^convcs\.ConvOperator\.\w+: this operator is in use by a running call/);
    }
    assert.ok(bitsEqual(r.xHat, reference.xHat), `${what}: the run gave its usual bits`);
  }
  // the same through rip's progress callback and a CReLU view
  const C = cs.crelu(W);
  assert.throws(() => cs.rip(W, { pool: 'global', k: 4, trials: 40, seed: 1, onProgress: () => W.dispose() }), /in use by a running call/);
  assert.throws(() => cs.reconstruct(C, x, { pool: 'global', k: 4 }) && cs.iht(C, x, { pool: 'global', k: 4, iterations: 2, onIteration: () => C.dispose() }), /in use by a running call/);
  assert.ok(bitsEqual(other.getWeights(), otherWeights), 'an unrelated operator keeps its weights');
  // after the runs, the operator is free again
  assert.ok(bitsEqual(cs.iht(W, x, { pool: 'global', k: 4, iterations: 8 }).xHat, reference.xHat));
  W.dispose();
  assert.ok(W.disposed);
});

test('re-entrant runs from a callback compute what they compute alone', async () => {
  const cs = await load();
  const { W, x, reference } = await fixture(cs);
  const inner: Float32Array[] = [];
  const r = cs.iht(W, x, {
    pool: 'global', k: 4, iterations: 8,
    onIteration: (i) => {
      if (i % 3 === 0) inner.push(cs.iht(W, x, { pool: 'global', k: 4, iterations: 8 }).xHat);
    },
  });
  assert.ok(bitsEqual(r.xHat, reference.xHat));
  assert.ok(inner.length > 0 && inner.every((v) => bitsEqual(v, reference.xHat)));
});

test('every one-off call refused by the memory cap leaves memory as it was', async () => {
  // Sweep the cap across the sizes where each call's own buffers stop fitting: whatever part of a
  // call was placed before the refusal, memory must not have grown for it.
  const grew: string[] = [];
  for (let cap = 0.75; cap <= 6; cap += 0.125) {
    const cs = await load({ maxMemoryBytes: Math.round((cap * MiB) / 65536) * 65536 });
    let W: ConvOperator;
    let x: Float32Array;
    try {
      W = cs.conv1d({ inChannels: 8, outChannels: 64, kernelSize: 5, length: 2000 }).randomize({ seed: 1 });
      x = cs.randn(W.inputSize, { seed: 1 });
    } catch {
      continue;
    }
    const plain: LinearOperator = {
      inputShape: W.inputShape, outputShape: W.outputShape, inputSize: W.inputSize, outputSize: W.outputSize,
      forward: (v) => W.forward(v), transpose: (v) => W.transpose(v),
    };
    const h = new Float32Array(W.outputSize);
    const calls: Record<string, () => unknown> = {
      project: () => cs.project(h, { shape: W.outputShape, pool: 2, k: 3 }),
      maxPool: () => cs.maxPool(h, { shape: W.outputShape, pool: 2 }),
      reconstruct: () => cs.reconstruct(W, x, { pool: 2, k: 3 }),
      iht: () => cs.iht(W, x, { pool: 2, k: 300, iterations: 2 }),
      'iht (a plain LinearOperator)': () => cs.iht(plain, x, { pool: 2, k: 300, iterations: 2 }),
      'iht (CReLU)': () => cs.iht(cs.crelu(W), x, { pool: 2, k: 300, iterations: 2 }),
      rip: () => cs.rip(W, { pool: 2, k: 300, trials: 2, seed: 1 }),
      sparseCode: () => cs.sparseCode(W, x, { pool: 2, iterations: 2 }),
      normEstimate: () => cs.normEstimate(W, { iterations: 3 }),
      cosamp: () => cs.cosamp(W, x, { pool: 2, k: 300, iterations: 2 }),
      htp: () => cs.htp(W, x, { pool: 2, k: 300, iterations: 2 }),
      subspacePursuit: () => cs.subspacePursuit(W, x, { pool: 2, k: 300, iterations: 2 }),
      leastSquares: () => cs.leastSquares(W, x, { support: Int32Array.from({ length: 600 }, (_, i) => 3 * i) }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const before = cs.memoryBytes;
      try {
        call();
      } catch (e) {
        assert.ok(e instanceof RangeError && /maxMemoryBytes/.test(e.message), `${name}: ${String(e)}`);
        if (cs.memoryBytes !== before) grew.push(`${name} at a cap of ${cap} MiB: ${before} -> ${cs.memoryBytes} bytes`);
      }
    }
  }
  assert.deepEqual(grew, []);
});

test('a LinearOperator whose getters change between reads is used as first read', async () => {
  const cs = await load();
  const W = cs.conv1d({ inChannels: 2, outChannels: 4, kernelSize: 3, length: 16 }).randomize({ seed: 1 });
  const victim = cs.conv1d({ inChannels: 2, outChannels: 4, kernelSize: 3, length: 16 }).randomize({ seed: 2 });
  const victimWeights = victim.getWeights();
  let reads = 0;
  // outputSize and outputShape answer honestly once, then claim a code 1000 times larger
  const shifty = {
    inputShape: W.inputShape,
    inputSize: W.inputSize,
    get outputSize() {
      return reads++ < 1 ? W.outputSize : W.outputSize * 1000;
    },
    get outputShape() {
      return reads++ < 2 ? W.outputShape : [W.outputShape[0]! * 1000, W.outputShape[1]!];
    },
    forward: (v: Float32Array) => W.forward(v),
    transpose: (z: Float32Array) => W.transpose(z.subarray(0, W.outputSize)),
  } as unknown as LinearOperator;
  const x = cs.randn(W.inputSize, { seed: 3 });
  const r = cs.iht(shifty, x, { pool: 'global', k: 2, iterations: 3 });
  assert.equal(r.z.length, W.outputSize, 'the code has the size first read');
  assert.ok(bitsEqual(victim.getWeights(), victimWeights), 'no other operator was written');
  assert.ok(bitsEqual(r.xHat, cs.iht(W, x, { pool: 'global', k: 2, iterations: 3 }).xHat));
});

test('a CReLU transpose whose halves overflow when subtracted says so, as crelu.transpose', async () => {
  const cs = await load();
  const W = cs.conv1d({ inChannels: 1, outChannels: 2, kernelSize: 3, length: 8 }).randomize({ seed: 1 });
  const C = cs.crelu(W);
  const z = new Float32Array(C.outputSize);
  z[1] = 3e38;
  z[W.outputSize + 1] = -3e38;
  assert.throws(() => C.transpose(z), (e: unknown) => e instanceof RangeError &&
    /^convcs\.crelu\.transpose: z\[1\] - z\[13\] = 3\.0+\d*e\+38 - \(-3\.0+\d*e\+38\) overflows float32/.test((e as Error).message));
  assert.ok(bitsEqual(C.transpose(randomArray(C.outputSize, 4)), C.transpose(randomArray(C.outputSize, 4))));
});

test('shards of different operators, or altered shards, do not merge', async () => {
  const cs = await load();
  const W1 = cs.conv1d({ inChannels: 4, outChannels: 12, kernelSize: 5, length: 40 }).randomize({ seed: 1 });
  const W2 = cs.conv1d({ inChannels: 4, outChannels: 12, kernelSize: 5, length: 40 }).randomize({ seed: 2 });
  const opts = { pool: 'global' as const, k: 3, trials: 40, seed: 7 };
  const shard = (W: LinearOperator, index: number) => cs.rip(W, { ...opts, shard: { index, count: 2 } });
  const whole = cs.rip(W1, opts);
  assert.deepEqual(Array.from(cs.mergeRipReports([shard(W1, 0), shard(W1, 1)]).forward), Array.from(whole.forward));
  // the same shape, other weights: same options, so only the operator's hash tells them apart
  assert.throws(() => cs.mergeRipReports([shard(W1, 0), shard(W2, 1)]), /is from a different study/);
  // a plain LinearOperator is identified by its answer to a probe
  const plain = (W: ConvOperator): LinearOperator => ({
    inputShape: W.inputShape, outputShape: W.outputShape, inputSize: W.inputSize, outputSize: W.outputSize,
    forward: (x) => W.forward(x), transpose: (z) => W.transpose(z),
  });
  assert.throws(() => cs.mergeRipReports([shard(plain(W1), 0), shard(plain(W2), 1)]), /is from a different study/);
  // per-trial values altered next to an unchanged deltaK, through JSON as shards travel
  const json = (r: unknown) => JSON.parse(JSON.stringify(r, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v)));
  for (const value of [2, -1]) {
    const [a, b] = [json(shard(W1, 0)), json(shard(W1, 1))];
    b.forward = b.forward.map(() => value);
    assert.throws(() => cs.mergeRipReports([a, b]), value < 0 ? /must be a finite number >= 0/ : /deltaK is .*, but its forward values give .*: the report was altered/);
  }
  const [a, b] = [json(shard(W1, 0)), json(shard(W1, 1))];
  b.delta2K = b.deltaK / 2;
  assert.throws(() => cs.mergeRipReports([a, b]), /delta2K .* is below its deltaK/);
  assert.deepEqual(Array.from(cs.mergeRipReports([json(shard(W1, 1)), json(shard(W1, 0))]).forward), Array.from(whole.forward), 'untouched JSON shards still merge');
});

test('rand: every draw finite and in [low, high), or a RangeError for bounds float32 cannot hold', async () => {
  const cs = await load();
  for (const [low, high] of <Array<[number, number]>>[[1, 1 + 2 ** -23], [-1, -1 + 2 ** -23], [-(2 ** -149), 0], [0, 2 ** -149], [1e30, 1e30 * (1 + 2 ** -20)], [-3e38, 0], [0, 3.4e38]]) {
    const v = cs.rand(100_000, { seed: 3, low, high });
    const lo = Math.fround(low);
    const hi = Math.fround(high);
    for (let i = 0; i < v.length; i++) {
      if (!(Number.isFinite(v[i]!) && v[i]! >= lo && v[i]! < hi)) assert.fail(`rand [${low}, ${high}): draw ${i} is ${v[i]}`);
    }
  }
  assert.throws(() => cs.rand(4, { seed: 1, low: -3e38, high: 3e38 }), /wider than float32 can hold/);
  assert.throws(() => cs.rand(4, { seed: 1, low: 0, high: 1e39 }), /wider than float32 can hold/);
  assert.throws(() => cs.rand(4, { seed: 1, low: 1, high: 1 + 2 ** -30 }), /are the same float32 number/);
  // the usual bounds keep their bits (pinned elsewhere through the conformance hash)
  assert.ok(bitsEqual(cs.rand(1000, { seed: 5 }), cs.rand(1000, { seed: 5, low: 0, high: 1 })));
});

test('histogram and summarize at the edges of float64: finite edges, counts that add up, a finite mean', async () => {
  const cs = await load();
  const values = [-1.7e308, -1e308, 0, 1e308, 1.7e308];
  for (const options of [{ bins: 4, range: [-1.7e308, 1.7e308] as [number, number] }, { bins: 4 }]) {
    const h = cs.histogram(values, options);
    assert.ok(h.edges.every(Number.isFinite), `edges ${Array.from(h.edges)}`);
    for (let i = 1; i < h.edges.length; i++) assert.ok(h.edges[i]! > h.edges[i - 1]!, 'edges ascend');
    assert.equal(h.edges[0], -1.7e308);
    assert.equal(h.edges[4], 1.7e308);
    assert.equal(h.counts.reduce((a, b) => a + b, 0), values.length, `counts ${Array.from(h.counts)}`);
  }
  const s = cs.summarize([1.7e308, 1.7e308, 1.6e308]);
  assert.ok(Number.isFinite(s.mean) && Math.abs(s.mean - 1.6666666666666667e308) < 1e294, `mean ${s.mean}`);
  const wide = cs.summarize([-1.7e308, 1.7e308]);
  assert.ok(Number.isFinite(wide.median) && Math.abs(wide.median) < 1e292, `median ${wide.median}`);
  // ordinary values keep their usual bits
  assert.equal(cs.summarize([1, 2, 3, 4]).mean, 2.5);
  assert.deepEqual(Array.from(cs.histogram([0, 0.5, 1], { bins: 2 }).edges), [0, 0.5, 1]);
});

test('a worker that vanishes without an event, or never answers, fails the call in bounded time; the pool recovers', async () => {
  const { Worker } = await import('node:worker_threads');
  const cs = await load();
  const W = cs.conv1d({ inChannels: 4, outChannels: 12, kernelSize: 5, length: 40 }).randomize({ seed: 1 });
  const opts = { pool: 'global' as const, k: 3, trials: 40, seed: 7 };
  const reference = cs.rip(W, opts);
  const entry = new URL('../src/index.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  let mode: 'vanish' | 'mute' | 'ok' = 'vanish';
  // Node workers dressed as Web Workers (the setWorkerFactory path), which the test can make vanish
  // (terminated, and no event of it passed on) or mute (alive, but nothing it says passed on)
  await cs.setWorkerFactory(() => {
    const w = new Worker(`import(${JSON.stringify(tsx)}).then((t) => t.register()).then(() => import(${JSON.stringify(entry)})).then((m) => m.serveWorker());`,
      { eval: true, execArgv: [] });
    const how = mode;
    let gone = false;
    return {
      postMessage(m: unknown, transfer?: Transferable[]) {
        if (gone) return;
        w.postMessage(m, transfer as never);
        if ((m as { type?: string }).type === 'rip' && how !== 'ok') {
          gone = true;
          if (how === 'vanish') void w.terminate();
        }
      },
      addEventListener(type: string, fn: (e: never) => void) {
        w.on(type, (data: unknown) => {
          if (!gone) fn((type === 'message' ? { data } : { message: String(data), error: data }) as never);
        });
      },
      terminate: () => w.terminate(),
    };
  });
  for (const how of ['vanish', 'mute'] as const) {
    mode = how;
    const t0 = performance.now();
    await assert.rejects(cs.rip(W, { ...opts, workers: 2, workerTimeout: 300 }), /^Error: convcs: worker \d said nothing for \d+ ms while running a task/);
    assert.ok(performance.now() - t0 < 15_000, `${how}: settled after ${performance.now() - t0} ms`);
  }
  mode = 'ok';
  // (the timeout counts from the task's posting, so it includes a new worker's start-up: default here)
  const r = await cs.rip(W, { ...opts, workers: 2 });
  assert.deepEqual(Array.from(r.forward), Array.from(reference.forward), 'the pool works again, with the same bits');
  await assert.rejects(cs.rip(W, { ...opts, workers: 2, workerTimeout: 0 }), /'workerTimeout' must be a positive integer/);
  await cs.closeWorkers();
});
