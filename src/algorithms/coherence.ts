// Filter coherence (the paper's Table 3 and footnote 8): the largest |<w_i, w_j>| between
// distinct unit-normed filters, a computable proxy for the model-RIP constant. 'rows' extends it
// to all rows of the convolution matrix W of a valid (unpadded) layer: every filter at every
// shift that is a multiple of the stride, overlapping partially with the others.

import type { Engine } from '../instance.js';
import { ConvOperator } from '../conv/operator.js';
import { checkOptions, typeError } from '../validate.js';

export interface CoherenceOptions {
  /** Also compute the coherence over all shifted rows (default true). */
  rows?: boolean;
}

export interface CoherenceResult {
  /** max |<w_i, w_j>| over distinct filters, each normalized to unit l2 norm. */
  filters: number;
  /** max |<r_a, r_b>| over distinct unit-normed rows of W (all shifts); NaN if not computed. */
  rows: number;
}

export function coherence(engine: Engine, W: unknown, options?: CoherenceOptions): CoherenceResult {
  const where = 'coherence';
  const o = checkOptions<CoherenceOptions>(where, options, ['rows']);
  if (!(W instanceof ConvOperator)) throw typeError(where, 'W', 'a convolution operator (cs.conv1d / cs.conv2d)', W);
  W.live(where);
  if (W.engine !== engine) throw new TypeError(`convcs.${where}: the operator belongs to a different convcs instance (load())`);
  if (o.rows !== undefined && typeof o.rows !== 'boolean') throw typeError(where, "'rows'", 'a boolean', o.rows);
  const g = W.geometry;
  const taps = g.M * g.kh * g.kw;
  const w = W.getWeights();
  // Unit-norm filters in f64; filters of norm zero are left out (no direction to compare).
  const unit = new Float32Array(g.K * taps);
  const live: number[] = [];
  for (let f = 0; f < g.K; f++) {
    let ss = 0;
    for (let t = 0; t < taps; t++) ss += w[f * taps + t]! ** 2;
    if (ss === 0) continue;
    const inv = 1 / Math.sqrt(ss);
    for (let t = 0; t < taps; t++) unit[f * taps + t] = w[f * taps + t]! * inv;
    live.push(f);
  }
  let filters = 0;
  engine.withScratch([unit.length * 4], (p) => {
    engine.f32(p!, unit.length).set(unit);
    for (let a = 0; a < live.length; a++) {
      for (let b = a + 1; b < live.length; b++) {
        filters = Math.max(filters, Math.abs(engine.k.dot(p! + live[a]! * taps * 4, p! + live[b]! * taps * 4, taps)));
      }
    }
  });
  let rows = NaN;
  if (o.rows !== false) rows = Math.max(filters, shiftedCoherence(engine, W, unit, live));
  return { filters, rows };
}

/**
 * max over filter pairs (i, j) and non-zero shifts d (multiples of the stride, overlapping) of
 * |<w_i, shift_d w_j>| for unit filters. One convolution per filter j computes all of them at
 * once: filter j, zero-padded, is the input, and the K unit filters are the weights.
 */
function shiftedCoherence(engine: Engine, W: ConvOperator, unit: Float32Array, live: number[]): number {
  const g = W.geometry;
  const taps = g.M * g.kh * g.kw;
  const py = Math.floor((g.kh - 1) / g.sh) * g.sh;
  const px = Math.floor((g.kw - 1) / g.sw) * g.sw;
  const probe = new ConvOperator(engine, {
    M: g.M, K: g.K, H: g.kh, W: g.kw, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw,
    pt: py, pb: py, pl: px, pr: px, Hp: g.kh + 2 * py, Wp: g.kw + 2 * px,
    Ho: (2 * py) / g.sh + 1, Wo: (2 * px) / g.sw + 1, algorithm: 'direct',
  }, 2);
  try {
    probe.setWeights(unit);
    const P = probe.geometry.Ho * probe.geometry.Wo;
    const center = (py / g.sh) * probe.geometry.Wo + px / g.sw; // displacement zero
    let best = 0;
    const liveSet = new Set(live);
    for (const j of live) {
      const out = probe.forward(unit.subarray(j * taps, (j + 1) * taps));
      for (let i = 0; i < g.K; i++) {
        if (!liveSet.has(i)) continue;
        for (let p = 0; p < P; p++) {
          if (p === center) continue; // zero shift: the filters coherence, computed exactly above
          best = Math.max(best, Math.abs(out[i * P + p]!));
        }
      }
    }
    return best;
  } finally {
    probe.dispose();
  }
}
