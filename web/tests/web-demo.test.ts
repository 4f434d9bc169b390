// End to end: build the static web demo, serve it on 127.0.0.1, open it in headless Chromium
// (playwright-core, Debian's /usr/bin/chromium), run a reconstruction through the form, and check
// the page's final error against the library's in Node for the same photograph, settings and
// seed. Both run the same SIMD module and the page turns pixels into floats with the compiled
// convcs-cli/experiment (cli/src/experiment/raster.ts), so the numbers must agree to rounding (in fact bit for bit), and the drawn
// reconstruction must be the pixels Node renders from its own result. Saves a screenshot to
// convcs-out/web-demo.png. web/serve.mjs sends the cross-origin isolation headers, so the page
// runs convcs on threads (as many as Chromium reports cores); the threads tests check that, that
// the reconstruction has the same bits on one thread and in Node, and that a page served without
// the headers still works, on one thread, and says why.
import { test, before, after } from 'node:test';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import assert from '../../tests/assert.js';
import { load } from 'convcs';
import type { Convcs } from 'convcs';
import { toPlanes, toRgba } from 'convcs-cli/experiment';
import { encodePng, readImage } from '../../cli/src/image-io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];

// web/*.mjs are plain JavaScript (the page's own build and server); typed here by what is used
const { buildWebDemo } = (await import(join(root, 'web', 'build.mjs'))) as { buildWebDemo(outDir?: string): Promise<{ outDir: string }> };
const { serveStatic } = (await import(join(root, 'web', 'serve.mjs'))) as {
  serveStatic(dir: string, port?: number, options?: { isolation?: boolean }): Promise<{ server: Server; url: string }>;
};

let outDir: string;
let server: Server;
let url: string;
/** The same files without the isolation headers. */
let plainServer: Server;
let plainUrl: string;
/** Paths requested from the isolated server, in order. */
const requested: string[] = [];
let browser: Browser;
let cs: Convcs;
const pageErrors: string[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  outDir = mkdtempSync(join(tmpdir(), 'convcs-web-'));
  await buildWebDemo(outDir);
  ({ server, url } = await serveStatic(outDir, 0));
  server.on('request', (req) => requested.push(new URL(req.url ?? '/', 'http://x').pathname));
  ({ server: plainServer, url: plainUrl } = await serveStatic(outDir, 0, { isolation: false }));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  cs = await load();
});

after(async () => {
  await browser?.close();
  server?.close();
  plainServer?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function openPage(address = url): Promise<Page> {
  return (await openPageWithHeaders(address)).page;
}

/** Open the demo at `address` and wait until its worker is ready; with the page's response headers. */
async function openPageWithHeaders(address: string): Promise<{ page: Page; headers: Record<string, string> }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 960 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const response = await page.goto(address);
  await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('ready'), null, { timeout: 30_000 });
  return { page, headers: response!.headers() };
}

/** Fill the form and press Reconstruct; resolves when the page reports done or an error. */
async function runOnPage(page: Page, settings: Record<string, string>): Promise<string> {
  for (const [id, value] of Object.entries(settings)) {
    if (await page.$eval(`#${id}`, (el) => el.tagName === 'SELECT')) await page.selectOption(`#${id}`, value);
    else await page.fill(`#${id}`, value);
  }
  await page.click('#run');
  await page.waitForFunction(() => {
    const s = document.getElementById('status')!;
    return s.textContent === 'done' || s.classList.contains('error');
  }, null, { timeout: 50_000 });
  return (await page.textContent('#status'))!;
}

