// mergeRipReports: the shards of one study back into the report of the whole run. Shards hold
// contiguous ranges of trials, so the per-trial arrays concatenate in shard order; deltaK and
// delta2K are maxima over trials, so the maxima of the shards' values are the study's (a shard's
// delta2K already includes its deltaK, and max(a, b) over all shards is the same either way); the
// bound and the summaries are recomputed from those. The result equals the unsharded report.
// What can be recomputed is checked: each shard's deltaK from its forward ratios; the run string
// (options and a hash of the operator) must be the same in every shard.

import { shardRange, theorem33Bound } from '../algorithms/rip.js';
import type { RipReport, RipShardInfo } from '../algorithms/rip.js';
import { summarize } from '../algorithms/stats.js';
import { rangeError, typeError } from '../validate.js';

type Values = Float64Array | readonly number[];

/** A shard report as it arrives: from this process, or parsed from JSON (arrays as plain arrays). */
export interface RipShardReport {
  forward: Values;
  gram: Values;
  reconstruction: Values;
  deltaK: number;
  delta2K: number;
  k: number;
  trials: number;
  /** Present in every shard's report (rip with `shard`); checked at run time. */
  shard?: RipShardInfo;
}

const where = 'mergeRipReports';

function values(name: string, v: unknown, length: number): Values {
  if (!(v instanceof Float64Array) && !Array.isArray(v)) throw typeError(where, name, 'a Float64Array or an array of numbers', v);
  if (v.length !== length) throw rangeError(where, `${name} must have length ${length} (its shard's trials), got ${v.length}`);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    // every per-trial value is a ratio of norms
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw rangeError(where, `${name}[${i}] must be a finite number >= 0, got ${String(x)}`);
  }
  return v as Values;
}

function num(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw typeError(where, name, 'a finite non-negative number', v);
  return v;
}

/**
 * Join the shard reports of one study (`rip(W, { ..., shard: { index, count } })` for every
 * index, in any order) into exactly the report of the unsharded run.
 */
export function mergeRipReports(reports: readonly RipShardReport[]): RipReport {
  if (!Array.isArray(reports) || reports.length === 0) throw typeError(where, 'reports', 'a non-empty array of shard reports', reports);
  const shards = reports.map((r, i) => {
    if (r === null || typeof r !== 'object') throw typeError(where, `reports[${i}]`, 'a shard report', r);
    const s = (r as { shard?: RipShardInfo }).shard;
    if (s === null || typeof s !== 'object') {
      throw typeError(where, `reports[${i}].shard`, "a shard's description (run rip with { shard: { index, count } })", s);
    }
    return { r, s };
  });
  const first = shards[0]!.s;
  const { count, run, measure } = first;
  const trials = shards[0]!.r.trials;
  const k = shards[0]!.r.k;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(trials) || trials < count) {
    throw rangeError(where, `reports[0] has an impossible shard count ${String(count)} for ${String(trials)} trials`);
  }
  if (reports.length !== count) throw rangeError(where, `the study has ${count} shards, got ${reports.length} reports`);
  const seen = new Array<boolean>(count).fill(false);
  for (const [i, { r, s }] of shards.entries()) {
    if (s.count !== count || s.run !== run || s.measure !== measure || r.trials !== trials || r.k !== k) {
      throw rangeError(where, `reports[${i}] is from a different study (${s.run}, ${s.count} shards) than reports[0] (${run}, ${count} shards)`);
    }
    if (!Number.isInteger(s.index) || s.index < 0 || s.index >= count) throw rangeError(where, `reports[${i}].shard.index ${String(s.index)} is not in [0, ${count - 1}]`);
    if (seen[s.index]) throw rangeError(where, `shard ${s.index} is given twice`);
    seen[s.index] = true;
    const [start, end] = shardRange(trials, s.index, count);
    if (s.start !== start || s.end !== end) throw rangeError(where, `reports[${i}] (shard ${s.index}) should cover trials [${start}, ${end}), not [${s.start}, ${s.end})`);
  }
  const all = measure === 'all';
  const forward = new Float64Array(trials);
  const gram = new Float64Array(all ? trials : 0);
  const reconstruction = new Float64Array(all ? trials : 0);
  let deltaK = 0;
  let delta2K = 0;
  for (const [i, { r, s }] of shards.entries()) {
    const len = s.end - s.start;
    const f = values(`reports[${i}].forward`, r.forward, len);
    forward.set(f, s.start);
    if (all) {
      gram.set(values(`reports[${i}].gram`, r.gram, len), s.start);
      reconstruction.set(values(`reports[${i}].reconstruction`, r.reconstruction, len), s.start);
    }
    // deltaK is the maximum of |f^2 - 1| over the shard's forward ratios: recomputed, it must agree
    // to the bit (a shard edited by hand, or its arrays swapped with another's, does not)
    let dk = 0;
    for (let t = 0; t < f.length; t++) dk = Math.max(dk, Math.abs(f[t]! * f[t]! - 1));
    const given = num(`reports[${i}].deltaK`, r.deltaK);
    if (given !== dk) throw rangeError(where, `reports[${i}].deltaK is ${given}, but its forward values give ${dk}: the report was altered`);
    deltaK = Math.max(deltaK, dk);
    // (a measure 'forward' shard's delta2K is NaN, or null after JSON: not read)
    if (all) {
      const d2 = num(`reports[${i}].delta2K`, r.delta2K);
      if (d2 < dk) throw rangeError(where, `reports[${i}].delta2K (${d2}) is below its deltaK (${dk}): the report was altered`);
      delta2K = Math.max(delta2K, d2);
    }
  }
  const d2 = all ? delta2K : NaN;
  return {
    forward, gram, reconstruction, deltaK, delta2K: d2,
    bound: all ? theorem33Bound(deltaK, d2) : NaN,
    summary: { forward: summarize(forward), gram: summarize(gram), reconstruction: summarize(reconstruction) },
    k, trials,
  };
}
