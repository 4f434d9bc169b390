/// <reference types="node" />
// Small shared pieces of the commands: output, the package root, file names, number formats.

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * The directory of convcs's package.json, found upward from this file: the repository root when
 * run from a clone (src/cli/ or dist/), the installed package otherwise.
 */
export function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        if ((JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === 'convcs') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

export function packageVersion(): string {
  const root = packageRoot();
  if (!root) return 'unknown';
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
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
