/// <reference types="node" />
// Flag parsers and the flags shared by several commands. Parsers throw commander's
// InvalidArgumentError, which commander prints as one usage line (exit code 2), so a flag that
// does not parse never reaches the library.

import { Command, InvalidArgumentError, Option } from 'commander';
import type { Convcs, ConvOperator, Pool } from 'convcs';
import { CliError } from './errors.js';

// Numbers as people type them in decimal, and nothing else: Number() would also take ' 12 ',
// '0x10', '1e3' for an integer, or an empty string.
const INTEGER = /^-?[0-9]+$/;
const DECIMAL = /^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

export function intArg(min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!INTEGER.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${v}'.`);
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got ${n}.`);
    return n;
  };
}

export function numArg(min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!DECIMAL.test(v) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${v}'.`);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a number in [${min}, ${max}], got ${n}.`);
    return n;
  };
}

/** A fraction of non-zeros: in (0, 1], one message for whatever falls outside. */
export function densityArg(v: string): number {
  const n = Number(v);
  if (!DECIMAL.test(v) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a density (a number in (0, 1]), got '${v}'.`);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError(`expected a density in (0, 1], got ${n}.`);
  return n;
}

/** "3" -> 3, "3x5" -> [3, 5] (height x width). */
export function pairArg(what: string): (v: string) => number | [number, number] {
  return (v: string) => {
    const m = /^(\d+)(?:x(\d+))?$/.exec(v);
    if (!m) throw new InvalidArgumentError(`expected ${what} as N or HxW, got '${v}'.`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? undefined : Number(m[2]);
    if (a < 1 || (b !== undefined && b < 1)) throw new InvalidArgumentError(`${what} must be at least 1, got '${v}'.`);
    return b === undefined ? a : [a, b];
  };
}

/** 'global', "2" or "2x3". */
export function poolArg(v: string): Pool {
  if (v === 'global') return 'global';
  try {
    return pairArg('a pooling size')(v);
  } catch {
    throw new InvalidArgumentError(`expected 'global', N or HxW, got '${v}'.`);
  }
}

export type Padding1d = number | 'same' | 'valid';

export function paddingArg(v: string): Padding1d {
  if (v === 'same' || v === 'valid') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected 'same', 'valid' or a non-negative integer, got '${v}'.`);
  return n;
}

export function choiceArg<T extends string>(choices: readonly T[]): (v: string) => T {
  return (v: string) => {
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got '${v}'.`);
    return v as T;
  };
}

export const seedArg = intArg(0, Number.MAX_SAFE_INTEGER);

/** Flags describing a synthetic layer (rip, coherence, iht, bench). */
export interface LayerFlags {
  input: number | [number, number];
  inChannels: number;
  filters: number;
  kernel: number | [number, number];
  stride: number;
  padding: Padding1d;
  weightSeed: number;
  normalize: 'fan-in' | 'unit';
}

export interface LayerDefaults {
  input: string;
  inChannels: number;
  filters: number;
  kernel: string;
  padding: string;
}

/** The paper's Figure 2 layer: 1-D, M = 32, K = 96, l = 5, D = 32, no padding. */
export const FIGURE2_LAYER: LayerDefaults = { input: '32', inChannels: 32, filters: 96, kernel: '5', padding: 'valid' };

export function addLayerOptions(cmd: Command, d: LayerDefaults): Command {
  return cmd
    // defaults are shown as typed (56x56), not as the parsed pair
    .addOption(new Option('--input <D|HxW>', 'input size: D for a 1-D layer (conv1d), HxW for a 2-D layer (conv2d)')
      .argParser(pairArg('the input size')).default(pairArg('')(d.input), d.input))
    .option('--in-channels <M>', 'input channels M', intArg(1, 1 << 16), d.inChannels)
    .option('--filters <K>', 'number of filters K', intArg(1, 1 << 16), d.filters)
    .addOption(new Option('--kernel <l|HxW>', 'filter size l (1-D) or kh x kw (2-D)').argParser(pairArg('the kernel size')).default(pairArg('')(d.kernel), d.kernel))
    .option('--stride <t>', 'stride t', intArg(1, 1 << 16), 1)
    .option('--padding <p>', "zero padding: 'valid', 'same' (stride 1 only) or a number", paddingArg, paddingArg(d.padding))
    .option('--weight-seed <n>', 'seed of the random Gaussian filters', seedArg, 1)
    .addOption(new Option('--normalize <how>', "filter scaling: 'fan-in' N(0,1)/sqrt(M l) (Theorem 3.1) or 'unit' (unit-norm filters)")
      .choices(['fan-in', 'unit']).default('fan-in'));
}

