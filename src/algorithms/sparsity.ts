// The sparsity model shared by the algorithms: a pooling (which blocks), k or a density (how many
// blocks), and a mode (|.| or ReLU). Resolved once per call against the operator's code shape.

import type { Engine } from '../instance.js';
import { Projector, blockGeometry, resolveK } from '../projection.js';
import type { Pool, ProjectMode, BlockGeometry } from '../projection.js';
import { oneOf } from '../validate.js';

export interface SparsityOptions {
  /** Pooling blocks: 'global' (default, one per filter), p, or [ph, pw]. */
  pool?: Pool;
  /** Number of blocks kept. */
  k?: number;
  /** Fraction of non-zeros: k = round(density * code length). */
  density?: number;
  /** 'abs' (default) or 'relu'. */
  mode?: ProjectMode;
}

export const sparsityKeys = ['pool', 'k', 'density', 'mode'] as const;

export interface ResolvedSparsity {
  bg: BlockGeometry;
  k: number;
  relu: boolean;
}

export function resolveSparsity(
  where: string, shape: readonly number[], o: SparsityOptions, requireK: boolean,
): ResolvedSparsity {
  const bg = blockGeometry(where, [...shape], o.pool);
  if (requireK && o.k === undefined && o.density === undefined) {
    throw new TypeError(`convcs.${where}: give the sparsity as 'k' (blocks kept) or 'density' (fraction of non-zeros)`);
  }
  const k = resolveK(where, bg, o.k, o.density);
  const relu = (o.mode === undefined ? 'abs' : oneOf(where, 'mode', o.mode, ['abs', 'relu'] as const)) === 'relu';
  return { bg, k, relu };
}

export function makeProjector(engine: Engine, s: ResolvedSparsity): Projector {
  return new Projector(engine, s.bg);
}
