// The portable benchmark suite (convcs-cli/bench and its runners in bench/portable/ and web/): each
// runner produces a result that is valid against the result schema, holds every case of the suite
// with positive, finite medians, and names its runtime and engine correctly; on the tiny
// configuration, a few seconds a runtime. Speed itself is never asserted here. Also: the
// hand-assembled ceiling probe computes what bench/ceiling.ts's WAT (through wabt) computes, the
// validator refuses broken records, and `convcs bench compare` tables the results.

import { test } from 'node:test';
import assert from './assert.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import * as convcs from 'convcs';
import {
  CEILING_CHAINS, ceilingFunctions, ceilingWasm, columnLabels, compareMarkdown, fromUserAgent, prepareCases, runSuite, validateResult,
} from 'convcs-cli/bench';
import type { BenchResult, CeilingIsa } from 'convcs-cli/bench';
import { ceilingWat } from '../bench/ceiling.js';
import { runCommand, runtimesMarkdown } from '../bench/portable/everywhere.js';
import { runChromium, CHROMIUM } from '../bench/portable/chromium.js';
import { runWorkerd } from '../bench/portable/workerd.js';

const fileStart = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
const TINY = ['bench/portable/run.mjs', '--config', 'tiny', '--quiet'];

function requireBuilt(): void {
  for (const f of ['dist/index.mjs', 'dist/workerd.mjs', 'dist/convcs.browser.mjs', 'cli/dist/bench.mjs', 'cli/dist/cli.mjs']) {
    assert.ok(existsSync(join(root, f)), `${f} is missing: run npm run build && npm run build -w convcs-cli`);
  }
}

/** The case ids of the tiny suite, from the suite itself (in this process). */
const expectedIds = await (async () => {
  const cs = await convcs.load();
  const suite = await prepareCases(convcs, cs, 'tiny');
  suite.dispose();
  return suite.cases.map((c) => c.id);
})();

const results = new Map<string, BenchResult>();

/** Schema-valid, every case, positive finite figures, the runtime and engine it says it is. */
function checkResult(r: BenchResult, runtime: string, engine: string, method: 'in-runtime' | 'external-wall' = 'in-runtime'): void {
  assert.deepEqual(validateResult(r), [], `${runtime}: the result breaks the schema`);
  assert.equal(r.runtime.name, runtime, `expected runtime ${runtime}, the result says ${r.runtime.name}`);
  assert.equal(r.runtime.engine, engine, `${runtime}: engine`);
  assert.match(r.runtime.version, /^\d+\.\d+/, `${runtime}: version ${r.runtime.version}`);
  assert.equal(r.suite.config, 'tiny');
  assert.equal(r.suite.backend, 'simd');
  assert.equal(r.timing.method, method);
  assert.deepEqual(r.cases.map((c) => c.id), expectedIds, `${runtime}: not the suite's cases, in its order`);
  for (const c of r.cases) {
    for (const [k, v] of Object.entries({ medianMs: c.medianMs, p75Ms: c.p75Ms, gflops: c.gflops ?? 1, ofCeiling: c.ofCeiling ?? 1 })) {
      assert.ok(Number.isFinite(v) && v > 0, `${runtime}: ${c.id}.${k} is ${v}`);
    }
    assert.ok(Number.isFinite(c.madMs) && c.madMs >= 0, `${runtime}: ${c.id}.madMs is ${c.madMs}`);
  }
  assert.ok(r.ceiling.simdGflops > 0 && r.ceiling.scalarGflops > 0, `${runtime}: ceiling ${JSON.stringify(r.ceiling)}`);
  results.set(runtime, r);
}

// ---- the core -------------------------------------------------------------------------------

test('ceiling probe: the hand-assembled modules validate and return, bit for bit, what the WAT of bench/ceiling.ts returns', async () => {
  const wabt = await wabtInit();
  for (const isa of ['simd', 'scalar'] as CeilingIsa[]) {
    assert.ok(WebAssembly.validate(ceilingWasm(isa)), `the ${isa} probe module does not validate`);
    const mine = await ceilingFunctions(isa);
    assert.deepEqual([...mine.keys()], [...CEILING_CHAINS[isa]]);
    for (const chains of CEILING_CHAINS[isa]) {
      const mod = wabt.parseWat(`ceiling-${isa}-${chains}.wat`, ceilingWat(isa, chains), { simd: isa === 'simd' });
      try {
        const { instance } = await WebAssembly.instantiate(new Uint8Array(mod.toBinary({}).buffer), {});
        const reference = instance.exports.run as (n: number, a: number, b: number) => number;
        for (const [n, a, b] of [[0, 0.5, 0.5], [1, 0.5, 0.5], [37, 0.5, 0.5], [5, 0.75, -0.25], [3, 1.5, 0.1]]) {
          const got = mine.get(chains)!(n!, a!, b!);
          assert.ok(Object.is(got, reference(n!, a!, b!)), `${isa}, ${chains} chains, n=${n} a=${a} b=${b}: ${got} vs ${reference(n!, a!, b!)}`);
        }
      } finally {
        mod.destroy();
      }
    }
  }
});