test('the page reconstructs the built-in photograph with the same error as the library in Node', async () => {
  const settings = { size: '64', filters: '16', kernel: '3', stride: '1', pool: '2', seed: '7', density: '0.15', iterations: '30', ripTrials: '150' };
  const page = await openPage();
  const status = await runOnPage(page, settings);
  assert.equal(status, 'done', `page status: ${status}`);
  const pageError = Number(await page.getAttribute('#final-error', 'data-error'));
  const pageIterations = Number(await page.getAttribute('#final-error', 'data-iterations'));

  // the same experiment in Node
  const x = toPlanes(readImage(join(root, 'data', 'astronaut-256.png')), 64);
  assert.deepEqual([x.channels, x.height, x.width], [3, 64, 64]);
  const W = cs.conv2d({ inChannels: 3, outChannels: 16, kernelSize: 3, height: 64, width: 64, padding: 'same' }).randomize({ seed: 7 });
  const r = cs.iht(W, x.data, { pool: 2, density: 0.15, iterations: 30 });
  W.dispose();
  assert.equal(pageIterations, r.iterations);
  assert.ok(Math.abs(pageError - r.relativeError) <= 1e-6 * r.relativeError,
    `page ${pageError} vs Node ${r.relativeError} (relative difference ${Math.abs(pageError - r.relativeError) / r.relativeError})`);
  assert.ok(r.relativeError < 0.2, `IHT reconstructs the photograph (error ${r.relativeError})`);

  // the reconstruction canvas: not blank, and exactly the pixels of Node's result
  const drawn = await page.$eval('#reconstruction', (c) => {
    const canvas = c as HTMLCanvasElement;
    return { width: canvas.width, height: canvas.height, data: Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data) };
  });
  assert.deepEqual([drawn.width, drawn.height], [64, 64]);
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < drawn.data.length; i += 4) {
    sum += drawn.data[i]!;
    sum2 += drawn.data[i]! ** 2;
  }
  const n = drawn.data.length / 4;
  assert.ok(sum2 / n - (sum / n) ** 2 > 100, 'the reconstruction canvas has structure (pixel variance)');
  const expected = toRgba(x, r.xHat).data;
  let differing = 0;
  for (let i = 0; i < expected.length; i++) if (expected[i] !== drawn.data[i]) differing++;
  assert.equal(differing, 0, 'the canvas shows the library result');

  // the error curve and the model-RIP histogram were drawn
  for (const id of ['curve', 'histogram']) {
    const painted = await page.$eval(`#${id}`, (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && d[i + 2]! > 150 && d[i]! < 120) blue++;
      return blue;
    });
    assert.ok(painted > 50, `#${id} has its blue line or bars (${painted} px)`);
  }
  assert.match((await page.textContent('#ripInfo'))!, /150 codes, median (0\.9|1\.0)\d\d/);

  mkdirSync(join(root, 'convcs-out'), { recursive: true });
  await page.screenshot({ path: join(root, 'convcs-out', 'web-demo.png'), fullPage: true });
  await page.close();
  assert.deepEqual(pageErrors, []);
});

test('the page reports a layer that cannot exist on one line, and keeps working', async () => {
  const page = await openPage();
  const status = await runOnPage(page, { size: '64', kernel: '99', iterations: '2', ripTrials: '0' });
  assert.match(status, /^the kernel \(99x99\) is larger than the image \(64x64 after downscaling\)$/);
  assert.equal(await page.$eval('#status', (s) => s.classList.contains('error')), true);
  const again = await runOnPage(page, { kernel: '3', iterations: '2', ripTrials: '0', density: '0.05' });
  assert.equal(again, 'done');
  assert.ok(Number(await page.getAttribute('#final-error', 'data-error')) > 0);
  await page.close();
  assert.deepEqual(pageErrors, []);
});

/** Whether a canvas has any painted (non-transparent) pixel. */
async function painted(page: Page, id: string): Promise<boolean> {
  return page.$eval(`#${id}`, (c) => {
    const canvas = c as HTMLCanvasElement;
    if (canvas.width === 0 || canvas.height === 0) return false;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  });
}

/** A PNG of the built-in photograph cropped to width x height (a non-square upload). */
function croppedPhoto(width: number, height: number): Buffer {
  const full = readImage(join(root, 'data', 'astronaut-256.png'));
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) data.set(full.data.subarray(y * full.width * 4, y * full.width * 4 + width * 4), y * width * 4);
  return encodePng({ width, height, data });
}

