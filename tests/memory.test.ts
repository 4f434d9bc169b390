// Linear memory: the cap refuses sizes before memory grows, create/use/dispose cycles do not
// leak, the FinalizationRegistry frees operators a caller forgets, and memory growth in the
// middle of a call never hands a caller a detached or live view of wasm memory.
import { test } from 'node:test';
import assert from './assert.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load } from '../src/index.js';
import { winogradSizes } from '../src/conv/choose.js';
import type { Convcs, ConvOperator, LinearOperator } from '../src/index.js';
import { backends, bitsEqual, randomArray, relErr } from './helpers.js';

const MiB = 1024 * 1024;

function refusedByCap(e: unknown): boolean {
  return e instanceof RangeError && /maxMemoryBytes/.test(e.message);
}

for (const backend of backends) {
  test(`${backend}: sizes past maxMemoryBytes are refused before memory grows; later calls give the same bits`, async () => {
    const cap = 8 * MiB;
    const cs = await load({ backend, maxMemoryBytes: cap });
    const W = cs.conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, height: 10, width: 9, padding: 1 }).randomize({ seed: 1 });
    const x = randomArray(W.inputSize, 2);
    const idx = Int32Array.of(0, 5, 5, W.outputSize - 1);
    const val = Float32Array.of(1, -2, 0.5, 3);
    const before = [W.forward(x), W.transposeSparse(idx, val), cs.randn(64, { seed: 3 })];
    // Close to the cap: a 1-D layer whose own buffers fit (about 4.8 MB), but not with rip's scratch.
    const big = cs.conv1d({ inChannels: 1, outChannels: 1, kernelSize: 1, length: 400_000 });
    const bytes = cs.memoryBytes;
    const inUse = cs.engine.heap.inUse;
    const refused: Array<[string, () => unknown]> = [
      ['conv1d past the cap', () => cs.conv1d({ inChannels: 1, outChannels: 1, kernelSize: 1, length: 2 ** 22 })],
      ['conv2d past the cap', () => cs.conv2d({ inChannels: 256, outChannels: 256, kernelSize: 3, height: 64, width: 64 })],
      // Every buffer of this one is under the cap on its own; together they are not.
      ['conv2d whose buffers pass the cap together', () => cs.conv2d({ inChannels: 1, outChannels: 1, kernelSize: 1, height: 512, width: 1024 })],
      ['transposeSparse with more non-zeros than fit', () => W.transposeSparse(new Int32Array(2 ** 21), new Float32Array(2 ** 21))],
      ['rip whose scratch does not fit', () => cs.rip(big, { k: 1, trials: 2, seed: 1 })],
    ];
    for (const [name, fn] of refused) {
      assert.throws(fn, refusedByCap, name);
      assert.equal(cs.memoryBytes, bytes, `${name}: memory grew`);
      assert.equal(cs.engine.heap.inUse, inUse, `${name}: blocks were kept`);
    }
    assert.ok(cs.memoryBytes <= cap);
    const after = [W.forward(x), W.transposeSparse(idx, val), cs.randn(64, { seed: 3 })];
    for (let i = 0; i < before.length; i++) assert.ok(bitsEqual(after[i]!, before[i]!), `result ${i} changed after the refusals`);
    // Room freed by disposing is room again.
    big.dispose();
    const r = cs.rip(cs.conv1d({ inChannels: 1, outChannels: 1, kernelSize: 1, length: 150_000 }), { k: 1, trials: 2, seed: 1 });
    assert.equal(r.forward.length, 2);
    W.dispose();
  });
}

