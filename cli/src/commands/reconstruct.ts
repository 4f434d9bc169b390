/// <reference types="node" />
// convcs reconstruct <image>: a photograph through one random conv2d layer ('same' padding) with
// pooling, and back: one step (one CNN layer and its transpose) and after N iterations of IHT.
// Writes a Figure-4-style panel and the error-per-iteration curve (SVG + PNG) and a JSON report.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { Convcs, Pool } from 'convcs';
import { CliError, fileError } from '../errors.js';
import { MAX_IMAGE_PIXELS, layerSize, reconstructImage, toPlanes, toRgba } from '../experiment/index.js';
import type { ColorMode, ImageLayerParams, ImageRun, Planes, Rgba } from '../experiment/index.js';
import { readImage, pngDataUrl } from '../image-io.js';
import { densityArg, intArg, pairArg, poolArg, seedArg } from '../options.js';
import { curveSpec, panelSpec, vegaLiteToSvg, vegaToSvg, writeFigure } from '../plots.js';
import type { PanelRow } from '../plots.js';
import { progress } from '../progress.js';
import { emitJson, f3, jsonReplacer, say, seconds, shown, stem } from '../util.js';

interface ReconstructFlags {
  filters?: number;
  kernel: number | [number, number];
  stride: number;
  pool: Pool;
  density: number[];
  k?: number;
  mode: 'abs' | 'relu';
  iterations: number;
  seed: number;
  normalize: 'fan-in' | 'unit';
  size: number;
  grey: boolean;
  weights?: string;
  weightsName?: string;
  out: string;
  json: boolean;
}

function densityList(v: string): number[] {
  return v.split(',').map((s) => densityArg(s.trim()));
}

export function reconstructCommand(load: () => Promise<Convcs>): Command {
  return new Command('reconstruct')
    .summary('a photograph through a random layer and back with IHT (Figure 4 style)')
    .description('a PNG or JPEG photograph (grey or colour) through one random conv2d layer with pooling and back: ' +
      'one step (one CNN layer + transpose, least-squares scaled) and after N IHT iterations. Writes a Figure-4-style ' +
      'panel and the error curve (SVG + PNG) and a JSON report into --out')
    .argument('<image>', `PNG or JPEG file, at most ${MAX_IMAGE_PIXELS / 1e6} megapixels`)
    .option('--filters <K>', 'number of random filters (default 32 for grey, 64 for colour)', intArg(1, 4096))
    .option('--kernel <l|HxW>', 'filter size l x l (or kh x kw)', pairArg('the kernel size'), 3 as number | [number, number])
    .option('--stride <t>', "stride ('same' padding at stride 1, l/2 on every side otherwise)", intArg(1, 64), 1)
    .option('--pool <p>', "pooling blocks: N, HxW or 'global'", poolArg, 2 as Pool)
    .addOption(new Option('--density <d,...>', 'fraction of non-zeros kept in the code; several (comma-separated) give one row each')
      .argParser(densityList).default([0.1]).conflicts('k'))
    .option('--k <n>', 'number of blocks kept, instead of --density', intArg(1))
    .addOption(new Option('--mode <m>', "'abs' or 'relu' (keep the largest after ReLU)").choices(['abs', 'relu']).default('abs'))
    .option('--iterations <n>', 'IHT iterations', intArg(1, 100_000), 50)
    .option('--seed <n>', 'seed of the random filters', seedArg, 1)
    .option('--weights <file>', 'filters from a .npy or .safetensors file (a 4-D tensor [K, M, kh, kw], PyTorch layout) instead of random ones; ' +
      'K and the kernel size come from the file, and the image is made grey or colour to match M')
    .option('--weights-name <name>', 'which tensor of a .safetensors file holding several')
    .addOption(new Option('--normalize <how>', 'filter scaling').choices(['fan-in', 'unit']).default('fan-in'))
    .option('--size <px>', 'downscale (box filter, integer factor) so the longer side is at most this; 0 keeps the size', intArg(0, 1 << 15), 128)
    .option('--grey', 'convert a colour image to grey (BT.601 luma)', false)
    .option('-o, --out <dir>', 'output directory', 'convcs-out')
    .option('--json', 'print one JSON result on stdout and nothing else', false)
    .action(async (image: string, f: ReconstructFlags) => runReconstruct(await load(), image, f));
}

