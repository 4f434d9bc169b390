// The convcs CLI as users run it: the bundled bin (cli/dist/cli.mjs, built by `npm run build -w
// convcs-cli`, which pretest runs) in a child process, importing the library by its name. Results are checked against the library called
// in-process with the same settings, files are decoded and looked at, and every kind of bad input
// must give a non-zero exit code with exactly one line on stderr and no stack trace.
import { test, before, after } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateSync as zlibDeflate } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import assert from '../../tests/assert.js';
import { assertRefused, runCli } from './run-cli.js';
import type { Run } from './run-cli.js';
import { load } from 'convcs';
import type { Convcs } from 'convcs';
import { reconstructImage, toPlanes, toRgba } from '../src/experiment/index.js';
import type { Rgba } from '../src/experiment/index.js';
import { decodeImage, encodePng, readImage } from '../src/image-io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'cli', 'dist', 'cli.mjs');
const photo = join(root, 'data', 'astronaut-256.png');
let dir: string;
let cs: Convcs;

const cli = (args: string[], env: Record<string, string> = {}): Run => runCli(bin, dir, args, env);

/** --json mode: exit 0, nothing on stderr, stdout exactly one JSON document on one line. */
function cliJson(args: string[]): Record<string, any> {
  const r = cli([...args, '--json']);
  assert.equal(r.status, 0, `convcs ${args.join(' ')} failed: ${r.stderr}`);
  assert.equal(r.stderr, '', 'nothing on stderr in --json mode');
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, 'one line of JSON');
  return JSON.parse(lines[0]!);
}

/** A refused input: the expected exit code, one line on stderr matching `pattern`, no trace, nothing on stdout. */
const refused = (args: string[], code: number, pattern: RegExp): void => assertRefused(cli(args), args, code, pattern, true);

/** Decoded PNG: size and the variance of its grey levels (0 for a blank image). */
function pngStats(path: string): { width: number; height: number; variance: number } {
  const png = pngjs.PNG.sync.read(readFileSync(path));
  let s = 0;
  let s2 = 0;
  const n = png.width * png.height;
  for (let i = 0; i < n; i++) {
    const v = png.data[4 * i]! + png.data[4 * i + 1]! + png.data[4 * i + 2]!;
    s += v;
    s2 += v * v;
  }
  return { width: png.width, height: png.height, variance: s2 / n - (s / n) ** 2 };
}

/** A minimal .npy (version 1.0, little-endian float32, C order), as numpy.save writes it. */
function npy(shape: number[], data: Float32Array): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** A safetensors file of float32 tensors (8-byte header length, JSON header, data), in order. */
function safetensors(tensors: Record<string, [number[], Float32Array]>): Buffer {
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, [shape, data]] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...parts]);
}

const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'convcs-cli-'));
  assert.ok(existsSync(bin), `${bin} is missing: npm run build -w convcs-cli`);
  // test images: a non-square colour PNG, its grey version, a JPEG of it, and non-images
  const full = readImage(photo);
  const w = 48;
  const h = 40;
  const crop = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) crop.set(full.data.subarray(((60 + y * 2) * 256 + 80) * 4, ((60 + y * 2) * 256 + 80) * 4 + w * 4), y * w * 4);
  const colour: Rgba = { width: w, height: h, data: crop };
  writeFileSync(join(dir, 'colour.png'), encodePng(colour));
  writeFileSync(join(dir, 'grey.png'), encodePng(toRgba(toPlanes(colour, 0, 'grey'))));
  writeFileSync(join(dir, 'colour.jpg'), jpeg.encode({ width: w, height: h, data: Buffer.from(crop) }, 90).data);
  writeFileSync(join(dir, 'tiny.png'), encodePng(toRgba(toPlanes(colour, 4))));
  writeFileSync(join(dir, 'notes.png'), 'this is text, not a picture\n');
  writeFileSync(join(dir, 'truncated.png'), readFileSync(photo).subarray(0, 200));
});

