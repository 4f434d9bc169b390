// Test-only fault injection for the worker pool. A symbol-keyed option is invisible to the option
// checks (they look at string keys) and cannot be written by accident in JSON or a literal
// without this import; it is not exported from the package entry, and the published bundles
// replace this module with testing-off.ts (rollup.config.js), so no fault can be injected there.

import type { InjectedFault } from './messages.js';
import { isNodeLike, nodeProcess } from './host.js';

/** `{ [INJECT_FAULT]: { at, mode } }` in cs.rip / cs.ihtBatch options with `workers`. */
export const INJECT_FAULT: unique symbol = Symbol.for('convcs.test.injectFault') as never;

export function injectedFault(options: unknown): InjectedFault | undefined {
  if (options === null || typeof options !== 'object') return undefined;
  const f = (options as { [INJECT_FAULT]?: InjectedFault })[INJECT_FAULT];
  if (f === undefined) return undefined;
  return { at: Number(f.at), mode: f.mode === 'exit' || f.mode === 'hang' ? f.mode : 'throw' };
}

/** Stop this worker at once, as a crash would. */
function exitNow(): void {
  const proc = nodeProcess();
  if (isNodeLike() && proc?.exit) proc.exit(70);
  (globalThis as { close?(): void }).close?.();
}

/** Where a task of items [start, end) must stop for an injected fault (end when none applies). */
export function faultAt(fault: InjectedFault | undefined, start: number, end: number): number {
  return fault !== undefined && fault.at >= start && fault.at < end ? fault.at : end;
}

/** Fail as the fault asks: the worker exits, or the task throws. */
export function fail(fault: InjectedFault): never {
  if (fault.mode === 'exit') exitNow();
  if (fault.mode === 'hang') for (;;); // busy for good, saying nothing: only the pool's watchdog ends it
  throw new Error(`convcs: injected failure at ${fault.at} (test)`);
}
