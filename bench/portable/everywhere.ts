// `npm run bench:everywhere`: the portable suite in Node, headless Chromium, Deno, Bun and workerd
// (miniflare), one after the other on this machine, each result kept as
// bench/results/runtimes/<runtime>.json and all of them side by side in bench/results/runtimes.md
// (Node the reference). Usage: node --import tsx bench/portable/everywhere.ts [--config full|tiny]
// [--passes n] (npm run bench:everywhere builds the library and the CLI first). Nothing is
// asserted about speed.
//
// The runtimes cannot run interleaved (each is its own process), so a slow spell of this shared
// machine would land on whichever one was running. Hence two passes, each starting half the list
// further on (so that no runtime's two turns are back to back, as the last one's would be in a
// reversed order), and per case the better of the two (a slower run of the same code only met a
// busier moment); how far the passes disagree is reported beside the table.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareMarkdown, columnLabels, parseResult } from 'convcs-cli/bench';
import type { BenchResult } from 'convcs-cli/bench';
import { runChromium } from './chromium.js';
import { runWorkerd } from './workerd.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
const started = performance.now();

function log(msg: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);
}

/** The child processes get none of this process's node:test or tsx state. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

/** Run the command-line runner under `file`; its result is the last line of its stdout. */
export function runCommand(file: string, args: string[], timeoutMs = 300_000): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: root, env: childEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${[file, ...args].join(' ')} failed (${err.message.split('\n')[0]})\n${stderr}`));
      const lines = stdout.trim().split('\n');
      try {
        resolve(parseResult(JSON.parse(lines[lines.length - 1] ?? ''), `${file} output`));
      } catch (e) {
        reject(new Error(`${[file, ...args].join(' ')}: ${(e as Error).message}\n${stderr}`));
      }
    });
  });
}

/** The runners, in the table's column order (Node first: the reference). */
export function runners(config: 'full' | 'tiny'): Array<{ key: string; run: () => Promise<BenchResult> }> {
  const cli = ['bench/portable/run.mjs', '--config', config, '--quiet'];
  return [
    { key: 'node', run: () => runCommand(process.execPath, cli) },
    { key: 'chromium', run: async () => (await runChromium({ config, log })).result },
    { key: 'deno', run: () => runCommand(bin('deno'), ['run', '--allow-sys', '--no-prompt', ...cli]) },
    { key: 'bun', run: () => runCommand(bin('bun'), ['run', ...cli]) },
    { key: 'workerd', run: () => runWorkerd({ config, log }) },
  ];
}

/** A hand-written reading between these markers survives regeneration. */
const READING_START = '<!-- reading: written by hand, kept when the file is regenerated -->';
const READING_END = '<!-- /reading -->';

function keptReading(path: string): string {
  if (!existsSync(path)) return `${READING_START}\n${READING_END}`;
  const text = readFileSync(path, 'utf8');
  const a = text.indexOf(READING_START);
  const b = text.indexOf(READING_END);
  return a >= 0 && b > a ? text.slice(a, b + READING_END.length) : `${READING_START}\n${READING_END}`;
}

/** Per runtime, the cases furthest from Node either way: what the reading starts from. */
function extremes(results: readonly BenchResult[]): string[] {
  const labels = columnLabels(results);
  const ref = results[0]!;
  const out: string[] = [];
  results.slice(1).forEach((r, i) => {
    const ratios = ref.cases.flatMap((c) => {
      const o = r.cases.find((x) => x.id === c.id);
      return o ? [{ title: c.title, x: o.medianMs / c.medianMs }] : [];
    }).sort((a, b) => a.x - b.x);
    const best = ratios[0];
    const worst = ratios[ratios.length - 1];
    if (best && worst) {
      out.push(`- ${labels[i + 1]}: closest to or ahead of ${labels[0]} on ${best.title} (${best.x.toFixed(2)}×), ` +
        `furthest behind on ${worst.title} (${worst.x.toFixed(2)}×).`);
    }
  });
  return out;
}

export function runtimesMarkdown(results: readonly BenchResult[], config: string, durationS: number, reading: string,
  passes: { passes: number; spreads: number[] } = { passes: 1, spreads: [] }): string {
  const ref = results[0]!;
  const labels = columnLabels(results);
  const machine = [ref.machine.cpu, ref.machine.cores ? `${ref.machine.cores} cores` : null, ref.machine.platform].filter(Boolean).join(', ');
  const out = [
    '<!-- generated by `npm run bench:everywhere` (bench/portable/everywhere.ts): do not edit by hand, but for the reading -->',
    '',
    '# The portable suite in five runtimes',
    '',
    `Measured ${ref.date.slice(0, 10)} on ${machine || 'this machine'} (shared with other work), one runtime after the other, ` +
      `in ${durationS.toFixed(0)} s of \`npm run bench:everywhere\` (configuration \`${config}\`` +
      (passes.passes > 1 ? `, ${passes.passes} passes, each starting half the list further on, per case the better of the passes` : '') + '). ' +
      'On a shared machine absolute times move from run to run: compare the ratios within this one run, not with another ' +
      'run\'s times. Node, Chromium (in a Web Worker of bench.html), Deno and Bun time themselves with performance.now(); ' +
      'workerd is timed from outside, by the wall time of requests less that of empty ones (bench/README.md says why and how).',
    '',
  ];
  if (passes.passes > 1) {
    out.push(`How far the ${passes.passes} passes disagreed, median over the cases of max/min - 1: ` +
      labels.map((l, i) => `${l} ${Number.isFinite(passes.spreads[i]) ? `${(100 * passes.spreads[i]!).toFixed(1)}%` : '—'}`).join(', ') +
      '. Ratios closer to 1 than that are within this machine\'s noise.', '');
  }
  out.push(compareMarkdown(results), 'Cases furthest from Node, per runtime:', '', ...extremes(results), '', reading, '');
  return out.join('\n');
}

