/// <reference types="node" />
// The convcs command line: the paper's experiments on random layers and real photographs.
// Bundled to cli/dist/cli.mjs (the bin of convcs-cli) by cli/rollup.config.js; `npm run cli -- <command>`
// runs it from source. It imports the library by its package name, as any user does.
//
// Exit codes: 0 success; 1 an input that cannot be used (missing or unreadable file, a layer or
// sparsity the library refuses); 2 flags that do not parse. Either way one line on stderr.

import { Command, CommanderError } from 'commander';
import { load } from 'convcs';
import type { Convcs } from 'convcs';
import { EXIT_INPUT, EXIT_USAGE, oneLine } from './errors.js';
import { benchCommand } from './commands/bench.js';
import { coherenceCommand } from './commands/coherence.js';
import { recoverCommand } from './commands/recover.js';
import { reconstructCommand } from './commands/reconstruct.js';
import { ripCommand } from './commands/rip.js';
import { mergeCommand, studyCommand, workerCommand } from './commands/study.js';

import { versions } from './util.js';

let instance: Promise<Convcs> | undefined;
/** One wasm instance per process, created only by commands that compute. */
const lazyLoad = (): Promise<Convcs> => (instance ??= load());

export function buildProgram(): Command {
  const program = new Command('convcs')
    .description('Convolutional compressive sensing in WebAssembly SIMD: invert a random CNN layer, measure its model-RIP, ' +
      'reconstruct photographs (Gilbert et al., "Towards Understanding the Invertibility of Convolutional Neural Networks", IJCAI 2017)')
    .version(versions(), '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: false });
  for (const c of [ripCommand(lazyLoad), reconstructCommand(lazyLoad), coherenceCommand(lazyLoad), recoverCommand(lazyLoad), benchCommand(lazyLoad),
    studyCommand(lazyLoad), mergeCommand(lazyLoad), workerCommand(lazyLoad)]) {
    // subcommands added this way do not inherit the program's settings, so repeat them
    program.addCommand(c.exitOverride().showSuggestionAfterError(true));
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  let current = 'convcs';
  program.hook('preAction', (_p, action) => {
    // the full path for a nested command: 'convcs bench compare'
    const names: string[] = [];
    for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
    current = ['convcs', ...names].join(' ');
  });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its one line (or the help / version text)
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    process.stderr.write(`${current}: ${oneLine(e)}\n`);
    if (process.env.CONVCS_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return (e as { exitCode?: number }).exitCode ?? EXIT_INPUT;
  }
}

// a closed pipe (convcs rip | head) is not an error worth a trace
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});
process.exitCode = await main(process.argv);
