// The threads benchmark of bench.html, in a module Web Worker of a cross-origin isolated page
// (web/serve.mjs sends the headers): one layer, conv2d 256 -> 256 channels on 28x28 with 3x3
// filters and 'same' padding, timed in convcs on one thread and on two (load({ threads })), for
// its forward, its dense transpose and its sparse transpose (the code of the layer's own
// projection: pool 2, density 0.25); and the same forward in tfjs-backend-wasm's threaded SIMD
// build with setThreadsCount(2). A worker, not the page, because a caller may block in
// Atomics.wait here while its threads work (on a page's main thread convcs has to spin).
//
// Timing: every contender is warmed up, then they run in interleaved rounds (the order rotated
// every round, so that a slow spell of a shared machine spreads over all of them), one sample per
// contender per round; a sample is a batch of calls timed together over the batch size, the batch
// sized from the warm-up to last at least MIN_SAMPLE_MS. Medians over the rounds. tfjs's calls
// include reading the result back (dataSync) and disposing it, as in the Node suite (bench/run.ts).
//
// Before any timing the two convcs instances are checked to give the same bits for all three
// operations, and tfjs's forward to agree with convcs's to float rounding; the result says so.
// If tfjs's threaded build cannot run here, the result says why and has no tfjs numbers.
//
// tfjs-backend-wasm 4.22 caps its thread pool at floor(navigator.hardwareConcurrency / 2) (its
// backend.cc assumes two logical CPUs per core), whatever setThreadsCount asks: on a machine with
// 2 logical CPUs it runs one thread. So the page first probes tfjs as it is ({ probe: true }: init
// only); when the pool comes out smaller than 2, the timed run tells tfjs, and tfjs only, that the
// machine has 4 (navigator.hardwareConcurrency redefined in this worker before tfjs starts;
// { tfjsHardwareConcurrency: 4 }), and records that it did. The pool size is then read back from
// tfjs (getThreadsCount()), never assumed.
import * as convcs from 'convcs';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const LAYER = { inChannels: 256, outChannels: 256, kernelSize: 3, height: 28, width: 28, padding: 'same' };
const TFJS_WASM = 'tfjs-backend-wasm-threaded-simd.wasm';
const MIN_SAMPLE_MS = 20;
const WARMUP_MS = 300;
const WARMUP_CALLS = 3;

const progress = (phase, done = 0, total = 0) => postMessage({ type: 'progress', phase, done, total });

function median(sorted) {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function sameBits(a, b) {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function relDiff(a, b) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** [C][H][W] -> [H][W][C] */
function chwToHwc(x, C, H, W) {
  const out = new Float32Array(x.length);
  for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) out[i * C + c] = x[c * H * W + i];
  return out;
}

/** PyTorch weights [K][M][kh][kw] -> TensorFlow filter [kh][kw][M][K] */
function oihwToHwio(w, K, M, kh, kw) {
  const out = new Float32Array(w.length);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      for (let t = 0; t < kh * kw; t++) out[(t * M + m) * K + k] = w[(k * M + m) * kh * kw + t];
    }
  }
  return out;
}

/**
 * tfjs-backend-wasm with its threaded SIMD binary and two threads, or why not. Which binary ran
 * is read from this worker's resource timing entries (the .wasm URLs it fetched), and the thread
 * count from the backend's own thread pool (getThreadsCount()), not from what was asked.
 */
