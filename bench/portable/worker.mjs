// The portable suite as a Cloudflare Worker (workerd). A deployed Worker's clocks do not move while
// it computes (a Spectre mitigation: performance.now() and Date.now() advance only on I/O), so
// the worker does not time itself: it runs a case `calls` times per request and the timing is the
// request's wall time seen from outside (bench/portable/workerd.ts), less that of an empty request.
//   GET /info?config=full|tiny&backend=simd|scalar   the cases (id, title, flops, rate) and what
//                                                     this worker's own clock does while computing
//   GET /run?case=<id>&calls=<n>&config=...&backend=...   n calls of one case ('noop': none)
// workerd cannot compile wasm from bytes, so the ceiling probe comes in as two precompiled
// modules (ceiling-simd.wasm, ceiling-scalar.wasm: the bytes of ceilingWasm() from
// convcs-cli/bench), imported like convcs's own modules.
import * as convcs from 'convcs';
import { detectRuntime, prepareCases, probeClock } from 'convcs-cli/bench';
import ceilingSimd from './ceiling-simd.wasm';
import ceilingScalar from './ceiling-scalar.wasm';

/** The prepared cases, kept between requests while the isolate lives (rebuilt if it was evicted). */
let state;

async function prepare(config, backend) {
  if (state?.config === config && state.backend === backend) return state;
  state?.suite.dispose();
  state = undefined;
  const cs = await convcs.load({ backend });
  const suite = await prepareCases(convcs, cs, config, { simd: ceilingSimd, scalar: ceilingScalar });
  state = { config, backend, suite, byId: new Map(suite.cases.map((c) => [c.id, c])) };
  return state;
}

async function handle(url) {
  const config = url.searchParams.get('config') ?? 'full';
  const backend = url.searchParams.get('backend') ?? 'simd';
  if (!['full', 'tiny'].includes(config) || !['simd', 'scalar'].includes(backend)) {
    return new Response('config: full or tiny; backend: simd or scalar\n', { status: 400 });
  }
  if (url.pathname === '/info') {
    const s = await prepare(config, backend);
    return Response.json({
      runtime: detectRuntime(),
      clock: probeClock(),
      cases: s.suite.cases.map(({ id, group, title, flops, rate }) => ({ id, group, title, flops, rate })),
    });
  }
  if (url.pathname === '/run') {
    const calls = Number(url.searchParams.get('calls') ?? '1');
    if (!Number.isInteger(calls) || calls < 0 || calls > 10_000_000) return new Response('calls: 0 to 1e7\n', { status: 400 });
    // An empty request does the same look-ups as a real one, so that subtracting it leaves the calls.
    const s = await prepare(config, backend);
    const id = url.searchParams.get('case');
    if (id !== 'noop') {
      const c = s.byId.get(id);
      if (!c) return new Response(`no case ${id}\n`, { status: 404 });
      if (c.async) for (let i = 0; i < calls; i++) await c.run();
      else for (let i = 0; i < calls; i++) c.run();
    }
    return new Response('ok');
  }
  return new Response('convcs bench worker: GET /info or /run?case=<id>&calls=<n>\n', { status: 404 });
}

export default {
  async fetch(request) {
    try {
      return await handle(new URL(request.url));
    } catch (e) {
      return new Response(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`, { status: 500 });
    }
  },
};
