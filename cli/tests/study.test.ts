// convcs study, merge and worker as users run them: the bundled bin in child processes. Reports
// are compared byte for byte: one process, threads, shards run one by one (also from job-array
// variables), resumed runs, and BullMQ workers over a real redis-server (started here on
// 127.0.0.1, a free port and a temporary folder) with a worker SIGKILLed mid-part, a part that
// always throws, and Redis restarted mid-study.
import { test, before, after } from 'node:test';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from '../../tests/assert.js';
import { assertRefused, runCli } from './run-cli.js';
import type { Run } from './run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'cli', 'dist', 'cli.mjs');
let dir: string;

const spec = {
  layer: { type: 'conv1d', inChannels: 8, kernelSize: 5, length: 16, weights: { seed: 3 } },
  grid: { outChannels: [12, 24], k: [1, 3, 6], method: ['reconstruct', 'iht-normalized'] },
  trials: 40, seed: 11, tolerance: 0.01, iterations: 20,
};
// long enough per part (about a second) that a worker can be killed in the middle of one
const slowSpec = { ...spec, trials: 1600, grid: { ...spec.grid, k: [1, 3], method: ['iht-normalized'] }, iterations: 30 };

const cli = (args: string[], env: Record<string, string> = {}): Run => runCli(bin, dir, args, env);