async function startTfjs(hardwareConcurrency) {
  const info = { ok: false, version: tf.version_core, binaryAsked: TFJS_WASM, hardwareConcurrency: navigator.hardwareConcurrency ?? null };
  try {
    if (hardwareConcurrency !== undefined) {
      if (!(Number.isInteger(hardwareConcurrency) && hardwareConcurrency >= 1)) throw new RangeError(`tfjsHardwareConcurrency must be a positive integer (got ${hardwareConcurrency})`);
      Object.defineProperty(Object.getPrototypeOf(navigator), 'hardwareConcurrency', { configurable: true, get: () => hardwareConcurrency });
      info.hardwareConcurrencyShownToTfjs = navigator.hardwareConcurrency;
    }
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    info.simdFlag = simd;
    info.multithreadFlag = threads;
    if (!simd || !threads) {
      throw new Error(`tfjs reports WASM_HAS_SIMD_SUPPORT ${simd}, WASM_HAS_MULTITHREAD_SUPPORT ${threads}: its threaded SIMD build cannot run here` +
        (self.crossOriginIsolated ? '' : ' (this worker is not cross-origin isolated: no SharedArrayBuffer)'));
    }
    // a folder, not a map: a map must name all three binaries, and only the threaded one is
    // served (with both flags true, the backend asks for that one)
    setWasmPaths(new URL('./', self.location.href).href);
    setThreadsCount(2);
    const t0 = performance.now();
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    info.initMs = performance.now() - t0;
    if (!ok || tf.getBackend() !== 'wasm') throw new Error(`tf.setBackend('wasm') returned ${ok}; the backend is ${tf.getBackend()}`);
    info.backend = tf.getBackend();
    info.threads = getThreadsCount();
    info.binariesFetched = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm')).map((n) => n.slice(n.lastIndexOf('/') + 1));
    if (info.threads !== 2) throw new Error(`setThreadsCount(2), but the backend's thread pool has ${info.threads}`);
    if (!info.binariesFetched.includes(TFJS_WASM)) throw new Error(`the backend fetched ${info.binariesFetched.join(', ') || 'no .wasm file'}, not ${TFJS_WASM}`);
    info.ok = true;
  } catch (e) {
    info.error = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String(e.message) : String(e);
  }
  return info;
}

