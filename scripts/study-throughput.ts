// Throughput of one study on this machine: `convcs study --workers n` threads in one process
// against n `convcs worker` processes over BullMQ (a redis-server started here on a free loopback
// port and a temporary folder), and the queue's overhead per part. Every run's report must be
// byte-identical to the single-thread one, or the script fails. Prints a markdown table and JSON.
// Run: npm run build && npm run build -w convcs-cli && node --import tsx scripts/study-throughput.ts [spec] [parts]

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'cli', 'dist', 'cli.mjs');
const spec = resolve(process.argv[2] ?? join(root, 'docs', 'studies', 'throughput.json'));
const parts = Number(process.argv[3] ?? 16);
const work = mkdtempSync(join(tmpdir(), 'convcs-throughput-'));

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => res(port)); });
  });
}

function cli(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`convcs ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
}

const report = (out: string): string => readFileSync(join(work, out, 'study-report.jsonl'), 'utf8');
const sj = JSON.parse(readFileSync(spec, 'utf8')) as { trials: number; grid: Record<string, unknown[]> };
const cells = Object.entries(sj.grid).reduce((a, [, v]) => a * v.length, 1);
const trials = sj.trials * cells;

const rows: Array<{ engine: string; n: number; ms: number; trialsPerS: number }> = [];
const base = cli(['study', spec, '--out', join(work, 'base'), '--shards', String(parts), '--no-figures', '--json']);
rows.push({ engine: 'threads', n: 1, ms: base, trialsPerS: trials / (base / 1000) });
for (const n of [2, 4]) {
  const ms = cli(['study', spec, '--out', join(work, `t${n}`), '--shards', String(parts), '--workers', String(n), '--no-figures', '--json']);
  if (report(`t${n}`) !== report('base')) throw new Error(`${n} threads: report differs`);
  rows.push({ engine: 'threads', n, ms, trialsPerS: trials / (ms / 1000) });
}

const port = await freePort();
const data = join(work, 'redis');
spawnSync('mkdir', ['-p', data]);
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', data, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const url = `redis://127.0.0.1:${port}`;
try {
  for (const n of [1, 2, 4]) {
    // a database of its own per run: the jobs of an earlier run (same fingerprint) are not reused
    const db = `${url}/${n}`;
    const ws: ChildProcess[] = Array.from({ length: n }, () => spawn(process.execPath, [bin, 'worker', '--queue', db], { stdio: 'ignore' }));
    // workers start (and load the wasm) before the clock starts, as long-lived workers would be
    await new Promise((r) => setTimeout(r, 1500));
    try {
      const ms = cli(['study', spec, '--queue', db, '--out', join(work, `q${n}`), '--shards', String(parts), '--no-figures', '--json']);
      if (report(`q${n}`) !== report('base')) throw new Error(`${n} queue workers: report differs`);
      rows.push({ engine: 'bullmq', n, ms, trialsPerS: trials / (ms / 1000) });
    } finally {
      for (const w of ws) w.kill('SIGTERM');
      await Promise.all(ws.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    }
  }
} finally {
  redis.kill('SIGTERM');
}
rmSync(work, { recursive: true, force: true });

const q1 = rows.find((r) => r.engine === 'bullmq' && r.n === 1)!;
const overhead = (q1.ms - base) / parts;
console.log(`spec ${spec}: ${cells} cells x ${sj.trials} trials = ${trials} trial-cells in ${parts} parts; ${cpus().length} cores, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log('| engine | workers | wall time (s) | trials/s |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.engine === 'threads' ? '`--workers n` threads' : 'BullMQ worker processes'} | ${r.n} | ${(r.ms / 1000).toFixed(2)} | ${r.trialsPerS.toFixed(0)} |`);
console.log(`queue overhead per part (1 BullMQ worker against 1 thread, same parts): ${overhead.toFixed(0)} ms`);
console.log(JSON.stringify({ spec, parts, cells, trials, rows, overheadPerPartMs: overhead, load: loadavg() }));
