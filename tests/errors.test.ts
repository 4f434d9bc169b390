// Bad input is refused with a TypeError or RangeError naming the argument, before any kernel
// runs; afterwards the instance keeps working and gives the same bits as before.
import { test } from 'node:test';
import assert from './assert.js';
import { load, wasmBytes } from '../src/index.js';
import { backends, instance, bitsEqual, randomArray } from './helpers.js';

type Thrower = [name: string, fn: () => unknown, type: typeof TypeError | typeof RangeError, pattern: RegExp];

for (const backend of backends) {
  test(`${backend}: every refused call names its argument and leaves the module intact`, async () => {
    const cs = await instance(backend);
    const W = cs.conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, height: 6, width: 5, padding: 1 });
    W.randomize({ seed: 3 });
    const x = randomArray(W.inputSize, 1);
    const z = randomArray(W.outputSize, 2);
    const reference = () => [W.forward(x), W.transpose(z), cs.randn(100, { seed: 1 }), cs.project(z, { shape: W.outputShape, pool: 2, k: 5 }).z];
    const before = reference();
    const nan = x.slice();
    nan[7] = NaN;
    const inf = z.slice();
    inf[3] = -Infinity;
    const cases: Thrower[] = [
      ['forward: wrong length', () => W.forward(new Float32Array(W.inputSize + 1)), RangeError, /x must hold a positive multiple of 90/],
      ['forward: empty', () => W.forward(new Float32Array(0)), RangeError, /x must hold/],
      ['forward: not Float32Array', () => W.forward([1, 2, 3] as unknown as Float32Array), TypeError, /x must be a Float32Array/],
      ['forward: Float64Array', () => W.forward(new Float64Array(W.inputSize) as unknown as Float32Array), TypeError, /Float64Array/],
      ['forward: NaN', () => W.forward(nan), RangeError, /x\[7\] is NaN/],
      ['forward: out wrong length', () => W.forward(x, new Float32Array(3)), RangeError, /out must have length 120/],
      ['transpose: Infinity', () => W.transpose(inf), RangeError, /z\[3\] is -Infinity/],
      ['transposeSparse: index out of range', () => W.transposeSparse(Int32Array.of(0, 120), Float32Array.of(1, 2)), RangeError, /indices\[1\] = 120/],
      ['transposeSparse: lengths differ', () => W.transposeSparse(Int32Array.of(0, 1), Float32Array.of(1)), RangeError, /values must have length 2/],
      ['transposeSparse: negative index', () => W.transposeSparse(Int32Array.of(-1), Float32Array.of(1)), RangeError, /indices\[0\] = -1/],
      ['setWeights: wrong length', () => W.setWeights(new Float32Array(5)), RangeError, /weights must have length 108/],
      ['randomize: no seed', () => W.randomize({} as never), TypeError, /option 'seed' is required/],
      ['randomize: negative seed', () => W.randomize({ seed: -1 }), RangeError, /'seed'/],
      ['randomize: fractional seed', () => W.randomize({ seed: 1.5 }), TypeError, /'seed'/],
      ['randomize: bad normalize', () => W.randomize({ seed: 1, normalize: 'l2' as never }), TypeError, /'normalize' must be one of 'fan-in', 'unit'/],
      ['conv2d: fractional kernel', () => cs.conv2d({ inChannels: 1, outChannels: 1, kernelSize: 2.5, height: 4, width: 4 }), TypeError, /'kernelSize' must be a positive integer/],
      ['conv2d: zero channels', () => cs.conv2d({ inChannels: 0, outChannels: 1, kernelSize: 2, height: 4, width: 4 }), RangeError, /'inChannels' must be a positive integer, got 0/],
      ['conv2d: empty output', () => cs.conv2d({ inChannels: 1, outChannels: 1, kernelSize: 5, height: 4, width: 4 }), RangeError, /kernel \(5\) is larger than the padded height/],
      ['conv2d: winograd for a 5x5 kernel', () => cs.conv2d({ inChannels: 8, outChannels: 8, kernelSize: 5, height: 9, width: 9, algorithm: 'winograd' }), RangeError, /algorithm 'winograd' needs a 3x3 kernel and stride 1, got kernel 5x5/],
      ['conv2d: winograd with stride 2', () => cs.conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, height: 9, width: 9, stride: 2, algorithm: 'winograd' }), RangeError, /stride 2x2/],
      ['conv2d: winograd4x4 for a 5x5 kernel', () => cs.conv2d({ inChannels: 8, outChannels: 8, kernelSize: 5, height: 9, width: 9, algorithm: 'winograd4x4' }), RangeError, /algorithm 'winograd4x4' needs a 3x3 kernel and stride 1, got kernel 5x5/],
      ['conv2d: winograd4x4 with stride 2', () => cs.conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, height: 9, width: 9, stride: [1, 2], algorithm: 'winograd4x4' }), RangeError, /algorithm 'winograd4x4' .* stride 1x2/],
      ['conv2d: unknown algorithm', () => cs.conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, height: 9, width: 9, algorithm: 'fft' as never }), TypeError, /'algorithm' must be one of 'auto', 'direct', 'winograd', 'winograd4x4'/],
      ['conv2d: same with stride', () => cs.conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, height: 4, width: 4, stride: 2, padding: 'same' }), RangeError, /'same' needs stride 1/],
      ['conv2d: unknown option', () => cs.conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, height: 4, width: 4, dilation: 2 } as never), TypeError, /unknown option 'dilation'/],
      ['conv2d: missing option', () => cs.conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, height: 4 } as never), TypeError, /option 'width' is required/],
      ['conv2d: NaN size', () => cs.conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, height: NaN, width: 4 }), TypeError, /'height'/],
      ['conv2d: too large', () => cs.conv2d({ inChannels: 4096, outChannels: 4096, kernelSize: 3, height: 4096, width: 4096 }), RangeError, /limit is/],
      ['conv2d: bad padding', () => cs.conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, height: 4, width: 4, padding: 'full' as never }), TypeError, /'padding'/],
      ['conv1d: negative padding', () => cs.conv1d({ inChannels: 1, outChannels: 1, kernelSize: 3, length: 8, padding: -1 }), RangeError, /'padding' must be a non-negative integer/],
      ['conv1d: options not an object', () => cs.conv1d(5 as never), TypeError, /options must be an object/],
      ['project: k too large', () => cs.project(z, { shape: W.outputShape, pool: 2, k: 1000 }), RangeError, /'k' must be in \[0, 36\]/],
      ['project: negative k', () => cs.project(z, { shape: W.outputShape, pool: 2, k: -1 }), RangeError, /'k'/],
      ['project: density > 1', () => cs.project(z, { shape: W.outputShape, density: 1.5 }), RangeError, /'density' must be in \[0, 1\]/],
      ['project: density beyond blocks', () => cs.project(z, { shape: W.outputShape, pool: 2, density: 0.5 }), RangeError, /at most one per block/],
      ['project: k and density', () => cs.project(z, { shape: W.outputShape, k: 1, density: 0.1 }), TypeError, /not both/],
      ['project: pool does not fit', () => cs.project(z, { shape: W.outputShape, pool: 7 }), RangeError, /does not fit/],
      ['project: h wrong length', () => cs.project(x, { shape: W.outputShape }), RangeError, /h must have length 120/],
      ['project: bad mode', () => cs.project(z, { shape: W.outputShape, mode: 'max' as never }), TypeError, /'mode'/],
      ['project: bad shape', () => cs.project(z, { shape: [120] }), TypeError, /'shape'/],
      ['unpool: switch outside its block', () => cs.unpool(new Float32Array(36), { shape: W.outputShape, pool: 2, switches: new Int32Array(36) }), RangeError, /switches\[1\] = 0 is not inside block 1/],
      ['randn: negative count', () => cs.randn(-1, { seed: 1 }), RangeError, /'count'/],
      ['randn: fractional count', () => cs.randn(1.5, { seed: 1 }), TypeError, /'count'/],
      ['randn: huge count', () => cs.randn(2 ** 40, { seed: 1 }), RangeError, /'count' must be at most/],
      ['randn: stream too large', () => cs.randn(1, { seed: 1, stream: 2 ** 32 }), RangeError, /'stream'/],
      ['rand: high <= low', () => cs.rand(1, { seed: 1, low: 1, high: 1 }), RangeError, /'high'/],
    ];
    for (const [name, fn, type, pattern] of cases) {
      assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof type, `${name}: expected ${type.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        assert.match((e as Error).message, pattern, name);
        assert.match((e as Error).message, /^convcs\./, name);
        return true;
      }, name);
    }
    const after = reference();
    for (let i = 0; i < before.length; i++) assert.ok(bitsEqual(after[i]!, before[i]!), `result ${i} changed after refused calls`);
    W.dispose();
  });

  test(`${backend}: use after dispose is refused; dispose is idempotent; Symbol.dispose works`, async () => {
    const cs = await instance(backend);
    const W = cs.conv1d({ inChannels: 2, outChannels: 3, kernelSize: 2, length: 5 });
    W.dispose();
    W.dispose();
    assert.equal(W.disposed, true);
    for (const fn of [() => W.forward(new Float32Array(10)), () => W.transpose(new Float32Array(12)), () => W.getWeights(), () => W.randomize({ seed: 1 })]) {
      assert.throws(fn, (e: unknown) => e instanceof TypeError && /has been disposed/.test((e as Error).message));
    }
    {
      using V = cs.conv1d({ inChannels: 2, outChannels: 3, kernelSize: 2, length: 5 });
      assert.equal(V.forward(new Float32Array(10)).length, 12);
      var escaped = V; // eslint-disable-line no-var
    }
    assert.equal(escaped.disposed, true);
  });

  test(`${backend}: a memory cap refuses oversized layers before allocating, and the instance stays usable`, async () => {
    const cs = await load({ backend, maxMemoryBytes: 4 * 1024 * 1024 });
    const small = cs.conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, height: 8, width: 8 });
    const x = randomArray(small.inputSize, 4);
    const h0 = small.forward(x);
    const bytes0 = cs.memoryBytes;
    assert.throws(() => cs.conv2d({ inChannels: 128, outChannels: 128, kernelSize: 3, height: 64, width: 64 }),
      (e: unknown) => e instanceof RangeError && /maxMemoryBytes/.test((e as Error).message));
    assert.ok(cs.memoryBytes <= 4 * 1024 * 1024);
    assert.ok(bitsEqual(small.forward(x), h0));
    // Memory released by the refused allocation is reused: a layer that fits still fits.
    const again = cs.conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, height: 8, width: 8 });
    again.dispose();
    assert.ok(cs.memoryBytes >= bytes0);
  });
}

test('load: options are checked; a precompiled module is accepted; backends are what they say', async () => {
  await assert.rejects(load({ backend: 'gpu' as never }), TypeError);
  await assert.rejects(load({ maxMemoryBytes: 0 }), RangeError);
  await assert.rejects(load({ module: {} as never }), TypeError);
  await assert.rejects(load({ colour: 1 } as never), /unknown option 'colour'/);
  const module = await WebAssembly.compile(wasmBytes('scalar'));
  const cs = await load({ module });
  assert.equal(cs.backend, 'scalar');
  await assert.rejects(load({ module, backend: 'simd' }), RangeError);
  assert.equal((await load()).backend, 'simd'); // Node 20 validates SIMD
  // A WebAssembly module that is not convcs's: a typed refusal, not a failure inside a kernel call.
  const empty = await WebAssembly.compile(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  await assert.rejects(load({ module: empty }), /convcs\.load: the module given is not a convcs module/);
});

test('load() validates the SIMD module once per process, not on every call', async () => {
  await load();
  const validate = WebAssembly.validate;
  let calls = 0;
  WebAssembly.validate = (bytes) => (calls++, validate(bytes));
  try {
    for (let i = 0; i < 3; i++) assert.equal((await load()).backend, 'simd');
  } finally {
    WebAssembly.validate = validate;
  }
  assert.equal(calls, 0, 'a later load() validated the module again');
});
