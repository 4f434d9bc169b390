// Which runtime and engine this is, from what each one exposes (no Node API needed): Deno and Bun
// first, since both also define `process`; workerd by its fixed user agent; then Node; then a
// browser (page or worker) by its user agent.

export type RuntimeName = 'node' | 'deno' | 'bun' | 'workerd' | 'chromium' | 'firefox' | 'safari' | 'unknown';
export type EngineName = 'V8' | 'JavaScriptCore' | 'SpiderMonkey' | 'unknown';

export interface RuntimeInfo {
  name: RuntimeName;
  version: string;
  engine: EngineName;
  /** 'unknown' where the runtime does not say (workerd, Safari); derived from the major for Chromium. */
  engineVersion: string;
  userAgent: string | null;
}

interface Globals {
  Deno?: { version?: { deno?: string; v8?: string } };
  Bun?: { version?: string; revision?: string };
  process?: { versions?: Record<string, string | undefined> };
  navigator?: { userAgent?: string };
}

/** The user agent's browser, engine and versions. */
export function fromUserAgent(ua: string): RuntimeInfo {
  const chrome = /(?:HeadlessChrome|Chromium|Chrome|CriOS)\/(\d+)[\d.]*/.exec(ua);
  const firefox = /Firefox\/([\d.]+)/.exec(ua);
  const safari = /Version\/([\d.]+).*Safari\//.exec(ua);
  if (firefox) return { name: 'firefox', version: firefox[1]!, engine: 'SpiderMonkey', engineVersion: firefox[1]!, userAgent: ua };
  if (chrome) {
    const version = /(?:HeadlessChrome|Chromium|Chrome|CriOS)\/([\d.]+)/.exec(ua)![1]!;
    // V8 versions follow Chromium's milestones: Chromium 131 ships V8 13.1.
    const major = Number(chrome[1]);
    return { name: 'chromium', version, engine: 'V8', engineVersion: `${Math.floor(major / 10)}.${major % 10}`, userAgent: ua };
  }
  if (safari) return { name: 'safari', version: safari[1]!, engine: 'JavaScriptCore', engineVersion: 'unknown', userAgent: ua };
  return { name: 'unknown', version: 'unknown', engine: 'unknown', engineVersion: 'unknown', userAgent: ua };
}

export function detectRuntime(): RuntimeInfo {
  const g = globalThis as Globals;
  const ua = typeof g.navigator?.userAgent === 'string' ? g.navigator.userAgent : null;
  if (g.Deno?.version?.deno) {
    return { name: 'deno', version: g.Deno.version.deno, engine: 'V8', engineVersion: g.Deno.version.v8 ?? 'unknown', userAgent: ua };
  }
  if (typeof g.Bun?.version === 'string') {
    // Bun reports the WebKit revision its JavaScriptCore comes from.
    return { name: 'bun', version: g.Bun.version, engine: 'JavaScriptCore', engineVersion: g.process?.versions?.webkit ?? 'unknown', userAgent: ua };
  }
  if (ua === 'Cloudflare-Workers') {
    // workerd says nothing of its own version inside a worker: a runner that knows it fills it in.
    return { name: 'workerd', version: 'unknown', engine: 'V8', engineVersion: 'unknown', userAgent: ua };
  }
  if (g.process?.versions?.node) {
    return { name: 'node', version: g.process.versions.node, engine: 'V8', engineVersion: g.process.versions.v8 ?? 'unknown', userAgent: ua };
  }
  if (ua) return fromUserAgent(ua);
  return { name: 'unknown', version: 'unknown', engine: 'unknown', engineVersion: 'unknown', userAgent: ua };
}