/** Sparsity flags: pooling, k or density, mode. */
export interface SparsityFlags {
  pool: Pool;
  k?: number;
  density?: number;
  mode: 'abs' | 'relu';
}

export function addSparsityOptions(cmd: Command, d: { pool: string; k?: number; density?: number }): Command {
  return cmd
    .option('--pool <p>', "pooling blocks: 'global' (one block per filter), N or HxW", poolArg, poolArg(d.pool))
    .addOption(new Option('--k <n>', 'number of blocks kept (the sparsity k, at least 1)').argParser(intArg(1)).conflicts('density')
      .default(d.k))
    .addOption(new Option('--density <d>', 'fraction of non-zeros in the code, in (0, 1], instead of --k').argParser(densityArg).default(d.density))
    .addOption(new Option('--mode <m>', "'abs' (keep the largest |h|) or 'relu' (largest after ReLU)").choices(['abs', 'relu']).default('abs'));
}

/** k or density for the library, whichever the user gave (an explicit --density drops the default k). */
export function sparsityOf(f: SparsityFlags, cmd: Command): { pool: Pool; mode: 'abs' | 'relu'; k?: number; density?: number } {
  const densityGiven = cmd.getOptionValueSource('density') === 'cli';
  if (densityGiven) return { pool: f.pool, mode: f.mode, density: f.density };
  if (f.k !== undefined) return { pool: f.pool, mode: f.mode, k: f.k };
  return { pool: f.pool, mode: f.mode, density: f.density };
}

/** Build (and randomize) the layer the flags describe; library errors become one-line CliErrors upstream. */
export function makeLayer(cs: Convcs, f: LayerFlags): ConvOperator {
  if (typeof f.input === 'number') {
    if (typeof f.kernel !== 'number') throw new CliError(`a 1-D layer (--input ${f.input}) needs a 1-D kernel size, got ${f.kernel.join('x')}`);
    if (f.kernel > f.input && f.padding !== 'same') throw new CliError(`the kernel (${f.kernel}) is longer than the input (${f.input}): no valid shift`);
    return cs.conv1d({ inChannels: f.inChannels, outChannels: f.filters, kernelSize: f.kernel, length: f.input, stride: f.stride, padding: f.padding })
      .randomize({ seed: f.weightSeed, normalize: f.normalize });
  }
  const [H, Wd] = f.input;
  const [kh, kw] = typeof f.kernel === 'number' ? [f.kernel, f.kernel] : f.kernel;
  if ((kh > H || kw > Wd) && f.padding !== 'same') {
    throw new CliError(`the kernel (${kh}x${kw}) is larger than the input (${H}x${Wd}): no valid position`);
  }
  return cs.conv2d({ inChannels: f.inChannels, outChannels: f.filters, kernelSize: [kh, kw], height: H, width: Wd, stride: f.stride, padding: f.padding })
    .randomize({ seed: f.weightSeed, normalize: f.normalize });
}

export function describeLayer(W: ConvOperator, f: LayerFlags): string {
  const kern = typeof f.kernel === 'number' ? `${f.kernel}` : f.kernel.join('x');
  return `${W.inputShape.length === 2 ? 'conv1d' : 'conv2d'} M=${f.inChannels} K=${f.filters} l=${kern} stride ${f.stride} padding ${f.padding}: ` +
    `input ${W.inputShape.join('x')} -> code ${W.outputShape.join('x')}`;
}
