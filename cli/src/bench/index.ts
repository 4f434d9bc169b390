// `convcs-cli/bench`: the portable benchmark suite's core, runnable in Node, Deno, Bun, a browser
// (page or worker) and workerd: no Node or DOM API, and no import at all (each runner passes in
// the convcs it imported its own way). The runners are in bench/portable/ and web/ of the
// repository; `convcs bench compare` reads their results.

export { runSuite, assembleResult } from './suite.js';
export type { SuiteOptions, Assembly } from './suite.js';
export { prepareCases } from './cases.js';
export type { Case, CaseInfo, ConvcsModule, PreparedSuite, SuiteConfig } from './cases.js';
export { measureCases, probeClock, PLANS } from './harness.js';
export type { CaseTiming, Clock, Progress, TimingPlan } from './harness.js';
export { ceilingWasm, ceilingFunctions, ceilingFlops, CEILING_CHAINS, CEILING_UNROLL } from './ceiling.js';
export type { CeilingFn, CeilingIsa, CeilingModules } from './ceiling.js';
export { detectRuntime, fromUserAgent } from './runtime.js';
export type { EngineName, RuntimeInfo, RuntimeName } from './runtime.js';
export { RESULT_SCHEMA, SCHEMA_ID, parseResult, validateResult } from './schema.js';
export type { BenchResult, CaseResult } from './schema.js';
export { columnLabels, compareMarkdown, groupRatios } from './compare.js';
export { quantile, sampleStats } from './stats.js';
export type { SampleStats } from './stats.js';