async function runBench({ runs = 21, tfjsHardwareConcurrency, tfjsProbe = null }) {
  if (!(Number.isInteger(runs) && runs >= 15)) throw new RangeError(`runs must be an integer >= 15 (got ${runs})`);
  const started = performance.now();
  const machineConcurrency = navigator.hardwareConcurrency ?? null; // before any redefinition for tfjs
  progress('loading convcs on 1 and 2 threads');
  const cs1 = await convcs.load({ threads: 1 });
  const cs2 = await convcs.load({ threads: 2 });
  const threads = { asked: 2, running: cs2.threads, note: cs2.threadsNote ?? null };
  const W1 = cs1.conv2d(LAYER).randomize({ seed: 1 });
  const W2 = cs2.conv2d(LAYER).randomize({ seed: 1 });
  const x = cs1.randn(W1.inputSize, { seed: 2 });
  const h = W1.forward(x);
  const p = cs1.project(h, { shape: W1.outputShape, pool: 2, density: 0.25 });
  const values = Float32Array.from(p.support, (i) => p.z[i]);
  const outF = [new Float32Array(W1.outputSize), new Float32Array(W1.outputSize)];
  const outT = [new Float32Array(W1.inputSize), new Float32Array(W1.inputSize)];
  const bits = {
    forward: sameBits(W1.forward(x), W2.forward(x)),
    transpose: sameBits(W1.transpose(h), W2.transpose(h)),
    transposeSparse: sameBits(W1.transposeSparse(p.support, values), W2.transposeSparse(p.support, values)),
  };

  progress('starting tfjs-backend-wasm (threaded SIMD, 2 threads)');
  const tfjs = await startTfjs(tfjsHardwareConcurrency);
  tfjs.probe = tfjsProbe;
  const tensors = [];
  const contenders = [];
  const Ws = [W1, W2];
  for (const t of [1, 2]) {
    const W = Ws[t - 1];
    contenders.push(
      { id: `convcs.forward.t${t}`, op: 'forward', who: 'convcs', threads: t, run: () => W.forward(x, outF[t - 1]) },
      { id: `convcs.transpose.t${t}`, op: 'transpose', who: 'convcs', threads: t, run: () => W.transpose(h, outT[t - 1]) },
      { id: `convcs.sparse.t${t}`, op: 'transposeSparse', who: 'convcs', threads: t, run: () => W.transposeSparse(p.support, values, outT[t - 1]) },
    );
  }
  const { inChannels: M, outChannels: K, kernelSize: k, height: H, width: Wd } = LAYER;
  if (tfjs.ok) {
    const xt = tf.tensor4d(chwToHwc(x, M, H, Wd), [1, H, Wd, M]);
    const wt = tf.tensor4d(oihwToHwio(W1.getWeights(), K, M, k, k), [k, k, M, K]);
    tensors.push(xt, wt);
    const forward = () => {
      const y = tf.conv2d(xt, wt, 1, 'same');
      const d = y.dataSync();
      y.dispose();
      return d;
    };
    tfjs.forwardRelDiff = relDiff(forward(), chwToHwc(h, K, H, Wd));
    contenders.push({ id: 'tfjs.forward.t2', op: 'forward', who: 'tfjs-wasm', threads: tfjs.threads, run: forward });
  }

  // warm-up, and the batch that makes a sample last MIN_SAMPLE_MS
  for (const [i, c] of contenders.entries()) {
    progress(`warming up ${c.id}`, i, contenders.length);
    const t0 = performance.now();
    let calls = 0;
    while (calls < WARMUP_CALLS || performance.now() - t0 < WARMUP_MS) {
      c.run();
      calls++;
    }
    const perCall = (performance.now() - t0) / calls;
    c.batch = Math.max(1, Math.ceil(MIN_SAMPLE_MS / perCall));
    c.samples = [];
  }
  for (let r = 0; r < runs; r++) {
    progress('interleaved rounds', r, runs);
    for (let j = 0; j < contenders.length; j++) {
      const c = contenders[(j + r) % contenders.length];
      const t0 = performance.now();
      for (let b = 0; b < c.batch; b++) c.run();
      c.samples.push((performance.now() - t0) / c.batch);
    }
  }
  for (const t of tensors) t.dispose();
  W1.dispose();
  W2.dispose();
  cs2.closeThreads();

  const cases = contenders.map((c) => {
    const sorted = [...c.samples].sort((a, b) => a - b);
    return {
      id: c.id, op: c.op, who: c.who, threads: c.threads, batch: c.batch, n: sorted.length,
      medianMs: median(sorted), p25Ms: quantile(sorted, 0.25), p75Ms: quantile(sorted, 0.75), samplesMs: c.samples,
    };
  });
  const med = (id) => cases.find((c) => c.id === id)?.medianMs;
  const speedup = {};
  for (const op of ['forward', 'transpose', 'sparse']) speedup[op] = med(`convcs.${op}.t1`) / med(`convcs.${op}.t2`);
  const tfjsForward = med('tfjs.forward.t2');
  return {
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated === true,
    hardwareConcurrency: machineConcurrency,
    layer: { ...LAYER, sparse: { pool: 2, density: 0.25, nnz: p.support.length, of: W1.outputSize } },
    runs,
    timing: `interleaved rounds (order rotated each round), one sample per contender per round; a sample is a batch of calls ` +
      `(at least ${MIN_SAMPLE_MS} ms) over its size; warm-up at least ${WARMUP_CALLS} calls and ${WARMUP_MS} ms`,
    convcs: { backend: cs1.backend, threads, sameBits: bits },
    tfjs,
    cases,
    speedupT2overT1: speedup,
    convcsT2overTfjsT2Forward: tfjsForward === undefined ? null : tfjsForward / med('convcs.forward.t2'),
    durationMs: performance.now() - started,
  };
}

self.onmessage = async ({ data }) => {
  try {
    if (data?.probe) postMessage({ type: 'result', result: await startTfjs() });
    else postMessage({ type: 'result', result: await runBench(data ?? {}) });
  } catch (e) {
    postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
