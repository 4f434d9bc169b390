/// <reference types="node" />
// The entry of the study threads (bundled to dist/study-thread.mjs): serve the one part in workerData.
import { workerData } from 'node:worker_threads';
import { load } from 'convcs';
import { isThreadTask, serveThread } from './thread.js';

if (isThreadTask(workerData)) await serveThread(() => load());
