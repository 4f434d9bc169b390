// The fuzz harness: runs one generated case on a capped instance and checks the promises every
// call makes (a checked result, or a convcs. TypeError/RangeError that changed nothing).

import { load } from '../../src/index.js';
import type { Convcs, ConvOperator, Conv1dOptions, Conv2dOptions } from '../../src/index.js';
import { bitsEqual, randomArray } from '../helpers.js';
import { OpSpec } from './arbitraries.js';

/** The cap of the fuzzed instances: small, so that huge but legal sizes meet it. */
export const FUZZ_MEMORY_CAP = 48 * 1024 * 1024;

// ---------------------------------------------------------------- the harness

export type Expect = 'ok' | 'refuse' | 'type' | 'range' | 'any';

/** What a case's setup hands the harness: the one call under test, and how to check its result. */
export interface Prepared {
  call(): unknown;
  verify?(result: unknown): void;
}

export interface Case {
  api: string;
  expect: Expect;
  prepare(h: Harness): Prepared;
}

export function fail(message: string): never {
  throw new Error(message);
}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) fail(message);
}

export class Harness {
  /** Calls made, and how many each API accepted and refused. */
  calls = 0;
  readonly byApi = new Map<string, { ok: number; refused: number }>();
  private owned: Array<{ dispose(): void }> = [];
  private readonly baseline: Float32Array;
  private readonly R: ConvOperator;

  private constructor(readonly cs: Convcs, readonly other: Convcs) {
    // The fixed reference computation: an operator the fuzz never touches.
    this.R = cs.conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, height: 6, width: 5, padding: 1 }).randomize({ seed: 11 });
    this.baseline = this.reference();
  }

  static async create(backend: 'simd' | 'scalar', threads = 1): Promise<Harness> {
    return new Harness(await load({ backend, maxMemoryBytes: FUZZ_MEMORY_CAP, threads }), await load({ backend }));
  }

  reference(): Float32Array {
    const { cs, R } = this;
    const x = randomArray(R.inputSize, 1);
    const z = randomArray(R.outputSize, 2);
    const parts = [
      R.forward(x), R.transpose(z), R.transposeSparse(Int32Array.of(0, 7, 7, R.outputSize - 1), Float32Array.of(1, -2, 0.5, 3)),
      cs.randn(16, { seed: 5, stream: 2 }), cs.project(z, { shape: R.outputShape, pool: 2, k: 4 }).z,
    ];
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Keep something to dispose after the case. */
  track<T extends { dispose(): void }>(x: T): T {
    this.owned.push(x);
    return x;
  }

  op(spec: OpSpec, on: Convcs = this.cs): ConvOperator {
    const W = spec.dims === 1 ? on.conv1d(spec.options as Conv1dOptions) : on.conv2d(spec.options as Conv2dOptions);
    return this.track(W).randomize({ seed: spec.seed });
  }

  get inUse(): number {
    return this.cs.engine.heap.inUse;
  }

  run(c: Case): void {
    const inUseAtStart = this.inUse;
    try {
      const p = c.prepare(this);
      const inUse = this.inUse;
      const bytes = this.cs.memoryBytes;
      let result: unknown;
      let error: unknown;
      let threw = false;
      try {
        result = p.call();
      } catch (e) {
        threw = true;
        error = e;
      }
      this.calls++;
      const tally = this.byApi.get(c.api) ?? { ok: 0, refused: 0 };
      this.byApi.set(c.api, tally);
      if (threw) {
        tally.refused++;
        const e = error as Error;
        check(e instanceof TypeError || e instanceof RangeError,
          `${c.api}: threw ${(e as Error)?.constructor?.name ?? typeof e}: ${String((e as Error)?.message ?? e)} (only TypeError or RangeError are allowed)`);
        check(/^convcs[.:]/.test(e.message), `${c.api}: the error does not come from convcs: ${e.message}`);
        check(c.expect !== 'ok', `${c.api}: a valid call was refused: ${e.message}`);
        check(c.expect !== 'type' || e instanceof TypeError, `${c.api}: expected a TypeError, got RangeError: ${e.message}`);
        check(c.expect !== 'range' || e instanceof RangeError, `${c.api}: expected a RangeError, got TypeError: ${e.message}`);
        check(this.inUse === inUse, `${c.api}: the refused call kept ${this.inUse - inUse} bytes of linear memory (${e.message})`);
        check(this.cs.memoryBytes === bytes, `${c.api}: the refused call grew memory from ${bytes} to ${this.cs.memoryBytes} bytes (${e.message})`);
        check(bitsEqual(this.reference(), this.baseline), `${c.api}: the reference computation changed after a refused call (${e.message})`);
      } else {
        tally.ok++;
        check(c.expect === 'ok' || c.expect === 'any', `${c.api}: expected a refusal (${c.expect}), but the call returned`);
        if (c.expect === 'ok' && p.verify) p.verify(result);
        else sane(c.api, result);
      }
    } finally {
      for (const o of this.owned.splice(0)) o.dispose();
    }
    check(this.inUse === inUseAtStart, `${c.api}: ${this.inUse - inUseAtStart} bytes of linear memory were not given back after the case`);
  }
}

/** For calls whose validity is not predicted: whatever comes back holds no NaN or Infinity. */
export function sane(api: string, r: unknown, depth = 0): void {
  if (depth > 3 || r === null || typeof r !== 'object') return;
  if (r instanceof Float32Array || r instanceof Int32Array) {
    for (let i = 0; i < r.length; i++) check(Number.isFinite(r[i]), `${api}: result holds ${r[i]} at ${i}`);
    return;
  }
  for (const v of Object.values(r)) sane(api, v, depth + 1);
}
