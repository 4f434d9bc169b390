// The benchmark page in headless Chromium: build the web demo (which carries bench.html) into a
// temporary directory, serve it on 127.0.0.1, open bench.html?autostart=1 and wait for the
// page's result, as a person would run it, Web Worker and all. Chromium is Debian's
// /usr/bin/chromium, driven by playwright-core, with the flags tests/runtimes.test.ts uses.
// runChromiumThreads() runs the page's Threads section the same way (bench.html?suite=threads):
// web/serve.mjs sends the cross-origin isolation headers, so the page has SharedArrayBuffer.

import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Page, Response } from 'playwright-core';
import type { BenchResult } from 'convcs-cli/bench';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];

export interface PageRun {
  result: BenchResult;
  /** The page's progress bar and buttons when the run ended (for the tests). */
  page: { progress: number; copyEnabled: boolean; downloadEnabled: boolean; tableRows: number; errors: string[] };
}

/** A page of the web demo, built into a temporary directory and served on 127.0.0.1. */
interface DemoPage {
  page: Page;
  /** pageerror and console messages of the kinds asked for, as they come */
  errors: string[];
  response: Response | null;
}

/**
 * Build the web demo, serve it, open `bench.html?query` in headless Chromium and wait for the
 * page's global `ready`; while `fn` runs, log the text of `statusSelector` as it changes. The
 * browser, server and directory are gone afterwards, whatever happens.
 */
async function withBenchPage<T>(
  opts: { prefix: string; query: Record<string, string>; ready: string; statusSelector: string; consoleKinds: string[]; log?: (msg: string) => void },
  fn: (p: DemoPage) => Promise<T>,
): Promise<T> {
  const { buildWebDemo } = (await import(join(root, 'web', 'build.mjs'))) as { buildWebDemo(outDir?: string): Promise<{ outDir: string }> };
  const { serveStatic } = (await import(join(root, 'web', 'serve.mjs'))) as { serveStatic(dir: string, port?: number): Promise<{ server: Server; url: string }> };
  const outDir = mkdtempSync(join(tmpdir(), opts.prefix));
  let server: Server | undefined;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  try {
    await buildWebDemo(outDir);
    const served = await serveStatic(outDir, 0);
    server = served.server;
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (opts.consoleKinds.includes(m.type())) errors.push(`console ${m.type()}: ${m.text()}`); });
    const response = await page.goto(`${served.url}bench.html?${new URLSearchParams(opts.query)}`);
    await page.waitForFunction((name) => name in window, opts.ready, { timeout: 20_000 });
    let lastStatus = '';
    const poll = opts.log ? setInterval(() => {
      page.textContent(opts.statusSelector).then((text) => {
        if (text && text !== lastStatus) opts.log!(`chromium: ${text}`);
        lastStatus = text ?? '';
      }).catch(() => {});
    }, 2000) : undefined;
    try {
      return await fn({ page, errors, response });
    } finally {
      if (poll) clearInterval(poll);
    }
  } finally {
    await browser.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    rmSync(outDir, { recursive: true, force: true });
  }
}

export async function runChromium(opts: { config: 'full' | 'tiny'; label?: string; timeoutMs?: number; log?: (msg: string) => void }): Promise<PageRun> {
  const query = { config: opts.config, autostart: '1', ...(opts.label ? { label: opts.label } : {}) };
  return withBenchPage({ prefix: 'convcs-bench-page-', query, ready: 'benchResult', statusSelector: '#status', consoleKinds: ['error'], log: opts.log },
    async ({ page, errors }) => {
      const result = await page.evaluate(() => (window as unknown as { benchResult: Promise<BenchResult> }).benchResult)
        .catch((e: Error) => { throw new Error(`bench.html: ${e.message}\n${errors.join('\n')}`); });
      return {
        result,
        page: {
          progress: await page.$eval('#progress', (el) => (el as HTMLProgressElement).value),
          copyEnabled: await page.$eval('#copy', (el) => !(el as HTMLButtonElement).disabled),
          downloadEnabled: await page.$eval('#download', (el) => !(el as HTMLButtonElement).disabled),
          tableRows: await page.$$eval('#table tbody tr', (rows) => rows.length),
          errors,
        },
      };
    });
}

/** What bench-threads-worker.js reports (web/bench-threads-worker.js says how it is measured). */
export interface ThreadsCase {
  id: string; op: 'forward' | 'transpose' | 'transposeSparse'; who: 'convcs' | 'tfjs-wasm'; threads: number; batch: number; n: number;
  medianMs: number; p25Ms: number; p75Ms: number; samplesMs: number[];
}
export interface TfjsThreadsInfo {
  ok: boolean; error?: string; version?: string; binaryAsked?: string; hardwareConcurrency?: number | null; hardwareConcurrencyShownToTfjs?: number;
  simdFlag?: boolean; multithreadFlag?: boolean; initMs?: number; backend?: string; threads?: number; binariesFetched?: string[]; forwardRelDiff?: number;
}
export interface ThreadsResult {
  date: string; userAgent: string; crossOriginIsolated: boolean; hardwareConcurrency: number | null;
  layer: Record<string, unknown> & { sparse: { pool: number; density: number; nnz: number; of: number } };
  runs: number; timing: string;
  convcs: { backend: string; threads: { asked: number; running: number; note: string | null }; sameBits: Record<string, boolean> };
  tfjs: TfjsThreadsInfo & { probe: TfjsThreadsInfo | null };
  cases: ThreadsCase[];
  speedupT2overT1: { forward: number; transpose: number; sparse: number };
  convcsT2overTfjsT2Forward: number | null;
  durationMs: number;
}

/** The Threads section of bench.html in headless Chromium, on a cross-origin isolated page. */
export async function runChromiumThreads(opts: { runs: number; timeoutMs?: number; log?: (msg: string) => void }): Promise<{ result: ThreadsResult; errors: string[]; headers: Record<string, string> }> {
  const query = { suite: 'threads', autostart: '1', runs: String(opts.runs) };
  return withBenchPage({ prefix: 'convcs-bench-threads-', query, ready: 'threadsResult', statusSelector: '#threadsStatus', consoleKinds: ['error', 'warning'], log: opts.log },
    async ({ page, errors, response }) => {
      page.setDefaultTimeout(opts.timeoutMs ?? 600_000);
      const result = await page.evaluate(() => (window as unknown as { threadsResult: Promise<ThreadsResult> }).threadsResult)
        .catch((e: Error) => { throw new Error(`bench.html (threads): ${e.message}\n${errors.join('\n')}`); });
      return { result, errors, headers: response?.headers() ?? {} };
    });
}
