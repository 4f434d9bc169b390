// Model-based CoSaMP, HTP and Subspace Pursuit, and the least squares under them, against
// independent plain-JavaScript dense-matrix implementations of the same algorithms (the matrix of
// W built column by column from transpose, least squares by a Cholesky solve in f64), plus the
// identities that define them and the paper's Figure 2 setting.
import { test } from 'node:test';
import assert from './assert.js';
import type { Convcs, ConvOperator, LinearOperator, PursuitResult } from '../src/index.js';
import { backends, instance, denseMatrix, randomArray, relErr, norm64 } from './helpers.js';
import type { Geo } from './helpers.js';
import { adj, cglsSteps, cosampRef, fwd, htpRef, lsExact, spRef } from './pursuit-reference.js';
import type { Dense, RefIterate } from './pursuit-reference.js';

// ---------------------------------------------------------------- helpers

function dense(W: ConvOperator): Dense {
  return { A: denseMatrix(W), m: W.outputSize, n: W.inputSize };
}

function geo(W: ConvOperator, ph: number, pw: number): Geo {
  const s = W.outputShape;
  return s.length === 2 ? { K: s[0]!, Ho: 1, Wo: s[1]!, ph: 1, pw } : { K: s[0]!, Ho: s[1]!, Wo: s[2]!, ph, pw };
}

/** A user's LinearOperator: a dense matrix in plain JavaScript, rounded to float32 on the way out. */
function matrixOperator(D: Dense, shape: readonly number[]): LinearOperator {
  return {
    inputShape: [D.n], outputShape: shape, inputSize: D.n, outputSize: D.m,
    forward: (x: Float32Array) => Float32Array.from(fwd(D, x)),
    transpose: (z: Float32Array) => Float32Array.from(adj(D, z)),
  } as unknown as LinearOperator;
}

type Method = 'cosamp' | 'htp' | 'subspacePursuit';

function run(cs: Convcs, method: Method, W: LinearOperator, x: Float32Array, o: Record<string, unknown>): PursuitResult {
  return (cs[method] as (W: LinearOperator, x: Float32Array, o: unknown) => PursuitResult).call(cs, W, x, o);
}

// The small layers of the comparison: a 2-D one with 2x2 pooling, a 1-D one with global pooling.
const small = [
  {
    name: '2-D, 2x2 pooling',
    make: (cs: Convcs) => cs.conv2d({ inChannels: 2, outChannels: 5, kernelSize: 3, height: 6, width: 5, padding: 1 }).randomize({ seed: 4 }),
    pool: 2 as const, ph: 2, pw: 2, k: 5,
  },
  {
    name: '1-D, global pooling',
    make: (cs: Convcs) => cs.conv1d({ inChannels: 4, outChannels: 8, kernelSize: 3, length: 16 }).randomize({ seed: 7 }),
    pool: 'global' as const, ph: 1, pw: 14, k: 3,
  },
];

