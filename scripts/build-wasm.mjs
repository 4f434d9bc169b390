// Compiles assembly/ into the three modules (SIMD, scalar, relaxed SIMD) and embeds their bytes in
// src/generated/wasm.ts, so the default load() needs no file system, fetch or URL.
// The kernel manifest (assembly/kernels.json) is the one list of kernels: from it this script
// checks assembly/ (one kernel per file, file name = function name, every kernel file listed,
// signatures as declared), writes each module's entry (build/abi/: every kernel for the SIMD
// modules, the scalar ones for the scalar module), the TypeScript type of the exports and the
// list itself (src/generated/kernels.ts, and the names alone in kernel-names.ts), and the listing in assembly/README.md.
// The compile takes most of a build's time and its inputs rarely change, so it is skipped when a
// hash of everything it reads (assembly/, asconfig.json, this script, the compiler's version)
// equals the one recorded beside the outputs by the last compile. --force compiles regardless.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const generated = join(root, 'src', 'generated', 'wasm.ts');
const kernelsTs = join(root, 'src', 'generated', 'kernels.ts');
const kernelNamesTs = join(root, 'src', 'generated', 'kernel-names.ts');
const abiDir = join(root, 'build', 'abi');
const stampFile = join(root, 'build', 'wasm.stamp');
mkdirSync(abiDir, { recursive: true });
mkdirSync(join(root, 'src', 'generated'), { recursive: true });

// 'relaxed' adds relaxed SIMD (fused multiply-add where the engine has it): opt-in at load,
// since fusing makes its bits depend on the machine.
const targets = { simd: 'simd', scalar: 'scalar', relaxed: 'simd' }; // module -> which entry
const outputs = [generated, kernelsTs, kernelNamesTs, ...Object.keys(targets).map((name) => join(root, 'build', `convcs-${name}.wasm`))];

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

function fail(message) {
  console.error(`build-wasm: ${message}`);
  process.exit(1);
}

// ---- the manifest, checked against assembly/ ----
const manifest = JSON.parse(readFileSync(join(root, 'assembly', 'kernels.json'), 'utf8'));
const kernels = Object.entries(manifest.folders).flatMap(([folder, list]) => list.map((k) => ({ ...k, folder })));
const byName = new Map(kernels.map((k) => [k.name, k]));
const NAME = /^(f32|i32|u32|u64)_[a-z0-9_]+_(scalar|simd)$/;
const TYPES = new Set(['usize', 'i32', 'u32', 'f32', 'f64', 'void']);
const normal = (sig) => sig.replace(/\s+/g, ' ').replace(/,\s*\)/, ')').replace(/\(\s+/, '(').trim();
for (const k of kernels) {
  const where = `assembly/kernels.json: ${k.name}`;
  if (byName.get(k.name) !== k) fail(`${where} is listed twice`);
  if (!NAME.test(k.name)) fail(`${where}: a kernel is named dtype_op[_tile]_isa (f32_conv2d_4x8_simd)`);
  if (!k.name.endsWith(`_${k.isa}`)) fail(`${where}: its name ends in its isa ('${k.isa}')`);
  if (typeof k.what !== 'string' || !k.what) fail(`${where}: 'what' says what it computes`);
  if (k.isa === 'simd') {
    const ref = byName.get(k.reference);
    if (!ref || ref.isa !== 'scalar') fail(`${where}: a SIMD kernel names its scalar reference ('reference')`);
  } else if (k.reference !== undefined) fail(`${where}: only SIMD kernels name a reference`);
  const file = join(root, 'assembly', k.folder, `${k.name.replace(/_/g, '-')}.ts`);
  if (!existsSync(file)) fail(`${where}: no file ${relative(root, file)}`);
  k.file = relative(join(root, 'assembly'), file);
  const text = readFileSync(file, 'utf8');
  const exported = [...text.matchAll(/^export function (\w+)\(([^)]*)\):\s*(\w+)/gm)];
  if (exported.length !== 1 || exported[0][1] !== k.name) {
    fail(`${k.file} must export exactly one function, ${k.name} (found ${exported.map((m) => m[1]).join(', ') || 'none'})`);
  }
  const declared = normal(`(${exported[0][2]}): ${exported[0][3]}`);
  if (declared !== normal(k.signature)) fail(`${where}: the manifest says ${k.signature}, ${k.file} declares ${declared}`);
  k.params = [...declared.matchAll(/(\w+): (\w+)/g)].map((m) => [m[1], m[2]]);
  k.returns = declared.slice(declared.lastIndexOf(':') + 1).trim();
  for (const [, t] of [...k.params, [null, k.returns]]) if (!TYPES.has(t)) fail(`${where}: type ${t} has no ABI mapping`);
}
for (const folder of readdirSync(join(root, 'assembly'), { withFileTypes: true })) {
  if (!folder.isDirectory() || folder.name === 'helpers') continue;
  for (const f of filesUnder(join(root, 'assembly', folder.name))) {
    const name = relative(join(root, 'assembly'), f);
    if (!kernels.some((k) => k.file === name)) fail(`assembly/${name} is not in the kernel manifest (assembly/kernels.json); helpers go in assembly/helpers/`);
  }
}

