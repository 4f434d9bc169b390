// What the published bundles use in place of testing.ts (rollup.config.js swaps the module): no
// option can inject a fault, so a worker never stops on purpose.

import type { InjectedFault } from './messages.js';

export function injectedFault(_options: unknown): InjectedFault | undefined {
  return undefined;
}

export function faultAt(_fault: InjectedFault | undefined, _start: number, end: number): number {
  return end;
}

export function fail(fault: InjectedFault): never {
  throw new Error(`convcs: no fault injection in this build (asked at ${fault.at})`);
}