test('the allocator: allocMany is all or nothing, and atomically() gives every block back on a refusal', async () => {
  const cs = await load({ backend: 'scalar', maxMemoryBytes: 4 * MiB });
  const heap = cs.engine.heap;
  const bytes = cs.memoryBytes;
  const inUse = heap.inUse;
  assert.throws(() => heap.allocMany([MiB, MiB, 3 * MiB]), refusedByCap);
  assert.equal(cs.memoryBytes, bytes);
  assert.equal(heap.inUse, inUse);
  assert.throws(() => heap.atomically(() => [heap.alloc(MiB), heap.alloc(MiB), heap.alloc(3 * MiB)]), refusedByCap);
  assert.equal(cs.memoryBytes, bytes);
  assert.equal(heap.inUse, inUse);
  for (const bad of [-1, 1.5, NaN, Infinity]) assert.throws(() => heap.alloc(bad), RangeError, String(bad));
  // A request that fits grows memory once, and its blocks do not overlap.
  const ptrs = heap.atomically(() => heap.allocMany([MiB, 100, MiB]));
  assert.ok(cs.memoryBytes >= ptrs[2]! + MiB);
  assert.ok(ptrs[0]! + MiB <= ptrs[1]! && ptrs[1]! + 112 <= ptrs[2]!);
  for (const p of ptrs) heap.release(p);
  assert.equal(heap.inUse, inUse);
});

test('100,000 create/use/dispose cycles leave linear memory at its warmed-up size', async () => {
  const cs = await load();
  const x = randomArray(2 * 8, 1);
  const z = randomArray(3 * 6, 2);
  const idx = Int32Array.of(0, 4, 4, 17);
  const val = Float32Array.of(1, -1, 0.5, 2);
  const cycle = (i: number) => {
    const W = cs.conv1d({ inChannels: 2, outChannels: 3, kernelSize: 3, length: 8 });
    W.forward(x);
    if (i % 2 === 0) W.transposeSparse(idx, val); // grows the operator's sparse buffers
    else W.transpose(z);
    if (i % 10 === 0) {
      const C = cs.crelu(W);
      cs.reconstruct(C, x, { k: 2 }); // the CReLU view allocates its own scratch
      C.dispose();
    }
    W.dispose();
  };
  for (let i = 0; i < 100; i++) cycle(i);
  const bytes = cs.memoryBytes;
  const inUse = cs.engine.heap.inUse;
  for (let i = 0; i < 100_000; i++) cycle(i);
  assert.equal(cs.memoryBytes, bytes, 'memory grew');
  assert.equal(cs.engine.heap.inUse, inUse, 'blocks were not given back');
  // And the memory is reusable: a fresh operator lands where the cycles' operators did.
  const W = cs.conv1d({ inChannels: 2, outChannels: 3, kernelSize: 3, length: 8 });
  assert.equal(cs.memoryBytes, bytes);
  W.dispose();
});

// Run in a process with --expose-gc: operators that are never disposed must be freed once
// collected. The script prints what it measured as JSON.
const forgetScript = `
const { load } = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
const cs = await load();
const heap = cs.engine.heap;
const base = heap.inUse;
const settle = async () => {
  for (let i = 0; i < 20 && heap.inUse !== base; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 5));
  }
};
function forget() {
  for (let i = 0; i < 200; i++) {
    const W = cs.conv1d({ inChannels: 4, outChannels: 8, kernelSize: 3, length: 64 });
    W.forward(new Float32Array(W.inputSize).fill(1));
    W.transposeSparse(new Int32Array(300), new Float32Array(300).fill(1)); // re-registers with its sparse buffers
  }
}
const rounds = [];
for (let round = 0; round < 4; round++) {
  forget();
  const held = heap.inUse - base;
  await settle();
  rounds.push({ held, after: heap.inUse - base, bytes: cs.memoryBytes });
}
console.log(JSON.stringify(rounds));
`;

