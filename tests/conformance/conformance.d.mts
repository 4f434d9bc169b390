// Types of conformance.mjs for the TypeScript tests (the script itself stays plain JavaScript so
// that every runtime runs it without a TypeScript loader).
import type { Convcs, LoadOptions } from '../../src/index.js';

export type ConformanceValue = Float32Array | Float64Array | Int32Array | number;
export type ConformanceOutputs = Array<[name: string, value: ConformanceValue]>;

export interface ConformanceResult {
  /** The backend `load()` picks with no options. */
  default: string;
  /** SHA-256 (hex) of the outputs on the SIMD module. */
  simd: string;
  /** SHA-256 (hex) of the outputs on the scalar module. */
  scalar: string;
  /** Wall time of the run inside the runtime, in ms. */
  ms: number;
  /** The same workload on instances that asked for 2 and 4 threads. */
  threads: Record<'2' | '4', { simd: string; scalar: string; running: number; note: string | null }>;
}

type Load = (options?: LoadOptions) => Promise<Convcs>;

export function conformanceOutputs(cs: Convcs): ConformanceOutputs;
export function serialize(outputs: ConformanceOutputs): Uint8Array;
export function digest(outputs: ConformanceOutputs): Promise<string>;
export function conformance(convcs: { load: Load } | Load): Promise<ConformanceResult>;
