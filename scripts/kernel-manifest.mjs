// The kernel manifest (assembly/kernels.json) read and checked against the folder it lists:
// every entry names a file that exports exactly that one function with that signature, SIMD
// kernels name a scalar reference, and every file in a kernel folder is listed (helpers/ holds
// what is not a kernel). Used by scripts/build-wasm.mjs, which refuses to build on any error, and
// by tests/manifest.test.ts on broken copies.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const NAME = /^(f32|i32|u32|u64)_[a-z0-9_]+_(scalar|simd)$/;
const TYPES = new Set(['usize', 'i32', 'u32', 'f32', 'f64', 'void']);
const normal = (sig) => sig.replace(/\s+/g, ' ').replace(/,\s*\)/, ')').replace(/\(\s+/, '(').trim();

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The manifest's kernels (with file, params and returns filled in) and every error found. */
export function readManifest(dir) {
  const errors = [];
  const manifest = JSON.parse(readFileSync(join(dir, 'kernels.json'), 'utf8'));
  const kernels = Object.entries(manifest.folders).flatMap(([folder, list]) => list.map((k) => ({ ...k, folder })));
  const byName = new Map();
  for (const k of kernels) {
    if (byName.has(k.name)) errors.push(`kernels.json: ${k.name} is listed twice`);
    byName.set(k.name, k);
  }
  for (const k of kernels) {
    const where = `kernels.json: ${k.name}`;
    if (!NAME.test(k.name)) errors.push(`${where}: a kernel is named dtype_op[_tile]_isa (f32_conv2d_4x8_simd)`);
    if (!k.name.endsWith(`_${k.isa}`)) errors.push(`${where}: its name ends in its isa ('${k.isa}')`);
    if (typeof k.what !== 'string' || !k.what) errors.push(`${where}: 'what' says what it computes`);
    if (k.isa === 'simd') {
      const ref = byName.get(k.reference);
      if (!ref || ref.isa !== 'scalar') errors.push(`${where}: a SIMD kernel names its scalar reference ('reference')`);
    } else if (k.reference !== undefined) errors.push(`${where}: only SIMD kernels name a reference`);
    k.file = join(k.folder, `${k.name.replace(/_/g, '-')}.ts`);
    const file = join(dir, k.file);
    if (!existsSync(file)) {
      errors.push(`${where}: no file ${k.file}`);
      continue;
    }
    const exported = [...readFileSync(file, 'utf8').matchAll(/^export function (\w+)\(([^)]*)\):\s*(\w+)/gm)];
    if (exported.length !== 1 || exported[0][1] !== k.name) {
      errors.push(`${k.file} must export exactly one function, ${k.name} (found ${exported.map((m) => m[1]).join(', ') || 'none'})`);
      continue;
    }
    const declared = normal(`(${exported[0][2]}): ${exported[0][3]}`);
    if (declared !== normal(k.signature)) errors.push(`${where}: the manifest says ${k.signature}, ${k.file} declares ${declared}`);
    k.params = [...declared.matchAll(/(\w+): (\w+)/g)].map((m) => [m[1], m[2]]);
    k.returns = declared.slice(declared.lastIndexOf(':') + 1).trim();
    for (const [, t] of [...k.params, [null, k.returns]]) if (!TYPES.has(t)) errors.push(`${where}: type ${t} has no ABI mapping`);
  }
  for (const folder of readdirSync(dir, { withFileTypes: true })) {
    if (!folder.isDirectory() || folder.name === 'helpers') continue;
    for (const f of filesUnder(join(dir, folder.name))) {
      const name = relative(dir, f);
      if (!kernels.some((k) => k.file === name)) errors.push(`${name} is not in the kernel manifest (kernels.json); helpers go in helpers/`);
    }
  }
  return { kernels, errors };
}