test('the FinalizationRegistry frees operators a caller forgets', (t) => {
  let out: string;
  try {
    out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', forgetScript], {
      cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 120_000,
    });
  } catch (e) {
    const msg = String((e as { stderr?: string }).stderr ?? e);
    if (/expose-gc|bad option/i.test(msg)) {
      t.skip(`this Node cannot start a child with --expose-gc: ${msg.split('\n')[0]}`);
      return;
    }
    throw e;
  }
  const rounds = JSON.parse(out.trim().split('\n').pop()!) as Array<{ held: number; after: number; bytes: number }>;
  for (const [i, r] of rounds.entries()) {
    assert.ok(r.held > 1_000_000, `round ${i}: the forgotten operators held only ${r.held} bytes`);
    assert.equal(r.after, 0, `round ${i}: ${r.after} bytes still in use after collection`);
  }
  // Memory freed by the registry is reused: later rounds do not grow it.
  assert.equal(rounds[rounds.length - 1]!.bytes, rounds[0]!.bytes);
});

/** A copy of every typed array in a result, to compare after memory has grown. */
function snapshot(results: unknown[]): Array<[ArrayBufferView & { length: number }, unknown[]]> {
  const out: Array<[ArrayBufferView & { length: number }, unknown[]]> = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 3 || v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v)) {
      out.push([v as ArrayBufferView & { length: number }, Array.from(v as unknown as ArrayLike<unknown>)]);
      return;
    }
    for (const x of Object.values(v)) walk(x, depth + 1);
  };
  for (const r of results) walk(r, 0);
  return out;
}

function growMemory(cs: Convcs): void {
  const before = cs.memoryBytes;
  cs.conv1d({ inChannels: 1, outChannels: 1, kernelSize: 1, length: before / 4 + 65536 }).dispose();
  assert.ok(cs.memoryBytes > before, 'memory did not grow');
}

test('results are never views of wasm memory: they survive memory growth unchanged', async () => {
  const cs = await load();
  const W = cs.conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, height: 6, width: 6, padding: 'same' }).randomize({ seed: 4 });
  const x = randomArray(W.inputSize, 5);
  const h = W.forward(x);
  const p = cs.project(h, { shape: W.outputShape, pool: 2, k: 5 });
  const results: unknown[] = [
    h, W.transpose(h), W.transposeSparse(p.support, Float32Array.from(p.support, (i) => p.z[i]!)), W.getWeights(), p,
    cs.maxPool(h, { shape: W.outputShape, pool: 2 }), cs.unpool(new Float32Array(4 * 9).fill(1), { shape: W.outputShape, pool: 2 }),
    cs.randn(10, { seed: 1 }), cs.rand(10, { seed: 1 }), cs.draws64(4, { seed: 1 }),
    cs.sampleModelSparse(W.outputShape, { k: 3, seed: 2 }), cs.reconstruct(W, x, { k: 3 }), cs.iht(W, x, { k: 3, iterations: 3 }),
    cs.rip(W, { k: 3, trials: 4, seed: 5 }), cs.ihtBatch(W, [x, x], { k: 3, iterations: 2 }), cs.crelu(W).forward(x),
    cs.stack([W]).forward(x), cs.sparseCode(W, x, { iterations: 3 }),
    cs.cosamp(W, x, { k: 3, iterations: 2 }), cs.htp(W, x, { k: 3, iterations: 2 }), cs.subspacePursuit(W, x, { k: 3, iterations: 2 }),
    cs.leastSquares(W, x, { support: p.support }), cs.recoverBatch(W, [x, x], { method: 'cosamp', k: 3, iterations: 2 }),
  ];
  const copies = snapshot(results);
  assert.ok(copies.length > 20);
  for (const [view] of copies) assert.notEqual(view.buffer, cs.engine.abi.memory.buffer, 'a result is a view of wasm memory');
  growMemory(cs); // detaches every view of the old memory
  for (const [i, [view, copy]] of copies.entries()) {
    assert.ok(view.byteLength > 0 || copy.length === 0, `result array ${i} was detached by memory growth`);
    assert.deepEqual(Array.from(view as unknown as ArrayLike<unknown>), copy, `result array ${i} changed`);
  }
  W.dispose();
});

