// Test-only fault injection for the worker pool. A symbol-keyed option is invisible to the option
// checks (they look at string keys) and cannot be written by accident in JSON or a literal
// without this import; it is not exported from the package entry.

import type { InjectedFault } from './messages.js';

/** `{ [INJECT_FAULT]: { at, mode } }` in cs.rip / cs.ihtBatch options with `workers`. */
export const INJECT_FAULT: unique symbol = Symbol.for('convcs.test.injectFault') as never;

export function injectedFault(options: unknown): InjectedFault | undefined {
  if (options === null || typeof options !== 'object') return undefined;
  const f = (options as { [INJECT_FAULT]?: InjectedFault })[INJECT_FAULT];
  if (f === undefined) return undefined;
  return { at: Number(f.at), mode: f.mode === 'exit' ? 'exit' : 'throw' };
}