/** Rows and columns of pure white at each edge of a PNG: what a figure wastes around its content. */
function whiteEdges(path: string): { left: number; right: number; top: number; bottom: number } {
  const png = pngjs.PNG.sync.read(readFileSync(path));
  const white = (x: number, y: number) => {
    const i = 4 * (y * png.width + x);
    return png.data[i] === 255 && png.data[i + 1] === 255 && png.data[i + 2] === 255;
  };
  const columnWhite = (x: number) => Array.from({ length: png.height }, (_, y) => y).every((y) => white(x, y));
  const rowWhite = (y: number) => Array.from({ length: png.width }, (_, x) => x).every((x) => white(x, y));
  let left = 0;
  while (left < png.width && columnWhite(left)) left++;
  let right = 0;
  while (right < png.width && columnWhite(png.width - 1 - right)) right++;
  let top = 0;
  while (top < png.height && rowWhite(top)) top++;
  let bottom = 0;
  while (bottom < png.height && rowWhite(png.height - 1 - bottom)) bottom++;
  return { left, right, top, bottom };
}

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the bundled bin starts with a shebang, is executable and keeps its dependencies external', () => {
  const text = readFileSync(bin, 'utf8');
  assert.ok(text.startsWith('#!/usr/bin/env node\n'), 'shebang');
  assert.ok((statSync(bin).mode & 0o111) !== 0, 'executable bits');
  for (const dep of ['commander', 'vega', 'vega-lite', '@resvg/resvg-js', 'pngjs', 'jpeg-js', 'cli-progress']) {
    assert.match(text, new RegExp(`from '${dep.replace('/', '\\/')}'`), `${dep} is imported, not bundled`);
  }
  assert.doesNotMatch(text, /from '\.\.?\//, 'the library is imported by name, not bundled from a path');
  assert.match(text, /from 'convcs'/);
  const r = cli(['--version']);
  assert.equal(r.status, 0);
  const version = (p: string) => JSON.parse(readFileSync(join(root, p), 'utf8')).version as string;
  assert.equal(r.stdout.trim(), `convcs-cli ${version('cli/package.json')} (convcs ${version('package.json')})`);
});

test('rip --json equals cs.rip in-process and writes three histograms (SVG + PNG) and the raw report', async () => {
  cs = await load();
  const out = join(dir, 'rip');
  const j = cliJson(['rip', '--trials', '400', '--out', out]);
  const W = cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 });
  const r = cs.rip(W, { pool: 'global', k: 10, trials: 400, seed: 2 });
  W.dispose();
  assert.equal(j.k, 10);
  assert.equal(j.trials, 400);
  for (const key of ['forward', 'gram', 'reconstruction'] as const) {
    for (const stat of ['median', 'mean', 'p05', 'p95', 'min', 'max'] as const) {
      assert.ok(relDiff(j.summary[key][stat], r.summary[key][stat]) < 1e-12, `${key}.${stat}: ${j.summary[key][stat]} vs ${r.summary[key][stat]}`);
    }
  }
  assert.ok(relDiff(j.deltaK, r.deltaK) < 1e-12 && relDiff(j.delta2K, r.delta2K) < 1e-12 && relDiff(j.bound, r.bound) < 1e-12);
  for (const name of ['rip-forward', 'rip-gram', 'rip-reconstruction']) {
    const svg = readFileSync(join(out, `${name}.svg`), 'utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /<path[^>]*d="M/, 'the SVG has bars');
    const png = pngStats(join(out, `${name}.png`));
    assert.ok(png.width > 500 && png.height > 300, `${name}.png is ${png.width}x${png.height}`);
    assert.ok(png.variance > 100, `${name}.png is not blank`);
  }
  const raw = JSON.parse(readFileSync(join(out, 'rip-report.json'), 'utf8'));
  assert.equal(raw.forward.length, 400);
  assert.deepEqual(raw.forward.slice(0, 5), Array.from(r.forward.subarray(0, 5)));
  assert.deepEqual(j.files.forward, { svg: join(out, 'rip-forward.svg'), png: join(out, 'rip-forward.png') });
});