for (const backend of backends) {
  test(`${backend}: memory that grows in the middle of a call gives the same results as memory that did not`, async () => {
    // `fresh` grows during the calls below; `roomy` grew beforehand, so nothing moves there.
    const fresh = await load({ backend });
    const roomy = await load({ backend });
    growMemory(roomy);
    growMemory(roomy);
    const make = (cs: Convcs) => cs.conv2d({ inChannels: 3, outChannels: 5, kernelSize: 3, height: 9, width: 8, stride: 2, padding: 1 }).randomize({ seed: 6 });
    const [A, B] = [make(fresh), make(roomy)];
    const earlier = A.forward(randomArray(A.inputSize, 7));
    const earlierCopy = earlier.slice();

    // First transposeSparse with many non-zeros: its index and value buffers grow memory mid-call.
    const nnz = 400_000;
    const idx = Int32Array.from({ length: nnz }, (_, i) => (i * 7919) % A.outputSize);
    const val = randomArray(nnz, 8);
    const bytes = fresh.memoryBytes;
    const a = A.transposeSparse(idx, val);
    assert.ok(fresh.memoryBytes > bytes, 'the call did not grow memory');
    assert.ok(bitsEqual(a, B.transposeSparse(idx, val)), 'the result differs from the instance that did not grow');
    const dense = new Float32Array(A.outputSize);
    for (let i = 0; i < nnz; i++) dense[idx[i]!]! += val[i]!;
    assert.ok(relErr(a, A.transpose(dense)) < 1e-4, 'the result is not W^T z');
    assert.ok(earlier.byteLength > 0 && bitsEqual(earlier, earlierCopy), 'an earlier result was detached or changed');

    // An operator of the caller's that allocates in its forward: rip's own buffers must be
    // re-read after every step, not held as views.
    const growing = (cs: Convcs, W: ConvOperator): LinearOperator => {
      let calls = 0;
      return {
        inputShape: W.inputShape, outputShape: W.outputShape, inputSize: W.inputSize, outputSize: W.outputSize,
        forward: (v: Float32Array) => {
          if (calls++ < 3) growMemory(cs);
          return W.forward(v);
        },
        transpose: (z: Float32Array) => W.transpose(z),
      };
    };
    const ripA = fresh.rip(growing(fresh, A), { pool: 2, k: 4, trials: 6, seed: 9 });
    const ripB = roomy.rip(growing(roomy, B), { pool: 2, k: 4, trials: 6, seed: 9 });
    for (const key of ['forward', 'gram', 'reconstruction'] as const) {
      assert.ok(bitsEqual(new Float32Array(ripA[key].buffer), new Float32Array(ripB[key].buffer)), `rip ${key} differs`);
    }
    // A CReLU view allocates its scratch lazily, inside iht's first iteration.
    const xs = randomArray(A.inputSize, 10);
    const ihtA = fresh.iht(fresh.crelu(A), xs, { pool: 2, k: 6, iterations: 5, mode: 'relu' });
    const ihtB = roomy.iht(roomy.crelu(B), xs, { pool: 2, k: 6, iterations: 5, mode: 'relu' });
    assert.ok(bitsEqual(ihtA.xHat, ihtB.xHat) && bitsEqual(ihtA.z, ihtB.z), 'iht differs');
    A.dispose();
    B.dispose();
  });
}

// Gaps found while writing these tests (issue 8), now closed.

test('project, iht and the other one-off calls are refused past the cap before memory grows', async () => {
  const cs = await load({ maxMemoryBytes: 4 * MiB });
  const h = new Float32Array(300_000);
  const bytes = cs.memoryBytes;
  assert.throws(() => cs.project(h, { shape: [1, 300_000], pool: 1, k: 3 }), refusedByCap);
  assert.equal(cs.memoryBytes, bytes, 'project grew memory before refusing');
});

