// Running a study: its plan (the spec, the operators, the fingerprint), one part (shard I of N:
// the trial range shardRange(trials, I, N) of every cell), and the merge of parts into the report.
// Trial t of cell c draws its code from stream t of a seed derived from (seed, c), so a trial's
// bits do not depend on which part, process or machine ran it, and every statistic merges exactly
// (see accumulator.ts): any split gives the same report, bit for bit.

import type { Engine } from '../instance.js';
import { ConvOperator } from '../conv/operator.js';
import { conv1dGeometry, conv2dGeometry } from '../conv/geometry.js';
import { sampleModelSparse } from '../random.js';
import { reconstruct, iht } from '../algorithms/iht.js';
import { sparseCode } from '../algorithms/sparse-code.js';
import { methods } from '../algorithms/methods.js';
import { shardRange, theorem33Bound } from '../algorithms/rip.js';
import { resolveSparsity } from '../algorithms/sparsity.js';
import { hashHex } from '../hash.js';
import { checkOptions, describe, nonNegativeInt, positiveInt, rangeError, typeError } from '../validate.js';
import { ERROR_EDGES, RATIO_EDGES, Stat } from './accumulator.js';
import type { StatData, StatSummary } from './accumulator.js';
import { normalizeSpec, studyCells } from './spec.js';
import type { StudyCell, StudySpec } from './spec.js';

export const PART_FORMAT = 'convcs-study-part';
export const PART_VERSION = 1;

export interface StudyOptions {
  /** The layer's weights when the spec names a file (PyTorch layout, as loadWeights returns them). */
  weights?: Float32Array;
  /** Called with (trials done, trials) of this call, now and then. */
  onProgress?: (done: number, total: number) => void;
}

export interface StudyPartOptions extends StudyOptions {
  /** Which part: shard `index` of `count` runs trials shardRange(trials, index, count) of every cell. */
  shard: { index: number; count: number };
  /** Called with each cell's results as soon as they are complete (to stream them out). */
  onCell?: (cell: StudyCellPart) => void;
}

/** The first line of a part: what was run. */
export interface StudyPartHeader {
  format: typeof PART_FORMAT;
  version: number;
  /** hashHex of the canonical JSON of { spec, backend, weights }: parts merge only when equal. */
  fingerprint: string;
  spec: StudySpec;
  backend: string;
  /** hashHex of each filter count's operator (geometry and weights), as [outChannels, hash]. */
  weights: Array<[number, string]>;
  shard: { index: number; count: number };
  cells: number;
}

/** One cell's results over one part's trials [start, end). */
export interface StudyCellPart {
  cell: number;
  start: number;
  end: number;
  /** Trials whose relative error is at most the tolerance. */
  success: number;
  /** Trials whose recovered support equals the drawn one. */
  support: number;
  error: StatData;
  /** ||W^T z|| / ||z|| of the drawn codes. */
  forward: StatData;
  /** ||W^T (z1 + z2)|| / ||z1 + z2|| over sums of two codes (the subspace of Theorem 3.3). */
  pair: StatData;
}

export interface StudyPart extends StudyPartHeader {
  results: StudyCellPart[];
}

export interface StudyCellReport extends StudyCell {
  /** Blocks kept (resolved from density when the grid gives density). */
  blocks: number;
  /** Entries of the input (measurements) and of the code (unknowns). */
  inputSize: number;
  codeSize: number;
  trials: number;
  successRate: number;
  supportRate: number;
  error: StatSummary | null;
  forward: StatSummary;
  /** max |r^2 - 1| over the codes (from forward's min and max), over sums of two codes (at least deltaK). */
  deltaK: number;
  delta2K: number;
  /** Theorem 3.3's bound from those (Infinity where it does not apply). */
  bound: number;
}

export interface StudyReport {
  fingerprint: string;
  spec: StudySpec;
  backend: string;
  weights: Array<[number, string]>;
  cells: StudyCellReport[];
}

interface Layer {
  W: ConvOperator;
  hash: string;
}

/** A validated study ready to run: one operator per filter count. Dispose it when done. */
export class StudyPlan {
  readonly cells: StudyCell[];
  readonly header: Omit<StudyPartHeader, 'shard'>;
  private readonly lipschitz = new Map<number, number>();

