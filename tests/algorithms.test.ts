// The paper's algorithms against independent plain-JavaScript dense-matrix implementations
// (the matrix of W built column by column from transpose), and their defining properties.
import { test } from 'node:test';
import assert from './assert.js';
import { load, theorem33Bound, RIP_SECOND_CODE_START } from '../src/index.js';
import type { Convcs, ConvOperator, Iterate, OnIteration } from '../src/index.js';
import { backends, instance, denseMatrix, projectReference, randomArray, relErr, bitsEqual, norm64, dot64, mulberry32 } from './helpers.js';

/** y = A x (A: rows x cols, row-major, f64). */
function matvec(A: Float64Array, x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += A[r * cols + c]! * x[c]!;
    y[r] = s;
  }
  return y;
}
/** y = A^T z */
function matTvec(A: Float64Array, z: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const y = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const zr = z[r]!;
    if (zr === 0) continue;
    for (let c = 0; c < cols; c++) y[c] = y[c]! + A[r * cols + c]! * zr;
  }
  return y;
}

function fig2Layer(cs: Convcs, padding: 'valid' | 'same' = 'valid'): ConvOperator {
  return cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32, padding }).randomize({ seed: 1 });
}

for (const backend of backends) {
  test(`${backend}: unit-step IHT equals a dense-matrix JavaScript IHT`, async () => {
    const cs = await instance(backend);
    const W = cs.conv2d({ inChannels: 2, outChannels: 5, kernelSize: 3, height: 6, width: 5, padding: 1 }).randomize({ seed: 4, normalize: 'unit' });
    try {
      const A = denseMatrix(W);
      const [K, Ho, Wo] = W.outputShape as [number, number, number];
      const g = { K, Ho, Wo, ph: 2, pw: 2 };
      const x = randomArray(W.inputSize, 8);
      // Reference: Algorithm 1 with mu = 1, in f64 with the reference projection.
      let z: Float32Array = new Float32Array(W.outputSize);
      let xHat: Float64Array = new Float64Array(W.inputSize);
      for (let i = 0; i < 3; i++) {
        const d = Float64Array.from(x, (v, j) => v - xHat[j]!);
        const grad = matvec(A, d, W.outputSize, W.inputSize);
        const b = Float32Array.from(z, (v, j) => v + grad[j]!);
        z = projectReference(b, g, 8, false);
        xHat = matTvec(A, z, W.outputSize, W.inputSize);
      }
      const r = cs.iht(W, x, { pool: 2, k: 8, iterations: 3, step: 'unit', tolerance: 0 });
      assert.equal(r.iterations, 3);
      assert.ok(relErr(r.z, z) < 1e-4, `z error ${relErr(r.z, z)}`);
      assert.ok(relErr(r.xHat, xHat) < 1e-4);
      const e = norm64(Float64Array.from(x, (v, j) => v - xHat[j]!)) / norm64(x);
      assert.ok(Math.abs(r.relativeError - e) < 1e-4);
      assert.equal(r.history.length, 3);
      assert.equal(r.history[2], r.relativeError);
    } finally {
      W.dispose();
    }
  });

  test(`${backend}: reconstruct is exactly one IHT iteration from zero`, async () => {
    const cs = await instance(backend);
    const W = cs.conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, height: 9, width: 9, stride: 2 }).randomize({ seed: 2 });
    try {
      const x = randomArray(W.inputSize, 3);
      const one = cs.reconstruct(W, x, { pool: 2, density: 0.1, mode: 'relu' });
      const it = cs.iht(W, x, { pool: 2, density: 0.1, mode: 'relu', iterations: 1, step: 'unit' });
      assert.ok(bitsEqual(one.z, it.z) && bitsEqual(one.xHat, it.xHat));
      assert.deepEqual(one.support, it.support);
      assert.equal(one.relativeError, it.relativeError);
      // and it is the layer and its transpose through the public pieces
      const z = cs.project(W.forward(x), { shape: W.outputShape, pool: 2, density: 0.1, mode: 'relu' }).z;
      assert.ok(bitsEqual(one.z, z));
      assert.ok(relErr(one.xHat, W.transpose(z)) < 1e-5);
    } finally {
      W.dispose();
    }
  });

  test(`${backend}: IHT recovers model-sparse codes exactly on the Figure 2 setting within 20 iterations`, async () => {
    const cs = await instance(backend);
    const W = fig2Layer(cs);
    try {
      for (const step of ['normalized', 'unit'] as const) {
        for (let trial = 0; trial < 5; trial++) {
          const { z, support } = cs.sampleModelSparse(W.outputShape, { pool: 'global', k: 10, seed: 11, stream: trial });
          const x = W.transpose(z);
          const r = cs.iht(W, x, { pool: 'global', k: 10, iterations: 20, step });
          assert.deepEqual(r.support, support, `${step} trial ${trial}: support`);
          assert.ok(relErr(r.z, z) < 1e-4, `${step} trial ${trial}: code error ${relErr(r.z, z)}`);
          assert.ok(r.relativeError < 1e-4 && r.iterations <= 20);
        }
      }
    } finally {
      W.dispose();
    }
  });

  test(`${backend}: rip statistics equal a dense-matrix computation on the same codes, and are reproducible`, async () => {
    const cs = await instance(backend);
    const W = cs.conv1d({ inChannels: 3, outChannels: 6, kernelSize: 3, length: 10 }).randomize({ seed: 3 });
    try {
      const A = denseMatrix(W);
      const trials = 25;
      const r = cs.rip(W, { pool: 2, k: 4, trials, seed: 77 });
      const [K, n] = W.outputShape as [number, number];
      for (let t = 0; t < trials; t++) {
        const { z } = cs.sampleModelSparse(W.outputShape, { pool: 2, k: 4, seed: 77, stream: t });
        const x = matTvec(A, z, W.outputSize, W.inputSize);
        const h = matvec(A, x, W.outputSize, W.inputSize);
        assert.ok(Math.abs(r.forward[t]! - norm64(x) / norm64(z)) < 1e-5);
        assert.ok(Math.abs(r.gram[t]! - norm64(h) / norm64(z)) < 1e-5);
        const zHat = projectReference(Float32Array.from(h), { K, Ho: 1, Wo: n, ph: 1, pw: 2 }, 4, false);
        const xHat = matTvec(A, zHat, W.outputSize, W.inputSize);
        const e = norm64(Float64Array.from(xHat, (v, j) => v - x[j]!)) / norm64(x);
        assert.ok(Math.abs(r.reconstruction[t]! - e) < 1e-4, `trial ${t}: ${r.reconstruction[t]} vs ${e}`);
      }
      const dk = Math.max(...Array.from(r.forward, (v) => Math.abs(v * v - 1)));
      assert.equal(r.deltaK, dk);
      // delta2K from the dense matrix: trial t's sum of two codes (the second drawn at
      // RIP_SECOND_CODE_START of stream t), |‖A^T (z1 + z2)‖² / ‖z1 + z2‖² - 1|, maximised with the
      // single codes' values as in the paper's definition
      let d2 = 0;
      for (let t = 0; t < trials; t++) {
        const z1 = cs.sampleModelSparse(W.outputShape, { pool: 2, k: 4, seed: 77, stream: t }).z;
        const z2 = cs.sampleModelSparse(W.outputShape, { pool: 2, k: 4, seed: 77, stream: t, start: RIP_SECOND_CODE_START }).z;
        assert.ok(!bitsEqual(z1, z2), 'the second code is another code');
        const sum = Float64Array.from(z1, (v, i) => v + z2[i]!);
        const x = matTvec(A, sum, W.outputSize, W.inputSize);
        d2 = Math.max(d2, Math.abs((norm64(x) / norm64(sum)) ** 2 - 1));
      }
      const d2Ref = Math.max(d2, dk);
      assert.ok(Math.abs(r.delta2K - d2Ref) <= 1e-5 * Math.max(1, d2Ref), `delta2K ${r.delta2K}, dense ${d2Ref}`);
      // Theorem 3.3's bound, 5 d2k / (1 - dk) sqrt((1 + d2k) / (1 - d2k)), written out from those
      const boundRef = d2Ref < 1 && dk < 1 ? ((5 * d2Ref) / (1 - dk)) * Math.sqrt((1 + d2Ref) / (1 - d2Ref)) : Infinity;
      assert.ok(boundRef === Infinity ? r.bound === Infinity : Math.abs(r.bound - boundRef) <= 1e-4 * boundRef, `bound ${r.bound}, dense ${boundRef}`);
      const again = cs.rip(W, { pool: 2, k: 4, trials, seed: 77 });
      assert.deepEqual(again.forward, r.forward);
      assert.deepEqual(again.reconstruction, r.reconstruction);
      assert.equal(again.delta2K, r.delta2K);
      assert.notDeepEqual(cs.rip(W, { pool: 2, k: 4, trials, seed: 78 }).forward, r.forward);
      // A prefix of the trials is the same whatever the total: trial t only uses stream t.
      assert.deepEqual(cs.rip(W, { pool: 2, k: 4, trials: 10, seed: 77 }).forward, r.forward.subarray(0, 10));
      assert.equal(r.summary.forward.max, Math.max(...r.forward));
      // measure 'forward' draws the same codes and skips the rest.
      const fwd = cs.rip(W, { pool: 2, k: 4, trials, seed: 77, measure: 'forward' });
      assert.deepEqual(fwd.forward, r.forward);
      assert.equal(fwd.deltaK, r.deltaK);
      assert.equal(fwd.gram.length, 0);
      assert.ok(Number.isNaN(fwd.delta2K) && Number.isNaN(fwd.bound));
    } finally {
      W.dispose();
    }
  });

  test(`${backend}: sparseCode reaches the l1 optimum (optimality conditions) and refits on the pooled support`, async () => {
    const cs = await instance(backend);
    const W = cs.conv1d({ inChannels: 2, outChannels: 4, kernelSize: 3, length: 12 }).randomize({ seed: 5 });
    try {
      const A = denseMatrix(W);
      const x = randomArray(W.inputSize, 12);
      const lambda = 0.05;
      const check = (z: Float32Array, mask: (i: number) => boolean) => {
        // grad of ||x - A^T z||^2 is 2 A (A^T z - x); optimality: g_i = -lambda sign(z_i) on the
        // non-zeros, |g_i| <= lambda on the zeros (of the allowed support).
        const r = Float64Array.from(matTvec(A, z, W.outputSize, W.inputSize), (v, j) => v - x[j]!);
        const g = matvec(A, r, W.outputSize, W.inputSize).map((v) => 2 * v);
        for (let i = 0; i < z.length; i++) {
          if (!mask(i)) { assert.equal(z[i], 0); continue; }
          if (z[i] !== 0) assert.ok(Math.abs(g[i]! + lambda * Math.sign(z[i]!)) < 2e-3, `i=${i} g=${g[i]} z=${z[i]}`);
          else assert.ok(Math.abs(g[i]!) <= lambda + 2e-3, `i=${i} |g|=${Math.abs(g[i]!)}`);
        }
      };
      // pool 1: every entry is its own block, so step 2 keeps everything: the plain l1 optimum.
      const full = cs.sparseCode(W, x, { pool: 1, lambda, iterations: 3000 });
      check(full.z, () => true);
      assert.ok(full.lipschitz > 0 && full.lambda === lambda);
      // A known Lipschitz constant skips the power iteration and gives the same solution.
      const again = cs.sparseCode(W, x, { pool: 1, lambda, iterations: 3000, lipschitz: full.lipschitz });
      assert.ok(bitsEqual(again.z, full.z), 'same z with the Lipschitz constant given');
      // pool 'global': one survivor per filter, then the optimum restricted to it.
      const pooled = cs.sparseCode(W, x, { pool: 'global', lambda, iterations: 3000 });
      const [K, n] = W.outputShape as [number, number];
      const survivors = new Set<number>();
      for (const i of pooled.support) survivors.add(i);
      for (let f = 0; f < K; f++) assert.ok(pooled.support.filter((i) => Math.floor(i / n) === f).length <= 1);
      // the allowed support is the max-pool switches of step 1; every non-zero is one of them
      check(pooled.z, (i) => survivors.has(i) || pooled.z[i] !== 0);
      assert.ok(pooled.relativeError >= full.relativeError - 1e-6);
      assert.ok(Math.abs(pooled.relativeError - norm64(Float64Array.from(pooled.xHat, (v, j) => v - x[j]!)) / norm64(x)) < 1e-5);
    } finally {
      W.dispose();
    }
  });

  test(`${backend}: coherence equals brute force over filters and over all rows of W`, async () => {
    const cs = await instance(backend);
    for (const [stride, l] of [[1, 3], [2, 4], [3, 2]] as const) {
      const W = cs.conv1d({ inChannels: 3, outChannels: 7, kernelSize: l, length: 14, stride }).randomize({ seed: 6 + stride });
      try {
        const w = W.getWeights();
        const taps = 3 * l;
        const unit = (f: number) => {
          const v = Array.from(w.subarray(f * taps, (f + 1) * taps));
          const nn = Math.sqrt(dot64(v, v));
          return v.map((x) => x / nn);
        };
        let filters = 0;
        for (let a = 0; a < 7; a++) for (let b = a + 1; b < 7; b++) filters = Math.max(filters, Math.abs(dot64(unit(a), unit(b))));
        const A = denseMatrix(W);
        const rows = W.outputSize;
        const cols = W.inputSize;
        const rn = Array.from({ length: rows }, (_, r) => Math.sqrt(dot64(A.subarray(r * cols, (r + 1) * cols), A.subarray(r * cols, (r + 1) * cols))));
        let rowsMax = 0;
        for (let a = 0; a < rows; a++) for (let b = a + 1; b < rows; b++) {
          rowsMax = Math.max(rowsMax, Math.abs(dot64(A.subarray(a * cols, (a + 1) * cols), A.subarray(b * cols, (b + 1) * cols))) / (rn[a]! * rn[b]!));
        }
        const c = cs.coherence(W);
        assert.ok(Math.abs(c.filters - filters) < 1e-5, `filters ${c.filters} vs ${filters}`);
        assert.ok(Math.abs(c.rows - rowsMax) < 1e-5, `rows ${c.rows} vs ${rowsMax} (stride ${stride})`);
        assert.ok(Number.isNaN(cs.coherence(W, { rows: false }).rows));
      } finally {
        W.dispose();
      }
    }
  });

  test(`${backend}: Proposition 1: the CReLU pair of an orthonormal W reconstructs perfectly`, async () => {
    const cs = await instance(backend);
    // Non-overlapping filters (l = stride) forming an orthonormal basis of each patch: W is orthonormal.
    const M = 2, l = 4, D = 16, K = M * l;
    const W = cs.conv1d({ inChannels: M, outChannels: K, kernelSize: l, length: D, stride: l });
    const rnd = mulberry32(5);
    const basis: number[][] = [];
    while (basis.length < K) {
      const v = Array.from({ length: K }, () => rnd() - 0.5);
      for (const b of basis) { const p = dot64(v, b); for (let i = 0; i < K; i++) v[i] = v[i]! - p * b[i]!; }
      const nn = Math.sqrt(dot64(v, v));
      basis.push(v.map((x) => x / nn));
    }
    W.setWeights(Float32Array.from(basis.flat()));
    const C = cs.crelu(W);
    try {
      assert.deepEqual([...C.outputShape], [2 * K, D / l]);
      const x = randomArray(W.inputSize, 21);
      // ReLU of [Wx; -Wx], no pooling (each entry its own block), then [W^T, -W^T].
      const r = cs.reconstruct(C, x, { pool: 1, mode: 'relu' });
      assert.ok(r.relativeError < 1e-6, `relative error ${r.relativeError}`);
      // adjoint identity of the pair
      const z = randomArray(C.outputSize, 22);
      const lhs = dot64(C.forward(x), z);
      const rhs = dot64(x, C.transpose(z));
      assert.ok(Math.abs(lhs - rhs) < 1e-4 * (Math.abs(lhs) + 1));
    } finally {
      C.dispose();
      W.dispose();
    }
  });

  test(`${backend}: a stack encodes with a projection per layer and decodes through the transposes`, async () => {
    const cs = await instance(backend);
    const W1 = cs.conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, height: 8, width: 8, padding: 1 }).randomize({ seed: 1 });
    const W2 = cs.conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, height: 8, width: 8, padding: 1 }).randomize({ seed: 2 });
    try {
      const S = cs.stack([W1, W2]);
      const x = randomArray(S.inputSize, 30);
      const layers = [{ pool: 2, density: 0.1 }, { pool: 2, k: 10 }] as const;
      const r = S.reconstruct(x, { layers: [...layers] });
      const z1 = cs.project(W1.forward(x), { shape: W1.outputShape, ...layers[0] }).z;
      const z2 = cs.project(W2.forward(z1), { shape: W2.outputShape, ...layers[1] }).z;
      assert.ok(bitsEqual(r.codes[0]!, z1) && bitsEqual(r.codes[1]!, z2));
      assert.ok(bitsEqual(r.xHat, W1.transpose(W2.transpose(z2))));
      // as a linear operator: adjoint identity of the composition
      const z = randomArray(S.outputSize, 31);
      assert.ok(Math.abs(dot64(S.forward(x), z) - dot64(x, S.transpose(z))) < 1e-4 * (1 + Math.abs(dot64(x, S.transpose(z)))));
      assert.throws(() => cs.stack([W2, W1]), RangeError);
    } finally {
      W1.dispose();
      W2.dispose();
    }
  });

  test(`${backend}: bad algorithm options are refused with clear errors`, async () => {
    const cs = await instance(backend);
    const W = fig2Layer(cs);
    const x = randomArray(W.inputSize, 1);
    const cases: Array<[() => unknown, typeof TypeError | typeof RangeError, RegExp]> = [
      [() => cs.iht(W, x, { pool: 'global', k: 97 }), RangeError, /'k' must be in \[0, 96\]/],
      [() => cs.iht(W, x, { pool: 40 }), RangeError, /does not fit/],
      [() => cs.iht(W, x, { iterations: 0 }), RangeError, /'iterations'/],
      [() => cs.iht(W, x, { step: 'big' as never }), TypeError, /'step'/],
      [() => cs.iht(W, new Float32Array(5), {}), RangeError, /x must have length 1024/],
      [() => cs.iht({} as never, x, {}), TypeError, /LinearOperator/],
      [() => cs.rip(W, { k: 10, trials: 0, seed: 1 }), RangeError, /'trials'/],
      [() => cs.rip(W, { trials: 10, seed: 1 }), TypeError, /give the sparsity/],
      [() => cs.rip(W, { k: 10, trials: 10 } as never), TypeError, /'seed' is required/],
      [() => cs.rip(W, { k: 10, trials: 10, seed: 1, values: 'normal' as never }), TypeError, /'values'/],
      [() => cs.sparseCode(W, x, { lambda: -1 }), RangeError, /'lambda' must be >= 0/],
      [() => cs.sparseCode(W, x, { lambda: NaN }), RangeError, /'lambda'/],
      [() => cs.sparseCode(W, x, { lipschitz: 0 }), RangeError, /'lipschitz' must be positive/],
      [() => cs.reconstruct(W, x, { density: 2 }), RangeError, /'density'/],
      [() => cs.histogram([1, 2], { bins: 0 }), RangeError, /'bins'/],
      [() => cs.coherence(cs.crelu(W) as never), TypeError, /convolution operator/], // typed out; refused for JavaScript callers
    ];
    for (const [fn, type, pattern] of cases) {
      assert.throws(fn, (e: unknown) => e instanceof type && pattern.test((e as Error).message), String(pattern));
    }
    W.dispose();
    assert.throws(() => cs.iht(W, x, {}), /disposed/);
    assert.throws(() => cs.rip(W, { k: 1, trials: 1, seed: 1 }), /disposed/);
  });
}

