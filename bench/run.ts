// The benchmark suite: `npm run bench` (= npm run build && node --import tsx bench/run.ts).
// `node --import tsx bench/run.ts --memory-only` prints the memory table alone (a few seconds).
// Speed is measured and reported, never asserted. See bench/README.md for what is measured and how.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../src/index.js';
import type { Convcs, ConvOperator } from '../src/index.js';
import { bestCeiling, measureCeiling } from './ceiling.js';
import type { CeilingResult } from './ceiling.js';
import { measureGroup, stats } from './harness.js';
// The same max-relative-difference metric and test-data generator as the test suite.
import { relErr, mulberry32 } from '../tests/helpers.js';
import type { Contender, Measurement, Plan } from './harness.js';
import { jsBoxMuller, jsConvForward, jsConvTranspose } from './peers/js-conv.js';
import { TorchServer } from './peers/pytorch.js';
import type { TorchHeader, TorchLayer } from './peers/pytorch.js';
import type { JsGeometry } from './peers/js-conv.js';
import { chwToHwc, hwcToChw, initTfjs, oihwToHwio } from './peers/tfjs.js';
import type { Tf } from './peers/tfjs.js';
import type { Tensor3D } from '@tensorflow/tfjs-core';
import { fmtMs, markdown, memoryTable } from './report.js';
import { benchRecovery } from './recovery.js';
import { benchThreads, writeThreadsResults } from './threads.js';
import type { ThreadsRow } from './threads.js';
import type { RecoveryRow } from './recovery.js';
import type { MemoryRow, Row } from './report.js';

const started = performance.now();
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const resultsDir = path.join(here, 'results');
const COMMAND = 'npm run bench';

/** Measuring stops being generous past this point (the whole run must stay under 5 minutes). */
const SOFT_DEADLINE_MS = 180_000;

function elapsedS(): string {
  return ((performance.now() - started) / 1000).toFixed(1).padStart(6);
}

function log(msg: string): void {
  process.stderr.write(`[${elapsedS()} s] ${msg}\n`);
}

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** `count` distinct indices in [0, n), ascending (partial Fisher-Yates). */
function randomSupport(n: number, count: number, seed: number): Int32Array {
  const rnd = mulberry32(seed);
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rnd() * (n - i));
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return all.slice(0, count).sort();
}

interface Layer {
  id: string;
  title: string;
  dims: 1 | 2;
  M: number; K: number; kh: number; kw: number; H: number; W: number;
  padding: 'same' | 'valid';
  /** Run the plain-JS baseline here (it takes about a second per GFLOP). */
  js: boolean;
  /** Measuring budget per group (ms): fast contenders use it, slow ones get a few single calls. */
  budgetMs: number;
}

const LAYERS: Layer[] = [
  { id: 'c64-56', title: 'conv2d 64→64, 56×56, 3×3 same', dims: 2, M: 64, K: 64, kh: 3, kw: 3, H: 56, W: 56, padding: 'same', js: true, budgetMs: 2400 },
  { id: 'c256-28', title: 'conv2d 256→256, 28×28, 3×3 same', dims: 2, M: 256, K: 256, kh: 3, kw: 3, H: 28, W: 28, padding: 'same', js: false, budgetMs: 2400 },
  { id: 'c512-15', title: 'conv2d 512→512, 15×15, 3×3 same', dims: 2, M: 512, K: 512, kh: 3, kw: 3, H: 15, W: 15, padding: 'same', js: false, budgetMs: 2400 },
  { id: 'c3-224', title: 'conv2d 3→64, 224×224, 3×3 same', dims: 2, M: 3, K: 64, kh: 3, kw: 3, H: 224, W: 224, padding: 'same', js: true, budgetMs: 2400 },
  { id: 'c1d', title: 'conv1d 32→96, l=5, D=32, valid (paper)', dims: 1, M: 32, K: 96, kh: 1, kw: 5, H: 1, W: 32, padding: 'valid', js: true, budgetMs: 2400 },
];

type Algorithm = 'auto' | 'direct' | 'winograd' | 'winograd4x4';

/** The Winograd algorithms 'auto' may pick, as their `algorithm` option. */
const WINOGRAD: ReadonlyArray<'winograd' | 'winograd4x4'> = ['winograd', 'winograd4x4'];

function makeOperator(cs: Convcs, L: Layer, algorithm: Algorithm = 'auto'): ConvOperator {
  const W = L.dims === 1
    ? cs.conv1d({ inChannels: L.M, outChannels: L.K, kernelSize: L.kw, length: L.W, padding: L.padding })
    : cs.conv2d({ inChannels: L.M, outChannels: L.K, kernelSize: [L.kh, L.kw], height: L.H, width: L.W, padding: L.padding, algorithm });
  return W.randomize({ seed: 1 });
}

/**
 * Linear memory an operator holds, per bench layer and module: each operator is built in a fresh
 * instance (so `cs.memoryBytes` is that of this layer alone), and the allocator's bytes in use
 * (`cs.engine.heap.inUse`) are read before and after `makeOperator` (construction and
 * `randomize`), and again after one call of each operation the suite times (forward, dense
 * transpose, sparse transposes of the 25% and 1% codes), which may grow scratch. One call of
 * each: it runs before anything is timed and takes a few seconds.
 */
