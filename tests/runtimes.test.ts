// "Runs everywhere", checked: the built package (dist/, from `npm run build`) gives the same
// bits in Node (ESM and CommonJS), headless Chromium (page and module worker), Deno, Bun and
// Cloudflare workerd (through miniflare). Every runtime runs tests/conformance/conformance.mjs on
// convcs imported its own way, through the snippet files that docs/runtimes.md shows; all must
// return the same SHA-256 for the SIMD module and the same one for the scalar module. A runtime
// that cannot start here fails its test with what is missing: none is skipped.
//
// Also here: the package metadata checks (publint, attw), the size budget, and the SIMD-vs-scalar
// comparison of the conformance outputs within 1e-5.

import { test, after } from 'node:test';
import assert from './assert.js';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { Miniflare } from 'miniflare';
import { conformanceOutputs, digest } from './conformance/conformance.mjs';
import { relErr } from './helpers.js';
import type { ConformanceOutputs, ConformanceResult } from './conformance/conformance.mjs';

const fileStart = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
const CHROMIUM = '/usr/bin/chromium';
const KB = 1024;

/** Results by runtime, filled by the runtime tests and compared by 'same bits everywhere'. */
const results = new Map<string, { result: ConformanceResult; wallMs: number }>();
const runtimes = [
  'Node ESM', 'Node CommonJS', 'Chromium page', 'Chromium page, cross-origin isolated', 'Chromium module worker', 'Deno', 'Bun',
  'workerd (miniflare)',
] as const;
type Runtime = (typeof runtimes)[number];
/**
 * Where load({ threads }) gets its threads: every runtime with workers and SharedArrayBuffer.
 * A page that is not cross-origin isolated (and its workers) has no SharedArrayBuffer, and
 * workerd no threads at all: there the instance runs on one, with the same bits.
 */
const threaded: ReadonlySet<Runtime> = new Set(['Node ESM', 'Node CommonJS', 'Chromium page, cross-origin isolated', 'Deno', 'Bun']);

/** The child processes inherit no node:test state (a node child would otherwise report to us). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

/** Run a command in the package root; reject with its output when it fails. */
function run(file: string, args: string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: root, env: childEnv(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${[file, ...args].join(' ')} failed (${err.message.split('\n')[0]})\n${stdout}\n${stderr}`));
      } else resolve({ stdout, stderr });
    });
  });
}

function requireBinary(path: string, what: string): void {
  assert.ok(existsSync(path), `${what} is missing at ${path}: it comes with the dev dependencies (npm ci)`);
}

/** A conformance result, checked for shape, from a runtime's last line of output (or object). */
function parseResult(runtime: string, raw: unknown): ConformanceResult {
  let value = raw;
  if (typeof raw === 'string') {
    const lines = raw.trim().split('\n');
    try {
      value = JSON.parse(lines[lines.length - 1] ?? '');
    } catch {
      assert.fail(`${runtime}: expected a JSON result as the last line of output, got:\n${raw}`);
    }
  }
  const r = value as ConformanceResult;
  assert.ok(r !== null && typeof r === 'object', `${runtime}: no result object (got ${JSON.stringify(raw)})`);
  for (const key of ['simd', 'scalar'] as const) {
    assert.match(String(r[key]), /^[0-9a-f]{64}$/, `${runtime}: '${key}' is not a SHA-256 hex digest`);
  }
  return r;
}

async function timed(runtime: Runtime, fn: () => Promise<unknown>): Promise<ConformanceResult> {
  const t0 = performance.now();
  const result = parseResult(runtime, await fn());
  results.set(runtime, { result, wallMs: Math.round(performance.now() - t0) });
  return result;
}

function requireDist(): void {
  for (const f of ['index.mjs', 'index.cjs', 'index.d.ts', 'index.d.cts', 'convcs.browser.mjs', 'workerd.mjs', 'convcs-simd.wasm', 'convcs-scalar.wasm']) {
    assert.ok(existsSync(join(root, 'dist', f)), `dist/${f} is missing: run \`npm run build\` first`);
  }
}

// ---- the package ---------------------------------------------------------------------------

