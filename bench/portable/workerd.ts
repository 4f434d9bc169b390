// The portable suite in workerd (Cloudflare's runtime, through miniflare on 127.0.0.1), timed from
// outside. Inside a deployed Worker performance.now() and Date.now() advance only on I/O, so a
// worker cannot time its own computation; local workerd does move its clock, in whole
// milliseconds. Either way this driver does not use the worker's clock: it times HTTP requests to
// bench/portable/worker.mjs from Node, each running one case `calls` times, and subtracts the
// median wall time of empty requests (same route, no call) taken in the same round. `calls` is
// calibrated so that a request computes for targetMs, far above the empty request's time, and a
// sample is (wall - empty) / calls. Warm-up, interleaved rounds (order rotated every round) and
// medians as the in-runtime harness does. The worker's own clock is probed and reported.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { assembleResult, PLANS, sampleStats } from 'convcs-cli/bench';
import type { BenchResult, CaseInfo, Clock, RuntimeInfo } from 'convcs-cli/bench';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Compute time per timed request, ms, at the least (and at least 8 empty requests' time). */
const TARGET_MS = { full: 10, tiny: 20 } as const;

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The worker the way wrangler would bundle it, flat (workerd looks a bare specifier up beside the
 * importing module): the worker, `convcs` as its workerd entry with the two kernel modules, the
 * suite's core, and the two ceiling probe modules committed beside the worker (the bytes of
 * ceilingWasm(), checked by tests/bench-portable.test.ts), all .wasm as precompiled modules.
 */
function workerModules() {
  const read = (f: string) => readFileSync(join(root, f));
  return [
    { type: 'ESModule' as const, path: join(root, 'worker.mjs'), contents: read('bench/portable/worker.mjs').toString() },
    { type: 'ESModule' as const, path: join(root, 'convcs'), contents: read('dist/workerd.mjs').toString() },
    { type: 'ESModule' as const, path: join(root, 'convcs-cli', 'bench'), contents: read('cli/dist/bench.mjs').toString() },
    { type: 'CompiledWasm' as const, path: join(root, 'convcs-simd.wasm'), contents: read('dist/convcs-simd.wasm') },
    { type: 'CompiledWasm' as const, path: join(root, 'convcs-scalar.wasm'), contents: read('dist/convcs-scalar.wasm') },
    { type: 'CompiledWasm' as const, path: join(root, 'ceiling-simd.wasm'), contents: read('bench/portable/ceiling-simd.wasm') },
    { type: 'CompiledWasm' as const, path: join(root, 'ceiling-scalar.wasm'), contents: read('bench/portable/ceiling-scalar.wasm') },
  ];
}

export interface WorkerdOptions {
  config: 'full' | 'tiny';
  /** A deployed bench worker to time instead of a local one (then the empty requests include the network). */
  url?: string;
  backend?: 'simd' | 'scalar';
  label?: string;
  log?: (msg: string) => void;
}

