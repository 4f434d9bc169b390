// Threads (load({ threads })): every path that splits gives the bits of one thread for 2, 3 and 4
// threads, in both modules; bad options are refused; a call that throws in a thread, and a thread
// that dies, fail the call cleanly and leave the instance usable; threads never keep a process
// alive; closeThreads goes back to one thread with the same bits. (The conformance hashes for
// 1, 2 and 4 threads in Node, Deno, Bun and an isolated Chromium page: tests/runtimes.test.ts.)
import { test, after } from 'node:test';
import assert from './assert.js';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../src/index.js';
import type { Convcs, ConvOperator } from '../src/index.js';
import { bitsEqual, backends } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const open: Convcs[] = [];
after(() => { for (const cs of open) cs.closeThreads(); });

async function instance(backend: 'simd' | 'scalar', threads: number): Promise<Convcs> {
  const cs = await load({ backend, threads });
  open.push(cs);
  return cs;
}

/** Every job the instance's team runs from now on, as (where, kernel, calls); `stop` puts the team back as it was. */
function recordJobs(cs: Convcs): { jobs: Array<{ where: string; name: string; calls: number }>; stop: () => void } {
  const team = cs.engine.team!;
  const run = team.run;
  const jobs: Array<{ where: string; name: string; calls: number }> = [];
  team.run = (where, name, calls) => { jobs.push({ where, name, calls: calls.length }); run.call(team, where, name, calls); };
  return { jobs, stop: () => { team.run = run; } };
}

/** Layers that split, one per way of splitting (and the path each one takes, checked below). */
const LAYERS = {
  'winograd F(2x2), by tiles': { inChannels: 24, outChannels: 20, kernelSize: 3, height: 21, width: 26, padding: 'same', algorithm: 'winograd' },
  'winograd F(4x4), by tiles': { inChannels: 16, outChannels: 24, kernelSize: 3, height: 27, width: 22, padding: 'same', algorithm: 'winograd4x4' },
  'winograd F(4x4), by output channels (few tiles)': { inChannels: 20, outChannels: 70, kernelSize: 3, height: 13, width: 11, padding: 'same', algorithm: 'winograd4x4' },
  'direct, by blocks of filters': { inChannels: 6, outChannels: 44, kernelSize: [3, 5], height: 37, width: 33, stride: 2, padding: 1 },
  'pixel, by rows': { inChannels: 3, outChannels: 5, kernelSize: 3, height: 59, width: 45, padding: 'same' },
} as const;

type Outputs = Float32Array[];

function run(cs: Convcs, options: object): { W: ConvOperator; outputs: Outputs } {
  const W = cs.conv2d(options as never).randomize({ seed: 11 });
  const x = cs.randn(2 * W.inputSize, { seed: 12 }); // a batch of two
  const h = W.forward(x);
  const xt = W.transpose(h);
  const first = h.subarray(0, W.outputSize);
  const sparse = cs.project(first, { shape: W.outputShape, pool: 1, density: 0.45 }); // dense enough for the Winograd route
  const xs = W.transposeSparse(sparse.support, Float32Array.from(sparse.support, (i) => sparse.z[i]!));
  const quarter = cs.project(first, { shape: W.outputShape, pool: 2, density: 0.25 }); // the grouped sparse kernels
  const xq = W.transposeSparse(quarter.support, Float32Array.from(quarter.support, (i) => quarter.z[i]!));
  const r = cs.iht(W, xt.subarray(0, W.inputSize), { pool: 2, density: 0.1, iterations: 4, tolerance: 0, step: 'normalized' });
  return { W, outputs: [h, xt, xs, xq, r.z, r.xHat] };
}