  private constructor(readonly engine: Engine, readonly spec: StudySpec, readonly layers: Map<number, Layer>) {
    this.cells = studyCells(spec);
    const weights = [...layers.entries()].map(([K, l]) => [K, l.hash] as [number, string]);
    const fingerprint = hashHex(new TextEncoder().encode(JSON.stringify({ spec, backend: engine.backend, weights })));
    this.header = { format: PART_FORMAT, version: PART_VERSION, fingerprint, spec, backend: engine.backend, weights, cells: this.cells.length };
  }

  static create(engine: Engine, where: string, specIn: unknown, weights: unknown): StudyPlan {
    const spec = normalizeSpec(specIn);
    const l = spec.layer;
    if (l.weights.file !== undefined) {
      if (!(weights instanceof Float32Array)) throw typeError(where, 'options.weights', "a Float32Array (the spec's weight file, read by the caller)", weights);
      if (spec.grid.outChannels.length !== 1) throw rangeError(where, 'spec.grid.outChannels must hold one value (the filter count of the weight file)');
    } else if (weights !== undefined) {
      throw rangeError(where, "options.weights is given but spec.layer.weights draws them from a seed (give spec.layer.weights.file)");
    }
    const layers = new Map<number, Layer>();
    try {
      for (const K of spec.grid.outChannels) {
        const g = l.type === 'conv1d'
          ? conv1dGeometry({ inChannels: l.inChannels, outChannels: K, kernelSize: l.kernelSize as number, length: l.length!, stride: l.stride, padding: l.padding })
          : conv2dGeometry({ inChannels: l.inChannels, outChannels: K, kernelSize: l.kernelSize, height: l.height!, width: l.width!, stride: l.stride, padding: l.padding });
        const W = new ConvOperator(engine, g, l.type === 'conv1d' ? 1 : 2);
        layers.set(K, { W, hash: '' });
        if (weights instanceof Float32Array) {
          if (weights.length !== W.weightShape.reduce((a, b) => a * b, 1)) {
            throw rangeError(where, `options.weights has ${weights.length} values; the layer's weights [${W.weightShape.join(', ')}] need ${W.weightShape.reduce((a, b) => a * b, 1)}`);
          }
          W.setWeights(weights);
        } else {
          W.randomize({ seed: l.weights.seed!, normalize: l.weights.normalize });
        }
        layers.get(K)!.hash = hashHex(W.identity());
      }
      // every cell's sparsity must fit its layer: refused here, before any trial runs
      const plan = new StudyPlan(engine, spec, layers);
      for (const c of plan.cells) plan.blocks(c);
      return plan;
    } catch (e) {
      for (const { W } of layers.values()) W.dispose();
      throw e;
    }
  }

  /** The cell's k in blocks. */
  blocks(c: StudyCell): number {
    const W = this.layers.get(c.outChannels)!.W;
    return resolveSparsity(`study (cell ${c.index})`, W.outputShape, { pool: c.pool, k: c.k, density: c.density, mode: this.spec.mode }, true).k;
  }

  dispose(): void {
    for (const { W } of this.layers.values()) W.dispose();
  }

  /** Run trials [start, end) of one cell. */
  runCell(c: StudyCell, start: number, end: number, tick: () => void): StudyCellPart {
    const { W } = this.layers.get(c.outChannels)!;
    const spec = this.spec;
    const k = this.blocks(c);
    const sparsity = { pool: c.pool, k, mode: spec.mode };
    const seed = cellSeed(spec.seed, c.index, 1n);
    const seed2 = cellSeed(spec.seed, c.index, 2n);
    const error = new Stat(ERROR_EDGES);
    const forward = new Stat(RATIO_EDGES);
    const pair = new Stat(RATIO_EDGES);
    let success = 0;
    let support = 0;
    for (let t = start; t < end; t++) {
      const a = sampleModelSparse(this.engine, W.outputShape, { pool: c.pool, k, seed, stream: t, values: c.values });
      const x = W.transpose(a.z);
      const zn = norm(a.z);
      forward.add(zn > 0 ? norm(x) / zn : 1);
      // the sum of two codes of the model (positions may coincide), as rip draws for delta_2k
      const b = sampleModelSparse(this.engine, W.outputShape, { pool: c.pool, k, seed: seed2, stream: t, values: c.values });
      for (let i = 0; i < b.z.length; i++) b.z[i] = b.z[i]! + a.z[i]!;
      const sn = norm(b.z);
      pair.add(sn > 0 ? norm(W.transpose(b.z)) / sn : 1);
      if (c.method !== 'none') {
        const r = this.recover(c, W, x, sparsity);
        error.add(r.relativeError);
        if (r.relativeError <= spec.tolerance!) success++;
        if (sameSupport(r.support, a.support)) support++;
      }
      tick();
    }
    return { cell: c.index, start, end, success, support, error: error.toJSON(), forward: forward.toJSON(), pair: pair.toJSON() };
  }

