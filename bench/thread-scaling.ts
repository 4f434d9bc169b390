// What two threads can gain on this machine at all, measured in the same run as the threads rows
// (bench/threads.ts): the same work on one worker thread alone, then on two at once, each pair of
// windows started together. Two kinds of work bound every kernel's speed-up:
//   arithmetic: the ceiling probe's loop (bench/ceiling.ts: f32x4 mul + add chains, no memory),
//               how far two cores of this machine add up when both do arithmetic;
//   memory:     copies between two 32 MB arrays per thread (far past the last-level cache), how
//               far its memory bandwidth grows with a second thread.
// A kernel that streams large arrays cannot be sped up by a second thread more than `memory`,
// and arithmetic more than `arithmetic`; read the threads rows against these two.

import { Worker } from 'node:worker_threads';
import { ceilingBytes } from './ceiling.js';
import { stats } from './harness.js';

export type ScalingKind = 'arithmetic' | 'memory';

export interface ScalingPoint {
  kind: ScalingKind;
  /** ms per unit of work on one thread alone (median over rounds) */
  oneMs: number;
  /** ms per unit of work with two threads working at once (their rates added; median over rounds) */
  twoMs: number;
  /** the median over rounds of (two threads' rate together) / (one thread's rate) */
  speedup: number;
  rounds: number;
}

// The worker: sets up its work, then for each window waits at a barrier with the others of the
// window and counts units until the window ends. Plain JS run with eval, so that it needs no build.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { kind, bytes, chainSteps } = workerData;
let step;
if (kind === 'arithmetic') {
  const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports.run;
  step = () => run(chainSteps, 0.5, 0.5);
} else {
  const a = new Float32Array(8 << 20).fill(1), b = new Float32Array(8 << 20);
  step = () => { b.set(a); a.set(b); };
}
for (let i = 0; i < 3; i++) step();
parentPort.on('message', ({ barrier, parties, ms }) => {
  const flag = new Int32Array(barrier);
  Atomics.add(flag, 0, 1);
  while (Atomics.load(flag, 0) < parties) {}
  let units = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) { step(); units++; t = performance.now(); }
  parentPort.postMessage(units / (t - t0));
});
parentPort.postMessage('ready');
`;

/** Units per ms of each worker over one window in which they all start together. */
function measureWindow(workers: readonly Worker[], ms: number): Promise<number[]> {
  const barrier = new SharedArrayBuffer(4);
  return Promise.all(workers.map((w) => new Promise<number>((resolve, reject) => {
    const done = (rate: number) => {
      w.off('error', reject);
      resolve(rate);
    };
    w.once('message', done);
    w.once('error', reject);
    w.postMessage({ barrier, parties: workers.length, ms });
  })));
}

async function start(kind: ScalingKind, bytes: Uint8Array): Promise<Worker> {
  // chain steps per unit of arithmetic: about a millisecond of arithmetic per call
  const w = new Worker(WORKER, { eval: true, workerData: { kind, bytes, chainSteps: 100_000 } });
  await new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  });
  return w;
}

/**
 * For each kind: `rounds` rounds of one worker alone for `ms`, then two at once for `ms`; the
 * speed-up of a round is the two rates added over the lone rate.
 */
export async function measureThreadScaling(opts: { rounds?: number; ms?: number } = {}): Promise<ScalingPoint[]> {
  const rounds = opts.rounds ?? 5;
  const ms = opts.ms ?? 400;
  const bytes = await ceilingBytes('simd', 16);
  const points: ScalingPoint[] = [];
  for (const kind of ['arithmetic', 'memory'] as const) {
    const workers = [await start(kind, bytes), await start(kind, bytes)];
    try {
      const one: number[] = [], two: number[] = [], ratio: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const [alone] = await measureWindow(workers.slice(0, 1), ms);
        const both = (await measureWindow(workers, ms)).reduce((a, b) => a + b, 0);
        one.push(alone!);
        two.push(both);
        ratio.push(both / alone!);
      }
      points.push({ kind, oneMs: 1 / stats(one).median, twoMs: 1 / stats(two).median, speedup: stats(ratio).median, rounds });
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }
  return points;
}
