// The result record every runner produces (version 1), as a JSON Schema (draft 2020-12 keywords,
// the subset below), and a small validator for that subset, so that the CLI's `bench compare`, the
// tests and `npm run bench:everywhere` check results without a schema library.

export const SCHEMA_ID = 'convcs-bench/1';

export interface CaseResult {
  id: string;
  group: string;
  title: string;
  medianMs: number;
  p75Ms: number;
  madMs: number;
  /** Samples behind the statistics (each the mean of a batch of calls). */
  n: number;
  /** Calls per sample. */
  batch: number;
  gflops: number | null;
  rate: { value: number; unit: string } | null;
  /** GFLOP/s over this runtime's own SIMD ceiling, measured in the same run. */
  ofCeiling: number | null;
}

export interface BenchResult {
  schema: typeof SCHEMA_ID;
  date: string;
  durationMs: number;
  label: string | null;
  runtime: {
    name: string;
    version: string;
    engine: string;
    engineVersion: string;
    userAgent: string | null;
  };
  machine: { cpu: string | null; cores: number | null; platform: string | null };
  suite: { config: 'full' | 'tiny'; backend: 'simd' | 'scalar'; rounds: number; roundTimeMs: number; cases: number };
  timing: {
    /** in-runtime: performance.now() inside the runtime; external-wall: wall time of requests, from outside. */
    method: 'in-runtime' | 'external-wall';
    /** The runtime's own clock step, ms (null: it did not move while computing). */
    resolutionMs: number | null;
    minSampleMs: number;
    note: string;
  };
  /** The first load() of the run, ms (null where it cannot be timed). */
  firstLoadMs: number | null;
  ceiling: { simdGflops: number; simdChains: number; scalarGflops: number; scalarChains: number };
  cases: CaseResult[];
}

type Schema = {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  minLength?: number;
  pattern?: string;
  $schema?: string;
  $id?: string;
  title?: string;
};

const str: Schema = { type: 'string', minLength: 1 };
const positive: Schema = { type: 'number', exclusiveMinimum: 0 };
const nonNegative: Schema = { type: 'number', minimum: 0 };
const count: Schema = { type: 'integer', minimum: 1 };

/** The JSON Schema of a result (BenchResult). */
export const RESULT_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:convcs:bench-result:1',
  title: 'convcs portable benchmark result, version 1',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'date', 'durationMs', 'label', 'runtime', 'machine', 'suite', 'timing', 'firstLoadMs', 'ceiling', 'cases'],
  properties: {
    schema: { const: SCHEMA_ID },
    date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T' },
    durationMs: positive,
    label: { type: ['string', 'null'] },
    runtime: {
      type: 'object', additionalProperties: false, required: ['name', 'version', 'engine', 'engineVersion', 'userAgent'],
      properties: {
        name: { enum: ['node', 'deno', 'bun', 'workerd', 'chromium', 'firefox', 'safari', 'unknown'] },
        version: str,
        engine: { enum: ['V8', 'JavaScriptCore', 'SpiderMonkey', 'unknown'] },
        engineVersion: str,
        userAgent: { type: ['string', 'null'] },
      },
    },
    machine: {
      type: 'object', additionalProperties: false, required: ['cpu', 'cores', 'platform'],
      properties: { cpu: { type: ['string', 'null'] }, cores: { type: ['integer', 'null'], minimum: 1 }, platform: { type: ['string', 'null'] } },
    },
    suite: {
      type: 'object', additionalProperties: false, required: ['config', 'backend', 'rounds', 'roundTimeMs', 'cases'],
      properties: { config: { enum: ['full', 'tiny'] }, backend: { enum: ['simd', 'scalar'] }, rounds: count, roundTimeMs: positive, cases: count },
    },
    timing: {
      type: 'object', additionalProperties: false, required: ['method', 'resolutionMs', 'minSampleMs', 'note'],
      properties: {
        method: { enum: ['in-runtime', 'external-wall'] },
        resolutionMs: { type: ['number', 'null'], exclusiveMinimum: 0 },
        minSampleMs: positive,
        note: { type: 'string' },
      },
    },
    firstLoadMs: { type: ['number', 'null'], minimum: 0 },
    ceiling: {
      type: 'object', additionalProperties: false, required: ['simdGflops', 'simdChains', 'scalarGflops', 'scalarChains'],
      properties: { simdGflops: positive, simdChains: count, scalarGflops: positive, scalarChains: count },
    },
    cases: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false,
        required: ['id', 'group', 'title', 'medianMs', 'p75Ms', 'madMs', 'n', 'batch', 'gflops', 'rate', 'ofCeiling'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9.-]+$' },
          group: str,
          title: str,
          medianMs: positive,
          p75Ms: positive,
          madMs: nonNegative,
          n: count,
          batch: count,
          gflops: { type: ['number', 'null'], exclusiveMinimum: 0 },
          rate: {
            type: ['object', 'null'], additionalProperties: false, required: ['value', 'unit'],
            properties: { value: positive, unit: str },
          },
          ofCeiling: { type: ['number', 'null'], exclusiveMinimum: 0 },
        },
      },
    },
  },
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : Number.isFinite(v) ? 'number' : 'non-finite number';
  return typeof v;
}

function check(schema: Schema, v: unknown, path: string, errors: string[]): void {
  const t = typeOf(v);
  if (schema.const !== undefined && v !== schema.const) errors.push(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(v)) errors.push(`${path}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  if (schema.type) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    const ok = allowed.includes(t) || (t === 'integer' && allowed.includes('number'));
    if (!ok) {
      errors.push(`${path}: expected ${allowed.join(' or ')}, got ${t}`);
      return;
    }
  }
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum) errors.push(`${path}: ${v} is below ${schema.minimum}`);
    if (schema.exclusiveMinimum !== undefined && !(v > schema.exclusiveMinimum)) errors.push(`${path}: ${v} is not above ${schema.exclusiveMinimum}`);
  }
  if (typeof v === 'string') {
    if (schema.minLength !== undefined && v.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(v)) errors.push(`${path}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items) v.forEach((item, i) => check(schema.items!, item, `${path}[${i}]`, errors));
  }
  if (t === 'object') {
    const o = v as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in o)) errors.push(`${path}: missing '${key}'`);
    for (const [key, value] of Object.entries(o)) {
      const sub = schema.properties?.[key];
      if (sub) check(sub, value, `${path}.${key}`, errors);
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected '${key}'`);
    }
  }
}

/** The ways `value` breaks RESULT_SCHEMA, plus the rules a schema cannot say (unique case ids); empty when valid. */
export function validateResult(value: unknown): string[] {
  const errors: string[] = [];
  check(RESULT_SCHEMA, value, '$', errors);
  if (errors.length === 0) {
    const r = value as BenchResult;
    const seen = new Set<string>();
    for (const c of r.cases) {
      if (seen.has(c.id)) errors.push(`$.cases: '${c.id}' appears twice`);
      seen.add(c.id);
      if (c.p75Ms < c.medianMs) errors.push(`$.cases '${c.id}': p75 below the median`);
    }
    if (r.suite.cases !== r.cases.length) errors.push(`$.suite.cases says ${r.suite.cases}, $.cases has ${r.cases.length}`);
  }
  return errors;
}

/** `value` as a BenchResult, or a TypeError listing what is wrong with it. */
export function parseResult(value: unknown, where = 'result'): BenchResult {
  const errors = validateResult(value);
  if (errors.length > 0) {
    throw new TypeError(`${where} is not a convcs bench result (${SCHEMA_ID}): ${errors.slice(0, 5).join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`);
  }
  return value as BenchResult;
}
