// A study's specification, checked by hand (the library has no runtime dependencies; the CLI
// checks files with a schema first). Every error names the field, as `spec.grid.k[3]`.

import type { Pool } from '../projection.js';
import type { RipValues } from '../algorithms/rip.js';
import { RECOVER_METHODS } from '../algorithms/methods.js';
import { describe } from '../validate.js';

/**
 * Recovery methods a study can run on x = W^T z: the one-shot layer, IHT with either step,
 * Algorithm 2, every pursuit of cs.recoverBatch, or 'none' (model-RIP statistics only).
 */
export const STUDY_METHODS = [
  'none', 'reconstruct', 'iht-unit', 'iht-normalized', 'sparseCode',
  ...RECOVER_METHODS.filter((m) => m !== 'iht'),
] as const;
export type StudyMethod = (typeof STUDY_METHODS)[number];

export interface StudyWeights {
  /** Weights drawn by W.randomize({ seed, normalize }) for each filter count. */
  seed?: number;
  normalize?: 'fan-in' | 'unit';
  /** A weight file, read by the caller (the CLI), who passes its values as `options.weights`. */
  file?: string;
  /** The tensor's name in the file. */
  name?: string;
}

export interface StudyLayer {
  type: 'conv1d' | 'conv2d';
  inChannels: number;
  kernelSize: number | [number, number];
  /** conv1d: input length. */
  length?: number;
  /** conv2d: input size. */
  height?: number;
  width?: number;
  stride?: number;
  padding?: number | 'same' | 'valid';
  weights: StudyWeights;
}

export interface StudyGrid {
  /** Filter counts K (the ratio of measurements to unknowns follows). */
  outChannels: number[];
  /** Blocks kept, or `density` (fraction of the code's entries), one of the two. */
  k?: number[];
  density?: number[];
  pool?: Pool[];
  values?: RipValues[];
  method?: StudyMethod[];
}

export interface StudySpec {
  layer: StudyLayer;
  grid: StudyGrid;
  /** Trials per cell. */
  trials: number;
  seed: number;
  /** A trial succeeds when ||x^ - x|| / ||x|| <= tolerance (default 1e-3). */
  tolerance?: number;
  /** Iterations of the iterative methods (default: each method's own). */
  iterations?: number;
  mode?: 'abs' | 'relu';
}

/** One point of the grid. */
export interface StudyCell {
  index: number;
  outChannels: number;
  pool: Pool;
  values: RipValues;
  method: StudyMethod;
  /** The grid's k, or its density (the other is undefined). */
  k?: number;
  density?: number;
}

const W = 'study';

function fail(field: string, expected: string, got: unknown): never {
  throw new TypeError(`convcs.${W}: spec.${field} must be ${expected}, got ${describe(got)}`);
}
function range(field: string, message: string): never {
  throw new RangeError(`convcs.${W}: spec.${field} ${message}`);
}
function obj(field: string, v: unknown, keys: readonly string[]): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(field, 'an object', v);
  for (const key of Object.keys(v as object)) {
    if (!keys.includes(key)) throw new TypeError(`convcs.${W}: spec.${field} has an unknown field '${key}' (known: ${keys.join(', ')})`);
  }
  return v as Record<string, unknown>;
}
function int(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, 'an integer', v);
  if (v < min || v > max) range(field, `must be in [${min}, ${max}], got ${v}`);
  return v;
}
function list<T>(field: string, v: unknown, item: (field: string, v: unknown) => T): T[] {
  if (!Array.isArray(v) || v.length === 0) fail(field, 'a non-empty array', v);
  if (v.length > 10_000) range(field, `may hold at most 10000 values, got ${v.length}`);
  const out = v.map((x, i) => item(`${field}[${i}]`, x));
  const seen = new Set(out.map((x) => JSON.stringify(x)));
  if (seen.size !== out.length) range(field, 'holds a value twice (each grid point once)');
  return out;
}
function oneOf<T extends string>(field: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) fail(field, `one of ${values.map((s) => `'${s}'`).join(', ')}`, v);
  return v as T;
}
function pool(field: string, v: unknown): Pool {
  if (v === 'global') return v;
  if (typeof v === 'number') return int(field, v, 1, 2 ** 20);
  if (Array.isArray(v) && v.length === 2) return [int(`${field}[0]`, v[0], 1, 2 ** 20), int(`${field}[1]`, v[1], 1, 2 ** 20)];
  fail(field, "'global', a positive integer or a pair [ph, pw]", v);
}

/**
 * The spec with every default filled in, in a fixed field order (its JSON is the canonical form
 * the fingerprint hashes); a weight file's path is dropped (the weights' hash stands for it).
 */
