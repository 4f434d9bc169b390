// The two packages as a user gets them: `npm pack` both, install the tarballs offline into fresh
// temporary projects with --engine-strict on this Node, and use them as the README says. The
// library must install as one package with nothing beside it; the CLI with exactly the
// dependencies its lockfile entries name, taken from npm's cache (the lockfile written here gives
// each its tarball URL and integrity, so no registry metadata is needed).
import { test, before, after } from 'node:test';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';
import assert from './assert.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const MB = 1024 * 1024;

let work: string;
let libTarball: string;
let cliTarball: string;

function run(file: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<{ stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, timeout: timeoutMs, maxBuffer: 16 * MB }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${[file, ...args].join(' ')} failed in ${cwd} (${err.message.split('\n')[0]})\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

async function pack(dir: string): Promise<string> {
  // --ignore-scripts: npm test has just built both packages (pretest)
  const { stdout } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], dir);
  const [info] = JSON.parse(stdout) as Array<{ filename: string }>;
  return join(work, info!.filename);
}

function duBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? duBytes(p) : statSync(p).size;
  }
  return total;
}

/** Installed packages: every folder with a package.json under node_modules (scoped and nested too). */
function installedPackages(nodeModules: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dirs = e.name.startsWith('@') ? readdirSync(join(nodeModules, e.name)).map((n) => join(e.name, n)) : [e.name];
    for (const d of dirs) {
      if (existsSync(join(nodeModules, d, 'package.json'))) found.push(d);
      if (existsSync(join(nodeModules, d, 'node_modules'))) found.push(...installedPackages(join(nodeModules, d, 'node_modules')).map((n) => `${d}/node_modules/${n}`));
    }
  }
  return found;
}

function project(name: string, dependencies: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, dependencies }, null, 2));
  return dir;
}

function integrity(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * A lockfile for a project depending on the two tarballs: the CLI's dependency tree is copied from
 * the repository's lockfile (where the cli workspace resolved it), each entry given the registry
 * URL of its tarball, which `npm ci` in the repository has put in npm's cache.
 */
function consumerLockfile(deps: Record<string, string>): unknown {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const cliPkg = JSON.parse(readFileSync(join(root, 'cli', 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; engines: unknown };
  const libPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; engines: unknown };
  const packages: Record<string, Record<string, unknown>> = {
    '': { name: 'cli-consumer', version: '1.0.0', dependencies: deps },
    'node_modules/convcs': { version: libPkg.version, resolved: deps.convcs, integrity: integrity(libTarball), license: 'MIT', engines: libPkg.engines },
    'node_modules/convcs-cli': {
      version: cliPkg.version, resolved: deps['convcs-cli'], integrity: integrity(cliTarball), license: 'MIT',
      dependencies: cliPkg.dependencies, bin: { convcs: 'dist/cli.mjs' }, engines: cliPkg.engines,
    },
  };
  /** Node's lookup: from the folder at `from`, the nearest node_modules/<name> the lockfile has. */
  const resolve = (from: string, name: string): string => {
    for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
      const at = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
      if (lock.packages[at]) return at;
      assert.notEqual(dir, '', `${name} (needed from ${from}) is not in package-lock.json`);
    }
  };
  const pending = Object.keys(cliPkg.dependencies).filter((d) => d !== 'convcs').map((d) => resolve('cli', d));
  const seen = new Set<string>();
  while (pending.length > 0) {
    const at = pending.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    const entry = { ...lock.packages[at]! };
    delete entry.dev;
    delete entry.devOptional;
    const name = at.slice(at.lastIndexOf('node_modules/') + 'node_modules/'.length);
    entry.resolved = `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${String(entry.version)}.tgz`;
    // the cli workspace's own nested copies sit under convcs-cli in the consumer's tree
    packages[at.startsWith('cli/') ? `node_modules/convcs-cli/${at.slice(4)}` : at] = entry;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      for (const dep of Object.keys((entry[field] as Record<string, string> | undefined) ?? {})) {
        const optional = field !== 'dependencies';
        try {
          pending.push(resolve(at, dep));
        } catch (e) {
          if (!optional) throw e; // an optional or peer dependency npm did not install for this platform
        }
      }
    }
  }
  return { name: 'cli-consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** The README's example: the code block after `<!-- example -->`, and what its `// prints:` line says. */
function readmeExample(): { code: string; prints: string } {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /<!-- example -->\s*```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README.md has a ```js block after <!-- example -->');
  const code = m[1]!;
  const prints = /\/\/ prints: (.+)$/m.exec(code);
  assert.ok(prints, 'the example says what it prints (// prints: ...)');
  return { code, prints: prints[1]!.trim() };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'convcs-install-'));
  libTarball = await pack(root);
  cliTarball = await pack(join(root, 'cli'));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('convcs alone installs offline as exactly one package, under 2 MB, with no test helpers', { timeout: 120_000 }, async () => {
  const dir = project('lib-consumer', { convcs: `file:${libTarball}` });
  await run(npm, ['install', '--offline', '--engine-strict'], dir);
  const installed = installedPackages(join(dir, 'node_modules'));
  assert.deepEqual(installed, ['convcs']);
  const size = duBytes(join(dir, 'node_modules', 'convcs'));
  console.log(`convcs installed: 1 package, ${(size / 1024).toFixed(0)} KB on disk`);
  assert.ok(size < 2 * MB, `convcs takes ${size} bytes installed`);
  const files = readdirSync(join(dir, 'node_modules', 'convcs', 'dist')).sort();
  assert.deepEqual(files, ['convcs-scalar.wasm', 'convcs-simd.wasm', 'convcs.browser.mjs', 'index.cjs', 'index.d.cts', 'index.d.ts', 'index.mjs', 'workerd.mjs']);
  for (const f of files.filter((f) => /\.(mjs|cjs)$/.test(f))) {
    const text = readFileSync(join(dir, 'node_modules', 'convcs', 'dist', f), 'utf8');
    assert.ok(!/convcs\.test\.injectFault|injected failure/.test(text), `${f} ships the test fault injector`);
  }
  // the workerd entry imports its two modules and embeds none (base64 of a wasm module starts AGFzbQ)
  const workerd = readFileSync(join(dir, 'node_modules', 'convcs', 'dist', 'workerd.mjs'), 'utf8');
  assert.ok(!workerd.includes('AGFzbQ'), 'dist/workerd.mjs embeds a wasm module');
  for (const f of ['index.mjs', 'index.cjs', 'convcs.browser.mjs']) {
    const text = readFileSync(join(dir, 'node_modules', 'convcs', 'dist', f), 'utf8');
    assert.equal(text.match(/AGFzbQ/g)?.length, 3, `${f} embeds the three modules load() can choose`);
  }
});

test("the README's example compiles and runs as ESM, CommonJS and TypeScript (NodeNext, strict) and prints what the README says", { timeout: 120_000 }, async () => {
  const { code, prints } = readmeExample();
  const dir = project('example-consumer', { convcs: `file:${libTarball}` });
  await run(npm, ['install', '--offline', '--engine-strict'], dir);
  writeFileSync(join(dir, 'example.mjs'), code);
  const body = code.replace(/^import \{ load \} from 'convcs';\n/m, '');
  assert.notEqual(body, code, "the example imports { load } from 'convcs'");
  writeFileSync(join(dir, 'example.cjs'), `const { load } = require('convcs');\n(async () => {\n${body}})();\n`);
  writeFileSync(join(dir, 'example.mts'), code);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], strict: true, outDir: 'out' },
    files: ['example.mts'],
  }));
  await run(bin('tsc'), ['-p', '.'], dir);
  for (const file of ['example.mjs', 'example.cjs', join('out', 'example.mjs')]) {
    const { stdout } = await run(process.execPath, [file], dir);
    assert.equal(stdout.trim(), prints, `${file} prints ${stdout.trim()}, the README says ${prints}`);
  }
});