async function measureMemory(L: Layer): Promise<MemoryRow[]> {
  const out: MemoryRow[] = [];
  const one = async (contender: string, backend: 'simd' | 'scalar', algorithm: Algorithm): Promise<string> => {
    const cs = await load({ backend });
    const heap = cs.engine.heap;
    const heapBefore = heap.inUse;
    const memoryBefore = cs.memoryBytes;
    const W = makeOperator(cs, L, algorithm);
    const held = heap.inUse - heapBefore;
    const memoryAfter = cs.memoryBytes;
    const x = cs.randn(W.inputSize, { seed: 2 });
    const h = W.forward(x);
    W.transpose(h);
    const p25 = cs.project(h, { shape: W.outputShape, pool: 2, density: 0.25 });
    W.transposeSparse(p25.support, Float32Array.from(p25.support, (i) => p25.z[i]!));
    const n1 = Math.max(1, Math.round(0.01 * W.outputSize));
    W.transposeSparse(randomSupport(W.outputSize, n1, 7), cs.randn(n1, { seed: 4 }));
    // The paths chosen, where the operator tells them (ConvOperator.paths, internal).
    const paths = (W as unknown as { paths?: Record<string, string> }).paths;
    out.push({
      bench: L.title, contender, algorithm: W.geometry.algorithm, paths: paths ? { ...paths } : undefined,
      heldBytes: held, heldAfterUseBytes: heap.inUse - heapBefore,
      memoryBytesBefore: memoryBefore, memoryBytes: memoryAfter, memoryBytesAfterUse: cs.memoryBytes,
    });
    W.dispose();
    return W.geometry.algorithm;
  };
  // 'convcs simd direct' and the other Winograd algorithm only where 'auto' picks Winograd, as in the timed groups.
  const auto = await one('convcs simd', 'simd', 'auto');
  if (auto !== 'direct') {
    for (const a of WINOGRAD) if (a !== auto) await one(`convcs simd ${a}`, 'simd', a);
    await one('convcs simd direct', 'simd', 'direct');
  }
  await one('convcs scalar', 'scalar', 'auto');
  return out;
}

interface Check { bench: string; what: string; relDiff: number }

const rows: Row[] = [];
const checks: Check[] = [];
const notes: string[] = [];
const groupLog: Array<{ bench: string; op: string; plan: Plan; ms: number }> = [];
const recovery: RecoveryRow[] = [];
const memory: MemoryRow[] = [];

/** A layer as the PyTorch peer takes it. */
function torchSpec(L: Layer): TorchLayer {
  return { id: L.id, M: L.M, K: L.K, H: L.H, W: L.W, k: L.kh, padding: L.padding === 'same' ? (L.kh - 1) / 2 : 0 };
}
/** The native peer: PyTorch's conv2d forward, one thread, served by a child Python (bench/peers/pytorch.ts). */
let torchPeer: TorchHeader = { ok: false, error: 'not run' };
let torchServer: TorchServer | undefined;
/** The layers PyTorch is timed on: the 3x3 2-D layers of 64 channels or more. */
const torchLayer = (L: Layer) => L.dims === 2 && L.kh === 3 && L.M >= 64;
const TORCH_NAME = 'PyTorch (native, 1 thread)';

