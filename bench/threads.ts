// Threads (load({ threads })): each operation on an instance with 2 threads against the same
// operation on an instance with 1, interleaved in the same run. Used by `npm run bench`
// (bench/run.ts, which adds the rows to its table), and run alone by
// `node --import tsx bench/threads.ts`; both write bench/results/threads.md and <date>-threads.json.
// The rows: conv2d 256->256 28x28 (forward, dense transpose, sparse transposes at 25% and 5%),
// the 512->512 15x15 and 64->64 56x56 forwards, and 50 NIHT iterations reconstructing the 3->64
// layer's features of a 256x256 photograph (data/astronaut-256.png); before and after them, what
// two threads gain on this machine at all (bench/thread-scaling.ts).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';
import { load } from '../src/index.js';
import type { Convcs, ConvOperator } from '../src/index.js';
import { measureGroup } from './harness.js';
import { measureThreadScaling } from './thread-scaling.js';
import type { ScalingKind } from './thread-scaling.js';
import type { Contender, Measurement } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** Runs one group of interleaved contenders and gives back their measurements. */
export type GroupRunner = (bench: string, op: string, contenders: Contender[], opts: { budgetMs: number; rounds?: number }) => Promise<Measurement[]>;

export interface ThreadsRow {
  bench: string;
  op: string;
  oneMs: number;
  twoMs: number;
  speedup: number;
  n: number;
  /** Set on the rows of what two threads gain on this machine at all (bench/thread-scaling.ts). */
  machine?: { kind: ScalingKind; when: 'before' | 'after' };
}

/** The photograph as 3 channels [3][256][256] in [0, 1]. */
function photograph(): Float32Array {
  const png = pngjs.PNG.sync.read(readFileSync(path.join(root, 'data', 'astronaut-256.png')));
  const { width, height, data } = png;
  if (width !== 256 || height !== 256) throw new Error(`astronaut-256.png is ${width}x${height}`);
  const x = new Float32Array(3 * width * height);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) x[c * width * height + i] = data[4 * i + c]! / 255;
  return x;
}

/**
 * Rounds of the NIHT pair: a call takes seconds, so each round gives each instance one sample,
 * and on a shared machine four of them (the plan for such calls) left the speed-up to chance.
 */
const NIHT_ROUNDS = 9;

const LAYER_256 = { inChannels: 256, outChannels: 256, kernelSize: 3, height: 28, width: 28, padding: 'same' } as const;

export async function benchThreads(run: GroupRunner, budgetMs = 2500): Promise<ThreadsRow[]> {
  const one = await load({ threads: 1 });
  const two = await load({ threads: 2 });
  if (two.threads !== 2) throw new Error(`bench/threads: 2 threads asked for, ${two.threads} running (${two.threadsNote})`);
  const rows: ThreadsRow[] = [];
  // what a second thread can gain on this machine at all, before and after the operations
  const machine = async (when: 'before' | 'after') => {
    for (const p of await measureThreadScaling()) {
      rows.push({
        bench: `this machine, two threads at once (${when})`,
        op: p.kind === 'arithmetic' ? 'arithmetic: f32x4 mul + add chains' : 'memory: copies of 32 MB arrays',
        oneMs: p.oneMs, twoMs: p.twoMs, speedup: p.speedup, n: p.rounds, machine: { kind: p.kind, when },
      });
    }
  };
  await machine('before');
  const pair = async (bench: string, op: string, make: (cs: Convcs) => () => unknown, check?: (a: unknown, b: unknown) => void, rounds?: number) => {
    const f1 = make(one), f2 = make(two);
    if (check) check(f1(), f2());
    const [m1, m2] = await run(bench, op, [
      { name: 'convcs simd, 1 thread', fn: f1 },
      { name: 'convcs simd, 2 threads', fn: f2 },
    ], { budgetMs, rounds });
    rows.push({ bench, op, oneMs: m1!.stats.median, twoMs: m2!.stats.median, speedup: m1!.stats.median / m2!.stats.median, n: m2!.stats.n });
  };
  const same = (what: string) => (a: unknown, b: unknown) => {
    const x = a as Float32Array, y = b as Float32Array;
    if (x.length !== y.length || !x.every((v, i) => Object.is(v, y[i]))) throw new Error(`bench/threads: ${what} differs between 1 and 2 threads`);
  };

  // the 256->256 layer: each direction and the sparse transposes
  const layer = (cs: Convcs): ConvOperator => cs.conv2d(LAYER_256).randomize({ seed: 1 });
  const W1 = layer(one), W2 = layer(two);
  const x = one.randn(W1.inputSize, { seed: 2 });
  const h = W1.forward(x);
  const hOut = [new Float32Array(W1.outputSize), new Float32Array(W1.outputSize)];
  const xOut = [new Float32Array(W1.inputSize), new Float32Array(W1.inputSize)];
  const pick = (cs: Convcs) => (cs === one ? 0 : 1);
  const Wof = (cs: Convcs) => (cs === one ? W1 : W2);
  const title = 'conv2d 256→256, 28×28, 3×3 same';
  await pair(title, 'forward', (cs) => () => Wof(cs).forward(x, hOut[pick(cs)]), same('forward'));
  await pair(title, 'dense transpose', (cs) => () => Wof(cs).transpose(h, xOut[pick(cs)]), same('transpose'));
  for (const density of [0.25, 0.05]) {
    const p = one.project(h, { shape: W1.outputShape, pool: 2, density });
    const values = Float32Array.from(p.support, (i) => p.z[i]!);
    await pair(title, `sparse transpose, ${density * 100}% (pool 2)`, (cs) => () => Wof(cs).transposeSparse(p.support, values, xOut[pick(cs)]),
      same(`sparse transpose ${density}`));
  }
  W1.dispose();
  W2.dispose();

  // the other forward layers of the bench
  for (const [t, options] of [
    ['conv2d 512→512, 15×15, 3×3 same', { inChannels: 512, outChannels: 512, kernelSize: 3, height: 15, width: 15, padding: 'same' }],
    ['conv2d 64→64, 56×56, 3×3 same', { inChannels: 64, outChannels: 64, kernelSize: 3, height: 56, width: 56, padding: 'same' }],
    ['conv2d 3→64, 224×224, 3×3 same', { inChannels: 3, outChannels: 64, kernelSize: 3, height: 224, width: 224, padding: 'same' }],
  ] as const) {
    const A = one.conv2d(options).randomize({ seed: 1 }), B = two.conv2d(options).randomize({ seed: 1 });
    const xi = one.randn(A.inputSize, { seed: 2 });
    const outs = [new Float32Array(A.outputSize), new Float32Array(A.outputSize)];
    await pair(t, 'forward', (cs) => () => (cs === one ? A : B).forward(xi, outs[pick(cs)]), same(`${t} forward`));
    const zi = A.forward(xi);
    const back = [new Float32Array(A.inputSize), new Float32Array(A.inputSize)];
    await pair(t, 'dense transpose', (cs) => () => (cs === one ? A : B).transpose(zi, back[pick(cs)]), same(`${t} transpose`));
    A.dispose();
    B.dispose();
  }

  // NIHT on a photograph: 50 iterations reconstructing x from a 3->64 layer's 10% code
  const photo = photograph();
  const P = { inChannels: 3, outChannels: 64, kernelSize: 3, height: 256, width: 256, padding: 'same' } as const;
  const A = one.conv2d(P).randomize({ seed: 1 }), B = two.conv2d(P).randomize({ seed: 1 });
  const opts = { pool: 2, density: 0.1, iterations: 50, tolerance: 0, step: 'normalized' } as const;
  await pair('NIHT, conv2d 3→64 on a 256×256 photograph', '50 iterations, pool 2, density 10%',
    (cs) => () => cs.iht(cs === one ? A : B, photo, opts).xHat, same('NIHT xHat'), NIHT_ROUNDS);
  A.dispose();
  B.dispose();
  two.closeThreads();
  await machine('after');
  return rows;
}

