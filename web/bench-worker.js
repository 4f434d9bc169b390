// The benchmark page's worker: the portable suite on the browser build of convcs (the bundler
// resolves `convcs` through its browser condition). One message in (the run's settings), progress
// messages out, then the result or the error.
import * as convcs from 'convcs';
import { runSuite } from 'convcs-cli/bench';

self.onmessage = async ({ data }) => {
  try {
    const result = await runSuite(convcs, {
      config: data.config,
      backend: data.backend,
      label: data.label,
      machine: { cores: navigator.hardwareConcurrency || null, platform: navigator.platform || null },
      onProgress: (p) => postMessage({ type: 'progress', ...p }),
    });
    postMessage({ type: 'result', result });
  } catch (e) {
    postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
