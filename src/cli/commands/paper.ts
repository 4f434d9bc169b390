/// <reference types="node" />
// convcs paper: the reproduction report (docs/reproduction.md), by running scripts/paper.ts.

import { Command } from 'commander';
import { runScript } from './spawned.js';

export function paperCommand(): Command {
  return new Command('paper')
    .summary('regenerate docs/reproduction.md (from a clone)')
    .description('regenerate the reproduction report docs/reproduction.md and docs/reproduction.json (about a minute). ' +
      'Runs `node --import tsx scripts/paper.ts` in the package root, so it works from a clone of the repository ' +
      '(after npm ci), not from an installed package')
    .option('--quick', 'smaller runs, printed to stdout instead of written to docs/', false)
    .action(async (f: { quick: boolean }) => {
      const code = await runScript('scripts/paper.ts', f.quick ? ['--quick'] : []);
      if (code !== 0) process.exitCode = code;
    });
}
