// The kernel test matrix (issue 13): one test per kernel of assembly/kernels.json, from the
// manifest itself, with its case in tests/kernel-cases.ts. A SIMD kernel is held to its scalar
// reference on the same inputs in the SIMD module; a scalar kernel to plain JavaScript (or a
// float64 oracle), in both modules, which must give the same bits. A kernel without a case fails,
// and so does a case for no kernel. The last tests check the kernels' composition through the
// public API only, across the two modules.
import { test } from 'node:test';
import assert from './assert.js';
import { load } from '../src/index.js';
import type { Convcs } from '../src/index.js';
import { KERNELS, type SimdKernelExports } from '../src/generated/kernels.js';
import { WINOGRAD_DENSE_FROM, sparsePlan } from '../src/conv/choose.js';
import { KERNEL_CASES, type Mod } from './kernel-cases.js';
import { bitsEqual, convReference, randomArray, relErr, transposeReference } from './helpers.js';

const modules = { simd: load({ backend: 'simd' }), scalar: load({ backend: 'scalar' }) };

type Recorded = Float32Array | Int32Array | BigUint64Array | number;

function mod(cs: Convcs, backend: 'simd' | 'scalar', records: Recorded[]): Mod {
  const noSimd = new Proxy({}, {
    get(_, name) {
      throw new Error(`the ${backend} module has no SIMD kernel ${String(name)}`);
    },
  }) as SimdKernelExports;
  return {
    backend,
    e: cs.engine,
    k: cs.engine.abi,
    s: cs.engine.simdAbi ?? noSimd,
    record: (v) => void records.push(v instanceof Float32Array || v instanceof Int32Array || v instanceof BigUint64Array ? v.slice() : v),
  };
}

/** Same bits: arrays by their bytes, numbers by Object.is (so -0 and NaN payloads count). */
function sameRecord(a: Recorded, b: Recorded): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}

const names = new Set<string>(KERNELS.map((k) => k.name));

for (const kernel of KERNELS) {
  const label = kernel.isa === 'simd' ? `${kernel.name} against ${kernel.reference}` : `${kernel.name} (both modules)`;
  test(label, async () => {
    const run = KERNEL_CASES[kernel.name];
    assert.ok(run, `${kernel.name} (assembly/${kernel.file}) has no case in tests/kernel-cases.ts`);
    if (kernel.isa === 'simd') {
      assert.ok(kernel.reference && names.has(kernel.reference), `${kernel.name}: its reference ${kernel.reference} is not a kernel of the manifest`);
      const cs = await modules.simd;
      assert.equal(typeof cs.engine.simdAbi?.[kernel.name as keyof SimdKernelExports], 'function', `the SIMD module lacks ${kernel.name}`);
      run(mod(cs, 'simd', []));
      return;
    }
    const recorded: Record<'simd' | 'scalar', Recorded[]> = { simd: [], scalar: [] };
    for (const backend of ['simd', 'scalar'] as const) run(mod(await modules[backend], backend, recorded[backend]));
    assert.ok(recorded.simd.length > 0, `${kernel.name}: its case records no output to compare between the modules`);
    assert.equal(recorded.scalar.length, recorded.simd.length, `${kernel.name}: the modules recorded different numbers of outputs`);
    recorded.simd.forEach((v, i) => assert.ok(sameRecord(v, recorded.scalar[i]!), `${kernel.name}: output ${i} differs between the SIMD and the scalar module`));
  });
}

test('every case in tests/kernel-cases.ts names a kernel of the manifest', () => {
  const stray = Object.keys(KERNEL_CASES).filter((name) => !names.has(name));
  assert.deepEqual(stray, [], `cases for kernels not in assembly/kernels.json: ${stray.join(', ')}`);
});

// ---- through the public API, across the two modules ----