test('Theorem 3.3 bound against hand-computed values', () => {
  // 5 * 0.2 / 0.9 * sqrt(1.2 / 0.8) = 1.1111... * 1.2247448... = 1.3608276...
  assert.ok(Math.abs(theorem33Bound(0.1, 0.2) - 1.3608276348795434) < 1e-12);
  // 5 * 0.05 / 0.95 * sqrt(1.05 / 0.95) = 0.27666183317781411... (30-digit decimal arithmetic)
  assert.ok(Math.abs(theorem33Bound(0.05, 0.05) - 0.2766618331778141) < 1e-12);
  assert.equal(theorem33Bound(0, 0), 0);
  assert.equal(theorem33Bound(0.5, 1), Infinity);
  assert.equal(theorem33Bound(1, 0.5), Infinity);
});

test('histogram and summary', async () => {
  const cs = await instance('simd');
  const h = cs.histogram([0, 0.1, 0.5, 0.99, 1], { bins: 2, range: [0, 1] });
  assert.deepEqual(Array.from(h.counts), [2, 3]);
  assert.deepEqual(Array.from(h.edges), [0, 0.5, 1]);
  const s = cs.summarize([4, 1, 3, 2, 5]);
  assert.deepEqual([s.min, s.max, s.median, s.mean], [1, 5, 3, 3]);
  assert.ok(Math.abs(s.p05 - 1.2) < 1e-12 && Math.abs(s.p95 - 4.8) < 1e-12);
  assert.equal(cs.sparsity(Float32Array.of(0, 1, 0, 2)), 0.5);
});

