/// <reference types="node" />
// A progress bar with rate and time left for long runs, drawn only when a person is watching
// (stdout and stderr both terminals) and never with --json, so piped output stays clean. The bar
// goes to stderr. The library's callbacks run inside synchronous loops, so the bar is redrawn
// from those callbacks (cli-progress's synchronous update), not from a timer.

import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

export function interactive(json: boolean): boolean {
  return !json && process.stdout.isTTY === true && process.stderr.isTTY === true;
}

export function progress(label: string, total: number, unit: string, json: boolean): Progress {
  if (!interactive(json) || total <= 1) return silent;
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | {eta_formatted} left`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    fps: 12,
  }, cliProgress.Presets.shades_classic);
  const t0 = performance.now();
  bar.start(total, 0, { rate: '-' });
  return {
    update(done: number) {
      const s = (performance.now() - t0) / 1000;
      const rate = s > 0 ? done / s : 0;
      bar.update(done, { rate: rate >= 100 ? rate.toFixed(0) : rate.toFixed(1) });
    },
    stop() {
      bar.stop();
    },
  };
}