export async function runWorkerd(opts: WorkerdOptions): Promise<BenchResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const config = opts.config;
  const backend = opts.backend ?? 'simd';
  const plan = PLANS[config];
  let agent: http.Agent | undefined;
  const mf = opts.url ? undefined : new Miniflare({ modulesRoot: root, modules: workerModules(), compatibilityDate: '2025-01-01', host: '127.0.0.1', port: 0 });
  try {
    const base = mf ? await mf.ready : new URL(opts.url!);
    const query = (extra: Record<string, string>) => new URLSearchParams({ config, backend, ...extra }).toString();
    // node:http with keep-alive, not fetch(): an empty request then costs about a millisecond
    // here instead of five, which lets a request compute for less and the rounds take more of them.
    agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
      (base.protocol === 'https:' ? https : http).get(new URL(path, base), { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { body += chunk; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    /** Wall time of one request, ms; throws on anything but 200. */
    const request = async (caseId: string, calls: number): Promise<number> => {
      const start = performance.now();
      const res = await get(`/run?${query({ case: caseId, calls: String(calls) })}`);
      const wall = performance.now() - start;
      if (res.status !== 200) throw new Error(`workerd: /run ${caseId} answered ${res.status}: ${res.body}`);
      return wall;
    };
    const infoRes = await get(`/info?${query({})}`);
    if (infoRes.status !== 200) throw new Error(`workerd: /info answered ${infoRes.status}: ${infoRes.body}`);
    const info = JSON.parse(infoRes.body) as { runtime: RuntimeInfo; clock: Clock; cases: CaseInfo[] };
    if (info.runtime.name !== 'workerd') throw new Error(`the worker says it runs in ${info.runtime.name}, not workerd`);
    opts.log?.(`workerd: ${info.cases.length} cases; the worker's own clock step ${info.clock.resolutionMs ?? 'none (frozen)'}`);

    const noop: number[] = [];
    for (let i = 0; i < 20; i++) noop.push(await request('noop', 0));
    let overhead = sampleStats(noop.slice(5)).median;
    // Far above an empty request's time, whatever the plan says (a deployed worker's includes the network).
    const target = Math.min(Math.max(TARGET_MS[config], 8 * overhead), 2000);

    // Warm-up, then calls per request so that a request computes for about `target` ms.
    const calls = new Map<string, number>();
    for (const c of info.cases) {
      const start = performance.now();
      for (let i = 0; i < 2 || performance.now() - start < plan.warmupMs; i++) await request(c.id, 1);
      // Grow the count tenfold on single requests until the calls show above the noise, then
      // aim at the target and confirm on the fastest of three requests. Noise on a shared machine
      // only ever adds time, and added time would stop the calibration at a count that computes
      // far less than the target: the fastest request is the one least inflated.
      let n = 1;
      while (n < 1e7 && (await request(c.id, n)) - overhead < target / 10) n *= 10;
      for (let tries = 0; ; tries++) {
        const net = Math.min(await request(c.id, n), await request(c.id, n), await request(c.id, n)) - overhead;
        if (net >= target / 2 || n >= 1e7 || tries >= 6) break;
        n = Math.min(1e7, Math.ceil((n * target) / Math.max(net, target / 20)));
      }
      n = Math.max(1, Math.min(1e7, n));
      calls.set(c.id, n);
    }
    opts.log?.('workerd: warmed up and calibrated; timing');

    // Per round, each case's request times and the empty requests (two after each case's turn):
    // a sample subtracts the median empty request of its own round, so a busier spell of the
    // machine in one round is subtracted where it happened.
    const walls = new Map<string, number[][]>(info.cases.map((c) => [c.id, []]));
    const emptyByRound: number[][] = [];
    for (let r = 0; r < plan.rounds; r++) {
      const empties: number[] = [];
      for (let j = 0; j < info.cases.length; j++) {
        const c = info.cases[(j + r) % info.cases.length]!;
        const mine: number[] = [];
        const start = performance.now();
        do mine.push(await request(c.id, calls.get(c.id)!));
        while (performance.now() - start < plan.roundTimeMs || mine.length < 2);
        walls.get(c.id)![r] = mine;
        empties.push(await request('noop', 0), await request('noop', 0));
      }
      emptyByRound.push(empties);
    }
    const roundOverhead = emptyByRound.map((e) => sampleStats(e).median);
    const empty = sampleStats(emptyByRound.flat());
    overhead = empty.median;
    const where = mf ? `miniflare ${version('miniflare')}, 127.0.0.1` : base.origin;
    const clockNote = info.clock.resolutionMs === null
      ? 'the worker\'s own clock did not move while it computed'
      : `the worker's own clock moved in ${info.clock.resolutionMs} ms steps here (local workerd; deployed, it does not move while computing)`;
    return assembleResult({
      config, backend, plan, label: opts.label,
      // workerd's version is known only to whoever started it: here, the workerd package miniflare runs.
      runtime: { ...info.runtime, version: mf ? version('workerd') : 'deployed' },
      // a deployed worker runs on Cloudflare's machines, of which nothing is known here
      machine: mf ? { cpu: os.cpus()[0]?.model.trim() ?? null, cores: os.cpus().length, platform: `${os.platform()} ${os.arch()}` } : undefined,
      timing: {
        method: 'external-wall', resolutionMs: info.clock.resolutionMs, minSampleMs: target,
        note: `wall time of HTTP requests to the worker (${where}), timed by Node's performance.now(); ` +
          `a request runs one case 'batch' times; a sample is (wall - the median empty request of the same round) / batch ` +
          `(empty requests: median ${overhead.toFixed(2)} ms, MAD ${empty.mad.toFixed(2)} ms, n ${empty.n}); at least ${target.toFixed(0)} ms of calls per request; ${clockNote}`,
      },
      firstLoadMs: null, startedAt, durationMs: performance.now() - t0,
      cases: info.cases.map((c) => ({
        info: c, batch: calls.get(c.id)!,
        samples: walls.get(c.id)!.flatMap((ws, r) => ws.map((w) => (w - roundOverhead[r]!) / calls.get(c.id)!)),
      })),
    });
  } finally {
    agent?.destroy();
    await mf?.dispose();
  }
}

// node --import tsx bench/portable/workerd.ts [--config full|tiny] [--url https://<deployed worker>] > result.json
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const flag = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const result = await runWorkerd({
    config: flag('--config') === 'tiny' ? 'tiny' : 'full', url: flag('--url'), label: flag('--label'),
    log: (msg) => process.stderr.write(`${msg}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