export function normalizeSpec(spec: unknown): StudySpec {
  const s = obj('', spec, ['layer', 'grid', 'trials', 'seed', 'tolerance', 'iterations', 'mode']);
  if (s.layer === undefined) range('layer', 'is required');
  const l = obj('layer', s.layer, ['type', 'inChannels', 'kernelSize', 'length', 'height', 'width', 'stride', 'padding', 'weights']);
  const type = oneOf('layer.type', l.type, ['conv1d', 'conv2d'] as const);
  const layer: StudyLayer = {
    type,
    inChannels: int('layer.inChannels', l.inChannels, 1, 65_536),
    kernelSize: Array.isArray(l.kernelSize) && type === 'conv2d'
      ? [int('layer.kernelSize[0]', l.kernelSize[0], 1, 4096), int('layer.kernelSize[1]', l.kernelSize[1], 1, 4096)]
      : int('layer.kernelSize', l.kernelSize, 1, 4096),
    weights: { seed: 0 },
  };
  if (type === 'conv1d') {
    if (l.height !== undefined || l.width !== undefined) range('layer', "of type 'conv1d' takes 'length', not 'height' or 'width'");
    layer.length = int('layer.length', l.length, 1, 2 ** 24);
  } else {
    if (l.length !== undefined) range('layer', "of type 'conv2d' takes 'height' and 'width', not 'length'");
    layer.height = int('layer.height', l.height, 1, 2 ** 14);
    layer.width = int('layer.width', l.width, 1, 2 ** 14);
  }
  layer.stride = l.stride === undefined ? 1 : int('layer.stride', l.stride, 1, 4096);
  if (l.padding === undefined) layer.padding = 'valid';
  else if (l.padding === 'same' || l.padding === 'valid') layer.padding = l.padding;
  else layer.padding = int('layer.padding', l.padding, 0, 4096);
  if (l.weights === undefined) range('layer.weights', "is required: { seed } or { file, name }");
  const w = obj('layer.weights', l.weights, ['seed', 'normalize', 'file', 'name']);
  if (w.file !== undefined) {
    if (typeof w.file !== 'string' || w.file === '') fail('layer.weights.file', 'a path', w.file);
    if (w.seed !== undefined || w.normalize !== undefined) range('layer.weights', "takes 'file' (and 'name') or 'seed' (and 'normalize'), not both");
    if (w.name !== undefined && typeof w.name !== 'string') fail('layer.weights.name', 'a string', w.name);
    // the path is the caller's business (it differs between machines); the weights' hash stands for it
    layer.weights = w.name === undefined ? { file: '*' } : { file: '*', name: w.name as string };
  } else {
    if (w.name !== undefined) range('layer.weights', "has 'name' without 'file'");
    layer.weights = {
      seed: int('layer.weights.seed', w.seed, 0, Number.MAX_SAFE_INTEGER),
      normalize: w.normalize === undefined ? 'fan-in' : oneOf('layer.weights.normalize', w.normalize, ['fan-in', 'unit'] as const),
    };
  }

  if (s.grid === undefined) range('grid', 'is required');
  const g = obj('grid', s.grid, ['outChannels', 'k', 'density', 'pool', 'values', 'method']);
  const grid: StudyGrid = { outChannels: list('grid.outChannels', g.outChannels, (f, v) => int(f, v, 1, 65_536)) };
  if ((g.k === undefined) === (g.density === undefined)) range('grid', "needs exactly one of 'k' and 'density'");
  if (g.k !== undefined) grid.k = list('grid.k', g.k, (f, v) => int(f, v, 0, 2 ** 28));
  else {
    grid.density = list('grid.density', g.density, (f, v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(f, 'a finite number', v);
      if (v < 0 || v > 1) range(f, `must be in [0, 1], got ${v}`);
      return v;
    });
  }
  grid.pool = g.pool === undefined ? ['global'] : list('grid.pool', g.pool, pool);
  grid.values = g.values === undefined ? ['uniform'] : list('grid.values', g.values, (f, v) => oneOf(f, v, ['uniform', 'sign', 'bounded'] as const));
  grid.method = g.method === undefined ? ['reconstruct'] : list('grid.method', g.method, (f, v) => oneOf(f, v, STUDY_METHODS));

  const out: StudySpec = {
    layer, grid,
    trials: int('trials', s.trials, 1, 1e9),
    seed: int('seed', s.seed, 0, Number.MAX_SAFE_INTEGER),
    tolerance: 1e-3,
    mode: s.mode === undefined ? 'abs' : oneOf('mode', s.mode, ['abs', 'relu'] as const),
  };
  if (s.tolerance !== undefined) {
    if (typeof s.tolerance !== 'number' || !Number.isFinite(s.tolerance)) fail('tolerance', 'a finite number', s.tolerance);
    if (s.tolerance < 0) range('tolerance', `must be >= 0, got ${s.tolerance}`);
    out.tolerance = s.tolerance;
  }
  if (s.iterations !== undefined) out.iterations = int('iterations', s.iterations, 1, 1e6);
  const cells = grid.outChannels.length * grid.pool.length * grid.values.length * grid.method.length * (grid.k ?? grid.density!).length;
  if (cells > 100_000) range('grid', `makes ${cells} cells; at most 100000`);
  return out;
}

/** The cells of a normalized spec, in a fixed order (k or density varies fastest). */
export function studyCells(spec: StudySpec): StudyCell[] {
  const cells: StudyCell[] = [];
  const g = spec.grid;
  for (const outChannels of g.outChannels) {
    for (const p of g.pool!) {
      for (const values of g.values!) {
        for (const method of g.method!) {
          for (const v of (g.k ?? g.density!)) {
            const cell: StudyCell = { index: cells.length, outChannels, pool: p, values, method };
            if (g.k) cell.k = v; else cell.density = v;
            cells.push(cell);
          }
        }
      }
    }
  }
  return cells;
}
