// The native peer served from one child Python (bench/peers/pytorch_conv.py --serve): started once
// per bench run, asked for one round of samples of a layer at a time, so that its rounds
// interleave with the other contenders' rounds (bench/harness.ts, `external`).

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

export interface TorchHeader { ok: boolean; error?: string; torch?: string; threads?: number; mkldnn?: boolean }

/** A conv2d layer as the script takes it: M -> K channels, H x W, k x k, zero padding. */
export interface TorchLayer { id: string; M: number; K: number; H: number; W: number; k: number; padding: number }

export class TorchServer {
  private buffered = '';
  private waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  private ended: Error | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        if (line.trim()) this.waiting.shift()?.resolve(line);
      }
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-2000); });
    const end = (why: string) => {
      this.ended ??= new Error(`${PYTHON} bench/peers/pytorch_conv.py --serve ${why}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`);
      for (const w of this.waiting.splice(0)) w.reject(this.ended);
    };
    child.on('error', (e) => end(`could not run (${e.message})`));
    child.on('exit', (code, signal) => end(`exited (${signal ?? code})`));
  }

  private next(): Promise<string> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Start the server; resolves with it and its header, or with the header saying why there is none. */
  static async start(): Promise<{ server?: TorchServer; header: TorchHeader }> {
    const child = spawn(PYTHON, [path.join(here, 'pytorch_conv.py'), '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const server = new TorchServer(child);
    try {
      const header = JSON.parse(await server.next()) as TorchHeader;
      if (!header.ok) {
        server.close();
        return { header };
      }
      return { server, header };
    } catch (e) {
      server.close();
      return { header: { ok: false, error: (e as Error).message } };
    }
  }

  /** One round: the layer's forward timed for about `ms` (per-call ms samples). */
  async round(layer: TorchLayer, ms: number): Promise<number[]> {
    const reply = this.next();
    this.child.stdin.write(`${JSON.stringify({ layer, ms })}\n`);
    return (JSON.parse(await reply) as { samples: number[] }).samples;
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
