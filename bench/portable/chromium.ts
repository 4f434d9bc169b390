// The benchmark page in headless Chromium: build the web demo (which carries bench.html) into a
// temporary directory, serve it on 127.0.0.1, open bench.html?autostart=1 and wait for the
// page's result, as a person would run it, Web Worker and all. Chromium is Debian's
// /usr/bin/chromium, driven by playwright-core, with the flags tests/runtimes.test.ts uses.

import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
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

export async function runChromium(opts: { config: 'full' | 'tiny'; label?: string; timeoutMs?: number; log?: (msg: string) => void }): Promise<PageRun> {
  const { buildWebDemo } = (await import(join(root, 'web', 'build.mjs'))) as { buildWebDemo(outDir?: string): Promise<{ outDir: string }> };
  const { serveStatic } = (await import(join(root, 'web', 'serve.mjs'))) as { serveStatic(dir: string, port?: number): Promise<{ server: Server; url: string }> };
  const outDir = mkdtempSync(join(tmpdir(), 'convcs-bench-page-'));
  let server: Server | undefined;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  try {
    await buildWebDemo(outDir);
    const served = await serveStatic(outDir, 0);
    server = served.server;
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    const query = new URLSearchParams({ config: opts.config, autostart: '1', ...(opts.label ? { label: opts.label } : {}) });
    await page.goto(`${served.url}bench.html?${query}`);
    await page.waitForFunction(() => 'benchResult' in window, null, { timeout: 20_000 });
    let lastStatus = '';
    const poll = opts.log ? setInterval(() => {
      page.textContent('#status').then((s) => {
        if (s && s !== lastStatus) opts.log!(`chromium: ${s}`);
        lastStatus = s ?? '';
      }).catch(() => {});
    }, 2000) : undefined;
    try {
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
    } finally {
      if (poll) clearInterval(poll);
    }
  } finally {
    await browser.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    rmSync(outDir, { recursive: true, force: true });
  }
}
