/// <reference types="node" />
// convcs study spec.json: a grid of settings, many trials per cell (cs.study), cut into parts
// written as JSON lines to --out; `--shard I/N` runs one part (for job arrays: I may be 'env',
// read from JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or AWS_BATCH_JOB_ARRAY_INDEX), `--workers n`
// runs parts on n threads, `--queue redis://...` hands them to `convcs worker` processes over
// BullMQ. Parts already in --out are skipped. convcs merge DIR joins the parts into the report.

import { Command, InvalidArgumentError } from 'commander';
import type { Convcs, StudyPart, StudyPartHeader, StudyReport } from 'convcs';
import { CliError } from '../errors.js';
import { intArg } from '../options.js';
import { progress } from '../progress.js';
import { emitJson, say, seconds, shown } from '../util.js';
import { completeShards, PartWriter, partName } from '../study/parts.js';
import { mergeFolder, printTable, studyFigures, writeReport } from '../study/report.js';
import { readSpec } from '../study/schema.js';
import { PartThread } from '../study/thread.js';
import { coordinate } from '../queue/coordinator.js';
import { runWorker } from '../queue/worker.js';
import { join } from 'node:path';

/** The job-array index variables, in the order they are looked for. */
export const SHARD_ENV = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

export function shardArg(v: string): { index: number; count: number } {
  const m = /^(\d+|env)\/(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError('expected I/N (e.g. 3/10), or env/N to read I from the job array');
  const count = Number(m[2]);
  let index: number;
  if (m[1] === 'env') {
    const name = SHARD_ENV.find((n) => process.env[n] !== undefined && process.env[n] !== '');
    if (!name) throw new InvalidArgumentError(`env/N: none of ${SHARD_ENV.join(', ')} is set`);
    const raw = process.env[name]!;
    if (!/^\d+$/.test(raw)) throw new InvalidArgumentError(`env/N: ${name}=${raw} is not a non-negative integer`);
    index = Number(raw);
  } else {
    index = Number(m[1]);
  }
  if (count < 1 || index >= count) throw new InvalidArgumentError(`shard ${index} of ${count}: I must be in [0, N - 1]`);
  return { index, count };
}

interface StudyFlags {
  out: string;
  shard?: { index: number; count: number };
  shards?: number;
  workers: number;
  queue?: string;
  attempts: number;
  figures: boolean;
  json: boolean;
}

export function studyCommand(load: () => Promise<Convcs>): Command {
  return new Command('study')
    .summary('a grid study: success rate, error quantiles and model-RIP per cell')
    .description('run a study spec (JSON; see docs/studies.md): every cell of its grid over `trials` random codes, ' +
      'parts written as JSON lines to --out (complete parts are skipped on a re-run), then merged into the report and figures')
    .argument('<spec>', 'study spec (JSON)')
    .option('-o, --out <dir>', 'folder of the parts, report and figures', 'convcs-study')
    .option('--shard <I/N>', 'run only part I of N and write it (no merge); I = env reads the job-array index', shardArg)
    .option('--shards <n>', 'cut the study into n parts (default: --workers, or 1)', intArg(1, 1e6))
    .option('--workers <n>', 'run parts on n threads of this process', intArg(1, 256), 1)
    .option('--queue <url>', 'hand the parts to `convcs worker` processes over BullMQ (redis://host:port)')
    .option('--attempts <n>', 'with --queue: tries per part before it is reported failed', intArg(1, 100), 3)
    .option('--no-figures', 'skip the heatmap and error curves')
    .option('--json', 'print one JSON result on stdout and nothing else', false)
    .action(async (spec: string, f: StudyFlags) => runStudy(await load(), spec, f));
}

export function mergeCommand(load: () => Promise<Convcs>): Command {
  return new Command('merge')
    .summary("join a study's parts into its report and figures")
    .description('check the parts in DIR (one study fingerprint, including the weights; none missing, none twice) and write ' +
      'study-report.jsonl and the figures')
    .argument('<dir>', 'folder of part-*-of-*.jsonl files')
    .option('--no-figures', 'skip the heatmap and error curves')
    .option('--json', 'print one JSON result on stdout and nothing else', false)
    .action(async (dir: string, f: { figures: boolean; json: boolean }) => {
      const cs = await load();
      await finish(mergeFolder(cs, dir), dir, f.figures, f.json, { skipped: 0, ran: 0, ms: 0 });
    });
}

export function workerCommand(load: () => Promise<Convcs>): Command {
  return new Command('worker')
    .summary('process study parts from a BullMQ queue')
    .description('take parts of `convcs study --queue` from Redis and run them (run on any number of machines)')
    .requiredOption('--queue <url>', 'redis://host:port')
    .option('--concurrency <n>', 'parts at once (each on its own thread)', intArg(1, 256), 1)
    .option('--lock-duration <ms>', "how long a part's lock lasts without renewal (stall detection)", intArg(100, 3_600_000), 30_000)
    .option('--stalled-interval <ms>', 'how often to look for parts whose worker died', intArg(100, 3_600_000), 30_000)
    .option('--idle-exit <ms>', 'exit after this long without a part (0: run until SIGTERM)', intArg(0, 86_400_000), 0)
    .action(async (f: { queue: string; concurrency: number; lockDuration: number; stalledInterval: number; idleExit: number }) => {
      const cs = await load();
      await runWorker(cs, { ...f, log: (l) => process.stderr.write(`convcs worker: ${l}\n`) });
    });
}

interface RunStats { skipped: number; ran: number; ms: number }

async function runStudy(cs: Convcs, specPath: string, f: StudyFlags): Promise<void> {
  if (f.shard && (f.shards !== undefined || f.queue)) throw new CliError('--shard runs one part: it does not go with --shards or --queue', 2);
  const { spec, weights, weightsFile } = readSpec(cs, specPath);
  const header = cs.studyHeader(spec, weights ? { weights } : undefined);
  const count = f.shard ? f.shard.count : (f.shards ?? f.workers);
  if (count > spec.trials) throw new CliError(`${count} parts of ${spec.trials} trials: at most one part per trial`);
  const indices = f.shard ? [f.shard.index] : Array.from({ length: count }, (_, i) => i);
  const done = completeShards(f.out, header.fingerprint, count);
  const todo = indices.filter((i) => !done.has(i));
  const t0 = performance.now();

  if (f.queue) {
    const bar = progress('study (queue)', 1000, 'permille', f.json);
    let failures;
    try {
      failures = await coordinate({
        queue: f.queue, spec, ...(weightsFile ? { weightsFile } : {}), header, out: f.out, count, todo, attempts: f.attempts,
        onProgress: (p) => bar.update(Math.round(p * 10)),
        log: (l) => { if (!f.json && !process.stderr.isTTY) process.stderr.write(`convcs study: ${l}\n`); },
      });
    } finally {
      bar.stop();
    }
    if (failures.length > 0) {
      const list = failures.map((x) => `shard ${x.shard} after ${x.attempts} attempts: ${x.reason}`).join('; ');
      if (f.json) emitJson({ fingerprint: header.fingerprint, complete: false, failed: failures, kept: count - failures.length });
      throw new CliError(`${failures.length} of ${count} parts failed (${list}); the other parts are kept in ${shown(f.out)}: run again to complete only the missing ones`);
    }
    await finish(mergeFolder(cs, f.out), f.out, f.figures, f.json, { skipped: indices.length - todo.length, ran: todo.length, ms: performance.now() - t0 });
    return;
  }

  const perPart = Math.ceil(spec.trials / count) * header.cells;
  const bar = progress('study', perPart * todo.length, 'trials', f.json);
  const progressOf = new Map<number, number>();
  const update = (i: number, d: number): void => {
    progressOf.set(i, d);
    let s = 0;
    for (const v of progressOf.values()) s += v;
    bar.update(s);
  };
  try {
    if (f.workers === 1) {
      for (const index of todo) runInProcess(cs, spec, weights, header, f.out, { index, count }, (d) => update(index, d));
    } else {
      const queue = [...todo];
      const threads = Array.from({ length: Math.min(f.workers, todo.length) }, () => new PartThread());
      try {
        await Promise.all(threads.map(async (thread) => {
          for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
            const shard = { index, count };
            const w = new PartWriter(f.out, { ...header, shard });
            try {
              await thread.run({ spec, ...(weights ? { weights } : {}), shard }, (c) => w.cell(c), (d) => update(index, d));
              w.finish();
            } catch (e) {
              w.abort();
              queue.length = 0; // the other threads stop after their current part
              throw e;
            }
          }
        }));
      } finally {
        await Promise.all(threads.map((t) => t.terminate()));
      }
    }
  } finally {
    bar.stop();
  }
  const stats = { skipped: indices.length - todo.length, ran: todo.length, ms: performance.now() - t0 };
  if (f.shard) {
    const file = join(f.out, partName(f.shard.index, count));
    if (f.json) emitJson({ fingerprint: header.fingerprint, shard: f.shard, file, ...stats });
    else say(`${stats.ran ? `wrote ${shown(file)} in ${seconds(stats.ms)}` : `${shown(file)} is already complete`} (study ${header.fingerprint}, shard ${f.shard.index} of ${count})`);
    return;
  }
  await finish(mergeFolder(cs, f.out), f.out, f.figures, f.json, stats);
}

