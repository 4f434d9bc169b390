// Makes data/astronaut-256.png, the built-in photograph of `npm run demo`, the web demo and the
// tests: scikit-image's astronaut.png (512 x 512 RGB, public domain, see data/LICENSES.md)
// box-downscaled by 2. Run once: node --import tsx cli/scripts/make-photo-asset.ts [path/to/astronaut.png]
// The result is committed, so nothing needs ../shared at run time.
import { writeFileSync } from 'node:fs';
import { readImage, encodePng } from '../src/image-io.js';
import { toPlanes, toRgba } from '../src/experiment/index.js';

const source = process.argv[2] ?? new URL('../../../shared/data/images/astronaut.png', import.meta.url).pathname;
const planes = toPlanes(readImage(source), 256);
const target = new URL('../../data/astronaut-256.png', import.meta.url);
writeFileSync(target, encodePng(toRgba(planes)));
process.stdout.write(`wrote ${target.pathname}: ${planes.width}x${planes.height}, ${planes.channels} channels\n`);