  private recover(c: StudyCell, W: ConvOperator, x: Float32Array, s: { pool: StudyCell['pool']; k: number; mode?: 'abs' | 'relu' }): { relativeError: number; support: Int32Array } {
    const it = this.spec.iterations === undefined ? {} : { iterations: this.spec.iterations };
    switch (c.method) {
      case 'reconstruct': return reconstruct(this.engine, W, x, s);
      case 'iht-unit': return iht(this.engine, W, x, { ...s, ...it, step: 'unit' });
      case 'iht-normalized': return iht(this.engine, W, x, { ...s, ...it, step: 'normalized' });
      case 'sparseCode': {
        // the power iteration's result is the same every time (seed 0): computed once per layer
        const known = this.lipschitz.get(c.outChannels);
        const r = sparseCode(this.engine, W, x, { pool: c.pool, ...it, ...(known === undefined ? {} : { lipschitz: known }) });
        this.lipschitz.set(c.outChannels, r.lipschitz);
        return r;
      }
      case 'none': throw new Error('unreachable');
      default: return methods[c.method].run(this.engine, W, x, { ...s, ...it });
    }
  }
}

/** splitmix64 of (seed, cell, salt): each cell (and each of its two code families) its own seed. Internal (tests recompute trials). */
export function cellSeed(seed: number, cell: number, salt: bigint): bigint {
  const M = (1n << 64n) - 1n;
  let z = (BigInt(seed) + (BigInt(cell) * 2n + salt) * 0x9e3779b97f4a7c15n) & M;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function sameSupport(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Check a shard { index, count } against the study's trials. */
export function checkShard(where: string, shard: unknown, trials: number): { index: number; count: number } {
  if (shard === null || typeof shard !== 'object' || Array.isArray(shard)) throw typeError(where, "'shard'", 'an object { index, count }', shard);
  const sh = checkOptions<{ index: number; count: number }>(`${where} (shard)`, shard, ['index', 'count']);
  const count = positiveInt(where, 'shard.count', sh.count, trials);
  const index = nonNegativeInt(where, 'shard.index', sh.index);
  if (index >= count) throw rangeError(where, `'shard.index' must be in [0, ${count - 1}] (shard.count ${count}), got ${index}`);
  return { index, count };
}

/** Run one part of a study: every cell over the shard's trial range. */
export function studyPart(engine: Engine, spec: unknown, options: StudyPartOptions): StudyPart {
  const where = 'studyPart';
  const o = checkOptions<StudyPartOptions>(where, options, ['weights', 'onProgress', 'shard', 'onCell']);
  for (const f of ['onProgress', 'onCell'] as const) {
    if (o[f] !== undefined && typeof o[f] !== 'function') throw typeError(where, `'${f}'`, 'a function', o[f]);
  }
  const plan = StudyPlan.create(engine, where, spec, o.weights);
  try {
    const shard = checkShard(where, o.shard, plan.spec.trials);
    const [start, end] = shardRange(plan.spec.trials, shard.index, shard.count);
    const total = (end - start) * plan.cells.length;
    let done = 0;
    const every = Math.max(1, Math.floor(total / 200));
    const tick = (): void => {
      done++;
      if (o.onProgress && (done % every === 0 || done === total)) o.onProgress(done, total);
    };
    const results: StudyCellPart[] = [];
    for (const c of plan.cells) {
      const r = plan.runCell(c, start, end, tick);
      o.onCell?.(r);
      results.push(r);
    }
    return { ...plan.header, shard, results };
  } finally {
    plan.dispose();
  }
}

/** The fingerprint and header a study's parts will carry (checks the spec; runs nothing). */
export function studyHeader(engine: Engine, spec: unknown, options?: StudyOptions): Omit<StudyPartHeader, 'shard'> {
  const o = checkOptions<StudyOptions>('studyHeader', options, ['weights', 'onProgress']);
  const plan = StudyPlan.create(engine, 'studyHeader', spec, o.weights);
  plan.dispose();
  return plan.header;
}

const MW = 'mergeStudyParts';

function isStat(v: unknown, bins: number, count: number): v is StatData {
  if (v === null || typeof v !== 'object') return false;
  const d = v as StatData;
  const okNum = (x: unknown): boolean => x === null || (typeof x === 'number' && Number.isFinite(x));
  const okPairs = (p: unknown): boolean => Array.isArray(p) && p.every((e) => Array.isArray(e) && e.length === 2
    && Number.isInteger(e[0]) && Number.isInteger(e[1]) && (e[1] as number) > 0);
  if (!(d.count === count && Number.isInteger(d.nonFinite) && d.nonFinite >= 0 && d.nonFinite <= count && okNum(d.min) && okNum(d.max))) return false;
  if (typeof d.sum !== 'string' || !/^-?\d+$/.test(d.sum)) return false;
  if (!Array.isArray(d.histogram) || d.histogram.length !== bins || !d.histogram.every((c) => Number.isInteger(c) && c >= 0)) return false;
  const s = d.sketch;
  if (s === null || typeof s !== 'object' || !Number.isInteger(s.zeros) || s.zeros < 0 || !okPairs(s.positive) || !okPairs(s.negative)) return false;
  // the finite values are counted the same in the histogram and in the sketch
  const finite = count - d.nonFinite;
  const h = d.histogram.reduce((a, b) => a + b, 0);
  const k = s.zeros + [...s.positive, ...s.negative].reduce((a, e) => a + e[1], 0);
  return h === finite && k === finite && (finite === 0) === (d.min === null);
}

/**
 * Join every part of one study (any shard count, in any order) into its report. Checks that the
 * parts carry the same fingerprint (spec, backend and the weights' hashes), that none is missing
 * or given twice, and that each holds every cell over exactly its shard's trials. `parts` may be
 * any iterable (a generator reading one file at a time): only one part is held at once.
 */
export function mergeStudyParts(parts: Iterable<StudyPart>): StudyReport {
  if (parts === null || typeof parts !== 'object' || typeof (parts as Iterable<StudyPart>)[Symbol.iterator] !== 'function') {
    throw typeError(MW, 'parts', 'an array (or iterable) of study parts', parts);
  }
  let first: StudyPart | undefined;
  let spec: StudySpec | undefined;
  let cells: StudyCell[] = [];
  let seen: boolean[] = [];
  let count = 0;
  let acc: Array<{ success: number; support: number; error: Stat; forward: Stat; pair: Stat }> = [];
  let i = -1;
  for (const p of parts) {
    i++;
    if (p === null || typeof p !== 'object' || p.format !== PART_FORMAT) throw typeError(MW, `parts[${i}]`, 'a study part', p);
    if (p.version !== PART_VERSION) throw rangeError(MW, `parts[${i}] has format version ${describe(p.version)}; this convcs reads ${PART_VERSION}`);
    if (!first) {
      first = p;
      // the fingerprint must be the one its own header gives (a header edited by hand does not)
      spec = normalizeSpec(p.spec);
      const fp = hashHex(new TextEncoder().encode(JSON.stringify({ spec, backend: p.backend, weights: p.weights })));
      if (fp !== p.fingerprint) throw rangeError(MW, `parts[0]'s fingerprint ${describe(p.fingerprint)} does not match its spec and weights (${fp}): the part was altered`);
      count = p.shard?.count;
      if (!Number.isInteger(count) || count < 1) throw rangeError(MW, `parts[0].shard.count must be a positive integer, got ${describe(count)}`);
      seen = new Array<boolean>(count).fill(false);
      cells = studyCells(spec);
      acc = cells.map(() => ({ success: 0, support: 0, error: new Stat(ERROR_EDGES), forward: new Stat(RATIO_EDGES), pair: new Stat(RATIO_EDGES) }));
    }
    if (p.fingerprint !== first.fingerprint) throw rangeError(MW, `parts[${i}] is from a different study (fingerprint ${describe(p.fingerprint)}, parts[0] has ${first.fingerprint})`);
    if (p.shard?.count !== count) throw rangeError(MW, `parts[${i}] is one of ${describe(p.shard?.count)} shards, parts[0] one of ${count}`);
    const ix = p.shard.index;
    if (!Number.isInteger(ix) || ix < 0 || ix >= count) throw rangeError(MW, `parts[${i}].shard.index ${describe(ix)} is not in [0, ${count - 1}]`);
    if (seen[ix]) throw rangeError(MW, `shard ${ix} of ${count} is given twice`);
    seen[ix] = true;
    if (!Array.isArray(p.results) || p.results.length !== cells.length) {
      throw rangeError(MW, `parts[${i}] (shard ${ix}) holds ${Array.isArray(p.results) ? p.results.length : 0} cells, the study has ${cells.length}`);
    }
    const [start, end] = shardRange(spec!.trials, ix, count);
    // every cell is checked before any is added: a refused part leaves no trace
    for (const [j, r] of p.results.entries()) {
      const c = cells[j]!;
      const n = end - start;
      const okCounts = Number.isInteger(r?.success) && Number.isInteger(r?.support) && r.success >= 0 && r.support >= 0 && r.success <= n && r.support <= n;
      if (r?.cell !== j || r.start !== start || r.end !== end || !okCounts
        || !isStat(r.error, ERROR_EDGES.length + 1, c.method === 'none' ? 0 : n)
        || !isStat(r.forward, RATIO_EDGES.length + 1, n) || !isStat(r.pair, RATIO_EDGES.length + 1, n)) {
        throw rangeError(MW, `parts[${i}] (shard ${ix}) cell ${j} is malformed or covers the wrong trials (want cell ${j}, trials [${start}, ${end}))`);
      }
    }
    for (const [j, r] of p.results.entries()) {
      const a = acc[j]!;
      a.success += r.success;
      a.support += r.support;
      a.error.merge(r.error);
      a.forward.merge(r.forward);
      a.pair.merge(r.pair);
    }
  }
  if (!first || !spec) throw typeError(MW, 'parts', 'a non-empty array of study parts', parts);
  const missing = seen.flatMap((s, j) => (s ? [] : [j]));
  if (missing.length) throw rangeError(MW, `shards ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''} of ${count} are missing`);
  const geometry = new Map<number, { inputSize: number; codeSize: number; blocks: (c: StudyCell) => number }>();
  const sp = spec;
  return {
    fingerprint: first.fingerprint, spec: sp, backend: first.backend, weights: first.weights,
    cells: cells.map((c, j) => {
      const a = acc[j]!;
      const f = a.forward.summary();
      const pr = a.pair.summary();
      const dev = (s: StatSummary): number => (s.count - s.nonFinite ? Math.max(Math.abs(s.min * s.min - 1), Math.abs(s.max * s.max - 1)) : NaN);
      const deltaK = dev(f);
      const delta2K = Math.max(dev(pr), deltaK);
      const trials = sp.trials;
      let gm = geometry.get(c.outChannels);
      if (!gm) { gm = layerSizes(sp, c.outChannels); geometry.set(c.outChannels, gm); }
      return {
        ...c, blocks: gm.blocks(c), inputSize: gm.inputSize, codeSize: gm.codeSize, trials,
        successRate: c.method === 'none' ? NaN : a.success / trials,
        supportRate: c.method === 'none' ? NaN : a.support / trials,
        error: c.method === 'none' ? null : a.error.summary(),
        forward: f, deltaK, delta2K, bound: theorem33Bound(deltaK, delta2K),
      };
    }),
  };
}

/** Sizes of a filter count's layer, from geometry alone (merge runs without an engine). */
function layerSizes(spec: StudySpec, K: number): { inputSize: number; codeSize: number; blocks: (c: StudyCell) => number } {
  const l = spec.layer;
  const g = l.type === 'conv1d'
    ? conv1dGeometry({ inChannels: l.inChannels, outChannels: K, kernelSize: l.kernelSize as number, length: l.length!, stride: l.stride, padding: l.padding })
    : conv2dGeometry({ inChannels: l.inChannels, outChannels: K, kernelSize: l.kernelSize, height: l.height!, width: l.width!, stride: l.stride, padding: l.padding });
  const shape = [K, g.Ho, g.Wo];
  const code = l.type === 'conv1d' ? [K, g.Wo] : shape;
  return {
    inputSize: g.M * g.H * g.W, codeSize: K * g.Ho * g.Wo,
    blocks: (c) => resolveSparsity(MW, code, { pool: c.pool, k: c.k, density: c.density }, true).k,
  };
}

/** A whole study in this thread: one part holding every trial, merged (so the same bits as any split). */
export function study(engine: Engine, spec: unknown, options?: StudyOptions): StudyReport {
  const o = checkOptions<StudyOptions>('study', options, ['weights', 'onProgress']);
  return mergeStudyParts([studyPart(engine, spec, { ...o, shard: { index: 0, count: 1 } })]);
}
