// The bin as users run it, for the CLI's test files: a child process, and the shape every refusal
// must have (its exit code, one line on stderr, no stack trace).
import { spawnSync } from 'node:child_process';
import assert from '../../tests/assert.js';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(bin: string, cwd: string, args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A refused input: the expected exit code, one line on stderr matching `pattern`, no trace; with `quiet`, nothing on stdout. */
export function assertRefused(r: Run, args: string[], code: number, pattern: RegExp, quiet: boolean): void {
  assert.equal(r.status, code, `convcs ${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  if (quiet) assert.equal(r.stdout, '', 'nothing on stdout');
}