// The browser file embeds all three modules as base64. Its budget was 150 KB until the Winograd,
// few-channel and blocked sparse kernels (2026-11-26) took the SIMD modules from 14 to 27 KB
// each: a deliberate trade of about 35 KB of base64 for 2x faster layers; then 192 KB. It is
// 208 KB since 2026-12-02, when the library gained the model-based pursuits (about 17 KB
// minified) and the study runner (about 20 KB): features of the library itself, which web apps
// use too. A `convcs/study` entry of its own would give the studies' share back, if size matters more.
// It is 256 KB since Winograd F(4x4, 3x3) (branch winograd-4x4): its transforms, unrolled for four
// tiles per f32x4, take the SIMD modules from 27 to 43 KB each (the scalar one from 11 to 14 KB),
// about 45 KB of base64 for 1.3-1.4x faster wide layers (bench/results/2026-12-02-winograd-4x4.md).
// It is 272 KB since threads (load({ threads })): the team, the thread loop, the shared-memory
// variant of the modules and the kernels' range parameters took the file from 256,645 to 272,920
// bytes, for 1.5-1.9x faster operations on 2 cores (bench/results/threads.md).
// It is 280 KB since NIHT's bookkeeping went into kernels that split over threads (the top-k in
// four passes, the comparison of iterates, the regrouping of a sparse code in three, the fused
// b = z + mu g, a placement by tiles of pixels for codes in index order): 272,920 to 282,710
// bytes, for NIHT iterations 1.45x faster on one thread and about 1.7x faster again on two
// (bench/results/threads.md).
// It is 288 KB since the sparse transpose onto few channels (f32-conv2d-transpose-sparse-3x3c4-simd,
// its packing, the crop's channel stride): 284,421 to 290,153 bytes, for sparse transposes of a
// photograph's first layer 1.6-2.0x faster (bench/README.md, "Sparse transposes onto few channels").
test('size budget: each wasm module <= 64 KB, the browser file <= 288 KB', () => {
  requireDist();
  const wasm = [
    ...readdirSync(join(root, 'build')).filter((f) => f.endsWith('.wasm')).map((f) => join('build', f)),
    ...readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.wasm')).map((f) => join('dist', f)),
  ];
  assert.ok(wasm.some((f) => f.endsWith('convcs-simd.wasm')) && wasm.some((f) => f.endsWith('convcs-scalar.wasm')),
    `expected the SIMD and scalar modules among ${wasm.join(', ')}`);
  const rows: string[] = [];
  for (const f of wasm) {
    const size = statSync(join(root, f)).size;
    rows.push(`${f}: ${size} bytes (${(size / KB).toFixed(1)} KB)`);
    assert.ok(size <= 64 * KB, `${f} is ${size} bytes, over the 64 KB budget`);
  }
  for (const f of ['dist/convcs.browser.mjs', 'dist/index.mjs', 'dist/index.cjs', 'dist/workerd.mjs']) {
    const size = statSync(join(root, f)).size;
    rows.push(`${f}: ${size} bytes (${(size / KB).toFixed(1)} KB)`);
  }
  const browser = statSync(join(root, 'dist/convcs.browser.mjs')).size;
  assert.ok(browser <= 288 * KB, `dist/convcs.browser.mjs is ${browser} bytes, over the 288 KB budget`);
  console.log(`sizes:\n  ${rows.join('\n  ')}`);
});