test('convcs-cli installs offline with --engine-strict, and `npx convcs rip --trials 100` writes its figures', { timeout: 180_000 }, async () => {
  const deps = { convcs: `file:${libTarball}`, 'convcs-cli': `file:${cliTarball}` };
  const dir = project('cli-consumer', deps);
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(consumerLockfile(deps), null, 2));
  await run(npm, ['ci', '--offline', '--engine-strict'], dir);
  const installed = installedPackages(join(dir, 'node_modules'));
  console.log(`convcs-cli installed: ${installed.length} packages, ${(duBytes(join(dir, 'node_modules')) / MB).toFixed(1)} MB on disk`);
  const { stdout } = await run(npm, ['exec', '--offline', '--', 'convcs', 'rip', '--trials', '100', '--out', 'figures'], dir);
  assert.match(stdout, /model-RIP over 100 random model-\d+-sparse codes/);
  for (const name of ['rip-forward', 'rip-gram', 'rip-reconstruction']) {
    assert.ok(readFileSync(join(dir, 'figures', `${name}.svg`), 'utf8').startsWith('<svg'), `${name}.svg`);
    const png = pngjs.PNG.sync.read(readFileSync(join(dir, 'figures', `${name}.png`)));
    assert.ok(png.width > 100 && png.height > 100, `${name}.png is ${png.width}x${png.height}`);
  }
  assert.ok(existsSync(join(dir, 'figures', 'rip-report.json')));
  // the installed tool has no clone-only commands
  const help = await run(npm, ['exec', '--offline', '--', 'convcs', '--help'], dir);
  assert.doesNotMatch(help.stdout, /\bpaper\b/);
});

test('convcs-cli package metadata: publint --strict and attw (ESM-only profile) report no problem', { timeout: 120_000 }, async () => {
  const cli = join(root, 'cli');
  const publint = await run(bin('publint'), ['--strict'], cli);
  assert.match(publint.stdout, /All good!/, `publint:\n${publint.stdout}${publint.stderr}`);
  // convcs-cli/experiment is ESM only (the CLI is an ES module program), so the profile leaves out
  // the CommonJS resolutions; attw exits non-zero on any problem it does not leave out (run()
  // rejects then), and the ESM resolutions must find JavaScript and types
  const attw = await run(bin('attw'), [cliTarball, '--profile', 'esm-only', '--format', 'ascii'], cli);
  assert.match(attw.stdout, /"convcs-cli\/experiment"\s+node16 \(from ESM\): 🟢 \(ESM\)\s+bundler: 🟢/, `attw:\n${attw.stdout}${attw.stderr}`);
});