for (const backend of backends) {
  test(`${backend}: the least squares on a support equals a dense Cholesky solve and satisfies the normal equations`, async () => {
    const cs = await instance(backend);
    const W = small[0]!.make(cs);
    try {
      const D = dense(W);
      const x = randomArray(W.inputSize, 3);
      const support = Int32Array.from([1, 7, 12, 30, 31, 44, 58, 63, 90, 101, 118, 140]);
      const T = Array.from(support);
      const want = lsExact(D, x, T);
      const r = cs.leastSquares(W, x, { support });
      assert.ok(relErr(r.z, want) < 1e-4, `z error ${relErr(r.z, want)}`);
      for (let i = 0; i < W.outputSize; i++) if (!T.includes(i)) assert.equal(r.z[i], 0, `z[${i}] off the support`);
      // the normal equations: the residual is orthogonal to every selected column
      const res = Float64Array.from(adj(D, r.z), (v, i) => x[i]! - v);
      const wres = fwd(D, res);
      const wx = fwd(D, x);
      const lhs = Math.sqrt(T.reduce((s, t) => s + wres[t]! ** 2, 0));
      const rhs = Math.sqrt(T.reduce((s, t) => s + wx[t]! ** 2, 0));
      assert.ok(lhs / rhs < 1e-5, `||W_T r|| / ||W_T x|| = ${lhs / rhs}`);
      assert.ok(r.normalResidual < 1e-5 && Math.abs(r.normalResidual - lhs / rhs) < 1e-5, `reported ${r.normalResidual}, dense ${lhs / rhs}`);
      assert.ok(Math.abs(r.relativeError - norm64(res) / norm64(x)) < 1e-5);
      assert.ok(relErr(r.xHat, adj(D, r.z)) < 1e-5);
      assert.ok(r.iterations > 0 && r.iterations <= 50);
      assert.deepEqual(r.support, support);
      // Starting at the solution costs no step.
      const again = cs.leastSquares(W, x, { support, initial: r.z, tolerance: 1e-4 });
      assert.equal(again.iterations, 0);
      // the empty support: z = 0, nothing to solve
      const none = cs.leastSquares(W, x, { support: new Int32Array(0) });
      assert.ok(none.z.every((v) => v === 0) && none.iterations === 0 && Math.abs(none.relativeError - 1) < 1e-12);
    } finally {
      W.dispose();
    }
  });

  test(`${backend}: each conjugate-gradient step is the dense CGLS step, from zero and warm-started`, async () => {
    const cs = await instance(backend);
    const W = small[1]!.make(cs);
    try {
      const D = dense(W);
      const x = randomArray(W.inputSize, 5);
      const support = Int32Array.from([0, 15, 29, 40, 41, 56, 70, 85, 99]);
      const initial = randomArray(W.outputSize, 6);
      for (const start of [undefined, initial]) {
        for (let steps = 1; steps <= 4; steps++) {
          const r = cs.leastSquares(W, x, { support, iterations: steps, tolerance: 0, ...(start ? { initial: start } : {}) });
          assert.equal(r.iterations, steps);
          const want = cglsSteps(D, x, Array.from(support), start ?? new Float32Array(W.outputSize), steps);
          assert.ok(relErr(r.z, want) < 1e-4, `${start ? 'warm' : 'cold'} step ${steps}: ${relErr(r.z, want)}`);
        }
      }
    } finally {
      W.dispose();
    }
  });

  for (const layer of small) {
    for (const relu of [false, true]) {
      test(`${backend}: CoSaMP, HTP, NHTP and Subspace Pursuit equal dense-matrix implementations, iterate by iterate (${layer.name}${relu ? ', ReLU mode' : ''})`, async () => {
        const cs = await instance(backend);
        const W = layer.make(cs);
        try {
          const D = dense(W);
          const g = geo(W, layer.ph, layer.pw);
          const mode = relu ? 'relu' as const : 'abs' as const;
          // a noisy model-sparse signal, so that the methods take a few iterations
          const { z: z0 } = cs.sampleModelSparse(W.outputShape, { pool: layer.pool, k: layer.k, seed: 21 });
          const noise = randomArray(W.inputSize, 22);
          const clean = W.transpose(z0);
          const x = Float32Array.from(clean, (v, i) => v + 0.05 * noise[i]!);
          const N = 4;
          const refs: Array<[string, Method, Record<string, unknown>, RefIterate[]]> = [
            ['CoSaMP', 'cosamp', {}, cosampRef(D, x, g, layer.k, relu, N)],
            ['HTP', 'htp', { step: 'unit' }, htpRef(D, x, g, layer.k, relu, N, 'unit')],
            ['NHTP', 'htp', { step: 'normalized' }, htpRef(D, x, g, layer.k, relu, N, 'normalized')],
            ['SP', 'subspacePursuit', {}, spRef(D, x, g, layer.k, relu, N)],
          ];
          for (const [name, method, extra, ref] of refs) {
            assert.ok(ref.length >= 2, `${name}: the reference runs ${ref.length} iteration(s)`);
            for (let it = 1; it <= ref.length; it++) {
              const r = run(cs, method, W, x, { pool: layer.pool, k: layer.k, mode, iterations: it, tolerance: 0, ...extra });
              const want = ref[it - 1]!;
              assert.equal(r.iterations, it, `${name}: iterations`);
              assert.deepEqual(Array.from(r.support), want.support, `${name} iteration ${it}: support`);
              assert.ok(relErr(r.z, want.z) < 1e-4, `${name} iteration ${it}: z error ${relErr(r.z, want.z)}`);
              assert.ok(Math.abs(r.relativeError - want.err) < 1e-5, `${name} iteration ${it}: error ${r.relativeError} vs ${want.err}`);
              assert.equal(r.history.length, it);
              assert.equal(r.history[it - 1], r.relativeError);
              assert.ok(relErr(r.xHat, adj(D, r.z)) < 1e-5, `${name}: xHat = W^T z`);
            }
            // Given more iterations, the stopping rules (support repeats, residual stops falling) end the run where the reference ends.
            if (method !== 'cosamp') {
              const long = run(cs, method, W, x, { pool: layer.pool, k: layer.k, mode, iterations: N + 6, tolerance: 0, ...extra });
              const refLong = method === 'htp' ? htpRef(D, x, g, layer.k, relu, N + 6, extra.step as 'unit' | 'normalized') : spRef(D, x, g, layer.k, relu, N + 6);
              assert.equal(long.iterations, refLong.length, `${name}: where the run stops`);
              assert.ok(relErr(long.z, refLong.at(-1)!.z) < 1e-4, `${name}: final z`);
            }
          }
        } finally {
          W.dispose();
        }
      });
    }
  }

  test(`${backend}: the pursuits recover model-sparse codes exactly on the Figure 2 setting`, async () => {
    const cs = await instance(backend);
    const W = cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 });
    try {
      for (const [method, extra] of [['cosamp', {}], ['htp', { step: 'normalized' }], ['htp', { step: 'unit' }], ['subspacePursuit', {}]] as const) {
        for (let trial = 0; trial < 5; trial++) {
          const { z, support } = cs.sampleModelSparse(W.outputShape, { pool: 'global', k: 10, seed: 11, stream: trial });
          const x = W.transpose(z);
          const r = run(cs, method, W, x, { pool: 'global', k: 10, ...extra });
          const what = `${method} ${JSON.stringify(extra)} trial ${trial}`;
          assert.deepEqual(r.support, support, `${what}: support`);
          assert.ok(r.relativeError < 1e-6, `${what}: relative error ${r.relativeError}`);
          assert.ok(relErr(r.z, z) < 1e-5, `${what}: code error ${relErr(r.z, z)}`);
          assert.ok(r.iterations <= 5 && r.lsSteps > 0, `${what}: ${r.iterations} iterations, ${r.lsSteps} CG steps`);
        }
      }
    } finally {
      W.dispose();
    }
  });

  test(`${backend}: a user's LinearOperator, a CReLU pair and a stack run the same algorithms`, async () => {
    const cs = await instance(backend);
    const W = small[0]!.make(cs);
    try {
      const D = dense(W);
      const M = matrixOperator(D, W.outputShape);
      const { z } = cs.sampleModelSparse(W.outputShape, { pool: 2, k: 4, seed: 8 });
      const x = W.transpose(z);
      for (const method of ['cosamp', 'htp', 'subspacePursuit'] as const) {
        const a = run(cs, method, W, x, { pool: 2, k: 4, iterations: 3, tolerance: 0 });
        const b = run(cs, method, M, x, { pool: 2, k: 4, iterations: 3, tolerance: 0 });
        assert.deepEqual(a.support, b.support, `${method}: support`);
        assert.ok(relErr(a.z, b.z) < 1e-4, `${method}: the conv and the matrix differ by ${relErr(a.z, b.z)}`);
      }
      // CReLU pair [W; -W] in ReLU mode: the code of the pair is (z+, z-); a stack of two layers: any code of the top layer.
      const C = cs.crelu(W);
      const zc = new Float32Array(C.outputSize);
      for (let i = 0; i < z.length; i++) zc[z[i]! >= 0 ? i : W.outputSize + i] = Math.abs(z[i]!);
      const xc = C.transpose(zc);
      for (const method of ['cosamp', 'htp', 'subspacePursuit'] as const) {
        const r = run(cs, method, C, xc, { pool: 2, k: 4, mode: 'relu' });
        assert.ok(r.relativeError < 1e-3, `${method} on the CReLU pair: ${r.relativeError}`);
      }
      const W2 = cs.conv2d({ inChannels: 5, outChannels: 6, kernelSize: 3, height: 6, width: 5, padding: 1 }).randomize({ seed: 9 });
      const S = cs.stack([W, W2]);
      const xs = randomArray(S.inputSize, 10);
      const r = cs.cosamp(S, xs, { pool: 2, k: 6, iterations: 5 });
      const ls = cs.leastSquares(S, xs, { support: r.support, initial: r.z });
      assert.ok(ls.relativeError <= r.relativeError + 1e-6, 'the pruned CoSaMP iterate is no better than least squares on its support');
      W2.dispose();
      C.dispose();
    } finally {
      W.dispose();
    }
  });

  test(`${backend}: bad options are refused before anything runs, and the instance stays usable`, async () => {
    const cs = await instance(backend);
    const W = cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 });
    const x = randomArray(W.inputSize, 1);
    const before = cs.memoryBytes;
    const cases: Array<[string, () => unknown, typeof TypeError | typeof RangeError, RegExp]> = [];
    for (const m of ['cosamp', 'htp', 'subspacePursuit'] as const) {
      const call = (o: unknown, xx: unknown = x, WW: unknown = W) => () => run(cs, m, WW as LinearOperator, xx as Float32Array, o as Record<string, unknown>);
      cases.push(
        [m, call({ pool: 'global', k: 97 }), RangeError, new RegExp(`^convcs\\.${m}: 'k' must be in \\[0, 96\\]`)],
        [m, call({ iterations: 0 }), RangeError, new RegExp(`^convcs\\.${m}: 'iterations'`)],
        [m, call({ lsIterations: 1.5 }), TypeError, new RegExp(`^convcs\\.${m}: 'lsIterations'`)],
        [m, call({ lsTolerance: -1 }), RangeError, new RegExp(`^convcs\\.${m}: 'lsTolerance' must be >= 0`)],
        [m, call({ tolerance: NaN }), RangeError, new RegExp(`^convcs\\.${m}: 'tolerance'`)],
        [m, call({ onIteration: 3 }), TypeError, new RegExp(`^convcs\\.${m}: 'onIteration'`)],
        [m, call({ k: 3 }, new Float32Array(5)), RangeError, new RegExp(`^convcs\\.${m}: x must have length 1024`)],
        [m, call({ k: 3 }, new Float32Array(1024).fill(NaN)), RangeError, new RegExp(`^convcs\\.${m}: x\\[0\\] is NaN`)],
        [m, call({ k: 3 }, x, {}), TypeError, new RegExp(`^convcs\\.${m}: the operator must be a LinearOperator`)],
        [m, call({ k: 3, workers: 2 }), TypeError, new RegExp(`^convcs\\.${m}: unknown option 'workers'`)],
      );
    }
    cases.push(
      ['htp', () => cs.htp(W, x, { step: 'big' as never }), TypeError, /^convcs\.htp: 'step' must be one of/],
      ['cosamp', () => cs.cosamp(W, x, { step: 'unit' } as never), TypeError, /^convcs\.cosamp: unknown option 'step'/],
      ['leastSquares', () => cs.leastSquares(W, x, {} as never), TypeError, /^convcs\.leastSquares: option 'support' is required/],
      ['leastSquares', () => cs.leastSquares(W, x, { support: [1, 2] as never }), TypeError, /^convcs\.leastSquares: 'support' must be an Int32Array/],
      ['leastSquares', () => cs.leastSquares(W, x, { support: Int32Array.of(3, 3) }), RangeError, /^convcs\.leastSquares: 'support' must be ascending without repeats/],
      ['leastSquares', () => cs.leastSquares(W, x, { support: Int32Array.of(5, 2688) }), RangeError, /^convcs\.leastSquares: support\[1\] = 2688 is outside \[0, 2688\)/],
      ['leastSquares', () => cs.leastSquares(W, x, { support: Int32Array.of(5), initial: new Float32Array(3) }), RangeError, /^convcs\.leastSquares: 'initial' must have length 2688/],
      ['leastSquares', () => cs.leastSquares(W, x, { support: Int32Array.of(5), iterations: 0 }), RangeError, /^convcs\.leastSquares: 'iterations'/],
    );
    for (const [name, fn, type, pattern] of cases) {
      assert.throws(fn, (e: unknown) => e instanceof type && pattern.test((e as Error).message), `${name}: ${pattern}`);
    }
    assert.equal(cs.memoryBytes, before, 'no refused call grew memory');
    const { z } = cs.sampleModelSparse(W.outputShape, { pool: 'global', k: 10, seed: 3 });
    assert.ok(cs.cosamp(W, W.transpose(z), { k: 10 }).relativeError < 1e-6, 'usable after the refusals');
    W.dispose();
    assert.throws(() => cs.htp(W, x, {}), (e: unknown) => e instanceof TypeError && /^convcs\.htp: .*disposed/.test(e.message));
  });

  test(`${backend}: onIteration sees every iteration and can stop the run; the zero input is recovered as zero`, async () => {
    const cs = await instance(backend);
    const W = small[0]!.make(cs);
    try {
      const x = randomArray(W.inputSize, 12);
      for (const method of ['cosamp', 'htp', 'subspacePursuit'] as const) {
        const seen: number[] = [];
        const r = run(cs, method, W, x, { pool: 2, k: 5, iterations: 10, tolerance: 0, onIteration: (i: number, e: number) => { seen.push(e); return i < 2; } });
        assert.ok(r.iterations <= 2 && seen.length === r.iterations, `${method}: ${r.iterations} iterations, ${seen.length} calls`);
        assert.deepEqual(Array.from(r.history), seen);
        const zero = run(cs, method, W, new Float32Array(W.inputSize), { pool: 2, k: 5 });
        assert.ok(zero.z.every((v) => v === 0) && zero.relativeError === 0, `${method} on x = 0`);
      }
    } finally {
      W.dispose();
    }
  });
}