/** One part in this thread, each cell's line written as soon as it is computed. */
function runInProcess(cs: Convcs, spec: unknown, weights: Float32Array | undefined, header: Omit<StudyPartHeader, 'shard'>,
  out: string, shard: { index: number; count: number }, onProgress: (done: number) => void): void {
  const w = new PartWriter(out, { ...header, shard });
  try {
    cs.studyPart(spec, { shard, ...(weights ? { weights } : {}), onCell: (c) => w.cell(c), onProgress });
    w.finish();
  } catch (e) {
    w.abort();
    throw e;
  }
}

async function finish(r: StudyReport, dir: string, figures: boolean, json: boolean, stats: RunStats): Promise<void> {
  const report = writeReport(dir, r);
  const files: Record<string, unknown> = { report, ...(figures ? await studyFigures(r, dir) : {}) };
  if (json) {
    emitJson({
      fingerprint: r.fingerprint, complete: true, cells: r.cells.length, trials: r.spec.trials, files, ...stats,
      successRate: r.cells.map((c) => c.successRate),
    });
    return;
  }
  printTable(r, say);
  say(`${stats.ran} parts run, ${stats.skipped} already complete${stats.ms ? `, in ${seconds(stats.ms)}` : ''}; wrote ${Object.values(files).flatMap((v) => (typeof v === 'string' ? [v] : [(v as { svg: string }).svg, (v as { png: string }).png])).map(shown).join(', ')}`);
}

export type { StudyPart };