for (const backend of backends) {
  test(`${backend}: each splitting path gives the bits of one thread for 2, 3 and 4 threads`, async () => {
    const one = await instance(backend, 1);
    assert.equal(one.threads, 1);
    assert.equal(one.threadsNote, undefined);
    for (const T of [2, 3, 4]) {
      const cs = await instance(backend, T);
      assert.equal(cs.threads, T, `asked for ${T} threads: ${cs.threadsNote}`);
      for (const [name, options] of Object.entries(LAYERS)) {
        const a = run(one, options);
        const b = run(cs, options);
        // the layer takes the path its name says, and splits
        const paths = (b.W as unknown as { paths: { forward: string; transpose: string } }).paths;
        const expected = name.startsWith('winograd F(2') ? 'winograd' : name.startsWith('winograd F(4') ? 'winograd4x4'
          : name.startsWith('direct') || backend === 'scalar' ? 'direct' : 'pixel';
        assert.equal(paths.forward, expected, `${name}: forward path`);
        a.outputs.forEach((v, i) => assert.ok(bitsEqual(v, b.outputs[i]!), `${name}, ${T} threads: output ${i} differs from one thread's`));
        a.W.dispose();
        b.W.dispose();
      }
      cs.closeThreads();
      assert.equal(cs.threads, 1);
      assert.match(String(cs.threadsNote), /closed/);
      const again = run(cs, LAYERS['winograd F(4x4), by tiles']);
      const ref = run(one, LAYERS['winograd F(4x4), by tiles']);
      ref.outputs.forEach((v, i) => assert.ok(bitsEqual(v, again.outputs[i]!), `after closeThreads: output ${i} differs`));
    }
  });
}

for (const backend of backends) {
  test(`${backend}: the projection M(h, k) split by filter maps and by blocks, IHT, NIHT and the sparse transposes give the bits of one thread`, async () => {
    const one = await instance(backend, 1);
    const shape = [36, 90, 91]; // 294,840 entries: large enough to split
    const h = one.randn(36 * 90 * 91, { seed: 21 });
    const cases = [
      { pool: 2, density: 0.1 }, { pool: 2, density: 0.2, mode: 'relu' }, { pool: 3, k: 5000 }, { pool: 'global', k: 30 }, { pool: 2, k: 0 },
      // one block per entry: enough blocks for the top-k's passes to split by ranges of blocks
      { pool: 1, density: 0.3 }, { pool: 1, k: 294_000 }, { pool: 1, density: 0.2, mode: 'relu' },
    ] as const;
    const want = cases.map((c) => one.project(h, { shape, ...c }));
    const layer = { inChannels: 3, outChannels: 36, kernelSize: 3, height: 90, width: 91, padding: 'same' } as const;
    const W1 = one.conv2d(layer).randomize({ seed: 22 });
    const x = one.rand(W1.inputSize, { seed: 23 });
    const ref = one.iht(W1, x, { pool: 2, density: 0.1, iterations: 5, tolerance: 0, step: 'normalized' });
    // supports of half the code: NIHT's comparison of iterates splits by ranges of indices, the top-k by blocks
    const half = { pool: 1, density: 0.5, iterations: 6, tolerance: 0, step: 'normalized' } as const;
    const refHalf = one.iht(W1, x, half);
    // 4% of the code: below one non-zero in 20, the axpy kernel (SIMD), split by rows too
    const sparse = one.project(W1.forward(x), { shape: W1.outputShape, pool: 2, density: 0.04 });
    const values = Float32Array.from(sparse.support, (i) => sparse.z[i]!);
    const xs = W1.transposeSparse(sparse.support, values);
    // a quarter of a 64x128x128 code (262,144 non-zeros): the grouped kernels' regrouping splits by ranges of entries
    const big = { inChannels: 3, outChannels: 64, kernelSize: 3, height: 128, width: 128, padding: 'same' } as const;
    const Wb1 = one.conv2d(big).randomize({ seed: 24 });
    const bigCode = one.project(Wb1.forward(one.rand(Wb1.inputSize, { seed: 25 })), { shape: Wb1.outputShape, pool: 2, density: 0.25 });
    const bigValues = Float32Array.from(bigCode.support, (i) => bigCode.z[i]!);
    const xb = Wb1.transposeSparse(bigCode.support, bigValues);
    for (const T of [2, 3]) {
      const cs = await instance(backend, T);
      cases.forEach((c, i) => {
        const got = cs.project(h, { shape, ...c });
        assert.ok(bitsEqual(got.z, want[i]!.z), `${JSON.stringify(c)}, ${T} threads: z differs`);
        assert.deepEqual(got.support, want[i]!.support, `${JSON.stringify(c)}, ${T} threads: support differs`);
      });
      const W = cs.conv2d(layer).randomize({ seed: 22 });
      const r = cs.iht(W, x, { pool: 2, density: 0.1, iterations: 5, tolerance: 0, step: 'normalized' });
      assert.ok(bitsEqual(r.xHat, ref.xHat) && bitsEqual(r.z, ref.z), `IHT, ${T} threads: differs from one thread`);
      const rh = cs.iht(W, x, half);
      assert.ok(bitsEqual(rh.xHat, refHalf.xHat) && bitsEqual(rh.z, refHalf.z), `NIHT at density 0.5, ${T} threads: differs from one thread`);
      assert.deepEqual(rh.history, refHalf.history, `NIHT at density 0.5, ${T} threads: the error history differs`);
      assert.ok(bitsEqual(W.transposeSparse(sparse.support, values), xs), `sparse transpose at 4%, ${T} threads: differs from one thread`);
      assert.ok(bitsEqual(cs.conv2d(big).randomize({ seed: 24 }).transposeSparse(bigCode.support, bigValues), xb),
        `sparse transpose of 262,144 non-zeros, ${T} threads: differs from one thread`);
      cs.closeThreads();
    }
  });
}

