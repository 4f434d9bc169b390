/// <reference types="node" />
// Errors the CLI reports as one line. A CliError is the user's mistake (bad flag, missing or
// unreadable file, a layer that cannot exist) and carries its exit code; anything the library
// throws for bad arguments (TypeError/RangeError, whose messages already name the call and the
// argument) is reported the same way. A stack trace is only printed with CONVCS_DEBUG=1, because
// it helps nobody who typed a wrong flag.

import { readFileSync } from 'node:fs';

/** Exit code for flags that do not parse (commander's usage errors). */
export const EXIT_USAGE = 2;
/** Exit code for inputs that parse but cannot be used (files, images, layers, sparsity). */
export const EXIT_INPUT = 1;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_INPUT) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The single line shown for an error: its message, first line only, without the class name. */
export function oneLine(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const first = raw.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return first.trim();
}

/** Node's fs errors carry a code; turn the common ones into plain words about the path. */
export function fileError(path: string, e: unknown): CliError {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return new CliError(`no such file: ${path}`);
  if (code === 'EISDIR') return new CliError(`${path} is a directory, not a file`);
  if (code === 'EACCES' || code === 'EPERM') return new CliError(`permission denied: ${path}`);
  return new CliError(`cannot read ${path}: ${oneLine(e)}`);
}

/** The parsed contents of a JSON file the user named; a missing file or bad JSON is a one-line CliError. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw fileError(path, e);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path} is not JSON: ${(e as Error).message}`);
  }
}
