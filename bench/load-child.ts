// One cold load() in a fresh process: decode the embedded base64, compile, instantiate. bench/run.ts
// runs this several times per backend and reads the JSON line it prints.
import { load } from '../src/index.js';

const backend = process.argv[2] === 'scalar' ? 'scalar' : 'simd';
const t0 = performance.now();
const cs = await load({ backend });
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ backend: cs.backend, ms })}\n`);