test('a non-square photograph keeps its aspect ratio on the page', async () => {
  const page = await openPage();
  await page.setInputFiles('#upload', { name: 'wide.png', mimeType: 'image/png', buffer: croppedPhoto(192, 96) });
  await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('wide.png: PNG, 192x96'));
  const status = await runOnPage(page, { size: '64', iterations: '2', ripTrials: '0' });
  assert.equal(status, 'done');
  for (const id of ['original', 'reconstruction']) {
    const box = await page.$eval(`#${id}`, (c) => {
      const r = c.getBoundingClientRect();
      return { w: r.width, h: r.height, cw: (c as HTMLCanvasElement).width, ch: (c as HTMLCanvasElement).height };
    });
    assert.deepEqual([box.cw, box.ch], [64, 32], `#${id} holds the 64x32 planes`);
    assert.ok(Math.abs(box.w / box.h - 2) < 0.02, `#${id} is shown ${box.w}x${box.h}, not 2:1`);
  }
  await page.close();
  assert.deepEqual(pageErrors, []);
});

test('Stop says where the run stopped and keeps what it had computed', async () => {
  const page = await openPage();
  for (const [id, value] of Object.entries({ size: '256', filters: '64', iterations: '1000', ripTrials: '0' })) {
    if (await page.$eval(`#${id}`, (el) => el.tagName === 'SELECT')) await page.selectOption(`#${id}`, value);
    else await page.fill(`#${id}`, value);
  }
  await page.click('#run');
  await page.waitForFunction(() => /^iteration ([3-9]|\d\d+),/.test(document.getElementById('iterInfo')!.textContent!), null, { timeout: 60_000 });
  await page.click('#stop');
  const status = (await page.textContent('#status'))!;
  const m = /^stopped after iteration (\d+) of 1000: relative error (\d\.\d+) \(the reconstruction shown\)$/.exec(status);
  assert.ok(m, `status after Stop: ${status}`);
  assert.equal(await page.getAttribute('#final-error', 'data-iterations'), m[1]);
  assert.ok(Number(m[1]) >= 3);
  assert.ok(await painted(page, 'reconstruction'), 'the last iterate stays drawn');
  assert.ok(await painted(page, 'curve'));
  // the replacement worker's ready message does not overwrite where the run stopped
  await page.waitForTimeout(500);
  assert.equal(await page.textContent('#status'), status);
  assert.equal(await page.$eval('#run', (b) => (b as HTMLButtonElement).disabled), false);
  await page.close();
  assert.deepEqual(pageErrors, []);
});