test('rip prints the summary table; --measure forward makes one histogram; 2-D layers work', () => {
  const out = join(dir, 'rip2');
  const r = cli(['rip', '--trials', '200', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  for (const label of ['(a) ||W^T z|| / ||z||', '(b) ||W W^T z|| / ||z||', '(c) ||x^ - x|| / ||x||', 'median', 'delta_2k', 'Theorem 3.3 bound', 'wrote']) {
    assert.ok(r.stdout.includes(label), `stdout has ${label}:\n${r.stdout}`);
  }
  assert.equal(r.stderr, '', 'no progress bar without a terminal');
  const j = cliJson(['rip', '--input', '12x12', '--in-channels', '4', '--filters', '16', '--kernel', '3', '--padding', 'same',
    '--pool', '2', '--density', '0.05', '--trials', '100', '--measure', 'forward', '--out', join(dir, 'rip3')]);
  assert.deepEqual(j.outputShape, [16, 12, 12]);
  assert.equal(j.k, Math.round(0.05 * 16 * 12 * 12));
  assert.equal(j.delta2K, null, 'NaN is written as null');
  assert.ok(existsSync(join(dir, 'rip3', 'rip-forward.png')));
  assert.ok(!existsSync(join(dir, 'rip3', 'rip-gram.png')), 'no gram histogram for --measure forward');
});

test('reconstruct --json equals the library in-process, for two densities, and IHT beats one step', async () => {
  cs ??= await load();
  const out = join(dir, 'rec');
  const file = join(dir, 'colour.png');
  const j = cliJson(['reconstruct', file, '--filters', '24', '--density', '0.1,0.2', '--iterations', '20', '--seed', '5', '--out', out]);
  assert.deepEqual(j.input, { channels: 3, height: 40, width: 48 });
  assert.equal(j.runs.length, 2);
  const x = toPlanes(readImage(file), 128);
  for (const [i, density] of [0.1, 0.2].entries()) {
    const mine = reconstructImage(cs, x, { filters: 24, kernel: 3, stride: 1, pool: 2, density, iterations: 20, seed: 5 });
    const got = j.runs[i];
    assert.equal(got.density, density);
    assert.ok(relDiff(got.iht.relativeError, mine.iht.relativeError) < 1e-9, `IHT error ${got.iht.relativeError} vs ${mine.iht.relativeError}`);
    assert.ok(relDiff(got.oneStep.relativeError, mine.oneStep.relativeError) < 1e-9);
    assert.ok(relDiff(got.oneStep.unscaledRelativeError, mine.rawOneStepError) < 1e-9);
    assert.equal(got.iht.history.length, got.iht.iterations);
    assert.ok(got.iht.relativeError < 0.5 * got.oneStep.relativeError, `IHT ${got.iht.relativeError} vs one step ${got.oneStep.relativeError}`);
    assert.ok(got.iht.psnr > got.oneStep.psnr);
  }
  const fig = pngStats(j.files.figure.png);
  // three panels of 48 px shown at 5x (capped at 4x), side by side, two rows; the PNG is at 1x
  assert.ok(fig.width > 3 * 4 * 48 && fig.height > 2 * 4 * 40, `figure is ${fig.width}x${fig.height}`);
  assert.ok(fig.variance > 100);
  assert.match(readFileSync(j.files.figure.svg, 'utf8'), /<image[^>]*data:image\/png;base64,/, 'images embedded in the SVG');
  assert.ok(pngStats(j.files.curve.png).variance > 100);
  assert.equal(JSON.parse(readFileSync(j.files.report, 'utf8')).runs[1].iht.relativeError, j.runs[1].iht.relativeError);
});

test('reconstruct reads grey PNG and colour JPEG, downscales with --size, and prints a summary', () => {
  const grey = cliJson(['reconstruct', join(dir, 'grey.png'), '--iterations', '3', '--out', join(dir, 'g')]);
  assert.equal(grey.input.channels, 1);
  assert.equal(grey.runs[0].filters, 32, 'default filters for grey');
  const jpg = cliJson(['reconstruct', join(dir, 'colour.jpg'), '--iterations', '3', '--size', '24', '--out', join(dir, 'j')]);
  assert.deepEqual(jpg.input, { channels: 3, height: 20, width: 24 });
  assert.equal(jpg.runs[0].filters, 64, 'default filters for colour');
  // JPEG is decoded by jpeg-js: the same pixels as decoding it here
  const x = toPlanes(decodeImage(readFileSync(join(dir, 'colour.jpg')), 'colour.jpg'), 24);
  assert.equal(x.width, 24);
  const r = cli(['reconstruct', join(dir, 'colour.png'), '--iterations', '4', '--out', join(dir, 'txt')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /one step \(one layer \+ transpose\):\s+relative error \d\.\d{3}, PSNR/);
  assert.match(r.stdout, /after 4 IHT iterations:\s+relative error/);
  assert.match(r.stdout, /colour-figure4\.png/);
});

test('reconstruct --weights uses the filters of a .npy file (K and kernel from the file)', async () => {
  cs ??= await load();
  const weights = cs.randn(6 * 1 * 5 * 3, { seed: 11 }).map((v) => v / 4);
  writeFileSync(join(dir, 'w.npy'), npy([6, 1, 5, 3], weights));
  const j = cliJson(['reconstruct', join(dir, 'colour.png'), '--weights', join(dir, 'w.npy'), '--iterations', '10', '--out', join(dir, 'w')]);
  assert.equal(j.input.channels, 1, 'one input channel in the weights makes the image grey');
  assert.equal(j.runs[0].filters, 6);
  assert.deepEqual(j.runs[0].kernel, [5, 3]);
  const x = toPlanes(readImage(join(dir, 'colour.png')), 128, 'grey');
  const mine = reconstructImage(cs, x, { filters: 0, kernel: 0, stride: 1, pool: 2, density: 0.1, iterations: 10, seed: 0, weights: { data: weights, shape: [6, 1, 5, 3] } });
  assert.ok(relDiff(j.runs[0].iht.relativeError, mine.iht.relativeError) < 1e-9);
  // and they are not the random filters of the same size
  const random = reconstructImage(cs, x, { filters: 6, kernel: [5, 3], stride: 1, pool: 2, density: 0.1, iterations: 10, seed: 1 });
  assert.notEqual(j.runs[0].iht.relativeError, random.iht.relativeError);
  refused(['reconstruct', join(dir, 'colour.png'), '--weights', join(dir, 'missing.npy')], 1, /^convcs reconstruct: no such file: .*missing\.npy$/);
  writeFileSync(join(dir, 'w2.npy'), npy([6, 15], weights));
  refused(['reconstruct', join(dir, 'colour.png'), '--weights', join(dir, 'w2.npy')], 1, /needs 4-D filters/);
  // a file of several tensors: the message names the flag that chooses one, not the API option
  writeFileSync(join(dir, 'two.safetensors'), safetensors({ conv1: [[6, 1, 5, 3], weights], conv2: [[6, 1, 5, 3], weights.map((v) => -v)] }));
  refused(['reconstruct', join(dir, 'colour.png'), '--weights', join(dir, 'two.safetensors')], 1,
    /^convcs reconstruct: .*two\.safetensors: the safetensors file holds 2 tensors: .*conv1.*conv2.*; choose one with --weights-name$/);
  const named = cliJson(['reconstruct', join(dir, 'colour.png'), '--weights', join(dir, 'two.safetensors'), '--weights-name', 'conv1', '--iterations', '10', '--out', join(dir, 'w')]);
  assert.equal(named.runs[0].iht.relativeError, j.runs[0].iht.relativeError, 'conv1 holds the same filters as w.npy');
});

test('coherence, recover (every method) and bench agree with the library', async () => {
  cs ??= await load();
  const c = cliJson(['coherence']);
  const W = cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 }).randomize({ seed: 1 });
  const ref = cs.coherence(W);
  assert.equal(c.filters, ref.filters);
  assert.equal(c.rows, ref.rows);
  const { z } = cs.sampleModelSparse(W.outputShape, { pool: 'global', k: 10, seed: 3 });
  const x = W.transpose(z);
  const r = cs.iht(W, x, { pool: 'global', k: 10 });
  const oneLayer = cs.reconstruct(W, x, { pool: 'global', k: 10 }).relativeError;
  const mine = {
    cosamp: cs.cosamp(W, x, { pool: 'global', k: 10 }),
    htp: cs.htp(W, x, { pool: 'global', k: 10 }),
    sp: cs.subspacePursuit(W, x, { pool: 'global', k: 10 }),
  };
  const nhtp = cs.htp(W, x, { pool: 'global', k: 10, step: 'normalized', lsIterations: 3 });
  const l1 = cs.sparseCode(W, x, { pool: 'global', iterations: 50 });
  W.dispose();
  const i = cliJson(['recover', '--out', join(dir, 'recover')]);
  assert.equal(i.method, 'niht');
  assert.equal(i.supportRecovered, true);
  assert.equal(i.iterations, r.iterations);
  assert.equal(i.relativeError, r.relativeError);
  assert.ok(i.relativeError < 1e-5 && i.oneLayerError > 0.05, `IHT ${i.relativeError}, one layer ${i.oneLayerError}`);
  // one layer is the paper's W^T M(W x, k); iteration 1 is NIHT's scaled step: two numbers, two names
  assert.equal(i.oneLayerError, oneLayer);
  assert.notEqual(i.oneLayerError, i.firstIterationError);
  assert.equal(i.firstIterationError, r.history[0]);
  assert.ok(pngStats(i.files.curve.png).variance > 100);
  const unit = cliJson(['recover', '--method', 'iht', '--iterations', '3', '--out', join(dir, 'recover')]);
  assert.equal(unit.iterations, 3);
  for (const [method, want] of Object.entries(mine)) {
    const got = cliJson(['recover', '--method', method, '--out', join(dir, 'recover')]);
    assert.equal(got.method, method);
    assert.equal(got.iterations, want.iterations, `${method}: iterations`);
    assert.equal(got.relativeError, want.relativeError, `${method}: relative error`);
    assert.equal(got.lsSteps, want.lsSteps, `${method}: conjugate-gradient steps`);
    assert.equal(got.supportRecovered, true, `${method}: support`);
    assert.ok(got.relativeError < 1e-6, `${method}: ${got.relativeError}`);
    assert.equal(JSON.parse(readFileSync(got.files.report, 'utf8')).relativeError, got.relativeError);
  }
  const hn = cliJson(['recover', '--method', 'htp', '--step', 'normalized', '--ls-iterations', '3', '--out', join(dir, 'recover')]);
  assert.equal(hn.relativeError, nhtp.relativeError);
  assert.equal(hn.options.step, 'normalized');
  const a2 = cliJson(['recover', '--method', 'l1', '--iterations', '50', '--out', join(dir, 'recover')]);
  assert.equal(a2.relativeError, l1.relativeError);
  assert.equal(a2.files.curve, null);
  refused(['recover', '--method', 'omp'], 2, /--method.*omp.*Allowed choices are iht, niht, cosamp, htp, sp, l1/);
  refused(['recover', '--method', 'cosamp', '--ls-iterations', '0'], 2, /--ls-iterations/);
  const b = cliJson(['bench', '--input', '16x16', '--in-channels', '4', '--filters', '8', '--time', '50']);
  assert.equal(b.results.length, 3);
  for (const row of b.results) assert.ok(row.medianMs > 0 && row.calls >= 5 && row.gflops > 0, JSON.stringify(row));
});

test('figures are cut to their content, and a Figure 4 panel stays under 1 MB', () => {
  const out = join(dir, 'fit');
  const r = cli(['rip', '--input', '12x12', '--in-channels', '4', '--filters', '16', '--kernel', '3', '--padding', 'same',
    '--pool', '2', '--density', '0.05', '--trials', '200', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const rec = cli(['reconstruct', photo, '--filters', '16', '--iterations', '3', '--density', '0.05,0.1', '--out', out]);
  assert.equal(rec.status, 0, rec.stderr);
  // the margin is 8 SVG units, plus rounding and the room a font keeps above and below its letters:
  // at most 16 units, 32 px at the charts' 2x and 16 on the panel's 1x (before figures were cut
  // to their content, a long subtitle left 191 px of white beside this histogram)
  for (const [name, most] of [['rip-forward', 32], ['rip-gram', 32], ['rip-reconstruction', 32], ['astronaut-256-error-curve', 32], ['astronaut-256-figure4', 16]] as const) {
    const edges = whiteEdges(join(out, `${name}.png`));
    for (const [side, px] of Object.entries(edges)) assert.ok(px <= most, `${name}.png has ${px} px of white on the ${side}`);
  }
  const panel = statSync(join(out, 'astronaut-256-figure4.png')).size;
  assert.ok(panel < 1024 * 1024, `the Figure 4 panel is ${panel} bytes`);
});

/** A PNG from its parts: IHDR for width x height (8-bit grey), then the given IDAT payload, then IEND unless cut. */
function pngFile(width: number, height: number, idat: Buffer, { iend = true } = {}): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), ...(iend ? [chunk('IEND', Buffer.alloc(0))] : [])]);
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