test('onIteration receives the current iterate: copies of z and W^T z, readable during the call only', async () => {
  const cs = await load();
  const W = cs.conv2d({ inChannels: 3, outChannels: 12, kernelSize: 3, height: 16, width: 16, padding: 'same' }).randomize({ seed: 4 });
  const x = cs.randn(W.inputSize, { seed: 5 });
  const opts = { pool: 2, density: 0.1, iterations: 6 } as const;
  const plain = cs.iht(W, x, opts);
  for (const run of [
    (cb: OnIteration) => cs.iht(W, x, { ...opts, onIteration: cb }),
    (cb: OnIteration) => cs.cosamp(W, x, { pool: 2, density: 0.1, iterations: 3, onIteration: cb }),
  ]) {
    const seen: Array<{ z: Float32Array; xHat: Float32Array; err: number }> = [];
    let kept: Iterate | undefined;
    const r = run((_i, err, it) => {
      seen.push({ z: it.z, xHat: it.xHat, err });
      it.z[0] = 1e30; // a copy: writing to it changes nothing
      kept = it;
    });
    const last = seen[seen.length - 1]!;
    assert.deepEqual(Array.from(last.z), Array.from(r.z), 'the last iterate is the result');
    assert.deepEqual(Array.from(last.xHat), Array.from(r.xHat));
    // x^ is W^T z, and the reported error is its distance to x
    assert.ok(bitsEqual(last.xHat, W.transposeSparse(r.support, Float32Array.from(r.support, (i) => r.z[i]!))));
    assert.equal(last.err, r.relativeError);
    assert.throws(() => kept!.xHat, (e: unknown) => e instanceof TypeError && /can only be read during that call/.test((e as Error).message));
  }
  const first: Float32Array[] = [];
  cs.iht(W, x, { ...opts, onIteration: (_i, _e, it) => void first.push(it.xHat) });
  assert.deepEqual(Array.from(first[first.length - 1]!), Array.from(plain.xHat), 'reading the iterate does not change the run');
  assert.deepEqual(Array.from(first[0]!), Array.from(cs.iht(W, x, { ...opts, iterations: 1 }).xHat), 'the first iterate is the one-step reconstruction');
});

