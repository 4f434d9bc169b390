/// <reference types="node" />
// Small shared pieces of the commands: output, versions, file names, number formats.

import { createRequire } from 'node:module';
import { basename, extname, relative, resolve } from 'node:path';

/** A line on stdout (suppressed in --json mode by the callers). */
export function say(line = ''): void {
  process.stdout.write(line + '\n');
}

/** The one JSON document of --json mode. Typed arrays become plain arrays. */
export function emitJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, jsonReplacer) + '\n');
}

export function jsonReplacer(_key: string, v: unknown): unknown {
  if (v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint32Array) return Array.from(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return v !== v ? null : v > 0 ? 'Infinity' : '-Infinity';
  return v;
}

/** `convcs-cli 0.1.0 (convcs 0.1.0)`: this tool's version and the library's it runs on. */
export function versions(): string {
  const require = createRequire(import.meta.url);
  const version = (path: string): string => {
    try {
      return (require(path) as { version?: string }).version ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  return `convcs-cli ${version('../package.json')} (convcs ${version('convcs/package.json')})`;
}

/** File name without directory or extension, for naming outputs after an input. */
export function stem(path: string): string {
  return basename(path, extname(path)) || 'image';
}

/** A path as the user would type it from the current directory. */
export function shown(path: string): string {
  const r = relative(process.cwd(), resolve(path));
  return r === '' ? '.' : r.startsWith('..') ? resolve(path) : r;
}

export const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
