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