test('an input error clears the previous results; a valid file clears a decode error', async () => {
  const page = await openPage();
  assert.equal(await runOnPage(page, { size: '64', kernel: '3', iterations: '3', ripTrials: '50' }), 'done');
  assert.ok(await painted(page, 'reconstruction'));
  assert.ok(await painted(page, 'histogram'));
  const status = await runOnPage(page, { kernel: '99' });
  assert.match(status, /larger than the image/);
  assert.equal(await page.textContent('#final-error'), '');
  assert.equal(await page.textContent('#iterInfo'), 'not run yet');
  assert.equal(await page.textContent('#ripInfo'), '');
  assert.equal(await painted(page, 'reconstruction'), false, 'the previous reconstruction is gone');
  assert.equal(await painted(page, 'histogram'), false, 'the previous histogram is gone');

  await page.setInputFiles('#upload', { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a picture\n') });
  await page.waitForFunction(() => document.getElementById('status')!.classList.contains('error'));
  assert.equal(await page.textContent('#status'), 'notes.png is not a PNG or JPEG image');
  await page.setInputFiles('#upload', { name: 'fine.png', mimeType: 'image/png', buffer: croppedPhoto(80, 80) });
  await page.waitForFunction(() => !document.getElementById('status')!.classList.contains('error'));
  assert.equal(await page.textContent('#status'), 'fine.png: PNG, 80x80; press Reconstruct');
  await page.close();
  assert.deepEqual(pageErrors, []);
});

test("the form's labels and controls are not cut off", async () => {
  const page = await openPage();
  await page.selectOption('#filterSource', 'random');
  const problems = await page.evaluate(() => {
    const out: string[] = [];
    const ctx = document.createElement('canvas').getContext('2d')!;
    for (const select of document.querySelectorAll('form select')) {
      const s = select as HTMLSelectElement;
      ctx.font = getComputedStyle(s).font;
      // the widest choice plus room for the padding and the arrow
      const widest = Math.max(...Array.from(s.options, (o) => ctx.measureText(o.text).width));
      if (widest + 30 > s.clientWidth) out.push(`#${s.id}: options need ${Math.ceil(widest)} px, the select has ${s.clientWidth}`);
    }
    for (const input of document.querySelectorAll('form input[type=file]')) {
      const el = input as HTMLInputElement;
      if (el.offsetParent !== null && el.clientWidth < 240) out.push(`#${el.id}: ${el.clientWidth} px cannot show its button and file name`);
    }
    for (const el of document.querySelectorAll('form label, form legend, form input, form select, form button')) {
      const box = el.getBoundingClientRect();
      const set = el.closest('fieldset') ?? el.closest('form')!;
      const outer = set.getBoundingClientRect();
      if (box.width > 0 && (box.left < outer.left - 0.5 || box.right > outer.right + 0.5)) out.push(`${el.tagName.toLowerCase()}#${el.id}: sticks out of its box`);
    }
    return out;
  });
  assert.deepEqual(problems, []);
  await page.close();
});

/**
 * The fingerprint web/worker.js gives the final iterate (two FNV-1a lanes over the float32 bit
 * patterns), computed here from Node's result: equal means the same bits.
 */
function bitsHash(values: Float32Array): string {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let a = 0x811c9dc5;
  let b = 0x9dc5811c;
  for (let i = 0; i < words.length; i++) {
    a = Math.imul(a ^ words[i]!, 0x01000193);
    b = Math.imul(b ^ (words[i]! >>> 16) ^ (words[i]! << 16), 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** A reconstruction big enough that every conv call is split between the threads. */
const THREADS_RUN = { size: '128', filters: '32', kernel: '3', stride: '1', pool: '2', seed: '5', density: '0.1', iterations: '12', ripTrials: '0' };

/** The same reconstruction in Node on one thread: its error and the fingerprint of its bits. */
function nodeThreadsRun(): { error: number; hash: string } {
  const x = toPlanes(readImage(join(root, 'data', 'astronaut-256.png')), 128);
  const W = cs.conv2d({ inChannels: 3, outChannels: 32, kernelSize: 3, height: x.height, width: x.width, padding: 'same' }).randomize({ seed: 5 });
  try {
    const r = cs.iht(W, x.data, { pool: 2, density: 0.1, iterations: 12 });
    return { error: r.relativeError, hash: bitsHash(r.xHat) };
  } finally {
    W.dispose();
  }
}

async function finalResult(page: Page): Promise<{ error: string; hash: string; threads: string }> {
  return page.$eval('#final-error', (el) => ({
    error: (el as HTMLElement).dataset.error!, hash: (el as HTMLElement).dataset.hash!, threads: (el as HTMLElement).dataset.threads!,
  }));
}

async function threadsInfo(page: Page): Promise<{ threads: number; note: string; text: string }> {
  return page.$eval('#threadsInfo', (el) => ({
    threads: Number((el as HTMLElement).dataset.threads), note: (el as HTMLElement).dataset.note!, text: el.textContent!,
  }));
}

test('served by web/serve.mjs, the page is cross-origin isolated and IHT runs on threads with the bits of one thread', async () => {
  assert.equal(cs.threads, 1);
  const expected = nodeThreadsRun();
  requested.length = 0;
  const { page, headers } = await openPageWithHeaders(url);
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const info = await threadsInfo(page);
  // 'auto': as many threads as the browser reports cores (2 on the test machine), and no note
  assert.equal(info.threads, Math.min(cores, 16));
  assert.ok(info.threads >= 2, `the demo runs on ${info.threads} thread(s): ${info.text}`);
  assert.equal(info.note, '');
  assert.match(info.text, new RegExp(`^${info.threads} threads \\(asked for as many as this machine has, ${cores}; this page is cross-origin isolated\\)$`));
  // each thread is a module Worker on the library's own file, not on the demo's worker.js
  assert.equal(requested.filter((p) => p === '/worker.js').length, 1, `requests: ${requested.join(', ')}`);
  assert.equal(requested.filter((p) => p === '/convcs.browser.mjs').length, info.threads,
    `the demo worker and ${info.threads - 1} thread(s) each load convcs.browser.mjs: ${requested.join(', ')}`);

  assert.equal(await runOnPage(page, THREADS_RUN), 'done');
  const threaded = await finalResult(page);
  assert.equal(threaded.threads, String(info.threads), 'the threads were still running when IHT finished');
  await page.close();

  // the same run on one thread (?threads=1): exactly the same floats
  const one = await openPage(`${url}?threads=1`);
  const oneInfo = await threadsInfo(one);
  assert.equal(oneInfo.threads, 1);
  assert.equal(oneInfo.note, '', 'one thread was asked for, so there is nothing to explain');
  assert.equal(await runOnPage(one, THREADS_RUN), 'done');
  const single = await finalResult(one);
  assert.equal(single.threads, '1');
  await one.close();

  assert.equal(threaded.hash, single.hash, 'the final iterate has the same bits on 1 and on several threads');
  assert.equal(threaded.error, single.error);
  assert.equal(threaded.hash, expected.hash, 'and the same bits as the library in Node');
  assert.equal(Number(threaded.error), expected.error);
  assert.ok(expected.error < 0.5, `IHT reconstructs the photograph (error ${expected.error})`);
  assert.deepEqual(pageErrors, []);
});

test('served without the isolation headers, the page runs on one thread, says why, and reconstructs the same bits', async () => {
  const expected = nodeThreadsRun();
  const { page, headers } = await openPageWithHeaders(plainUrl);
  assert.equal(headers['cross-origin-opener-policy'], undefined);
  assert.equal(headers['cross-origin-embedder-policy'], undefined);
  assert.equal(await page.evaluate(() => crossOriginIsolated), false);
  assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), 'undefined');
  const info = await threadsInfo(page);
  assert.equal(info.threads, 1);
  // the library's own note (cs.threadsNote), shown on the page
  assert.match(info.note, /^\d+ threads were asked for, but this runtime has no SharedArrayBuffer \(a web page must be cross-origin isolated: COOP and COEP headers\); this instance runs on one$/);
  assert.ok(info.text.startsWith('1 thread (asked for as many as this machine has'), info.text);
  assert.ok(info.text.includes('this page is not cross-origin isolated'), info.text);
  assert.ok(info.text.endsWith(`: ${info.note}`), info.text);
  assert.equal(await page.isVisible('#threadsInfo'), true);

  assert.equal(await runOnPage(page, THREADS_RUN), 'done');
  const r = await finalResult(page);
  assert.equal(r.threads, '1');
  assert.equal(r.hash, expected.hash);
  assert.equal(Number(r.error), expected.error);
  await page.close();
  assert.deepEqual(pageErrors, []);
});

test('web/serve.mjs sends the isolation headers on every response, errors included', async () => {
  for (const path of ['', 'index.html', 'worker.js', 'convcs.browser.mjs', 'astronaut-256.png', 'tfjs-backend-wasm-threaded-simd.wasm', 'missing.js']) {
    const res = await fetch(url + path);
    assert.equal(res.status, path === 'missing.js' ? 404 : 200, path);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin', path);
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp', path);
    await res.arrayBuffer();
  }
  const post = await fetch(url, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const plain = await fetch(plainUrl);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('cross-origin-opener-policy'), null);
  assert.equal(plain.headers.get('cross-origin-embedder-policy'), null);
});
