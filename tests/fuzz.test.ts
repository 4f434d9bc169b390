// The fuzz suite (its generators live in tests/fuzz/, and `npm run fuzz` runs them for longer):
// 5,000 generated calls of the public API per backend, valid or adversarial. Every call returns
// a checked result or throws convcs's TypeError/RangeError, never a wasm trap or another error,
// and a refused call changes nothing (memory in use, memory size, a reference computation's bits).
// FUZZ_SEED=<n> replays a run; fast-check prints the seed and the shrunk case of a failure.
import { test } from 'node:test';
import assert from './assert.js';
import { load } from '../src/index.js';
import type { LinearOperator } from '../src/index.js';
import { Harness, fuzz } from './fuzz/index.js';
import { backends, bitsEqual, randomArray } from './helpers.js';

const RUNS = 5_000;
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
let total = 0;

for (const backend of backends) {
  test(`${backend}: ${RUNS.toLocaleString('en')} fuzzed calls: a checked result or a TypeError/RangeError, and no trace of refusals`, async () => {
    const h = await Harness.create(backend);
    fuzz(h, { runs: RUNS, seed });
    assert.equal(h.calls, RUNS);
    total += h.calls;
    // Every API was called both ways: the generators reach valid and invalid calls alike.
    for (const [api, t] of h.byApi) {
      // chaos calls are not predicted; callback runs are valid calls whose callbacks misbehave
      if (api.startsWith('chaos') || api.startsWith('callback')) continue;
      assert.ok(t.ok > 0 && t.refused > 0, `${api}: ${t.ok} returned, ${t.refused} refused`);
    }
    assert.ok(h.byApi.size >= 20, `only ${h.byApi.size} APIs were called`);
    for (const api of ['loadWeights', 'callback iht', 'callback rip', 'callback sparseCode']) assert.ok(h.byApi.has(api), `${api} was never called`);
  });
}

test('an instance with 2 threads: 1,000 fuzzed calls keep the same promises (the threads split what is large enough)', async () => {
  const h = await Harness.create('simd', 2);
  assert.equal(h.cs.threads, 2, String(h.cs.threadsNote));
  fuzz(h, { runs: 1_000, seed });
  assert.equal(h.calls, 1_000);
  assert.equal(h.cs.threads, 2, 'the fuzzed calls stopped the threads');
  h.cs.closeThreads();
});

test('npm test makes at least 10,000 fuzzed calls', () => {
  assert.ok(total >= 10_000, `${total} calls`);
});

// Gaps the fuzzing found (issue 8), now closed: each test states the behaviour the issue asks for.

test('iht and reconstruct refuse a LinearOperator whose outputShape does not hold outputSize values', async () => {
  const cs = await load();
  const W = cs.conv1d({ inChannels: 2, outChannels: 3, kernelSize: 2, length: 8 }).randomize({ seed: 1 });
  const x = randomArray(W.inputSize, 2);
  const before = W.forward(x);
  const lying: LinearOperator = {
    inputShape: W.inputShape, outputShape: [1000, 1000], inputSize: W.inputSize, outputSize: W.outputSize,
    forward: (v) => W.forward(v), transpose: (z) => W.transpose(z),
  };
  for (const call of [() => cs.reconstruct(lying, x, { k: 3 }), () => cs.iht(lying, x, { k: 3, iterations: 2 })]) {
    assert.throws(call, RangeError); // it used to be a wasm RuntimeError (out of bounds), or silent corruption
  }
  assert.ok(bitsEqual(W.forward(x), before));
});

test('the JavaScript helpers refuse NaN and Infinity like every kernel entry point', async () => {
  const cs = await load();
  assert.throws(() => cs.histogram([1, NaN], { range: [0, 2] }), RangeError);
  assert.throws(() => cs.summarize([1, NaN]), RangeError);
  assert.throws(() => cs.sparsity(Float32Array.of(NaN, 0)), RangeError);
});
