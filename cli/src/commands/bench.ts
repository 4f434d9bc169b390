/// <reference types="node" />
// convcs bench: a short timing of one layer's forward, dense transpose and sparse transpose. The
// full suite against its peers (tfjs-wasm, PyTorch) needs the repository and its dev dependencies:
// `npm run bench` in a clone.
// convcs bench compare a.json b.json ...: results of the portable suite (from any runtime or
// machine: bench/portable/run.mjs, bench.html, the Cloudflare Worker) side by side, the first
// file the reference.

import { Command } from 'commander';
import type { Convcs, ConvOperator } from 'convcs';
import { compareMarkdown, parseResult } from '../bench/index.js';
import type { BenchResult } from '../bench/index.js';
import { CliError, readJsonFile } from '../errors.js';
import { addLayerOptions, describeLayer, intArg, makeLayer, numArg } from '../options.js';
import type { LayerFlags } from '../options.js';
import { emitJson, say } from '../util.js';

interface BenchFlags extends LayerFlags {
  time: number;
  density: number;
  json: boolean;
}

export function benchCommand(load: () => Promise<Convcs>): Command {
  const cmd = new Command('bench')
    .summary('time forward, transpose and sparse transpose on one layer')
    .description('a short timing of forward, transpose and sparse transpose on one layer (default conv2d 64 -> 64, 3x3, 56x56). ' +
      'The full suite against tfjs-wasm and PyTorch needs a clone of the repository: npm run bench');
  addLayerOptions(cmd, { input: '56x56', inChannels: 64, filters: 64, kernel: '3', padding: 'same' });
  cmd.addCommand(compareCommand().exitOverride().showSuggestionAfterError(true));
  return cmd
    .option('--time <ms>', 'time budget per operation', intArg(50, 60_000), 400)
    .option('--density <d>', 'density of the sparse code for transposeSparse', numArg(0.0001, 1), 0.1)
    .option('--json', 'print one JSON result on stdout and nothing else', false)
    .action(async (f: BenchFlags) => {
      const cs = await load();
      const W = makeLayer(cs, f);
      try {
        quickBench(cs, W, f);
      } finally {
        W.dispose();
      }
    });
}

/** Median milliseconds per call over as many calls as fit in the budget (at least 5). */
function time(fn: () => void, budgetMs: number): { medianMs: number; calls: number } {
  fn(); // warm-up: first call packs weights and grows memory
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 5 || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
    if (samples.length >= 100_000) break;
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[samples.length >> 1]!, calls: samples.length };
}

function quickBench(cs: Convcs, W: ConvOperator, f: BenchFlags): void {
  const x = cs.randn(W.inputSize, { seed: 1 });
  const h = W.forward(x);
  const xOut = new Float32Array(W.inputSize);
  const hOut = new Float32Array(W.outputSize);
  const k = Math.max(1, Math.round(f.density * W.outputSize));
  // a random sparse support: k distinct sorted indices from a seeded uniform draw
  const u = cs.rand(W.outputSize, { seed: 2 });
  const order = Array.from(u.keys()).sort((a, b) => u[a]! - u[b]!).slice(0, k).sort((a, b) => a - b);
  const idx = Int32Array.from(order);
  const val = Float32Array.from(order, (i) => h[i]!);
  const macs = W.outputSize * W.weightShape.slice(1).reduce((a, b) => a * b, 1);
  const ops = [
    { name: 'forward  W x', fn: () => W.forward(x, hOut), flops: 2 * macs },
    { name: 'transpose W^T z (dense)', fn: () => W.transpose(h, xOut), flops: 2 * macs },
    { name: `transposeSparse (${(100 * f.density).toFixed(1)}% non-zeros)`, fn: () => W.transposeSparse(idx, val, xOut), flops: 2 * macs * (k / W.outputSize) },
  ];
  const rows = ops.map((o) => {
    const t = time(o.fn, f.time);
    return { operation: o.name, medianMs: t.medianMs, calls: t.calls, gflops: o.flops / (t.medianMs * 1e6) };
  });
  const what = describeLayer(W, f);
  if (f.json) {
    emitJson({ command: 'bench', layer: what, backend: cs.backend, results: rows });
    return;
  }
  say(`layer: ${what} (backend ${cs.backend})`);
  for (const r of rows) {
    say(`  ${r.operation.padEnd(36)} ${r.medianMs.toFixed(3).padStart(9)} ms   ${r.gflops.toFixed(2).padStart(7)} GFLOP/s  (${r.calls} calls)`);
  }
  say('(the full suite against tfjs-wasm and PyTorch: npm run bench in a clone of the repository)');
}

/** Read and check one result file. */
function readResult(path: string): BenchResult {
  const value = readJsonFile(path);
  try {
    return parseResult(value, path);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

function compareCommand(): Command {
  return new Command('compare')
    .summary('put portable-suite results side by side')
    .description('compare results of the portable benchmark suite (convcs-bench/1 JSON, from bench/portable/run.mjs in Node, Deno or Bun, ' +
      'from bench.html in a browser, or from the Cloudflare Worker): one markdown table of medians, each with its ratio to the first ' +
      'file\'s, the runtimes\' own WebAssembly SIMD ceilings, and the share of that ceiling each case reaches')
    .argument('<files...>', 'result files; the first is the reference')
    .option('--json', 'print the parsed results and the markdown as one JSON object', false)
    .action((files: string[], _f: unknown, self: Command) => {
      // `bench` has a --json of its own, which commander gives to it wherever it stands: read both
      const f = self.optsWithGlobals<{ json: boolean }>();
      const results = files.map(readResult);
      let md: string;
      try {
        md = compareMarkdown(results);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      if (f.json) emitJson({ command: 'bench compare', files, results, markdown: md });
      else process.stdout.write(`${md}\n`);
    });
}