function ok(args: string[], env: Record<string, string> = {}): Record<string, any> {
  const r = cli([...args, '--json'], env);
  assert.equal(r.status, 0, `convcs ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const refused = (args: string[], code: number, pattern: RegExp): void => assertRefused(cli(args), args, code, pattern, false);

const report = (out: string): string => readFileSync(join(dir, out, 'study-report.jsonl'), 'utf8');
const parts = (out: string): string[] => readdirSync(join(dir, out)).filter((n) => n.startsWith('part-')).sort();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'convcs-study-'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  writeFileSync(join(dir, 'slow.json'), JSON.stringify(slowSpec));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('one process, threads, and parts run one by one then merged give the same report, byte for byte', () => {
  const one = ok(['study', 'spec.json', '--out', 'one']);
  assert.equal(one.cells, 12);
  assert.ok(existsSync(join(dir, 'one', 'study-success.png')) && existsSync(join(dir, 'one', 'study-error.svg')));
  const threads = ok(['study', 'spec.json', '--out', 'threads', '--shards', '5', '--workers', '2', '--no-figures']);
  assert.equal(threads.ran, 5);
  assert.equal(report('threads'), report('one'));
  for (const i of [2, 0, 1]) ok(['study', 'spec.json', '--out', 'split', '--shard', `${i}/3`]);
  assert.deepEqual(parts('split'), ['part-0-of-3.jsonl', 'part-1-of-3.jsonl', 'part-2-of-3.jsonl']);
  assert.equal(existsSync(join(dir, 'split', 'study-report.jsonl')), false, '--shard only writes its part');
  ok(['merge', 'split', '--no-figures']);
  assert.equal(report('split'), report('one'));
  // one line per cell after the header, each parsed on its own
  const lines = report('one').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 13);
  assert.equal(lines[1].trials, 40);
});

test('job-array variables pick the shard (env/N), for Kubernetes, Slurm and AWS Batch', () => {
  const vars = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID', 'AWS_BATCH_JOB_ARRAY_INDEX'];
  const clean = Object.fromEntries(vars.map((v) => [v, '']));
  for (const [i, v] of vars.entries()) {
    const r = ok(['study', 'spec.json', '--out', 'env', '--shard', 'env/3'], { ...clean, [v]: String(i) });
    assert.deepEqual(r.shard, { index: i, count: 3 });
  }
  ok(['merge', 'env', '--no-figures']);
  assert.equal(report('env'), report('one'));
  refused(['study', 'spec.json', '--shard', 'env/3'], 2, /none of JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX is set/);
});

test('a re-run skips complete parts and replaces what an interrupted run left', () => {
  ok(['study', 'spec.json', '--out', 'resume', '--shards', '4', '--no-figures']);
  rmSync(join(dir, 'resume', 'part-2-of-4.jsonl'));
  writeFileSync(join(dir, 'resume', 'part-2-of-4.jsonl.tmp-1-1'), '{"format":"convcs-study-part"'); // a killed writer's leftovers
  const again = ok(['study', 'spec.json', '--out', 'resume', '--shards', '4', '--no-figures']);
  assert.equal(again.ran, 1);
  assert.equal(again.skipped, 3);
  assert.equal(report('resume'), report('one'));
});

test('bad specs, flags and parts: one line, exit 1 or 2, before any work', () => {
  writeFileSync(join(dir, 'bad-k.json'), JSON.stringify({ ...spec, grid: { ...spec.grid, k: [1, -3] } }));
  refused(['study', 'bad-k.json', '--out', 'bad'], 1, /bad-k\.json: spec\.grid\.k\[1\]: Number must be greater than or equal to 0/);
  writeFileSync(join(dir, 'bad-type.json'), JSON.stringify({ ...spec, layer: { ...spec.layer, type: 'conv3d' } }));
  refused(['study', 'bad-type.json'], 1, /spec\.layer\.type: Invalid enum value/);
  writeFileSync(join(dir, 'big-k.json'), JSON.stringify({ ...spec, grid: { ...spec.grid, k: [13] } }));
  refused(['study', 'big-k.json'], 1, /'k' must be in \[0, 12\]/);
  writeFileSync(join(dir, 'not.json'), '{ layer');
  refused(['study', 'not.json'], 1, /not\.json is not JSON/);
  refused(['study', 'spec.json', '--shard', '3/3'], 2, /I must be in \[0, N - 1\]/);
  assert.equal(existsSync(join(dir, 'bad')), false, 'nothing written');
  // merge: a missing part, a part of another study, a tampered part
  ok(['study', 'spec.json', '--out', 'gap', '--shard', '0/3']);
  ok(['study', 'spec.json', '--out', 'gap', '--shard', '2/3']);
  refused(['merge', 'gap'], 1, /shards 1 of 3 are missing/);
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...spec, layer: { ...spec.layer, weights: { seed: 4 } } }));
  refused(['study', 'other.json', '--out', 'gap', '--shard', '1/3'], 1, /holds part-0-of-3\.jsonl of another study/);
  ok(['study', 'spec.json', '--out', 'gap', '--shard', '1/3']);
  const p = join(dir, 'gap', 'part-1-of-3.jsonl');
  const lines = readFileSync(p, 'utf8').split('\n');
  const cell = JSON.parse(lines[3]!);
  cell.forward.histogram[20] += 1; // a count a hand edit changed: the histogram no longer sums to the trials
  lines[3] = JSON.stringify(cell);
  writeFileSync(p, lines.join('\n'));
  refused(['merge', 'gap'], 1, /cell 2 is malformed/);
  writeFileSync(p, lines.slice(0, 4).join('\n'));
  refused(['merge', 'gap'], 1, /part-1-of-3\.jsonl is incomplete/);
});

// ---- BullMQ over a real redis-server ----

let redis: { proc: ChildProcess; port: number; dir: string } | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number, data: string): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', data, '--appendonly', 'yes',
    '--appendfsync', 'always', '--save', '', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) { clearTimeout(t); resolve(); }
    });
    proc.once('error', (e) => { clearTimeout(t); reject(new Error(`redis-server could not run (.ci/run installs it): ${e.message}`)); });
    proc.once('exit', (c) => { clearTimeout(t); reject(new Error(`redis-server exited with ${c}: ${out}`)); });
  });
  proc.stdout!.resume();
  return proc;
}

function stopped(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', () => r()));
}

interface Running { proc: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> }

function start(args: string[], env: Record<string, string> = {}): Running {
  const proc = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exit = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  return { proc, out: () => out, err: () => err, exit };
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const url = (): string => `redis://127.0.0.1:${redis!.port}`;
// short stall detection, so a dead worker's part moves on in about a second
const workerArgs = (): string[] => ['worker', '--queue', url(), '--lock-duration', '800', '--stalled-interval', '400'];
const workers: Running[] = [];
function worker(env: Record<string, string> = {}): Running {
  const w = start(workerArgs(), env);
  workers.push(w);
  return w;
}
async function stopWorkers(): Promise<void> {
  for (const w of workers.splice(0)) {
    w.proc.kill('SIGTERM');
    await w.exit;
  }
}

before(async () => {
  const data = mkdtempSync(join(tmpdir(), 'convcs-redis-'));
  const port = await freePort();
  redis = { proc: await startRedis(port, data), port, dir: data };
});
after(async () => {
  await stopWorkers();
  if (redis) {
    redis.proc.kill('SIGTERM');
    await stopped(redis.proc);
    rmSync(redis.dir, { recursive: true, force: true });
  }
});

test('queue: a worker SIGKILLed mid-part; its part is retried elsewhere after stall detection, same report', async () => {
  ok(['study', 'slow.json', '--out', 'slow-one', '--no-figures']);
  const coord = start(['study', 'slow.json', '--queue', url(), '--out', 'q-kill', '--shards', '3', '--no-figures', '--json']);
  const a = worker();
  await until('worker A to start a part', () => /shard (\d+)\/3: started/.test(a.err()));
  const victim = /shard (\d+)\/3: started/.exec(a.err())![1]!;
  await new Promise((r) => setTimeout(r, 100)); // into the part (about a second of work), not past it
  a.proc.kill('SIGKILL');
  await a.exit;
  assert.doesNotMatch(a.err(), new RegExp(`shard ${victim}/3: done`), 'killed in the middle of its part');
  const b = worker();
  assert.equal(await coord.exit, 0, coord.err());
  assert.match(b.err(), new RegExp(`shard ${victim}/3: started`), 'the killed part ran again on worker B');
  assert.equal(JSON.parse(coord.out().trim()).complete, true);
  assert.equal(report('q-kill'), report('slow-one'));
  await stopWorkers();
});

test('queue: a part that always throws fails after its attempts, is named with its reason, and a later run completes only it', async () => {
  const coord = start(['study', 'spec.json', '--queue', url(), '--out', 'q-fail', '--shards', '3', '--attempts', '2', '--no-figures']);
  worker({ CONVCS_FAULT_SHARDS: '1' });
  assert.equal(await coord.exit, 1);
  const lines = coord.err().split('\n').filter((l) => l.startsWith('convcs study:') && /failed/.test(l) && /parts failed/.test(l));
  assert.equal(lines.length, 1, coord.err());
  assert.match(lines[0]!, /1 of 3 parts failed \(shard 1 after 2 attempts: injected fault in shard 1/);
  assert.deepEqual(parts('q-fail'), ['part-0-of-3.jsonl', 'part-2-of-3.jsonl'], 'the other parts are kept');
  await stopWorkers();
  worker();
  const again = ok(['study', 'spec.json', '--queue', url(), '--out', 'q-fail', '--shards', '3', '--no-figures']);
  assert.equal(again.ran, 1);
  assert.equal(again.skipped, 2);
  assert.equal(report('q-fail'), report('one'));
  await stopWorkers();
});

test('queue: Redis restarted mid-study; the study resumes, nothing counted twice or lost', async () => {
  const coord = start(['study', 'slow.json', '--queue', url(), '--out', 'q-redis', '--shards', '4', '--no-figures', '--json']);
  worker();
  await until('a first part', () => existsSync(join(dir, 'q-redis')) && parts('q-redis').length >= 1);
  redis!.proc.kill('SIGTERM');
  await stopped(redis!.proc);
  await new Promise((r) => setTimeout(r, 300));
  redis!.proc = await startRedis(redis!.port, redis!.dir);
  assert.equal(await coord.exit, 0, coord.err());
  assert.equal(parts('q-redis').length, 4);
  assert.equal(report('q-redis'), report('slow-one'));
  await stopWorkers();
});

test("the job files in docs/jobs run part i of N from their engine's index variable, N as the array's size", () => {
  const jobs = join(root, 'docs', 'jobs');
  const k8s = readFileSync(join(jobs, 'kubernetes-indexed-job.yaml'), 'utf8');
  const completions = Number(/^\s+completions: (\d+)$/m.exec(k8s)![1]);
  assert.match(k8s, /completionMode: Indexed/);
  assert.match(k8s, new RegExp(`"--shard", "env/${completions}"`));
  const slurm = readFileSync(join(jobs, 'slurm-array.sh'), 'utf8');
  const [, lo, hi] = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(slurm)!;
  assert.equal(Number(lo), 0, 'the array counts from 0, as --shard does');
  assert.match(slurm, new RegExp(`--shard env/${Number(hi) + 1} `));
  const aws = JSON.parse(readFileSync(join(jobs, 'aws-batch-array.json'), 'utf8'));
  const cmd: string[] = aws.containerOverrides.command;
  assert.equal(cmd[cmd.indexOf('--shard') + 1], `env/${aws.arrayProperties.size}`);
  // and each engine's variable gives the part its index names (the study itself: see the env/N test)
  for (const [v, i] of [['JOB_COMPLETION_INDEX', 15], ['SLURM_ARRAY_TASK_ID', 0], ['AWS_BATCH_JOB_ARRAY_INDEX', 7]] as const) {
    const r = cli(['study', 'spec.json', '--out', `jobs-${v}`, '--shard', 'env/16', '--json'], { JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: '', AWS_BATCH_JOB_ARRAY_INDEX: '', [v]: String(i) });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(parts(`jobs-${v}`), [`part-${String(i).padStart(2, '0')}-of-16.jsonl`]);
  }
});

test("rip's report written in pieces is byte-identical to one JSON.stringify of it", async () => {
  const { writeJsonWithArrays } = await import('../src/json-stream.js');
  const { jsonReplacer } = await import('../src/util.js');
  const small = { command: 'rip', k: 3, bound: Infinity, delta2K: NaN, summary: { forward: { mean: 1.5 } } };
  const f = Float64Array.from({ length: 150_000 }, (_, i) => Math.sin(i) / 7);
  const arrays = { forward: f, gram: new Float64Array(0), reconstruction: f.subarray(3, 70_001) };
  const path = join(dir, 'pieces.json');
  writeJsonWithArrays(path, small, arrays, jsonReplacer);
  assert.equal(readFileSync(path, 'utf8'), JSON.stringify({ ...small, ...arrays }, jsonReplacer));
});

test('a weight file named by the spec (relative to it): threads and one process agree; other weights, another study', async () => {
  const { load } = await import('convcs');
  const cs = await load();
  const npy = (data: Float32Array, shape: number[]): Buffer => {
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
    header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
    const head = Buffer.alloc(10);
    head.write('\x93NUMPY', 0, 'latin1');
    head[6] = 1;
    head.writeUInt16LE(header.length, 8);
    return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
  };
  const w = cs.conv1d({ inChannels: 8, outChannels: 12, kernelSize: 5, length: 16 }).randomize({ seed: 5 }).getWeights();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'wf'), { recursive: true });
  writeFileSync(join(dir, 'wf', 'layer.npy'), npy(w, [12, 8, 5]));
  const s = { ...spec, layer: { ...spec.layer, weights: { file: 'layer.npy' } }, grid: { ...spec.grid, outChannels: [12] } };
  writeFileSync(join(dir, 'wf', 'spec.json'), JSON.stringify(s));
  const a = ok(['study', 'wf/spec.json', '--out', 'wf-one', '--no-figures']);
  const b = ok(['study', 'wf/spec.json', '--out', 'wf-threads', '--shards', '3', '--workers', '2', '--no-figures']);
  assert.equal(a.fingerprint, b.fingerprint);
  assert.equal(report('wf-threads'), report('wf-one'));
  w[0] = w[0]! + 1;
  writeFileSync(join(dir, 'wf', 'layer.npy'), npy(w, [12, 8, 5]));
  refused(['study', 'wf/spec.json', '--out', 'wf-one'], 1, /holds part-0-of-1\.jsonl of another study/);
  refused(['study', 'wf/missing.json'], 1, /no such file/);
});