test('image bombs are refused from the header, in bounded time and memory, with one line', () => {
  // each runs in a child limited to 256 MB of old space: a decoder that believed the header would die
  const limited = (args: string[]) => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cases: Array<[string, Buffer, RegExp]> = [
    // 68 bytes claiming 2^31 - 1 squared pixels (this aborted Node inside zlib)
    ['huge.png', pngFile(2147483647, 2147483647, zlibDeflate(Buffer.alloc(16))), /huge\.png is 2147483647x2147483647 pixels; the limit is 64 megapixels$/],
    // a plausible size whose compressed data stops early (this "reconstructed" a black image)
    ['cut-stream.png', pngFile(2000, 2000, zlibDeflate(Buffer.alloc(2001 * 2000)).subarray(0, 300)), /cut-stream\.png as PNG: its image data is truncated$/],
    // a complete compressed stream that holds too little (pngjs filled the rest with zeros)
    ['short-stream.png', pngFile(2000, 2000, zlibDeflate(Buffer.alloc(100))), /short-stream\.png as PNG: its image data is truncated \(100 of the 4002000 bytes its header describes\)$/],
    // a small image whose data inflates far beyond it (a zip bomb)
    ['zip-bomb.png', pngFile(100, 100, zlibDeflate(Buffer.alloc(50_000_000))), /zip-bomb\.png as PNG: its image data inflates to more than the 10100 bytes its header describes$/],
    // the file itself cut inside its IDAT chunk
    ['cut-file.png', pngFile(64, 64, zlibDeflate(Buffer.alloc(65 * 64))).subarray(0, 60), /cut-file\.png: the PNG is truncated/],
    // a valid header over the cap (12000 x 12000 grey took 922 MB)
    ['big.png', pngFile(12000, 12000, zlibDeflate(Buffer.alloc(64))), /big\.png is 12000x12000 pixels; the limit is 64 megapixels$/],
    // a JPEG whose frame header claims 65535 x 65535
    ['huge.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0xff, 0xff, 0xff, 0xff, 1, 1, 0x11, 0]), /huge\.jpg is 65535x65535 pixels; the limit is 64 megapixels$/],
    ['cut.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]), /cut\.jpg: the JPEG is truncated or has no frame header$/],
  ];
  for (const [name, bytes, pattern] of cases) {
    writeFileSync(join(dir, name), bytes);
    const r = limited(['reconstruct', join(dir, name), '--out', join(dir, 'bombs')]);
    assert.equal(r.status, 1, `${name}: exit ${r.status}, stderr ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, `${name}: one line on stderr, got:\n${r.stderr}`);
    assert.match(lines[0]!, pattern, name);
  }
  assert.match(cli(['reconstruct', '--help']).stdout, /64 megapixels/, 'the cap is stated in --help');
});

test('help shows defaults as they are typed', () => {
  const help = cli(['bench', '--help']).stdout;
  assert.match(help, /--input <D\|HxW>[\s\S]*\(default: 56x56\)/);
  assert.doesNotMatch(help, /\[56,\s*56\]/);
  assert.match(cli(['rip', '--help']).stdout, /\(default: 32\)/);
});

test('bad input: one line on stderr, exit 1 (unusable input) or 2 (flags that do not parse), no stack trace', () => {
  const img = join(dir, 'colour.png');
  refused(['reconstruct', join(dir, 'missing.png')], 1, /^convcs reconstruct: no such file: .*missing\.png$/);
  refused(['reconstruct', dir], 1, /is a directory/);
  refused(['reconstruct', join(dir, 'notes.png')], 1, /notes\.png is not a PNG or JPEG image$/);
  refused(['reconstruct', join(dir, 'truncated.png')], 1, /^convcs reconstruct: .*truncated\.png: the PNG is truncated/);
  refused(['reconstruct', join(dir, 'tiny.png'), '--size', '0', '--kernel', '7'], 1, /kernel \(7x7\) is larger than the image \(4x3/);
  refused(['reconstruct', img, '--pool', '64'], 1, /pool 64x64 does not fit/);
  refused(['reconstruct', img, '--density', '0.5'], 1, /'density' 0\.5 asks for .* at most one per block/);
  refused(['reconstruct', img, '--density', '0'], 2, /argument '0' is invalid\. expected a density in \(0, 1\], got 0\./);
  refused(['reconstruct', img, '--density', '2'], 2, /argument '2' is invalid\. expected a density in \(0, 1\], got 2\./);
  refused(['rip', '--density', '0'], 2, /argument '0' is invalid\. expected a density in \(0, 1\], got 0\./);
  refused(['rip', '--density', '2'], 2, /argument '2' is invalid\. expected a density in \(0, 1\], got 2\./);
  refused(['rip', '--k', '0'], 2, /option '--k <n>' argument '0' is invalid/);
  refused(['reconstruct'], 2, /missing required argument 'image'/);
  refused(['rip', '--k', '200'], 1, /^convcs rip: convcs\.rip: 'k' must be in \[0, 96\]/);
  refused(['rip', '--density', '1.5'], 2, /option '--density <d>' argument '1\.5' is invalid/);
  refused(['paper'], 2, /unknown command 'paper'/);
  // numbers as typed in decimal only: no padding, hex, exponents for integers, or empty strings
  for (const trials of [' 12 ', '0x10', '1e3', '', '12abc']) {
    refused(['rip', '--trials', trials], 2, new RegExp(`option '--trials <n>' argument '${trials.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is invalid\\. expected an integer`));
  }
  refused(['rip', '--density', '0x0.1'], 2, /expected a density \(a number in \(0, 1\]\), got '0x0\.1'/);
  refused(['rip', '--input', ' 8x8'], 2, /expected the input size as N or HxW/);
  refused(['rip', '--filters', 'abc'], 2, /expected an integer, got 'abc'/);
  refused(['rip', '--k', '5', '--density', '0.1'], 2, /cannot be used with/);
  refused(['rip', '--bogus'], 2, /unknown option '--bogus'/);
  refused(['rip', '--input', '4', '--kernel', '9'], 1, /kernel \(9\) is longer than the input \(4\)/);
  refused(['rip', '--input', '8x8', '--kernel', '3', '--pool', '3x3', '--k', '1000'], 1, /'k' must be in/);
  refused(['rip', '--pool', 'big'], 2, /expected 'global', N or HxW/);
  refused(['rip', '--stride', '2', '--padding', 'same'], 1, /padding 'same' needs stride 1/);
  refused(['frobnicate'], 2, /unknown command 'frobnicate'/);
});

test('a progress bar with rate and time left appears only on a terminal', (t) => {
  if (!existsSync('/usr/bin/script')) {
    t.skip('util-linux script(1) is needed to give the CLI a terminal');
    return;
  }
  // script(1) runs the command on a pseudo-terminal, so stdout and stderr are TTYs
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} rip --trials 20000 --out ${JSON.stringify(join(dir, 'tty'))}`;
  const r = spawnSync('/usr/bin/script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120_000, cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /model-RIP \[[\u2588\u2591]+\] \d+% \| \d+\/20000 codes \| [\d.]+ codes\/s \| .* left/, 'bar with rate and ETA');
  assert.match(r.stdout, /model-RIP over 20,000 random/);
  // the same run piped: no bar, no carriage returns
  const piped = cli(['rip', '--trials', '2000', '--measure', 'forward', '--out', join(dir, 'tty')]);
  assert.doesNotMatch(piped.stdout + piped.stderr, /\r|codes\/s/);
});