test('the pursuits give back their buffers, also when onIteration throws, and are refused past the cap before memory grows', async () => {
  const cs = await load();
  const W = cs.conv1d({ inChannels: 4, outChannels: 8, kernelSize: 3, length: 32 }).randomize({ seed: 1 });
  const x = randomArray(W.inputSize, 2);
  cs.reconstruct(W, x, { k: 3 }); // W's own lazily made sparse scratch is not the calls'
  const base = cs.engine.heap.inUse;
  const stop = new Error('stop');
  for (const run of [
    (o: object) => cs.cosamp(W, x, { k: 5, ...o }), (o: object) => cs.htp(W, x, { k: 5, ...o }), (o: object) => cs.subspacePursuit(W, x, { k: 5, ...o }),
  ]) {
    run({ iterations: 3 });
    assert.equal(cs.engine.heap.inUse, base, 'a finished run left buffers in use');
    assert.throws(() => run({ onIteration: () => { throw stop; } }), (e: unknown) => e === stop);
    assert.equal(cs.engine.heap.inUse, base, 'a run stopped by a throw left buffers in use');
  }
  cs.leastSquares(W, x, { support: Int32Array.of(1, 5, 9) });
  assert.equal(cs.engine.heap.inUse, base, 'leastSquares left buffers in use');
  W.dispose();
  const small = await load({ maxMemoryBytes: 4 * MiB });
  const big = small.conv1d({ inChannels: 1, outChannels: 64, kernelSize: 1, length: 4096 });
  const bytes = small.memoryBytes;
  for (const call of [() => small.cosamp(big, new Float32Array(4096), { k: 3 }), () => small.htp(big, new Float32Array(4096), { k: 3 }),
    () => small.subspacePursuit(big, new Float32Array(4096), { k: 3 })]) {
    assert.throws(call, refusedByCap);
    assert.equal(small.memoryBytes, bytes, 'a pursuit grew memory before refusing');
  }
});

test('a forgotten CReLU view gives back its scratch when collected', () => {
  const script = `
const { load } = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
const cs = await load();
const W = cs.conv1d({ inChannels: 2, outChannels: 4, kernelSize: 3, length: 32 });
const x = new Float32Array(W.inputSize).fill(1);
cs.reconstruct(W, x, { k: 3 }); // W's own lazily made sparse scratch is not the views'
const base = cs.engine.heap.inUse;
(() => { for (let i = 0; i < 50; i++) cs.reconstruct(cs.crelu(W), x, { k: 3 }); })();
for (let i = 0; i < 20; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); }
console.log(cs.engine.heap.inUse - base);
`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 120_000,
  });
  assert.equal(Number(out.trim()), 0, `${out.trim()} bytes of forgotten CReLU scratch still in use`);
});

test('a layer holds only what its chosen paths read: a Winograd layer has no direct-kernel panels', async () => {
  const cs = await load({ backend: 'simd' });
  const spec = { inChannels: 64, outChannels: 64, kernelSize: 3, height: 12, width: 12, padding: 'same' } as const;
  const held = (algorithm: 'auto' | 'direct') => {
    const before = cs.engine.heap.inUse;
    const W = cs.conv2d({ ...spec, algorithm });
    return { W, bytes: cs.engine.heap.inUse - before };
  };
  const wino = held('auto');
  const direct = held('direct');
  assert.equal(wino.W.geometry.algorithm, 'winograd');
  // The two layers differ by exactly the Winograd buffers (held by one) and the direct forward's
  // and dense transpose's panels and offset tables (held by the other); every block is rounded
  // up to 16 bytes, and a path allocates nothing else.
  const round = (n: number) => Math.ceil(n / 16) * 16;
  const w = winogradSizes(wino.W.geometry);
  const winoBytes = [w.U, w.UT, w.P, w.V, w.O].reduce((a, n) => a + round(n * 4), 0);
  const taps = 64 * 9;
  const columns = Math.ceil(taps / 8) * 8;
  const directBytes = round(Math.ceil(64 / 8) * 8 * taps * 4) + round(taps * 4) + round(columns * 64 * 4) + round(columns * 4);
  assert.equal(wino.bytes - direct.bytes, winoBytes - directBytes);
  wino.W.dispose();
  direct.W.dispose();
});