test('the element-wise steps split by ranges (copy, zero, axpy, scal, sub, gather) give the bits of one thread', async () => {
  const { PARALLEL_MIN_FLOATS } = await import('../src/conv/choose.js');
  const n = PARALLEL_MIN_FLOATS.zero + 23; // past every split threshold, and not a multiple of 4
  const run = async (threads: number) => {
    const cs = await instance('simd', threads);
    const e = cs.engine;
    const spy = threads > 1 ? recordJobs(cs) : undefined;
    const xa = cs.randn(n, { seed: 31 }), xb = cs.randn(n, { seed: 32 });
    const [a, b, c, d, idx] = e.allocAll([n * 4, n * 4, n * 4, n * 4, n * 4]) as [number, number, number, number, number];
    e.f32(a, n).set(xa);
    e.f32(b, n).set(xb);
    e.i32(idx, n).set(Int32Array.from({ length: n }, (_, i) => (i * 7919) % n));
    e.k.copy(c, a, n * 4);
    e.k.axpy(Math.fround(0.3), b, c, n);
    e.k.scal(Math.fround(-1.7), c, n);
    e.k.sub(c, a, d, n);
    e.k.gather(d, idx, n, c);
    e.k.zero(a + 40, (n - 20) * 4);
    const out = [e.f32(a, n).slice(), e.f32(c, n).slice(), e.f32(d, n).slice()];
    if (spy) assert.deepEqual([...new Set(spy.jobs.map((j) => j.where))].sort(), ['axpy', 'copy', 'gather', 'scal', 'sub', 'zero'], 'the steps that ran split');
    cs.closeThreads();
    return out;
  };
  const one = await run(1), two = await run(2);
  one.forEach((v, i) => assert.ok(bitsEqual(v, two[i]!), `vector ${i} differs`));
});

test('the padding before a forward splits by channels only when it is long enough to gain (chooseStreamParts), with the bits of one thread', async () => {
  const { PARALLEL_MIN_FLOATS } = await import('../src/conv/choose.js');
  const one = await instance('simd', 1), two = await instance('simd', 2);
  const { jobs, stop } = recordJobs(two);
  const long = { inChannels: 32, outChannels: 8, kernelSize: 3, height: 256, width: 256, padding: 'same' } as const;
  assert.ok(32 * 258 * 258 >= PARALLEL_MIN_FLOATS.copy, 'the long layer pads past the threshold');
  const short = { inChannels: 64, outChannels: 64, kernelSize: 3, height: 56, width: 56, padding: 'same' } as const;
  for (const [layer, splits] of [[long, true], [short, false]] as const) {
    jobs.length = 0;
    const A = one.conv2d(layer).randomize({ seed: 5 }), B = two.conv2d(layer).randomize({ seed: 5 });
    const x = one.randn(A.inputSize, { seed: 6 });
    assert.ok(bitsEqual(A.forward(x), B.forward(x)), `${layer.inChannels}x${layer.height}: the forward differs from one thread's`);
    const names = jobs.map((j) => j.name);
    assert.equal(names.includes('f32_pad2d_chw_scalar'), splits, `${layer.inChannels}x${layer.height}: the padding ${splits ? 'did not split' : 'split'} (${names.join(', ')})`);
    assert.ok(names.length > 0, 'the forward itself ran on the team');
    A.dispose();
    B.dispose();
  }
  stop();
});