export function describe(x: Planes, p: ImageLayerParams, weights: string | undefined): string {
  const [K, kh, kw] = layerSize(p);
  const pool = p.pool === 'global' ? 'global pooling' : `${typeof p.pool === 'number' ? `${p.pool}x${p.pool}` : p.pool.join('x')} pooling`;
  const padding = p.stride === 1 ? "'same'" : `padding ${Math.floor(kh / 2)}x${Math.floor(kw / 2)}`;
  return `conv2d ${x.channels} -> ${K} ${weights ? `filters from ${weights}` : 'random filters'} ${kh}x${kw}, stride ${p.stride}, ${padding}, ${pool}`;
}

/** The filters of --weights, through cs.loadWeights. */
function readWeights(cs: Convcs, path: string, name: string | undefined): { data: Float32Array; shape: number[] } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fileError(path, e);
  }
  try {
    const w = cs.loadWeights(bytes, name === undefined ? {} : { name });
    return { data: w.data, shape: w.shape };
  } catch (e) {
    // the library names its own option; on the command line the choice is a flag
    const m = /option 'name' is required: (.*)$/.exec(e instanceof Error ? e.message : '');
    if (m) throw new CliError(`${path}: ${m[1]}; choose one with --weights-name`);
    throw e;
  }
}

function sparsityLabel(p: ImageLayerParams): string {
  return p.k !== undefined ? `k = ${p.k}` : `density ${+(100 * p.density!).toFixed(2)}%`;
}

/** The Figure-4-style panel (a row per setting) and the error curves, as SVG + PNG in dir. */
export async function reconstructionFigures(
  name: string, x: Planes, settings: ImageLayerParams[], runs: ImageRun[], what: string, dir: string,
): Promise<{ figure: { svg: string; png: string }; curve: { svg: string; png: string } }> {
  mkdirSync(dir, { recursive: true });
  const scale = Math.max(1, Math.min(4, Math.floor(256 / Math.max(x.width, x.height))));
  const original = pngDataUrl(toRgba(x));
  const rows: PanelRow[] = runs.map((r, i) => ({
    ...(runs.length > 1 ? { label: sparsityLabel(settings[i]!) } : {}),
    cells: [
      { url: original, caption: 'original', detail: `${x.width}x${x.height}, ${x.channels === 1 ? 'grey' : 'colour'}` },
      { url: pngDataUrl(toRgba(x, r.oneStep.xHat)), caption: 'one step (one layer + Wᵀ)', detail: `rel. error ${f3(r.oneStep.relativeError)} · PSNR ${r.oneStep.psnr.toFixed(1)} dB` },
      { url: pngDataUrl(toRgba(x, r.iht.xHat)), caption: `after ${r.iht.iterations} IHT iterations`, detail: `rel. error ${f3(r.iht.relativeError)} · PSNR ${r.iht.psnr.toFixed(1)} dB` },
    ],
  }));
  const title = runs.length > 1 ? what : `${what}, ${sparsityLabel(settings[0]!)}`;
  const figure = writeFigure(dir, `${name}-figure4`, await vegaToSvg(panelSpec(title, rows, x.width, x.height, scale)), 1);
  const curve = writeFigure(dir, `${name}-error-curve`, await vegaLiteToSvg(curveSpec(
    `${name}: IHT reconstruction error per iteration`, title,
    runs.map((r, i) => ({ name: sparsityLabel(settings[i]!), values: r.iht.history })),
  )));
  return { figure, curve };
}