/** The markdown page of a run's rows (bench/results/threads.md). */
export function threadsPage(rows: readonly ThreadsRow[], command: string, seconds: number): string {
  const date = new Date().toISOString().slice(0, 10);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    `<!-- generated by \`${command}\` (bench/threads.ts): do not edit by hand -->`, '',
    `Measured ${date} on ${cpu} (${os.cpus().length} cores, shared), Node ${process.version}, in ${seconds.toFixed(0)} s of \`${command}\`. ` +
    'Each row: the same operation on an instance loaded with `threads: 1` and one with `threads: 2`, interleaved rounds, medians; ' +
    'the two give the same bits (checked before timing). Speed-up = 1-thread median / 2-thread median; the issue\'s target is 1.7× or more. ' +
    'The rows "this machine" (bench/thread-scaling.ts), measured before and after the others, bound every speed-up: the same loop of ' +
    'arithmetic, or of copies between arrays far larger than the last-level cache, on one worker thread alone and on two at once ' +
    '(their rates added; ms per unit of work, median over rounds). An operation that streams large arrays cannot gain more than ' +
    'the memory row, nor arithmetic more than the arithmetic row.', '',
    threadsTable(rows), '',
  ].join('\n');
}

/** Write the page and its JSON beside the other results. */
export function writeThreadsResults(rows: readonly ThreadsRow[], command: string, seconds: number): void {
  const date = new Date().toISOString().slice(0, 10);
  const dir = path.join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const md = threadsPage(rows, command, seconds);
  writeFileSync(path.join(dir, 'threads.md'), md);
  writeFileSync(path.join(dir, `${date}-threads.json`),
    `${JSON.stringify({ date, command, cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, rows }, null, 1)}\n`);
}

export function threadsTable(rows: readonly ThreadsRow[]): string {
  const out = ['| benchmark | operation | 1 thread, median ms | 2 threads, median ms | speed-up | n |', '| --- | --- | ---: | ---: | ---: | ---: |'];
  for (const r of rows) out.push(`| ${r.bench} | ${r.op} | ${r.oneMs.toFixed(2)} | ${r.twoMs.toFixed(2)} | ${r.speedup.toFixed(2)}× | ${r.n} |`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const rows = await benchThreads(async (bench, op, contenders, opts) => {
    process.stderr.write(`${bench} · ${op}\n`);
    const { results } = await measureGroup(contenders, opts.budgetMs, 1, Infinity, opts.rounds);
    return results;
  });
  const command = 'node --import tsx bench/threads.ts';
  writeThreadsResults(rows, command, (performance.now() - started) / 1000);
  process.stdout.write(threadsPage(rows, command, (performance.now() - started) / 1000));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
