// The dot-test, as PyLops has it: for a linear operator W and random x and z,
// <W x, z> = <x, W^T z> to within the rounding of the two sums, measured against the norms that
// bound it. An operator that offers a sparse transpose passes the same test with a sparse z.
import type { LinearOperator } from '../src/index.js';
import { dot64, norm64, randomArray } from './helpers.js';

export interface DottestResult {
  /** |<W x, z> - <x, W^T z>| divided by the scale that bounds rounding (||Wx|| ||z|| + ||x|| ||W^T z||). */
  error: number;
  /** The same with z restricted to a random support and W^T z computed by transposeSparse (when offered). */
  sparseError?: number;
}

type Sparse = { transposeSparse(indices: Int32Array, values: Float32Array, out?: Float32Array): Float32Array };

function relative(lhs: number, rhs: number, scale: number): number {
  return scale === 0 ? Math.abs(lhs - rhs) : Math.abs(lhs - rhs) / scale;
}

/** Run the dot-test on `op` with seeded inputs; `density` sets how many entries the sparse z keeps. */
export function dottest(op: LinearOperator, seed: number, density = 0.2): DottestResult {
  const x = randomArray(op.inputSize, seed);
  const z = randomArray(op.outputSize, seed + 1);
  const Wx = op.forward(x);
  const WTz = op.transpose(z);
  const error = relative(dot64(Wx, z), dot64(x, WTz), norm64(Wx) * norm64(z) + norm64(x) * norm64(WTz));
  if (typeof (op as Partial<Sparse>).transposeSparse !== 'function') return { error };
  const keep = randomArray(op.outputSize, seed + 2);
  const idx: number[] = [];
  for (let i = 0; i < op.outputSize; i++) if (Math.abs(keep[i]!) < density) idx.push(i);
  if (idx.length === 0) idx.push(0);
  const indices = Int32Array.from(idx);
  const values = Float32Array.from(idx, (i) => z[i]!);
  const zs = new Float32Array(op.outputSize);
  indices.forEach((i, j) => { zs[i] = values[j]!; });
  const WTzs = (op as unknown as Sparse).transposeSparse(indices, values);
  const sparseError = relative(dot64(Wx, zs), dot64(x, WTzs), norm64(Wx) * norm64(zs) + norm64(x) * norm64(WTzs));
  return { error, sparseError };
}
