// The dot-test, as PyLops has it: for a linear operator W and random x and z,
// <W x, z> = <x, W^T z> to within the rounding of the two sums, measured against the norms that
// bound it. An operator that offers a sparse transpose (public, or the pointer path the algorithms
// call) passes the same test with a sparse z.
import type { LinearOperator } from '../src/index.js';
import { dot64, norm64, randomArray } from './helpers.js';

export interface DottestResult {
  /** |<W x, z> - <x, W^T z>| divided by the scale that bounds rounding (||Wx|| ||z|| + ||x|| ||W^T z||). */
  error: number;
  /** The same with z restricted to a random support and W^T z computed by transposeSparse (when offered). */
  sparseError?: number;
}

type Sparse = { transposeSparse(indices: Int32Array, values: Float32Array, out?: Float32Array): Float32Array };
type PtrSparse = {
  engine: { withScratch<T>(sizes: readonly number[], fn: (...ptrs: number[]) => T): T; i32(p: number, n: number): Int32Array; f32(p: number, n: number): Float32Array };
  transposeSparsePtr(idx: number, val: number, nnz: number, out: number): void;
};

/**
 * W^T z from the non-zeros of z: the public transposeSparse where the operator has one, else the
 * pointer path the algorithms call (CReLU views, stacks), on copies in linear memory.
 */
function sparseTranspose(op: LinearOperator): ((indices: Int32Array, values: Float32Array) => Float32Array) | undefined {
  const s = op as Partial<Sparse> & Partial<PtrSparse>;
  if (typeof s.transposeSparse === 'function') return (i, v) => s.transposeSparse!(i, v);
  if (typeof s.transposeSparsePtr !== 'function' || !s.engine) return undefined;
  const e = s.engine;
  return (indices, values) => e.withScratch([indices.length * 4 + 4, values.length * 4 + 4, op.inputSize * 4], (pi, pv, po) => {
    e.i32(pi!, indices.length).set(indices);
    e.f32(pv!, values.length).set(values);
    s.transposeSparsePtr!(pi!, pv!, indices.length, po!);
    return e.f32(po!, op.inputSize).slice();
  });
}

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
  const transposeSparse = sparseTranspose(op);
  if (!transposeSparse) return { error };
  const keep = randomArray(op.outputSize, seed + 2);
  const idx: number[] = [];
  for (let i = 0; i < op.outputSize; i++) if (Math.abs(keep[i]!) < density) idx.push(i);
  if (idx.length === 0) idx.push(0);
  const indices = Int32Array.from(idx);
  const values = Float32Array.from(idx, (i) => z[i]!);
  const zs = new Float32Array(op.outputSize);
  indices.forEach((i, j) => { zs[i] = values[j]!; });
  const WTzs = transposeSparse(indices, values);
  const sparseError = relative(dot64(Wx, zs), dot64(x, WTzs), norm64(Wx) * norm64(zs) + norm64(x) * norm64(WTzs));
  return { error, sparseError };
}
