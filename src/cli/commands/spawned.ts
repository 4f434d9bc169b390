/// <reference types="node" />
// convcs paper and convcs bench run the repository's own scripts (scripts/paper.ts,
// bench/run.ts) with tsx from the package root, exactly as `npm run paper` / `npm run bench` do
// after their build step. They need a clone with its dev dependencies; an installed package has
// neither script, and says so.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { packageRoot } from '../util.js';

/** Where a repository script can run, or undefined when this is not a clone. */
export function scriptHome(script: string): string | undefined {
  const root = packageRoot();
  if (!root || !existsSync(join(root, script)) || !existsSync(join(root, 'node_modules', 'tsx'))) return undefined;
  return root;
}

/** Run `node --import tsx <script> ...args` in the package root; resolves to its exit code. */
export function runScript(script: string, args: string[]): Promise<number> {
  const root = scriptHome(script);
  if (!root) {
    throw new CliError(`this needs a clone of the convcs repository with its dev dependencies (${script} and tsx); ` +
      'run it there with npm ci first');
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: 'inherit' });
    child.on('error', (e) => reject(new CliError(`cannot start ${script}: ${e.message}`)));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
