/// <reference types="node" />
// A JSON object written in pieces: its small fields at once, each large numeric array a chunk of
// values at a time, so no string ever holds the whole document (one of 10^7 ratios per array is
// longer than V8's largest string). Written to a temporary name and renamed when complete.

import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

const CHUNK = 1 << 16;

export function writeJsonWithArrays(path: string, small: Record<string, unknown>, arrays: Record<string, ArrayLike<number>>,
  replacer?: (key: string, value: unknown) => unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const head = JSON.stringify(small, replacer as (this: unknown, key: string, value: unknown) => unknown);
    writeSync(fd, head.slice(0, -1));
    let first = head.length <= 2;
    for (const [name, values] of Object.entries(arrays)) {
      writeSync(fd, `${first ? '' : ','}${JSON.stringify(name)}:[`);
      first = false;
      for (let i = 0; i < values.length; i += CHUNK) {
        const part: unknown[] = [];
        for (let j = i; j < Math.min(i + CHUNK, values.length); j++) part.push(replacer ? replacer('', values[j]) : values[j]);
        writeSync(fd, (i > 0 ? ',' : '') + JSON.stringify(part).slice(1, -1));
      }
      writeSync(fd, ']');
    }
    writeSync(fd, '}');
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
