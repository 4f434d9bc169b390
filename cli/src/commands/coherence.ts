/// <reference types="node" />
// convcs coherence: the paper's Table 3 quantity for a random layer: the largest |<w_i, w_j>|
// between distinct unit-normed filters, and over all shifted rows of W.

import { Command } from 'commander';
import type { Convcs } from 'convcs';
import { FIGURE2_LAYER, addLayerOptions, describeLayer, makeLayer } from '../options.js';
import type { LayerFlags } from '../options.js';
import { emitJson, say, seconds } from '../util.js';

interface CoherenceFlags extends LayerFlags {
  rows: boolean;
  json: boolean;
}

export function coherenceCommand(load: () => Promise<Convcs>): Command {
  const cmd = new Command('coherence')
    .summary('filter and row coherence of a random layer (Table 3)')
    .description("filter coherence of a random layer (Table 3): max |<w_i, w_j>| over distinct unit-normed filters, " +
      'and over all shifted rows of W. Defaults: the Figure 2 layer; Table 3\'s conv(5,2) is --input 15x15 --in-channels 512 --filters 512 --kernel 3');
  addLayerOptions(cmd, FIGURE2_LAYER);
  return cmd
    .option('--no-rows', 'only the filters, not every shifted row')
    .option('--json', 'print one JSON result on stdout and nothing else', false)
    .action(async (f: CoherenceFlags) => {
      const cs = await load();
      const W = makeLayer(cs, f);
      try {
        const t0 = performance.now();
        const c = cs.coherence(W, { rows: f.rows });
        const ms = performance.now() - t0;
        const what = describeLayer(W, f);
        if (f.json) {
          emitJson({ command: 'coherence', layer: what, weightSeed: f.weightSeed, filters: c.filters, rows: f.rows ? c.rows : null, ms });
          return;
        }
        say(`layer: ${what}`);
        say(`  coherence of the ${f.filters} filters (unit-normed): ${c.filters.toFixed(3)}`);
        if (f.rows) say(`  coherence over all shifted rows of W:    ${c.rows.toFixed(3)}`);
        say(`  (${seconds(ms)})`);
      } finally {
        W.dispose();
      }
    });
}