// ---- the generated entries, type and listing ----
function entry(isa) {
  const lines = [
    '// Generated by scripts/build-wasm.mjs from assembly/kernels.json: do not edit.',
    `// The ABI of the ${isa === 'simd' ? 'SIMD and relaxed-SIMD modules: every kernel' : 'scalar module: the scalar kernels'}, exported under its own name.`,
    'export * from "../../assembly/module";',
  ];
  for (const k of kernels) if (isa === 'simd' || k.isa === 'scalar') lines.push(`export { ${k.name} } from "../../assembly/${k.file.replace(/\.ts$/, '')}";`);
  return lines.join('\n') + '\n';
}
writeFileSync(join(abiDir, 'simd.ts'), entry('simd'));
writeFileSync(join(abiDir, 'scalar.ts'), entry('scalar'));

const jsType = (t) => (t === 'void' ? 'void' : 'number');
const member = (k) => `  /** ${k.what} (${k.file}) */\n  ${k.name}(${k.params.map(([n, t]) => `${n}: ${jsType(t)}`).join(', ')}): ${jsType(k.returns)};`;
writeFileSync(kernelsTs, [
  '// Generated by scripts/build-wasm.mjs from assembly/kernels.json: do not edit.',
  '',
  '/** What every module exports beside its kernels (assembly/module.ts). */',
  'export interface ModuleExports {',
  '  memory: WebAssembly.Memory;',
  '  simd(): number;',
  '  heapBase(): number;',
  '  copy(dst: number, src: number, bytes: number): void;',
  '  zero(dst: number, bytes: number): void;',
  '}',
  '',
  '/** The scalar kernels: exported by every module. */',
  'export interface ScalarKernelExports {',
  ...kernels.filter((k) => k.isa === 'scalar').map(member),
  '}',
  '',
  '/** The SIMD kernels: exported by the SIMD and relaxed-SIMD modules only. */',
  'export interface SimdKernelExports {',
  ...kernels.filter((k) => k.isa === 'simd').map(member),
  '}',
  '',
  '/** The manifest as data, for the kernel test matrix. */',
  'export interface KernelEntry {',
  '  readonly name: keyof ScalarKernelExports | keyof SimdKernelExports;',
  "  readonly isa: 'scalar' | 'simd';",
  '  readonly folder: string;',
  '  readonly file: string;',
  '  readonly reference?: keyof ScalarKernelExports;',
  '  readonly what: string;',
  '  readonly signature: string;',
  '}',
  '',
  `export const KERNELS: readonly KernelEntry[] = ${JSON.stringify(kernels.map(({ name, isa, folder, file, reference, what, signature }) => ({ name, isa, folder, file, reference, what, signature })), null, 2)};`,
  '',
].join('\n'));
// The names alone, for load()'s check of a module's exports (kept small: every entry bundles it).
writeFileSync(kernelNamesTs, [
  '// Generated by scripts/build-wasm.mjs from assembly/kernels.json: do not edit.',
  '',
  '/** The kernels every module exports, and those only the SIMD modules export. */',
  `export const SCALAR_KERNELS: readonly string[] = ${JSON.stringify(kernels.filter((k) => k.isa === 'scalar').map((k) => k.name))};`,
  `export const SIMD_KERNELS: readonly string[] = ${JSON.stringify(kernels.filter((k) => k.isa === 'simd').map((k) => k.name))};`,
  '',
].join('\n'));

// The listing in assembly/README.md, between its two markers.
const readme = join(root, 'assembly', 'README.md');
const BEGIN = '<!-- kernels: generated from kernels.json by scripts/build-wasm.mjs -->';
const END = '<!-- /kernels -->';
const rows = [BEGIN, '', '| kernel | computes | reference |', '| --- | --- | --- |'];
for (const k of kernels) rows.push(`| [\`${k.file}\`](${k.file}) | ${k.what} | ${k.reference ? `\`${k.reference}\`` : ''} |`);
rows.push('', END);
const text = readFileSync(readme, 'utf8');
const a = text.indexOf(BEGIN);
const b = text.indexOf(END);
if (a < 0 || b < a) fail(`assembly/README.md has no ${BEGIN} ... ${END} section`);
const listed = text.slice(0, a) + rows.join('\n') + text.slice(b + END.length);
if (listed !== text) writeFileSync(readme, listed);

function inputsHash() {
  const h = createHash('sha256');
  const files = [...filesUnder(join(root, 'assembly')), join(root, 'asconfig.json'), fileURLToPath(import.meta.url)].sort();
  for (const f of files) h.update(`${relative(root, f)}\0`).update(readFileSync(f)).update('\0');
  h.update(JSON.parse(readFileSync(join(root, 'node_modules', 'assemblyscript', 'package.json'), 'utf8')).version);
  return h.digest('hex');
}

const stamp = inputsHash();
if (!process.argv.includes('--force') && outputs.every((f) => existsSync(f)) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  console.log('build/convcs-*.wasm: up to date (assembly/ unchanged since the last compile)');
} else {
  const bytes = {};
  for (const [name, abi] of Object.entries(targets)) {
    execFileSync(process.execPath, [asc, `build/abi/${abi}.ts`, '--config', 'asconfig.json', '--target', name], { cwd: root, stdio: 'inherit' });
    bytes[name] = readFileSync(join(root, 'build', `convcs-${name}.wasm`));
  }
  const lines = [
    '// Generated by scripts/build-wasm.mjs from assembly/: do not edit.',
    '// The modules, base64-encoded so that one import works in every runtime.',
  ];
  for (const [name, b] of Object.entries(bytes)) lines.push(`export const ${name}WasmBase64 =\n  '${b.toString('base64')}';`);
  writeFileSync(generated, lines.join('\n') + '\n');
  writeFileSync(stampFile, stamp);
  for (const [name, b] of Object.entries(bytes)) console.log(`build/convcs-${name}.wasm: ${b.length} bytes`);
}