test('the Winograd split: by tiles where there are many, by output channels where there are few', async () => {
  const { chooseWinogradSplit } = await import('../src/conv/choose.js');
  assert.equal(chooseWinogradSplit(49, 256, 2), 'channels'); // 256->256 28x28, F(4x4): 7x7 tiles
  assert.equal(chooseWinogradSplit(784, 64, 2), 'tiles'); // 64->64 56x56, F(2x2)
  assert.equal(chooseWinogradSplit(12, 70, 4), 'channels');
  assert.equal(chooseWinogradSplit(12, 24, 4), 'tiles'); // too few channels for 4 parts
});

test('a small layer runs on the calling thread alone (waking threads would cost more than it saves)', async () => {
  const cs = await instance('simd', 2);
  const { jobs, stop } = recordJobs(cs);
  const small = cs.conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, height: 8, width: 8, padding: 'same' }).randomize({ seed: 1 });
  small.forward(cs.randn(small.inputSize, { seed: 2 }));
  assert.equal(jobs.length, 0, 'the small forward woke the threads');
  const big = cs.conv2d(LAYERS['winograd F(2x2), by tiles']).randomize({ seed: 1 });
  big.forward(cs.randn(big.inputSize, { seed: 2 }));
  assert.ok(jobs.length > 0, 'the large forward did not run on the team');
  stop();
});

test('parts without scratch of their own come PARTS_PER_THREAD per thread; Winograd keeps one per thread', async () => {
  const { PARTS_PER_THREAD } = await import('../src/conv/choose.js');
  const cs = await instance('simd', 2);
  const { jobs, stop } = recordJobs(cs);
  const count = (name: string) => jobs.filter((j) => j.name === name).map((j) => j.calls);
  // 3 -> 64: the direct kernel, 8 blocks of 8 filters
  const direct = cs.conv2d({ inChannels: 3, outChannels: 64, kernelSize: 3, height: 96, width: 96, padding: 'same' }).randomize({ seed: 1 });
  const h = direct.forward(cs.rand(direct.inputSize, { seed: 2 }));
  assert.deepEqual(count('f32_conv2d_4x8_simd'), [Math.min(8, 2 * PARTS_PER_THREAD)], 'the direct forward');
  // the projection's block maxima: one part per few filter maps
  jobs.length = 0;
  cs.project(h, { shape: direct.outputShape, pool: 2, density: 0.1 });
  assert.deepEqual(count('f32_block_max_2x2_4x_simd'), [2 * PARTS_PER_THREAD], 'the block maxima');
  // Winograd by tiles: per-thread scratch, one part per thread
  jobs.length = 0;
  const wino = cs.conv2d(LAYERS['winograd F(4x4), by tiles']).randomize({ seed: 3 });
  wino.forward(cs.rand(wino.inputSize, { seed: 4 }));
  assert.deepEqual(count('f32_conv2d_winograd_4x4_3x3_simd'), [2], 'the Winograd forward');
  stop();
  direct.dispose();
  wino.dispose();
});

test('load({ threads }) refuses bad values with a typed error, before starting anything', async () => {
  for (const bad of [0, -1, 65]) {
    await assert.rejects(load({ threads: bad }), (e: Error) => e instanceof RangeError && /convcs\.load: 'threads'/.test(e.message), `threads: ${bad}`);
  }
  for (const bad of ['2', 'all', null, true, {}, 1.5, Number.NaN, Infinity]) {
    await assert.rejects(load({ threads: bad as never }), (e: Error) => e instanceof TypeError && /convcs\.load: 'threads'/.test(e.message), `threads: ${String(bad)}`);
  }
  const auto = await load({ threads: 'auto' });
  open.push(auto);
  assert.ok(auto.threads >= 1 && auto.threads <= 16, `'auto' gave ${auto.threads}`);
});