test('transposeSparse on many-channel layers (blocks of filters, groups per pixel) matches the scalar module within 1e-5', async () => {
  // The plan: 24 columns unless 32 pads much less; blocks of filters past 24 KB of panel rows.
  assert.deepEqual(sparsePlan(512, 512 * 9), { tile: 24, kbShift: 8, blocks: 2, groupTile: 1 });
  assert.deepEqual(sparsePlan(256, 256 * 9), { tile: 24, kbShift: 30, blocks: 1, groupTile: 1 });
  assert.deepEqual(sparsePlan(64, 64 * 9), { tile: 24, kbShift: 30, blocks: 1, groupTile: 4 });
  assert.deepEqual(sparsePlan(64, 27), { tile: 32, kbShift: 30, blocks: 1, groupTile: 1 });
  const simd = await modules.simd;
  const scalar = await modules.scalar;
  const layers = [
    { M: 520, K: 600, H: 5, W: 4, sh: 1, sw: 1, ph: 1, pw: 1, seed: 21 },
    { M: 3, K: 1030, H: 6, W: 5, sh: 2, sw: 1, ph: 1, pw: 0, seed: 22 },
    { M: 96, K: 300, H: 4, W: 7, sh: 1, sw: 2, ph: 0, pw: 1, seed: 23 },
  ];
  for (const s of layers) {
    assert.ok(sparsePlan(s.K, s.M * 9).blocks > 1, `${JSON.stringify(s)}: expected blocks of filters`);
    const opts = { inChannels: s.M, outChannels: s.K, kernelSize: 3, height: s.H, width: s.W, stride: [s.sh, s.sw] as const, padding: [s.ph, s.pw] as const, algorithm: 'direct' as const };
    const a = simd.conv2d(opts).randomize({ seed: s.seed });
    const b = scalar.conv2d(opts).randomize({ seed: s.seed });
    try {
      const z = randomArray(a.outputSize, s.seed + 60);
      // Below 5% the SIMD module scatters whole filters; from 5% on, the sparse GEMM.
      for (const density of [0.02, 0.06, 0.25, 1]) {
        const idx = Int32Array.from([...z.keys()].filter((i) => Math.abs(z[i]!) < density));
        const val = Float32Array.from(idx, (i) => z[i]!);
        const got = a.transposeSparse(idx, val);
        const want = b.transposeSparse(idx, val);
        assert.ok(relErr(got, want) <= 1e-5, `${JSON.stringify(s)} at ${density}: relative error ${relErr(got, want)}`);
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  }
});

test('direct layers: forward gives the same bits in both modules, transpose and transposeSparse agree within 1e-5 and with float64', async () => {
  const simd = await modules.simd;
  const scalar = await modules.scalar;
  // 4x8 and pixel-vectorized forwards, dense 4x8 and pixel transposes, sparse tiles 24 and 32 and
  // the 3x3 kernel onto <= 4 channels.
  const layers = [
    { M: 3, K: 64, H: 9, W: 11, kh: 3, kw: 3, stride: 1, padding: 1 },
    { M: 64, K: 3, H: 7, W: 9, kh: 3, kw: 3, stride: 1, padding: 1 },
    { M: 6, K: 5, H: 6, W: 13, kh: 2, kw: 3, stride: 1, padding: 0 },
    { M: 5, K: 9, H: 7, W: 6, kh: 3, kw: 3, stride: 2, padding: 1 },
    { M: 1, K: 1, H: 1, W: 1, kh: 1, kw: 1, stride: 1, padding: 0 },
  ];
  for (const s of layers) {
    const opts = { inChannels: s.M, outChannels: s.K, kernelSize: [s.kh, s.kw] as const, height: s.H, width: s.W, stride: s.stride, padding: s.padding, algorithm: 'direct' as const };
    const a = simd.conv2d(opts).randomize({ seed: 3 });
    const b = scalar.conv2d(opts).randomize({ seed: 3 });
    try {
      const w = a.getWeights();
      assert.ok(bitsEqual(w, b.getWeights()), 'randomize gives the same weights in both modules');
      const x = randomArray(a.inputSize, 4);
      const z = randomArray(a.outputSize, 5);
      const y = a.forward(x);
      assert.ok(bitsEqual(y, b.forward(x)), `${JSON.stringify(s)}: forward bits differ between modules`);
      assert.ok(relErr(y, convReference(x, w, a.geometry)) <= 1e-5, `${JSON.stringify(s)}: forward vs float64`);
      const xt = a.transpose(z);
      assert.ok(relErr(xt, b.transpose(z)) <= 1e-5, `${JSON.stringify(s)}: transpose differs between modules`);
      assert.ok(relErr(xt, transposeReference(z, w, a.geometry)) <= 1e-5, `${JSON.stringify(s)}: transpose vs float64`);
      const idx = Int32Array.from([...z.keys()].filter((i) => i % 3 === 0));
      const val = Float32Array.from(idx, (i) => z[i]!);
      const xs = a.transposeSparse(idx, val);
      assert.ok(relErr(xs, b.transposeSparse(idx, val)) <= 1e-5, `${JSON.stringify(s)}: transposeSparse differs between modules`);
      // the 3x3 kernel onto <= 4 channels adds in the order of the non-zeros, as the scalar module
      if (a.paths.sparse === 'c4') assert.ok(bitsEqual(xs, b.transposeSparse(idx, val)), `${JSON.stringify(s)}: c4 transposeSparse bits differ from the scalar module`);
      // the paths share the layer's padded scratch: each call leaves nothing behind for the next
      assert.ok(bitsEqual(a.forward(x), y), `${JSON.stringify(s)}: forward after the transposes`);
      assert.ok(bitsEqual(a.transpose(z), xt), `${JSON.stringify(s)}: transpose after transposeSparse`);
      assert.ok(bitsEqual(a.transposeSparse(idx, val), xs), `${JSON.stringify(s)}: transposeSparse after the others`);
    } finally {
      a.dispose();
      b.dispose();
    }
  }
});

test('Winograd: auto picks F(2x2) or F(4x4); the scalar module computes the same bits as the SIMD one; large layers stay within 1e-5 of float64; transposeSparse takes the dense path from WINOGRAD_DENSE_FROM', async () => {
  const simd = await modules.simd;
  const scalar = await modules.scalar;
  const layers = [
    [64, 64, 20, 17, 'same', 'winograd'], // F(4x4) work 0.75 of F(2x2)'s: above WINOGRAD_4X4_MAX_WORK
    [96, 40, 9, 12, 'valid', 'winograd'], // 40 < WINOGRAD_4X4_MIN_CHANNELS
    [8, 8, 33, 2, 1, 'winograd'],
    [64, 72, 30, 26, 'same', 'winograd4x4'], // work 0.63
    [520, 64, 24, 24, 'same', 'winograd'], // work 0.63, but 520 > WINOGRAD_4X4_MAX_CHANNELS
  ] as const;
  for (const [M, K, H, Wd, padding, algorithm] of layers) {
    const opts = { inChannels: M, outChannels: K, kernelSize: 3, height: H, width: Wd, padding };
    const a = simd.conv2d(opts).randomize({ seed: 11 });
    const b = scalar.conv2d(opts).randomize({ seed: 11 });
    try {
      assert.equal(a.geometry.algorithm, algorithm, `${M}->${K} ${H}x${Wd}: auto picks ${algorithm}`);
      const x = randomArray(a.inputSize, 12);
      const z = randomArray(a.outputSize, 13);
      const y = a.forward(x);
      const xt = a.transpose(z);
      assert.ok(bitsEqual(y, b.forward(x)), `${M}->${K}: forward bits differ between modules`);
      assert.ok(bitsEqual(xt, b.transpose(z)), `${M}->${K}: transpose bits differ between modules`);
      const w = a.getWeights();
      assert.ok(relErr(y, convReference(x, w, a.geometry)) <= 1e-5, `${M}->${K}: forward error`);
      assert.ok(relErr(xt, transposeReference(z, w, a.geometry)) <= 1e-5, `${M}->${K}: transpose error`);
      for (const density of [0.1, 0.6]) {
        const idx = Int32Array.from([...z.keys()].filter((i) => (i * 0.618034) % 1 < density));
        const val = Float32Array.from(idx, (i) => z[i]!);
        const code = new Float32Array(z.length);
        for (const i of idx) code[i] = z[i]!;
        const xs = a.transposeSparse(idx, val);
        assert.ok(relErr(xs, transposeReference(code, w, a.geometry)) <= 1e-5, `${M}->${K}: transposeSparse at ${density} vs float64`);
        if (idx.length > WINOGRAD_DENSE_FROM * z.length) {
          assert.ok(bitsEqual(xs, a.transpose(code)), `${M}->${K}: the dense route differs from transpose`);
          assert.ok(bitsEqual(xs, b.transposeSparse(idx, val)), `${M}->${K}: the dense route differs between modules`);
        }
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  }
});