test('the worker\'s precompiled probe modules (bench/portable/ceiling-*.wasm) are the bytes of ceilingWasm()', () => {
  for (const isa of ['simd', 'scalar'] as CeilingIsa[]) {
    const committed = readFileSync(join(root, 'bench', 'portable', `ceiling-${isa}.wasm`));
    assert.ok(Buffer.from(ceilingWasm(isa)).equals(committed),
      `bench/portable/ceiling-${isa}.wasm is stale: rewrite it from ceilingWasm('${isa}') (see bench/README.md)`);
  }
});

test('the validator refuses broken records, each for its own reason', async () => {
  const good = await runSuite(convcs, { config: 'tiny', plan: { rounds: 1 } });
  assert.deepEqual(validateResult(good), []);
  const broken: Array<[string, (r: any) => void, RegExp]> = [
    ['another schema', (r) => { r.schema = 'convcs-bench/0'; }, /\$\.schema: must be "convcs-bench\/1"/],
    ['a missing field', (r) => { delete r.ceiling; }, /missing 'ceiling'/],
    ['an extra field', (r) => { r.cases[0].extra = 1; }, /unexpected 'extra'/],
    ['a zero median', (r) => { r.cases[1].medianMs = 0; }, /cases\[1\]\.medianMs: 0 is not above 0/],
    ['a non-finite rate', (r) => { r.cases[2].gflops = Infinity; }, /cases\[2\]\.gflops: expected number or null, got non-finite/],
    ['an unknown runtime', (r) => { r.runtime.name = 'rhino'; }, /runtime\.name: must be one of/],
    ['a case twice', (r) => { r.cases.push({ ...r.cases[0] }); r.suite.cases++; }, /appears twice/],
    ['a miscount', (r) => { r.suite.cases = 1; }, /suite\.cases says 1/],
  ];
  for (const [what, mutate, expected] of broken) {
    const r = structuredClone(good);
    mutate(r);
    const errors = validateResult(r);
    assert.ok(errors.some((e) => expected.test(e)), `${what}: expected an error matching ${expected}, got ${JSON.stringify(errors)}`);
  }
});

test('browsers this machine cannot run are still named by their user agent, engine and all', () => {
  const cases: Array<[string, string, string, string]> = [
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'firefox', 'SpiderMonkey', '133.0'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 'safari', 'JavaScriptCore', '18.1'],
    ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'chromium', 'V8', '131.0.0.0'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'chromium', 'V8', '131.0.0.0'],
  ];
  for (const [ua, name, engine, version] of cases) {
    const r = fromUserAgent(ua);
    assert.deepEqual([r.name, r.engine, r.version], [name, engine, version], ua);
  }
  assert.equal(fromUserAgent(cases[2]![0]).engineVersion, '13.1', 'Chromium 131 ships V8 13.1');
});

// ---- one tiny run per runner -----------------------------------------------------------------

test('Node: bench/portable/run.mjs', { timeout: 60_000 }, async () => {
  requireBuilt();
  checkResult(await runCommand(process.execPath, TINY, 60_000), 'node', 'V8');
});

test('Deno: deno run bench/portable/run.mjs', { timeout: 60_000 }, async () => {
  assert.ok(existsSync(bin('deno')), 'deno is missing: it comes with the dev dependencies (npm ci)');
  const r = await runCommand(bin('deno'), ['run', '--allow-sys', '--no-prompt', ...TINY], 60_000);
  checkResult(r, 'deno', 'V8');
  assert.ok(r.machine.cores !== null && r.machine.cpu !== null, 'deno with --allow-sys names the machine');
});

test('Bun: bun bench/portable/run.mjs (JavaScriptCore)', { timeout: 60_000 }, async () => {
  assert.ok(existsSync(bin('bun')), 'bun is missing: it comes with the dev dependencies (npm ci)');
  checkResult(await runCommand(bin('bun'), ['run', ...TINY], 60_000), 'bun', 'JavaScriptCore');
});

