// A tiny static file server for the web demo, on 127.0.0.1 only: GET/HEAD of files under one
// directory with the right content types (module scripts must be served as JavaScript). The page
// needs nothing else: no API, no network, so it works offline.
//
// Every response carries the two cross-origin isolation headers (COOP same-origin, COEP
// require-corp): they make the pages cross-origin isolated, which is what gives them
// SharedArrayBuffer and so convcs's threads (load({ threads })). Under require-corp a page may
// only load what is same-origin or opts in with CORP/CORS; everything the demo loads comes from
// this server. `--no-isolation` (or serveStatic's isolation: false) leaves the headers out: the
// demo then runs on one thread and says why (web/README.md).
// Usage: node web/serve.mjs [port] [--no-isolation]   (default 8080; 0 picks a free port)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** The headers that make a page cross-origin isolated (and so give it SharedArrayBuffer). */
export const ISOLATION_HEADERS = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
});

/**
 * Serve `dir` on 127.0.0.1:port; resolves to { server, url } once listening. Every response,
 * errors included, carries ISOLATION_HEADERS unless `isolation` is false.
 */
export function serveStatic(dir, port = 0, { isolation = true } = {}) {
  const base = normalize(dir + sep);
  const server = createServer(async (req, res) => {
    if (isolation) for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(base)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolve({ server, url: `http://127.0.0.1:${p}/` });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const isolation = !args.includes('--no-isolation');
  const arg = args.find((a) => a !== '--no-isolation') ?? process.env.PORT ?? '8080';
  const port = Number(arg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`web/serve.mjs: not a port: ${arg}\n`);
    process.exit(2);
  }
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'dist');
  serveStatic(dir, port, { isolation }).then(
    ({ url }) => process.stdout.write(`convcs web demo: ${url}  (serving ${dir}${isolation ? ', cross-origin isolated' : ', without the isolation headers: one thread'}; Ctrl-C to stop)\n`),
    (e) => {
      process.stderr.write(`web/serve.mjs: cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}\n`);
      process.exit(1);
    },
  );
}