test('the browser file is self-contained: no import of any kind, nothing from node:', () => {
  const text = readFileSync(join(root, 'dist/convcs.browser.mjs'), 'utf8');
  assert.doesNotMatch(text, /\bnode:/, 'dist/convcs.browser.mjs mentions node:');
  assert.doesNotMatch(text, /^\s*import[\s{*'"]/m, 'dist/convcs.browser.mjs has a static import');
  assert.doesNotMatch(text, /\bimport\s*\(|\brequire\s*\(/, 'dist/convcs.browser.mjs imports or requires at run time');
});

test('the workerd entry imports exactly the two modules shipped beside it, the ones the other entries embed', async () => {
  const text = readFileSync(join(root, 'dist/workerd.mjs'), 'utf8');
  const imports = [...text.matchAll(/^import\s+\w+\s+from\s+'([^']+)'/gm)].map((m) => m[1]);
  assert.deepEqual(imports.sort(), ['./convcs-scalar.wasm', './convcs-simd.wasm']);
  const esm = await import(pathToFileURL(join(root, 'dist/index.mjs')).href) as typeof import('../src/index.js');
  for (const backend of ['simd', 'scalar'] as const) {
    const shipped = readFileSync(join(root, `dist/convcs-${backend}.wasm`));
    assert.ok(Buffer.from(esm.wasmBytes(backend)).equals(shipped),
      `dist/convcs-${backend}.wasm differs from the module embedded in dist/index.mjs: rebuild with \`npm run build\``);
  }
});

test('package metadata: publint --strict and attw --pack report no problem', { timeout: 90_000 }, async () => {
  requireBinary(bin('publint'), 'publint');
  requireBinary(bin('attw'), '@arethetypeswrong/cli (attw)');
  const publint = await run(bin('publint'), ['--strict'], 60_000);
  assert.match(publint.stdout, /All good!/, `publint:\n${publint.stdout}${publint.stderr}`);
  // attw exits non-zero on any problem; --pack packs into a temporary tarball and removes it.
  const attw = await run(bin('attw'), ['--pack', '.', '--format', 'ascii'], 60_000);
  assert.match(attw.stdout, /No problems found/, `attw:\n${attw.stdout}${attw.stderr}`);
  assert.ok(!readdirSync(root).some((f) => f.endsWith('.tgz')), 'attw --pack left a tarball in the package root');
});

test('exports: each runtime resolves `convcs` to its own entry', { timeout: 60_000 }, async () => {
  requireBinary(bin('deno'), 'deno');
  requireBinary(bin('bun'), 'bun');
  const dist = (f: string) => pathToFileURL(join(root, 'dist', f)).href;
  const esm = "console.log(import.meta.resolve('convcs'))";
  const cases: Array<[string, string, string[], string]> = [
    ['node, import', process.execPath, ['--input-type=module', '-e', esm], dist('index.mjs')],
    ['node, require', process.execPath, ['-e', "console.log(require('node:url').pathToFileURL(require.resolve('convcs')).href)"], dist('index.cjs')],
    ['workerd condition', process.execPath, ['--conditions=workerd', '--input-type=module', '-e', esm], dist('workerd.mjs')],
    ['browser condition', process.execPath, ['--conditions=browser', '--input-type=module', '-e', esm], dist('convcs.browser.mjs')],
    ['deno', bin('deno'), ['eval', '--no-prompt', esm], dist('index.mjs')],
    ['bun', bin('bun'), ['-e', esm], dist('index.mjs')],
  ];
  for (const [what, file, args, expected] of cases) {
    const { stdout } = await run(file, args);
    assert.equal(stdout.trim(), expected, `${what}: convcs resolves to ${stdout.trim()}`);
  }
});

test('docs: every runtime snippet is shown verbatim (docs/runtimes.md, or the README once merged)', () => {
  const docs = ['docs/runtimes.md', 'README.md'].filter((f) => existsSync(join(root, f))).map((f) => readFileSync(join(root, f), 'utf8'));
  for (const f of ['esm.mjs', 'commonjs.cjs', 'browser-page.html', 'browser-worker.html', 'browser-worker.mjs', 'cloudflare-worker.mjs']) {
    const snippet = readFileSync(join(root, 'tests/conformance', f), 'utf8');
    assert.ok(docs.some((d) => d.includes('```' + (f.endsWith('.html') ? 'html' : 'js') + '\n' + snippet + '```')),
      `tests/conformance/${f} is not shown as it is in docs/runtimes.md or README.md`);
  }
});

// ---- one conformance run per runtime ------------------------------------------------------------

test('Node ESM: import * as convcs from \'convcs\' (dist/index.mjs)', { timeout: 60_000 }, async () => {
  requireDist();
  await timed('Node ESM', async () => (await run(process.execPath, ['tests/conformance/esm.mjs'])).stdout);
});

test('Node CommonJS: require(\'convcs\') (dist/index.cjs)', { timeout: 60_000 }, async () => {
  await timed('Node CommonJS', async () => (await run(process.execPath, ['tests/conformance/commonjs.cjs'])).stdout);
});

test('Deno: deno run, read access to dist/ only (the threads\' workers load the package file)', { timeout: 60_000 }, async () => {
  requireBinary(bin('deno'), 'deno');
  await timed('Deno', async () => (await run(bin('deno'), ['run', '--no-prompt', '--allow-read=dist', 'tests/conformance/esm.mjs'])).stdout);
});

test('Deno without permissions: threads cannot load the package file, so the instance runs on one and says why', { timeout: 60_000 }, async () => {
  const r = parseResult('Deno, no permissions', (await run(bin('deno'), ['run', '--no-prompt', 'tests/conformance/esm.mjs'])).stdout);
  for (const T of ['2', '4'] as const) {
    assert.equal(r.threads[T].running, 1);
    assert.match(String(r.threads[T].note), /could not start.*read/i);
    assert.deepEqual([r.threads[T].simd, r.threads[T].scalar], [PINNED.simd, PINNED.scalar]);
  }
});

test('Bun: bun run', { timeout: 60_000 }, async () => {
  requireBinary(bin('bun'), 'bun');
  await timed('Bun', async () => (await run(bin('bun'), ['run', 'tests/conformance/esm.mjs'])).stdout);
});

/**
 * The worker the way wrangler bundles it: the worker module, conformance.mjs beside it, `convcs`
 * as the file the `workerd` export condition selects, and the .wasm files that file imports.
 * (workerd looks a bare specifier up next to the importing module, hence the flat layout.)
 */
function workerModules(convcsEntry: string) {
  const read = (f: string) => readFileSync(join(root, f));
  return [
    { type: 'ESModule' as const, path: join(root, 'worker.mjs'), contents: read('tests/conformance/cloudflare-worker.mjs').toString() },
    { type: 'ESModule' as const, path: join(root, 'conformance.mjs'), contents: read('tests/conformance/conformance.mjs').toString() },
    { type: 'ESModule' as const, path: join(root, 'convcs'), contents: read(convcsEntry).toString() },
    { type: 'CompiledWasm' as const, path: join(root, 'convcs-simd.wasm'), contents: read('dist/convcs-simd.wasm') },
    { type: 'CompiledWasm' as const, path: join(root, 'convcs-scalar.wasm'), contents: read('dist/convcs-scalar.wasm') },
  ];
}

async function withWorker<T>(convcsEntry: string, fn: (url: URL) => Promise<T>): Promise<T> {
  const mf = new Miniflare({
    modulesRoot: root,
    modules: workerModules(convcsEntry),
    compatibilityDate: '2025-01-01',
    host: '127.0.0.1',
    port: 0,
  });
  try {
    return await fn(await mf.ready);
  } finally {
    await mf.dispose();
  }
}

test('workerd (miniflare): a modules worker answering GET on 127.0.0.1 with the hashes', { timeout: 60_000 }, async () => {
  // The import path is what the exports map gives under the workerd condition (checked above).
  await timed('workerd (miniflare)', () => withWorker('dist/workerd.mjs', async (url) => {
    assert.equal(url.hostname, '127.0.0.1');
    const res = await fetch(url);
    const body = await res.text();
    assert.equal(res.status, 200, `workerd answered ${res.status}: ${body}`);
    return body;
  }));
});

test('workerd refuses the default entry (compiling from bytes): the workerd entry is what makes it run', { timeout: 60_000 }, async () => {
  await withWorker('dist/index.mjs', async (url) => {
    const res = await fetch(url);
    const body = await res.text();
    assert.equal(res.status, 500, `expected workerd to refuse WebAssembly.compile, got ${res.status}: ${body}`);
    assert.match(body, /code generation disallowed/i);
  });
});

// Chromium: one browser for both tests, pages served from the package root on 127.0.0.1.

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};
const served: string[] = [];
const servers = new Map<boolean, Server>();
let browser: Browser | undefined;

/**
 * A static server for dist/ and tests/conformance/ only, on 127.0.0.1 and a free port; an
 * isolated one sends COOP and COEP with every file, which makes its pages cross-origin isolated
 * (SharedArrayBuffer, and so convcs's threads).
 */
async function staticServer(isolated: boolean): Promise<string> {
  let server = servers.get(isolated);
  if (!server) {
    const isolation = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
    server = createServer(async (req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      // Chromium asks for a favicon on every page: answer it, so that a 404 in the log means a
      // file of the test is missing.
      if (path === '/favicon.ico') return void res.writeHead(204).end();
      const file = join(root, path);
      const allowed = [join(root, 'dist') + sep, join(root, 'tests', 'conformance') + sep].some((dir) => file.startsWith(dir));
      try {
        if (req.method !== 'GET' || !allowed) throw new Error('not served');
        const body = await readFile(file);
        served.push(path);
        res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...isolation });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    servers.set(isolated, server);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function chromiumResult(pagePath: string, isolated = false): Promise<ConformanceResult> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does this)`);
  const base = await staticServer(isolated);
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: 30_000,
  });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  try {
    await page.goto(base + pagePath);
    await page.waitForFunction(() => 'conformanceResult' in globalThis, null, { timeout: 20_000 })
      .catch(() => assert.fail(`${pagePath} never started the run:\n${errors.join('\n')}`));
    const result = await page.evaluate(() => (globalThis as unknown as { conformanceResult: Promise<ConformanceResult> }).conformanceResult)
      .catch((e: Error) => assert.fail(`${pagePath}: ${e.message}\n${errors.join('\n')}`));
    assert.deepEqual(errors, [], `${pagePath} logged errors`);
    return result;
  } finally {
    await page.close();
  }
}

test('Chromium page: <script type="module"> importing dist/convcs.browser.mjs', { timeout: 60_000 }, async () => {
  await timed('Chromium page', () => chromiumResult('/tests/conformance/browser-page.html'));
  assert.ok(served.includes('/dist/convcs.browser.mjs'), `the page did not load the browser file (served: ${served.join(', ')})`);
});

test('Chromium page, cross-origin isolated (COOP + COEP): threads in a page', { timeout: 60_000 }, async () => {
  await timed('Chromium page, cross-origin isolated', () => chromiumResult('/tests/conformance/browser-page.html', true));
});

test('Chromium module worker: new Worker(url, { type: \'module\' })', { timeout: 60_000 }, async () => {
  const before = served.length;
  await timed('Chromium module worker', () => chromiumResult('/tests/conformance/browser-worker.html'));
  assert.ok(served.slice(before).includes('/tests/conformance/browser-worker.mjs'), 'the worker script was not loaded');
});

after(async () => {
  await browser?.close();
  await Promise.all([...servers.values()].map((s) => new Promise((resolve) => s.close(resolve))));
});

// ---- the comparisons --------------------------------------------------------------------------

// The hashes of tests/conformance/conformance.mjs: a change to any bit the conformance script
// computes shows here, and must come with the measured reason for it in the same commit. Changed
// on 2026-12-02 when NIHT began updating W^T z between exact syntheses (its iterates move by
// rounding: docs/recovery.md, "What an iteration costs"), and when the workload gained forced
// Winograd F(2x2) and F(4x4) layers (which add outputs, not change the others); and again when
// it gained the 'threads.*' layers, large enough for an instance with threads to split them
// (outputs added: without them the run still hashes to 06138ea8... and c71ca84c..., the hashes
// from before threads). Changed again when 3x3 layers onto at most 4 channels took the sparse
// kernel f32-conv2d-transpose-sparse-3x3c4-simd: 'threads.pixel.transposeSparse' (3 -> 4
// channels) now adds each non-zero's products in the order of the non-zeros, the scalar module's
// bits exactly (6.3e-8 relative to float64, as the scalar module), where the grouped sparse GEMM
// summed each pixel's filters first.
const PINNED = {
  simd: 'dff5d1c9fea4b7a05a7153702889498e0966ea41650cb14c3a3c1177f26a43b7',
  scalar: 'ad417b08891cf933285be2763dcc0a601ffbbd5e0e67875d60c415cbe637f921',
};

test('same bits in every runtime: one SIMD hash, one scalar hash, SIMD by default', () => {
  const missing = runtimes.filter((r) => !results.has(r));
  assert.deepEqual(missing, [], `no result from ${missing.join(', ')} (see its test above)`);
  const reference = results.get('Node ESM')!.result;
  assert.equal(reference.simd, PINNED.simd, 'the SIMD conformance hash changed');
  assert.equal(reference.scalar, PINNED.scalar, 'the scalar conformance hash changed');
  const rows: string[] = [];
  for (const r of runtimes) {
    const { result, wallMs } = results.get(r)!;
    rows.push(`${r.padEnd(24)} ${String(wallMs).padStart(6)} ms wall, ${String(result.ms).padStart(5)} ms in runtime, default ${result.default}`);
  }
  console.log(`conformance hashes\n  simd   ${reference.simd}\n  scalar ${reference.scalar}\nper runtime:\n  ${rows.join('\n  ')}`);
  for (const r of runtimes) {
    const { result } = results.get(r)!;
    assert.equal(result.default, 'simd', `${r}: load() picked ${result.default}, not the SIMD module`);
    assert.equal(result.simd, reference.simd, `${r}: SIMD hash differs from Node ESM's`);
    assert.equal(result.scalar, reference.scalar, `${r}: scalar hash differs from Node ESM's`);
  }
});

test('same bits for 1, 2 and 4 threads in every runtime; threads where they can run, one where they cannot', () => {
  const rows: string[] = [];
  for (const r of runtimes) {
    const { result } = results.get(r) ?? assert.fail(`no result from ${r}`);
    for (const T of ['2', '4'] as const) {
      const t = result.threads?.[T];
      assert.ok(t, `${r}: no result for ${T} threads`);
      assert.equal(t.simd, PINNED.simd, `${r}, ${T} threads: SIMD hash differs from one thread's`);
      assert.equal(t.scalar, PINNED.scalar, `${r}, ${T} threads: scalar hash differs from one thread's`);
      if (threaded.has(r)) {
        assert.equal(t.running, Number(T), `${r}: asked for ${T} threads, ran on ${t.running} (${t.note})`);
        assert.equal(t.note, null);
      } else {
        assert.equal(t.running, 1, `${r}: threads cannot run here, yet the instance reports ${t.running}`);
        assert.match(String(t.note), /threads were asked for, but .*runs on one/, `${r}: no note saying why it runs on one thread`);
      }
      rows.push(`${r.padEnd(38)} ${T} threads: running ${t.running}${t.note ? ` (${t.note})` : ''}`);
    }
  }
  console.log(rows.join('\n'));
});

function bitsEqual(a: ConformanceOutputs[number][1], b: ConformanceOutputs[number][1]): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return ua.every((v, i) => v === ub[i]);
}

test('SIMD and scalar modules agree within 1e-5 (Node), and their hashes match exactly when their bits do', async () => {
  const esm = await import(pathToFileURL(join(root, 'dist/index.mjs')).href) as typeof import('../src/index.js');
  const simd = conformanceOutputs(await esm.load({ backend: 'simd' }));
  const scalar = conformanceOutputs(await esm.load({ backend: 'scalar' }));
  assert.deepEqual(simd.map(([n]) => n), scalar.map(([n]) => n));
  const differing: string[] = [];
  for (let i = 0; i < simd.length; i++) {
    const [name, a] = simd[i]!;
    const b = scalar[i]![1];
    if (bitsEqual(a, b)) continue;
    if (typeof a === 'number' || typeof b === 'number') {
      assert.ok(typeof a === 'number' && typeof b === 'number', `${name}: a number in one module only`);
      // Relative errors are already relative to ||x||: compare them on that scale, the rest to themselves.
      const scale = name.endsWith('relativeError') ? 1 : Math.abs(b);
      assert.ok(Math.abs(a - b) <= 1e-5 * scale, `${name}: simd ${a} vs scalar ${b}`);
      differing.push(`${name} (${Math.abs(a - b) / scale})`);
    } else {
      assert.equal(a.constructor, b.constructor, `${name}: different array types`);
      assert.equal(a.length, b.length, `${name}: different lengths`);
      // Indices (supports) are decisions, not rounding: they must agree exactly.
      assert.ok(!(a instanceof Int32Array), `${name}: the two modules chose different indices`);
      const err = relErr(a, b);
      assert.ok(err <= 1e-5, `${name}: simd and scalar differ by ${err} (relative, max norm)`);
      differing.push(`${name} (${err.toExponential(1)})`);
    }
  }
  const [hSimd, hScalar] = await Promise.all([digest(simd), digest(scalar)]);
  console.log(`SIMD vs scalar: ${simd.length - differing.length}/${simd.length} outputs bit-identical; differing: ${differing.join(', ') || 'none'}`);
  assert.equal(hSimd === hScalar, differing.length === 0, 'hash equality must follow bit equality of the outputs');
  // The in-process run hashes to what the child processes reported (when they ran).
  const ref = results.get('Node ESM')?.result;
  if (ref) assert.deepEqual([hSimd, hScalar], [ref.simd, ref.scalar], 'in-process hashes differ from the Node ESM run');
});

test('time budget: this file runs in under 2 minutes', () => {
  const s = (performance.now() - fileStart) / 1000;
  console.log(`runtimes.test.ts: ${s.toFixed(1)} s`);
  assert.ok(s < 120, `took ${s.toFixed(1)} s`);
});