async function runReconstruct(cs: Convcs, path: string, f: ReconstructFlags): Promise<void> {
  const img: Rgba = readImage(path);
  const weights = f.weights === undefined ? undefined : readWeights(cs, f.weights, f.weightsName);
  if (weights && weights.shape.length === 4 && weights.shape[1] !== 1 && weights.shape[1] !== 3) {
    throw new CliError(`the weights take ${weights.shape[1]} input channels; an image has 1 (grey) or 3 (colour)`);
  }
  // loaded filters decide grey or colour; otherwise the image does (or --grey)
  const mode: ColorMode = weights?.shape.length === 4 ? (weights.shape[1] === 1 ? 'grey' : 'rgb') : f.grey ? 'grey' : 'auto';
  let x: Planes;
  try {
    x = toPlanes(img, f.size, mode);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
  const filters = f.filters ?? (x.channels === 1 ? 32 : 64);
  const base = {
    filters, kernel: f.kernel, stride: f.stride, pool: f.pool, mode: f.mode, iterations: f.iterations, seed: f.seed, normalize: f.normalize,
    ...(weights ? { weights } : {}),
  };
  const settings: ImageLayerParams[] = f.k !== undefined ? [{ ...base, k: f.k }] : f.density.map((density) => ({ ...base, density }));

  const bar = progress('IHT', f.iterations * settings.length, 'iterations', f.json);
  const runs: ImageRun[] = [];
  try {
    for (const [i, p] of settings.entries()) {
      runs.push(reconstructImage(cs, x, p, { onIteration: (it) => void bar.update(i * f.iterations + it) }));
    }
  } finally {
    bar.stop();
  }

  const name = stem(path);
  const what = describe(x, settings[0]!, f.weights);
  const { figure, curve } = await reconstructionFigures(name, x, settings, runs, what, f.out);
  const result = {
    command: 'reconstruct', image: path, source: { width: img.width, height: img.height },
    input: { channels: x.channels, height: x.height, width: x.width },
    layer: what, backend: cs.backend,
    runs: runs.map((r, i) => ({
      ...settings[i]!, filters: layerSize(settings[i]!)[0], kernel: layerSize(settings[i]!).slice(1), weights: f.weights ?? null, k: r.layer.k, outputShape: r.layer.outputShape, nonZerosPerValue: r.layer.nonZerosPerValue,
      oneStep: { relativeError: r.oneStep.relativeError, psnr: r.oneStep.psnr, unscaledRelativeError: r.rawOneStepError },
      iht: { relativeError: r.iht.relativeError, psnr: r.iht.psnr, iterations: r.iht.iterations, history: r.iht.history },
      ms: r.ms,
    })),
    files: { figure, curve, report: join(f.out, `${name}-reconstruct.json`) },
  };
  writeFileSync(result.files.report, JSON.stringify(result, jsonReplacer, 1));
  if (f.json) {
    emitJson(result);
    return;
  }
  const scaled = img.width !== x.width || img.height !== x.height;
  say(`${shown(path)}: ${img.width}x${img.height} -> ${x.width}x${x.height}, ${x.channels === 1 ? 'grey' : 'colour (3 channels)'}${scaled ? ' (box-downscaled)' : ''}`);
  say(`layer: ${what} (backend ${cs.backend})`);
  for (const [i, r] of runs.entries()) {
    say(`${sparsityLabel(settings[i]!)} (k = ${r.layer.k} non-zeros, ${r.layer.nonZerosPerValue.toFixed(2)} per input value):`);
    const line = (label: string, q: { relativeError: number; psnr: number }, note: string) =>
      say(`  ${label.padEnd(34)} relative error ${f3(q.relativeError)}, PSNR ${q.psnr.toFixed(1).padStart(5)} dB  (${note})`);
    line('one step (one layer + transpose):', r.oneStep, `unscaled W^T M(Wx, k): ${f3(r.rawOneStepError)}`);
    line(`after ${r.iht.iterations} IHT iterations:`, r.iht, seconds(r.ms.iht));
  }
  say(`wrote ${[figure.svg, figure.png, curve.svg, curve.png, result.files.report].map(shown).join(', ')}`);
}