/** Measure one group interleaved and append its rows. */
async function group(
  bench: string, op: string, contenders: Contender[],
  opts: { budgetMs: number; flops?: number; rate?: (m: Measurement) => { value: number; unit: string }; minWarmupCalls?: number; rounds?: number },
): Promise<void> {
  const t0 = performance.now();
  const late = t0 - started > SOFT_DEADLINE_MS;
  log(`${bench} · ${op}: ${contenders.map((c) => c.name).join(', ')}${late ? ' (past the soft deadline: 1 round)' : ''}`);
  const { plan, results } = await measureGroup(contenders, late ? opts.budgetMs / 4 : opts.budgetMs, opts.minWarmupCalls ?? 1, late ? 1 : Infinity, opts.rounds);
  const tfjs = results.find((r) => r.name.startsWith('tfjs'));
  for (const m of results) {
    const row: Row = { bench, op, contender: m.name, stats: m.stats, roundMedians: m.roundMedians, warmupMs: m.warmupMs, plan };
    if (opts.flops !== undefined) {
      row.flops = opts.flops;
      row.gflops = opts.flops / (m.stats.median * 1e6);
    }
    if (opts.rate) row.rate = opts.rate(m);
    if (tfjs) row.vsTfjs = tfjs.stats.median / m.stats.median;
    rows.push(row);
  }
  groupLog.push({ bench, op, plan, ms: performance.now() - t0 });
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    mhz: cpus[0]?.speed ?? 0,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    loadavg: os.loadavg(),
  };
  log(`${machine.cpu}, ${machine.cores} cores, Node ${process.version}`);

  // ---- load(): the first one in this process, then warm ones, then cold ones in child processes ----
  const t0 = performance.now();
  const csSimd = await load({ backend: 'simd' });
  const firstLoadSimdMs = performance.now() - t0;
  const t1 = performance.now();
  const csScalar = await load({ backend: 'scalar' });
  const firstLoadScalarMs = performance.now() - t1;
  if (csSimd.backend !== 'simd' || csScalar.backend !== 'scalar') throw new Error(`backends: ${csSimd.backend}, ${csScalar.backend}`);
  log(`load(): simd ${firstLoadSimdMs.toFixed(1)} ms, scalar ${firstLoadScalarMs.toFixed(1)} ms (first in this process)`);

  // ---- memory held per layer, before anything is timed (`--memory-only`: just this, as a table and JSON on stdout) ----
  log('memory held per layer (fresh instances)');
  for (const L of LAYERS) memory.push(...await measureMemory(L));
  if (process.argv.includes('--memory-only')) {
    process.stdout.write(`${memoryTable(memory).join('\n')}\n\n${JSON.stringify(memory)}\n`);
    return;
  }

  // ---- the ceiling, measured now and again at the end (the machine is shared: the better of the two counts) ----
  log('WASM f32 ceiling (WAT via wabt: chains of mul + add)');
  const ceilingStart = await measureCeiling();
  log(`ceiling: SIMD ${ceilingStart.simd.toFixed(2)} GFLOP/s (${ceilingStart.simdChains} chains), scalar ${ceilingStart.scalar.toFixed(2)} GFLOP/s (${ceilingStart.scalarChains} chains)`);

  // ---- the peer ----
  log('tfjs-backend-wasm: init');
  const { tf, info: tfjsInfo } = await initTfjs();
  if (tfjsInfo.ok) log(`tfjs ${tfjsInfo.version}: backend ${tfjsInfo.backend}, binary ${tfjsInfo.binary}, threads ${tfjsInfo.threads}`);
  else {
    log(`tfjs-backend-wasm could not run: ${tfjsInfo.error}`);
    notes.push(`tfjs-backend-wasm could not run in this process (${tfjsInfo.error}); the × tfjs column is empty.`);
  }

  // ---- the native peer, where `import torch` works: started here, then a contender of each forward group it runs ----
  log('PyTorch (native, 1 thread): /usr/bin/python3 bench/peers/pytorch_conv.py --serve');
  ({ server: torchServer, header: torchPeer } = await TorchServer.start());
  if (torchPeer.ok) log(`PyTorch ${torchPeer.torch}, ${torchPeer.threads} thread, mkldnn ${torchPeer.mkldnn}`);
  else {
    log(`PyTorch not available: ${torchPeer.error}`);
    notes.push(`PyTorch not available (\`/usr/bin/python3 -c 'import torch'\` fails: ${torchPeer.error}); the × PyTorch column is empty.`);
  }

  // ---- the layers ----
  try {
    for (const L of LAYERS) await benchLayer(L, csSimd, csScalar, tf);
  } finally {
    torchServer?.close();
  }

  // ---- model-based IHT, one iteration, on the 512->512 15x15 layer ----
  {
    const L = LAYERS.find((l) => l.id === 'c512-15')!;
    const Ws = makeOperator(csSimd, L);
    const Wc = makeOperator(csScalar, L);
    const x = csSimd.randn(Ws.inputSize, { seed: 3 });
    const opts = { pool: 2, density: 0.2, iterations: 1, step: 'unit' } as const;
    const r = csSimd.iht(Ws, x, opts);
    const nnz = r.support.length;
    const flops = 2 * L.K * L.M * L.kh * L.kw * L.H * L.W + 2 * nnz * L.M * L.kh * L.kw;
    await group('IHT, 1 iteration, 512→512 15×15', `pool 2×2, density 20% (nnz ${nnz}), step unit`, [
      { name: 'convcs simd', fn: () => csSimd.iht(Ws, x, opts) },
      { name: 'convcs scalar', fn: () => csScalar.iht(Wc, x, opts) },
    ], { budgetMs: 2000, flops });
    notes.push(`IHT GFLOP/s counts one forward convolution plus one sparse transpose of the kept code (nnz ${nnz}); ` +
      'the projection (block max, top-k) and the vector updates are extra work not counted.');
    // The steady-state cost of an iteration, without the setup and the result copies of a call:
    // (time of 11 iterations - time of 1) / 10, tolerance 0 so that all 11 run.
    const opts11 = { ...opts, iterations: 11, tolerance: 0 } as const;
    if (csSimd.iht(Ws, x, opts11).iterations !== 11) throw new Error('IHT stopped before 11 iterations');
    await group('IHT, 1 iteration, 512→512 15×15', 'the same, 11 iterations per call (tolerance 0)', [
      { name: 'convcs simd', fn: () => csSimd.iht(Ws, x, opts11) },
    ], { budgetMs: 3000 });
    Ws.dispose();
    Wc.dispose();
  }

  // ---- the recovery methods: one iteration, and a run to convergence, as multiples of one forward ----
  recovery.push(...await benchRecovery(csSimd, async (bench, op, contenders, opts) => {
    await group(bench, op, contenders, opts);
    return contenders.map((c) => {
      const row = rows.find((r) => r.bench === bench && r.op === op && r.contender === c.name)!;
      return { name: c.name, stats: row.stats, roundMedians: row.roundMedians, warmupMs: row.warmupMs };
    });
  }, 1200));

  // ---- threads: each operation on 2 threads against 1, interleaved (bench/threads.ts) ----
  const threadsStarted = performance.now();
  const threadRows: ThreadsRow[] = await benchThreads(async (bench, op, contenders, opts) => {
    await group(`threads: ${bench}`, op, contenders, opts);
    return contenders.map((c) => {
      const row = rows.find((r) => r.bench === `threads: ${bench}` && r.op === op && r.contender === c.name)!;
      return { name: c.name, stats: row.stats, roundMedians: row.roundMedians, warmupMs: row.warmupMs };
    });
  }, 1500);
  writeThreadsResults(threadRows, COMMAND, (performance.now() - threadsStarted) / 1000);
  const [ops, scaling] = [threadRows.filter((r) => !r.machine), threadRows.filter((r) => r.machine)];
  notes.push('Threads (rows "threads: ..."): the same operation on instances loaded with threads 1 and 2; speed-ups ' +
    ops.map((r) => `${r.bench} ${r.op} ${r.speedup.toFixed(2)}×`).join(', ') + '. What a second thread gains on this machine at all ' +
    '(the same arithmetic, or copies of arrays far past the last-level cache, on one worker thread and on two at once): ' +
    scaling.map((r) => `${r.machine!.kind} ${r.speedup.toFixed(2)}× (${r.machine!.when})`).join(', ') + ' (bench/results/threads.md).');

  // ---- RIP trials per second, Figure 2's setting on the 1-D layer ----
  {
    const L = LAYERS.find((l) => l.id === 'c1d')!;
    const Ws = makeOperator(csSimd, L);
    const Wc = makeOperator(csScalar, L);
    const opts = { pool: 'global', k: 10, trials: 2000, seed: 1 } as const;
    await group('RIP, Figure 2 (1-D layer)', "pool 'global', k = 10, 2000 trials per call (all three ratios, the default)", [
      { name: 'convcs simd', fn: () => csSimd.rip(Ws, opts) },
      { name: 'convcs scalar', fn: () => csScalar.rip(Wc, opts) },
    ], { budgetMs: 2000, rate: (m) => ({ value: opts.trials / (m.stats.median / 1000), unit: 'trials/s' }) });
    Ws.dispose();
    Wc.dispose();
  }

  // ---- Gaussian sampling ----
  {
    const n = 1 << 22;
    const buf = new Float32Array(n);
    const reuse = new Float32Array(n);
    notes.push("Gaussian sampling: 'convcs simd' returns a fresh Float32Array per call (page faults on first touch and its " +
      "garbage collection included); 'convcs simd, { out }' writes into the same preallocated array every call.");
    await group('Gaussian sampling', `${n.toLocaleString('en-US')} N(0,1) draws`, [
      { name: 'convcs simd', fn: () => csSimd.randn(n, { seed: 1 }) },
      { name: 'convcs simd, { out }', fn: () => csSimd.randn(n, { seed: 1, out: reuse }) },
      { name: 'convcs scalar', fn: () => csScalar.randn(n, { seed: 1 }) },
      { name: 'plain JS Box-Muller', fn: () => jsBoxMuller(n, buf) },
    ], { budgetMs: 2000, rate: (m) => ({ value: n / (m.stats.median * 1000), unit: 'M samples/s' }) });
  }

  // ---- load() ----
  await group('load()', 'warm: module already compiled in this process (instantiate only)', [
    { name: 'convcs simd', fn: () => load({ backend: 'simd' }), async: true },
    { name: 'convcs scalar', fn: () => load({ backend: 'scalar' }), async: true },
  ], { budgetMs: 600 });
  {
    log('load(): cold, in fresh child processes');
    const cold: Record<'simd' | 'scalar', number[]> = { simd: [], scalar: [] };
    const child = path.join(here, 'load-child.ts');
    for (let i = 0; i < 5; i++) {
      for (const backend of (i % 2 === 0 ? ['simd', 'scalar'] : ['scalar', 'simd']) as Array<'simd' | 'scalar'>) {
        const out = execFileSync(process.execPath, ['--import', 'tsx', child, backend], { cwd: root, encoding: 'utf8' });
        const line = out.trim().split('\n').pop() ?? '{}';
        const parsed = JSON.parse(line) as { backend: string; ms: number };
        if (parsed.backend !== backend) throw new Error(`load-child: asked ${backend}, got ${parsed.backend}`);
        cold[backend].push(parsed.ms);
      }
    }
    for (const backend of ['simd', 'scalar'] as const) {
      rows.push({
        bench: 'load()', op: 'cold: fresh process (base64 decode, compile, instantiate)', contender: `convcs ${backend}`,
        stats: stats(cold[backend]), roundMedians: cold[backend], warmupMs: [],
      });
    }
    notes.push(`load() cold is timed inside 5 fresh Node processes per backend (bench/load-child.ts), import excluded; ` +
      `the first load() of this run took ${firstLoadSimdMs.toFixed(1)} ms (simd) and ${firstLoadScalarMs.toFixed(1)} ms (scalar).`);
  }

  // ---- the relaxed-SIMD module: Node 20 needs a flag, so it runs in a child process ----
  {
    log('relaxed SIMD (child process with --experimental-wasm-relaxed-simd)');
    const child = path.join(here, 'relaxed-child.ts');
    try {
      const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', child], { cwd: root, encoding: 'utf8', timeout: 180_000 });
      const parsed = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { backend: string; times: Record<string, Record<string, number[]>> };
      const titles: Record<string, string> = {
        '64-64-56': 'conv2d 64→64, 56×56, 3×3 same', '256-256-28': 'conv2d 256→256, 28×28, 3×3 same', '512-512-15': 'conv2d 512→512, 15×15, 3×3 same',
      };
      const sizes: Record<string, [number, number, number]> = { '64-64-56': [64, 64, 56], '256-256-28': [256, 256, 28], '512-512-15': [512, 512, 15] };
      for (const [key, times] of Object.entries(parsed.times)) {
        const [M, K, H] = sizes[key]!;
        const flops = 2 * K * M * 9 * H * H;
        for (const op of ['forward', 'transpose'] as const) {
          for (const name of ['relaxed', 'simd'] as const) {
            const samples = times[`${op} ${name}`]!;
            const st = stats(samples);
            rows.push({
              bench: `${titles[key]} (relaxed SIMD, child process)`, op: op === 'forward' ? 'forward' : 'transpose (dense)',
              contender: name === 'relaxed' ? 'convcs relaxed' : 'convcs simd', stats: st, roundMedians: samples, warmupMs: [],
              flops, gflops: flops / st.median / 1e6,
            });
          }
        }
      }
      notes.push('Relaxed SIMD rows come from a child Node started with --experimental-wasm-relaxed-simd (bench/relaxed-child.ts), ' +
        'relaxed and baseline SIMD modules alternating call by call, 12 calls each after 2 warm-up rounds; compare the two within a group only.');
    } catch (e) {
      notes.push(`The relaxed-SIMD module could not be measured: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  // ---- the ceiling again; every row's fraction is taken of the better of the two runs ----
  log('WASM f32 ceiling, second run');
  const ceilingEnd = await measureCeiling();
  const ceiling = bestCeiling(ceilingStart, ceilingEnd);
  log(`ceiling: SIMD ${ceilingEnd.simd.toFixed(2)} GFLOP/s now; ${ceiling.simd.toFixed(2)} GFLOP/s the better of the two runs`);
  const ceilingRows: Row[] = ceiling.points.map((p) => ({
    bench: 'WASM f32 ceiling (mul + add chains)', op: `${p.isa === 'simd' ? 'f32x4' : 'f32'}, ${p.chains} chain${p.chains > 1 ? 's' : ''}`,
    contender: 'hand-written WAT', stats: p.stats, roundMedians: [], warmupMs: [], flops: p.flopsPerCall, gflops: p.gflops,
  }));
  rows.unshift(...ceilingRows);
  for (const r of rows) if (r.gflops !== undefined) r.ofSimdCeiling = r.gflops / ceiling.simd;

  // ---- report ----
  notes.push(...findings(ceiling));
  const durationMs = performance.now() - started;
  const now = new Date();
  const date = now.toISOString().slice(0, 10);
  if (tfjsInfo.ok) {
    notes.unshift(`tfjs timings include reading the result back (dataSync) and disposing it; its input tensors are uploaded once. ` +
      `convcs timings include copying the input into wasm memory and the result out (into a preallocated array).`);
  }
  notes.unshift('Sparse transpose codes: 25% is `cs.project(h, { shape: W.outputShape, pool: 2, density: 0.25 })` of h = W x ' +
    '(one entry per 2×2 block, or per 2 in 1-D); 1% is a uniformly random support with N(0,1) values. Only convcs has a sparse transpose.');
  notes.unshift('Contenders of one row group run interleaved: each runs a short tinybench task in turn, the order rotated every round, ' +
    'and its samples are pooled over the rounds. Slow contenders get one call per round (n = rounds).');
  const tfjsLine = tfjsInfo.ok
    ? `Peer: tfjs-core ${tfjsInfo.version} with tfjs-backend-wasm ${pkgVersion('@tensorflow/tfjs-backend-wasm')}, running \`${tfjsInfo.binary}\` ` +
      `(checked by hash of the bytes instantiated), ${tfjsInfo.threads} thread.`
    : `Peer: tfjs-backend-wasm did not run (${tfjsInfo.error}).`;
  const ceilingLine = `WASM f32 ceiling here (the better of a run at the start and one at the end): SIMD ${ceiling.simd.toFixed(1)} GFLOP/s (f32x4.mul + f32x4.add, ${ceiling.simdChains} chains), ` +
    `scalar ${ceiling.scalar.toFixed(1)} GFLOP/s (${ceiling.scalarChains} chains).`;
  const header = {
    date, cpu: machine.cpu, cores: machine.cores, node: process.version, v8: process.versions.v8,
    tfjs: tfjsLine + (torchPeer.ok
      ? ` Native peer: PyTorch ${torchPeer.torch} (Debian python3-torch, oneDNN ${torchPeer.mkldnn ? 'on' : 'off'}), conv2d forward, ${torchPeer.threads} thread, in a child Python whose rounds interleave with the other contenders' (bench/peers/pytorch.ts).`
      : ' Native peer: PyTorch not available.'),
    ceiling: ceilingLine, durationS: durationMs / 1000, command: COMMAND,
  };
  const md = markdown(header, rows, notes, memory);
  mkdirSync(resultsDir, { recursive: true });
  const record = {
    date: now.toISOString(),
    command: COMMAND,
    durationMs,
    machine,
    node: process.version,
    v8: process.versions.v8,
    packages: {
      convcs: (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version,
      tinybench: pkgVersion('tinybench'),
      wabt: pkgVersion('wabt'),
      '@tensorflow/tfjs-core': pkgVersion('@tensorflow/tfjs-core'),
      '@tensorflow/tfjs-backend-wasm': pkgVersion('@tensorflow/tfjs-backend-wasm'),
    },
    load: { firstSimdMs: firstLoadSimdMs, firstScalarMs: firstLoadScalarMs },
    tfjs: tfjsInfo,
    pytorch: torchPeer,
    ceiling: { used: ceiling, start: ceilingStart, end: ceilingEnd },
    checks,
    groups: groupLog,
    rows,
    memory,
    notes,
  };
  const jsonPath = path.join(resultsDir, `${date}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(record, null, 1)}\n`);
  // the README links this file rather than copying its table
  writeFileSync(path.join(resultsDir, 'latest.md'), md);
  process.stdout.write(md);
  log(`wrote ${path.relative(root, jsonPath)} and bench/results/latest.md (${(durationMs / 1000).toFixed(1)} s)`);
}

/** What a reader should not miss, recomputed every run: where convcs loses, where sparse does not pay. */
function findings(ceiling: CeilingResult): string[] {
  const out: string[] = [];
  const find = (bench: string, op: (o: string) => boolean, who: string): Row | undefined =>
    rows.find((r) => r.bench === bench && op(r.op) && r.contender === who);
  for (const L of LAYERS) {
    for (const op of ['forward', 'transpose (dense)']) {
      const mine = find(L.title, (o) => o === op, 'convcs simd');
      const tfjs = find(L.title, (o) => o === op, 'tfjs-wasm');
      if (mine && tfjs && mine.stats.median > tfjs.stats.median) {
        out.push(`Slower than tfjs-wasm: ${L.title}, ${op}: convcs simd ${fmtMs(mine.stats.median)} ms vs ${fmtMs(tfjs.stats.median)} ms.`);
      }
    }
    const dense = find(L.title, (o) => o === 'transpose (dense)', 'convcs simd');
    const direct = find(L.title, (o) => o === 'transpose (dense)', 'convcs simd direct');
    const sparse = find(L.title, (o) => o.startsWith('sparse transpose 25%'), 'convcs simd');
    const sparse1 = find(L.title, (o) => o.startsWith('sparse transpose 1%'), 'convcs simd');
    if (dense && sparse && sparse1) {
      const x = (a: Row, b: Row): string => `${(a.stats.median / b.stats.median).toFixed(2)}×`;
      const algorithm = memory.find((m) => m.bench === L.title && m.contender === 'convcs simd')?.algorithm;
      const winograd = algorithm === 'winograd4x4' ? 'Winograd F(4x4, 3x3), which already does 4× fewer multiplications'
        : 'Winograd F(2x2, 3x3), which already does 2.25× fewer multiplications';
      out.push(`Sparse vs dense transpose, ${L.title}: at 25% density ${x(dense, sparse)} faster, at 1% ${x(dense, sparse1)}` +
        (direct ? ` (against the direct dense kernel: ${x(direct, sparse)} and ${x(direct, sparse1)}; the default dense transpose here is ` +
          `${winograd}).` : '.'));
    }
  }
  {
    const L = LAYERS.find((l) => l.id === 'c512-15')!;
    const iht = rows.find((r) => r.bench.startsWith('IHT, 1 iteration') && r.op.startsWith('pool') && r.contender === 'convcs simd');
    const iht11 = rows.find((r) => r.bench.startsWith('IHT, 1 iteration') && r.op.includes('11 iterations') && r.contender === 'convcs simd');
    const fwd = find(L.title, (o) => o === 'forward', 'convcs simd');
    const fwdDirect = find(L.title, (o) => o === 'forward', 'convcs simd direct');
    if (iht && fwd) {
      out.push(`One IHT iteration on ${L.title} (${fmtMs(iht.stats.median)} ms) takes ${(iht.stats.median / fwd.stats.median).toFixed(2)}× ` +
        `one forward convolution (${fmtMs(fwd.stats.median)} ms)` +
        (fwdDirect ? ` and ${(iht.stats.median / fwdDirect.stats.median).toFixed(2)}× one direct forward (${fmtMs(fwdDirect.stats.median)} ms).` : '.'));
    }
    if (iht && iht11 && fwd) {
      const per = (iht11.stats.median - iht.stats.median) / 10;
      out.push(`In a run of 11 iterations each further IHT iteration costs ${fmtMs(per)} ms (the 11-iteration median minus the ` +
        `1-iteration one, over 10): ${(per / fwd.stats.median).toFixed(2)}× one forward convolution` +
        (fwdDirect ? `, ${(per / fwdDirect.stats.median).toFixed(2)}× one direct forward.` : '.'));
    }
  }
  for (const layer of [...new Set(recovery.map((r) => r.layer))]) {
    const of = recovery.filter((r) => r.layer === layer);
    out.push(`Recovery methods on ${layer}, one iteration (a call with iterations: 1) as a multiple of one forward convolution ` +
      `(${fmtMs(of[0]!.forwardMs)} ms): ` + of.map((r) => `${r.method} ${(r.oneIterationMs / r.forwardMs).toFixed(1)}×`).join(', ') +
      '; per iteration in a run to convergence: ' + of.map((r) => `${r.method} ${(r.runMs / r.iterations / r.forwardMs).toFixed(1)}× ` +
      `(${r.iterations} iterations${r.lsSteps ? `, ${r.lsSteps} CG steps` : ''})`).join(', ') + '.');
  }
  const far = rows.filter((r) => r.contender === 'convcs simd' && r.ofSimdCeiling !== undefined && r.ofSimdCeiling < 0.25);
  if (far.length > 0) {
    out.push(`Under 25% of the SIMD ceiling (${ceiling.simd.toFixed(1)} GFLOP/s): ` +
      far.map((r) => `${r.bench}, ${r.op} (${(100 * r.ofSimdCeiling!).toFixed(0)}%)`).join('; ') + '.');
  }
  return out;
}

async function benchLayer(L: Layer, csSimd: Convcs, csScalar: Convcs, tf: Tf | undefined): Promise<void> {
  const Ws = makeOperator(csSimd, L);
  const Wc = makeOperator(csScalar, L);
  // Where 'auto' picks Winograd, the direct kernels and the other Winograd algorithm run beside it as contenders of their own.
  const autoAlgorithm = Ws.geometry.algorithm;
  const Wd = autoAlgorithm !== 'direct' ? makeOperator(csSimd, L, 'direct') : undefined;
  const Wo4 = autoAlgorithm !== 'direct' ? WINOGRAD.filter((a) => a !== autoAlgorithm).map((a) => ({ a, W: makeOperator(csSimd, L, a) })) : [];
  const [, Ho = 1, Wo = 1] = L.dims === 1 ? [0, 1, Ws.outputShape[1]] : Ws.outputShape;
  const taps = L.M * L.kh * L.kw;
  const flops = 2 * L.K * taps * Ho * Wo;
  const weights = Ws.getWeights();
  const x = csSimd.randn(Ws.inputSize, { seed: 2 });
  const h = Ws.forward(x);
  const outF = new Float32Array(Ws.outputSize);
  const outT = new Float32Array(Ws.inputSize);
  const xT = Ws.transpose(h);

  // Codes for the sparse transpose: 25% from the projection, 1% a random support.
  const p25 = csSimd.project(h, { shape: Ws.outputShape, pool: 2, density: 0.25 });
  const idx25 = p25.support;
  const val25 = Float32Array.from(idx25, (i) => p25.z[i]!);
  const n1 = Math.max(1, Math.round(0.01 * Ws.outputSize));
  const idx1 = randomSupport(Ws.outputSize, n1, 7);
  const val1 = csSimd.randn(n1, { seed: 4 });

  // Checks: every contender computes the same thing.
  checks.push({ bench: L.title, what: 'convcs scalar forward vs simd', relDiff: relErr(Wc.forward(x), h) });
  checks.push({ bench: L.title, what: 'convcs scalar transpose vs simd', relDiff: relErr(Wc.transpose(h), xT) });
  if (Wd) {
    checks.push({ bench: L.title, what: `convcs simd direct forward vs ${autoAlgorithm}`, relDiff: relErr(Wd.forward(x), h) });
    checks.push({ bench: L.title, what: `convcs simd direct transpose vs ${autoAlgorithm}`, relDiff: relErr(Wd.transpose(h), xT) });
  }
  for (const { a, W } of Wo4) {
    checks.push({ bench: L.title, what: `convcs simd ${a} forward vs ${autoAlgorithm}`, relDiff: relErr(W.forward(x), h) });
    checks.push({ bench: L.title, what: `convcs simd ${a} transpose vs ${autoAlgorithm}`, relDiff: relErr(W.transpose(h), xT) });
  }
  checks.push({ bench: L.title, what: 'convcs simd transposeSparse (25%) vs dense transpose of the same code', relDiff: relErr(Ws.transposeSparse(idx25, val25), Ws.transpose(p25.z)) });
  checks.push({ bench: L.title, what: 'convcs scalar transposeSparse (1%) vs simd', relDiff: relErr(Wc.transposeSparse(idx1, val1), Ws.transposeSparse(idx1, val1)) });

  const g: JsGeometry = {
    M: L.M, K: L.K, H: L.H, W: L.W, kh: L.kh, kw: L.kw, sh: 1, sw: 1,
    pt: L.padding === 'same' ? Math.floor((L.kh - 1) / 2) : 0, pl: L.padding === 'same' ? Math.floor((L.kw - 1) / 2) : 0, Ho, Wo,
  };
  const jsOutF = new Float32Array(Ws.outputSize);
  const jsOutT = new Float32Array(Ws.inputSize);
  if (L.js) {
    checks.push({ bench: L.title, what: 'plain JS forward vs convcs simd', relDiff: relErr(jsConvForward(g, weights, x, jsOutF), h) });
    checks.push({ bench: L.title, what: 'plain JS transpose vs convcs simd', relDiff: relErr(jsConvTranspose(g, weights, h, jsOutT), xT) });
  }

  // tfjs: NHWC input, HWIO filter; the 1-D layer as height 1.
  let tfForward: (() => Float32Array) | undefined;
  let tfTranspose: (() => Float32Array) | undefined;
  const tensors: Array<{ dispose(): void }> = [];
  if (tf) {
    const xt = tf.tensor4d(chwToHwc(x, L.M, L.H, L.W), [1, L.H, L.W, L.M]);
    const wt = tf.tensor4d(oihwToHwio(weights, L.K, L.M, L.kh, L.kw), [L.kh, L.kw, L.M, L.K]);
    const zt = tf.tensor4d(chwToHwc(h, L.K, Ho, Wo), [1, Ho, Wo, L.K]);
    tensors.push(xt, wt, zt);
    if (L.dims === 1) {
      const x3 = tf.reshape(xt, [1, L.W, L.M]) as Tensor3D;
      const w3 = tf.reshape(wt, [L.kw, L.M, L.K]) as Tensor3D;
      tensors.push(x3, w3);
      tfForward = () => {
        const y = tf.conv1d(x3, w3, 1, L.padding);
        const d = y.dataSync() as Float32Array;
        y.dispose();
        return d;
      };
    } else {
      tfForward = () => {
        const y = tf.conv2d(xt, wt, 1, L.padding);
        const d = y.dataSync() as Float32Array;
        y.dispose();
        return d;
      };
    }
    tfTranspose = () => {
      const y = tf.conv2dTranspose(zt, wt, [1, L.H, L.W, L.M], 1, L.padding);
      const d = y.dataSync() as Float32Array;
      y.dispose();
      return d;
    };
    checks.push({ bench: L.title, what: 'tfjs-wasm forward vs convcs simd', relDiff: relErr(hwcToChw(tfForward(), L.K, Ho, Wo), h) });
    checks.push({ bench: L.title, what: 'tfjs-wasm transpose vs convcs simd', relDiff: relErr(hwcToChw(tfTranspose(), L.M, L.H, L.W), xT) });
  }
  for (const c of checks.filter((c) => c.bench === L.title)) {
    if (!(c.relDiff < 1e-4)) log(`  CHECK FAILED: ${c.what}: relative difference ${c.relDiff}`);
  }

  const forward: Contender[] = [
    { name: 'convcs simd', fn: () => Ws.forward(x, outF) },
    { name: 'convcs scalar', fn: () => Wc.forward(x, outF) },
  ];
  if (Wd) forward.splice(1, 0, { name: 'convcs simd direct', fn: () => Wd.forward(x, outF) });
  for (const { a, W } of Wo4) forward.splice(1, 0, { name: `convcs simd ${a}`, fn: () => W.forward(x, outF) });
  if (tfForward) forward.push({ name: 'tfjs-wasm', fn: tfForward });
  if (L.js) forward.push({ name: 'plain JS', fn: () => jsConvForward(g, weights, x, jsOutF) });
  // PyTorch in the same rounds as the others, one round at a time in its own process
  const server = torchServer;
  if (server && torchLayer(L)) forward.push({ name: TORCH_NAME, external: (ms) => server.round(torchSpec(L), ms) });
  await group(L.title, 'forward', forward, { budgetMs: L.budgetMs, flops });
  const fwdRows = rows.filter((r) => r.bench === L.title && r.op === 'forward');
  const torchRow = fwdRows.find((r) => r.contender === TORCH_NAME);
  if (torchRow) for (const r of fwdRows) r.vsTorch = torchRow.stats.median / r.stats.median;

  const transpose: Contender[] = [
    { name: 'convcs simd', fn: () => Ws.transpose(h, outT) },
    { name: 'convcs scalar', fn: () => Wc.transpose(h, outT) },
  ];
  if (Wd) transpose.splice(1, 0, { name: 'convcs simd direct', fn: () => Wd.transpose(h, outT) });
  for (const { a, W } of Wo4) transpose.splice(1, 0, { name: `convcs simd ${a}`, fn: () => W.transpose(h, outT) });
  if (tfTranspose) transpose.push({ name: 'tfjs-wasm', fn: tfTranspose });
  if (L.js) transpose.push({ name: 'plain JS', fn: () => jsConvTranspose(g, weights, h, jsOutT) });
  await group(L.title, 'transpose (dense)', transpose, { budgetMs: L.budgetMs, flops });

  for (const [label, idx, val] of [['25%', idx25, val25], ['1%', idx1, val1]] as const) {
    await group(L.title, `sparse transpose ${label} (nnz ${idx.length})`, [
      { name: 'convcs simd', fn: () => Ws.transposeSparse(idx, val, outT) },
      { name: 'convcs scalar', fn: () => Wc.transposeSparse(idx, val, outT) },
    ], { budgetMs: L.budgetMs / 2, flops: 2 * idx.length * taps });
  }
  if (!L.js) notes.push(`${L.title}: the plain-JS baseline is skipped (about ${(flops / 1e9).toFixed(1)} GFLOP per call at ~0.5 GFLOP/s).`);

  if (Wd) {
    const name = (a: string) => (a === 'winograd4x4' ? 'Winograd F(4x4, 3x3)' : 'Winograd F(2x2, 3x3)');
    notes.push(`${L.title}: 'convcs simd' and 'convcs scalar' run ${name(autoAlgorithm)} (the default for this layer); ` +
      Wo4.map(({ a }) => `'convcs simd ${a}' is ${name(a)} forced, `).join('') +
      "'convcs simd direct' the direct kernel, on the same layer. GFLOP/s and % ceiling count the direct flops, so Winograd can pass 100%.");
    Wd.dispose();
  }
  for (const { W } of Wo4) W.dispose();
  for (const t of tensors) t.dispose();
  Ws.dispose();
  Wc.dispose();
}

await main();