test('NIHT updates W^T z between exact syntheses: every iterate is W^T z within 1e-6, the last one exactly', async () => {
  // At most NIHT_REFRESH (16) updates, each adding a few float32 roundings, separate two exact
  // syntheses; the update path must actually run for the test to mean anything.
  for (const backend of backends) {
    const cs = await instance(backend);
    const W = cs.conv2d({ inChannels: 16, outChannels: 32, kernelSize: 3, height: 20, width: 20, padding: 'same' }).randomize({ seed: 8 });
    const { z: z0 } = cs.sampleModelSparse(W.outputShape, { pool: 2, density: 0.2, seed: 9 });
    const x = W.transpose(z0);
    const synthesis = (z: Float32Array) => {
      const support = Int32Array.from(Array.from(z).flatMap((v, i) => (v !== 0 ? [i] : [])));
      return W.transposeSparse(support, Float32Array.from(support, (i) => z[i]!));
    };
    let updated = 0;
    let worst = 0;
    const r = cs.iht(W, x, {
      pool: 2, density: 0.2, iterations: 30, tolerance: 0,
      onIteration: (_i, _err, it) => {
        const exact = synthesis(it.z);
        if (!bitsEqual(it.xHat, exact)) updated++;
        worst = Math.max(worst, relErr(it.xHat, exact));
      },
    });
    assert.ok(updated > 0, `${backend}: no iterate came from the update path`);
    assert.ok(worst <= 1e-6, `${backend}: an iterate's x^ is ${worst} from W^T z`);
    assert.ok(bitsEqual(r.xHat, synthesis(r.z)), `${backend}: the result's x^ is not W^T z`);
    W.dispose();
  }
});
