// Shipping an operator to a worker: its kind, geometry and weights as data (describeOperator, in
// the caller's thread), and the same operator rebuilt in the worker's own wasm instance
// (buildOperator). setWeights repacks the weights there exactly as here, so both compute the
// same bits on the same backend.

import type { Engine } from '../instance.js';
import { ConvOperator } from '../conv/operator.js';
import type { LinearOperator } from '../linear-operator.js';
import { CReluOperator, crelu } from '../algorithms/crelu.js';
import { Stack } from '../algorithms/stack.js';
import { typeError } from '../validate.js';
import type { OperatorSpec } from './messages.js';

function sameEngine(where: string, op: ConvOperator, engine: Engine): void {
  op.live(where);
  if (op.engine !== engine) throw new TypeError(`convcs.${where}: the operator belongs to a different convcs instance (load())`);
}

/** The data that rebuilds W in a worker; refuses operators a worker cannot rebuild. */
export function describeOperator(engine: Engine, where: string, W: unknown): OperatorSpec {
  if (W instanceof ConvOperator) {
    sameEngine(where, W, engine);
    return { kind: 'conv', dims: W.dims, geometry: { ...W.geometry }, weights: W.getWeights() };
  }
  if (W instanceof CReluOperator) {
    sameEngine(where, W.base, engine);
    return { kind: 'crelu', base: describeOperator(engine, where, W.base) };
  }
  if (W instanceof Stack) {
    return { kind: 'stack', layers: W.layers.map((l) => describeOperator(engine, where, l)) };
  }
  // A caller's own LinearOperator is JavaScript code in this thread: there is nothing to ship.
  throw typeError(where, 'the operator',
    "made by this convcs instance (conv1d, conv2d, crelu, or a stack of them) when 'workers' is given; " +
    "run without 'workers' for other LinearOperators", W);
}

/** An operator rebuilt from its spec in this (worker's) instance, and how to free it. */
export function buildOperator(engine: Engine, spec: OperatorSpec): { op: LinearOperator; dispose(): void } {
  switch (spec.kind) {
    case 'conv': {
      const W = new ConvOperator(engine, spec.geometry, spec.dims);
      try {
        W.setWeights(spec.weights);
      } catch (e) {
        W.dispose();
        throw e;
      }
      return { op: W, dispose: () => W.dispose() };
    }
    case 'crelu': {
      const base = buildOperator(engine, spec.base);
      const op = crelu(base.op);
      return { op, dispose: () => { op.dispose(); base.dispose(); } };
    }
    case 'stack': {
      const built: Array<{ op: LinearOperator; dispose(): void }> = [];
      try {
        for (const l of spec.layers) built.push(buildOperator(engine, l));
        return { op: new Stack(engine, built.map((b) => b.op)), dispose: () => built.forEach((b) => b.dispose()) };
      } catch (e) {
        built.forEach((b) => b.dispose());
        throw e;
      }
    }
  }
}