test('Chromium: bench.html runs the suite in a Web Worker, fills the progress bar, the table and the buttons', { timeout: 90_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  requireBuilt();
  const { result, page } = await runChromium({ config: 'tiny', label: 'headless test' });
  checkResult(result, 'chromium', 'V8');
  assert.equal(result.label, 'headless test');
  assert.match(result.runtime.userAgent ?? '', /HeadlessChrome\//);
  assert.deepEqual(page.errors, [], 'the page logged errors');
  assert.equal(page.progress, 1, 'the progress bar is not full');
  assert.ok(page.copyEnabled && page.downloadEnabled, 'Copy and Download are not enabled after the run');
  assert.equal(page.tableRows, expectedIds.length, 'the table does not show every case');
});

test('workerd (miniflare): the Cloudflare Worker, timed from outside by wall time of requests', { timeout: 90_000 }, async () => {
  requireBuilt();
  const r = await runWorkerd({ config: 'tiny' });
  checkResult(r, 'workerd', 'V8', 'external-wall');
  assert.equal(r.firstLoadMs, null, 'workerd cannot time its first load() from outside');
  assert.match(r.timing.note, /empty requests/);
  assert.ok(r.cases.every((c) => c.batch >= 1), 'a request runs at least one call');
});

// ---- comparing ---------------------------------------------------------------------------------

test('convcs bench compare: one table of every case with each runtime\'s median and its ratio; bad files refused', { timeout: 60_000 }, () => {
  const have = ['node', 'chromium', 'deno', 'bun', 'workerd'].filter((k) => results.has(k));
  assert.ok(have.length >= 2, `needs the runners' results (got ${have.join(', ') || 'none'}): see the tests above`);
  const dir = mkdtempSync(join(tmpdir(), 'convcs-compare-'));
  try {
    const files = have.map((k) => {
      const f = join(dir, `${k}.json`);
      writeFileSync(f, JSON.stringify(results.get(k)));
      return f;
    });
    const r = spawnSync(process.execPath, [join(root, 'cli/dist/cli.mjs'), 'bench', 'compare', ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const md = r.stdout;
    assert.equal(md.trim(), compareMarkdown(have.map((k) => results.get(k)!)).trim(), 'the CLI prints compareMarkdown of the files');
    const labels = columnLabels(have.map((k) => results.get(k)!));
    for (const label of labels) assert.ok(md.includes(`| ${label} |`), `no row for ${label}`);
    for (const c of results.get(have[0]!)!.cases) assert.ok(md.includes(`| ${c.title} |`), `no row for ${c.id}`);
    assert.match(md, /\(\d+\.\d\d×\)/, 'no ratio to the reference');
    const asJson = spawnSync(process.execPath, [join(root, 'cli/dist/cli.mjs'), 'bench', 'compare', ...files, '--json'], { encoding: 'utf8' });
    assert.equal(asJson.status, 0, asJson.stderr);
    const parsed = JSON.parse(asJson.stdout) as { command: string; files: string[]; results: BenchResult[]; markdown: string };
    assert.equal(parsed.command, 'bench compare');
    assert.deepEqual(parsed.files, files);
    assert.equal(parsed.markdown.trim(), md.trim());

    writeFileSync(join(dir, 'bad.json'), '{"schema":"convcs-bench/1"}');
    const bad = spawnSync(process.execPath, [join(root, 'cli/dist/cli.mjs'), 'bench', 'compare', files[0]!, join(dir, 'bad.json')], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^convcs bench compare: .*bad\.json is not a convcs bench result \(convcs-bench\/1\): \$: missing 'date'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runtimes.md: the generated page keeps the hand-written reading and says how to read the ratios', () => {
  const all = ['node', 'chromium', 'deno', 'bun', 'workerd'].filter((k) => results.has(k)).map((k) => results.get(k)!);
  assert.ok(all.length >= 2, 'needs the runners\' results');
  const reading = '<!-- reading: written by hand, kept when the file is regenerated -->\nA reading.\n<!-- /reading -->';
  const md = runtimesMarkdown(all, 'tiny', 12, reading);
  assert.ok(md.includes(reading));
  assert.match(md, /compare the ratios within this one run/);
});

test('time budget: this file runs in under 2 minutes', () => {
  const s = (performance.now() - fileStart) / 1000;
  console.log(`bench-portable.test.ts: ${s.toFixed(1)} s`);
  assert.ok(s < 120, `took ${s.toFixed(1)} s`);
});