test('a precompiled module cannot be shared: one thread, and a note that says why', async () => {
  const module = await WebAssembly.compile((await import('../src/index.js')).wasmBytes('simd'));
  const cs = await load({ module, threads: 2 });
  assert.equal(cs.threads, 1);
  assert.match(String(cs.threadsNote), /2 threads were asked for, but a precompiled module was given/);
});

/** A layer whose calls last milliseconds, so that the other thread surely claims one. */
const SLOW = { inChannels: 64, outChannels: 64, kernelSize: 3, height: 40, width: 40, padding: 'same' } as const;

/** The SLOW layer on 2 threads, its twin on 1 thread (same weights), an input and the twin's forward. */
async function slowPair(seed: number) {
  const cs = await instance('simd', 2);
  const ref = await instance('simd', 1);
  const W = cs.conv2d(SLOW).randomize({ seed });
  const W1 = ref.conv2d(SLOW).randomize({ seed });
  const x = cs.randn(W.inputSize, { seed: seed + 1 });
  return { cs, W, W1, x, expected: W1.forward(x) };
}

/**
 * The error of the first of up to 20 calls that fails. An injected fault waits for thread 1's
 * next call, and a job whose two calls both went to the calling thread leaves it pending.
 */
function firstFailure(call: () => unknown): Error | undefined {
  for (let i = 0; i < 20; i++) {
    try {
      call();
    } catch (e) {
      return e as Error;
    }
  }
  return undefined;
}

test('a call that throws in a thread fails the call with its message; the instance, its memory and the caller\'s array are unchanged', async () => {
  const { cs, W, x, expected } = await slowPair(3);
  const memory = cs.memoryBytes;
  const out = new Float32Array(W.outputSize).fill(7);
  cs.engine.team!.injectFault(1, 'throw');
  const error = firstFailure(() => W.forward(x, out));
  assert.ok(error, 'no call failed');
  assert.match(error.message, /^convcs\.forward: a call failed in a thread \(thread 1: convcs: injected failure/);
  assert.ok(out.every((v) => v === 7) || bitsEqual(out, expected), 'the caller\'s array was partly written');
  assert.equal(cs.threads, 2, 'the team stopped after a call that threw');
  assert.equal(cs.memoryBytes, memory);
  assert.ok(bitsEqual(W.forward(x), expected), 'the next call gives other bits');
});

test('a thread that dies fails the call it was in; the instance goes on with one thread and the same bits', async () => {
  const { cs, W, W1, x, expected } = await slowPair(5);
  const team = cs.engine.team!;
  team.stallMs = 400;
  team.injectFault(1, 'exit');
  const error = firstFailure(() => W.forward(x));
  assert.ok(error, 'no call failed');
  assert.match(error.message, /^convcs\.forward: no call finished for \d+ ms: a thread stopped; the call failed, and this instance now runs on one thread/);
  assert.equal(cs.threads, 1);
  assert.match(String(cs.threadsNote), /^the threads stopped \(no call finished for \d+ ms: a thread stopped\); this instance runs on one$/);
  assert.ok(bitsEqual(W.forward(x), expected), 'the instance on one thread gives other bits');
  assert.ok(bitsEqual(W.transpose(expected), W1.transpose(expected)));
});

test('threads never keep a Node process alive, and closeThreads ends them (the built package)', () => {
  const dist = join(root, 'dist', 'index.mjs');
  assert.ok(existsSync(dist), 'dist/index.mjs is missing: npm run build');
  const script = `
    import { load } from ${JSON.stringify(dist)};
    const cs = await load({ threads: 2 });
    const W = cs.conv2d(${JSON.stringify(SLOW)}).randomize({ seed: 1 });
    W.forward(cs.randn(W.inputSize, { seed: 2 }));
    console.log(cs.threads);`;
  const t0 = performance.now();
  const outText = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(outText.trim(), '2');
  assert.ok(performance.now() - t0 < 20_000, 'the process lingered');
});