/**
 * One result from several passes of the same runtime: per case the pass with the lower median
 * (its p75, MAD and n with it), the higher ceiling of each ISA, and every share of the ceiling
 * taken again of that.
 */
export function bestOf(passes: readonly BenchResult[]): BenchResult {
  const first = passes[0]!;
  if (passes.length === 1) return first;
  const pick = <T>(values: T[], better: (a: T, b: T) => boolean): T => values.reduce((a, b) => (better(b, a) ? b : a));
  const simd = pick(passes.map((p) => p.ceiling), (a, b) => a.simdGflops > b.simdGflops);
  const scalar = pick(passes.map((p) => p.ceiling), (a, b) => a.scalarGflops > b.scalarGflops);
  const ceiling = { simdGflops: simd.simdGflops, simdChains: simd.simdChains, scalarGflops: scalar.scalarGflops, scalarChains: scalar.scalarChains };
  const cases = first.cases.map((c) => {
    const best = pick(passes.map((p) => p.cases.find((x) => x.id === c.id)!), (a, b) => a.medianMs < b.medianMs);
    return { ...best, ofCeiling: best.gflops !== null ? best.gflops / ceiling.simdGflops : null };
  });
  const loads = passes.map((p) => p.firstLoadMs).filter((x): x is number => x !== null);
  return {
    ...first,
    durationMs: passes.reduce((a, p) => a + p.durationMs, 0),
    firstLoadMs: loads.length > 0 ? Math.min(...loads) : null,
    timing: { ...first.timing, note: `${first.timing.note}; per case the better of ${passes.length} passes` },
    ceiling,
    cases,
  };
}

/** How far two passes of one runtime disagree: the median over cases of max(a, b) / min(a, b) - 1. */
function passSpread(passes: readonly BenchResult[]): number {
  if (passes.length < 2) return NaN;
  const [a, b] = passes;
  const d = a!.cases.map((c) => {
    const o = b!.cases.find((x) => x.id === c.id)!;
    return Math.max(c.medianMs, o.medianMs) / Math.min(c.medianMs, o.medianMs) - 1;
  }).sort((x, y) => x - y);
  return d[Math.floor(d.length / 2)]!;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const config = flag('--config') === 'tiny' ? 'tiny' : 'full';
  const passes = Math.max(1, Math.min(5, Number(flag('--passes') ?? 2) || 2));
  for (const f of ['dist/index.mjs', 'dist/workerd.mjs', 'cli/dist/bench.mjs']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run npm run build && npm run build -w convcs-cli`);
  }
  const outDir = join(root, 'bench', 'results', 'runtimes');
  mkdirSync(outDir, { recursive: true });
  const list = runners(config);
  const byKey = new Map<string, BenchResult[]>(list.map(({ key }) => [key, []]));
  for (let p = 0; p < passes; p++) {
    const shift = (p * Math.floor(list.length / 2)) % list.length;
    for (const { key, run } of [...list.slice(shift), ...list.slice(0, shift)]) {
      log(`pass ${p + 1}/${passes}, ${key}: running the ${config} suite`);
      const t0 = performance.now();
      const r = parseResult(await run(), `the ${key} result`);
      byKey.get(key)!.push(r);
      log(`pass ${p + 1}/${passes}, ${key}: ${r.runtime.name} ${r.runtime.version} (${r.runtime.engine}), ` +
        `SIMD ceiling ${r.ceiling.simdGflops.toFixed(1)} GFLOP/s, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  const results = list.map(({ key }) => bestOf(byKey.get(key)!));
  const spreads = list.map(({ key }) => passSpread(byKey.get(key)!));
  if (config === 'full') list.forEach(({ key }, i) => writeFileSync(join(outDir, `${key}.json`), `${JSON.stringify(results[i], null, 1)}\n`));
  const mdPath = join(root, 'bench', 'results', 'runtimes.md');
  const md = runtimesMarkdown(results, config, (performance.now() - started) / 1000, keptReading(mdPath), { passes, spreads });
  if (config === 'full') writeFileSync(mdPath, md);
  process.stdout.write(md);
  log(config === 'full' ? `wrote ${relative(root, mdPath)} and ${relative(root, outDir)}/*.json` : 'tiny configuration: nothing written');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
