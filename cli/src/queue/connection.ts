/// <reference types="node" />
// The queue's Redis address from --queue redis://[user:password@]host:port[/db], and the name of
// the BullMQ queue that studies share (jobs are keyed by study fingerprint and shard).

import { CliError } from '../errors.js';

export const QUEUE_NAME = 'convcs-study';

export interface RedisConnection {
  host: string;
  port: number;
  db?: number;
  username?: string;
  password?: string;
  /** BullMQ's workers need this: a blocked command must wait through reconnects, not fail. */
  maxRetriesPerRequest: null;
}

export function connectionOf(url: string): RedisConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`--queue ${url} is not a URL (redis://host:port)`, 2);
  }
  if (u.protocol !== 'redis:') throw new CliError(`--queue ${url}: only redis:// URLs are supported`, 2);
  const port = u.port === '' ? 6379 : Number(u.port);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db)) throw new CliError(`--queue ${url}: the database must be a number`, 2);
  return {
    host: u.hostname || '127.0.0.1', port, maxRetriesPerRequest: null,
    ...(db !== undefined ? { db } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** One job per part of a study: adding it twice is a no-op, so a re-run never doubles a part. */
export function jobId(fingerprint: string, index: number, count: number): string {
  return `${fingerprint}-${index}-of-${count}`;
}
