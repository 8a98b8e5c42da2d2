import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { nodeApp } from '../provider-fixtures';

export interface LoadSample {
  /** ms since the load started: when the request was sent, when its answer ended */
  sentAt: number;
  doneAt: number;
  status: number;
  body: string;
  /** set when no answer came (connection refused or reset, timeout) */
  error?: string;
}

export interface LoadOptions {
  port: number;
  /** the Host header: routes the requests through the edge */
  host: string;
  path?: string;
  /** requests in flight at once, each connection kept alive */
  concurrency?: number;
  /** bounds: the load ends at whichever comes first, or at stop() */
  maxRequests?: number;
  maxMs?: number;
  timeoutMs?: number;
}

// A steady load against 127.0.0.1: `concurrency` loops, each sending its next GET when the last
// one is answered over a keep-alive connection. Every answer is kept (time, status, body).
export class HttpLoad {
  readonly samples: LoadSample[] = [];
  readonly startedAt = performance.now();
  private stopped = false;
  private readonly agent: Agent;
  private readonly done: Promise<void>;

  constructor(private readonly o: LoadOptions) {
    const concurrency = o.concurrency ?? 16;
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    this.done = Promise.all(Array.from({ length: concurrency }, () => this.loop())).then(() => undefined);
  }

  /** ms since the load started */
  now(): number {
    return performance.now() - this.startedAt;
  }

  failures(): LoadSample[] {
    return this.samples.filter((s) => s.error !== undefined || s.status !== 200);
  }

  /** answered requests per second over the load's life so far */
  rate(): number {
    const last = this.samples.at(-1);
    return last ? (this.samples.length * 1000) / last.doneAt : 0;
  }

  /** resolves when a bound (maxRequests, maxMs) ends the load */
  async finished(): Promise<LoadSample[]> {
    await this.done;
    this.agent.destroy();
    return this.samples;
  }

  async stop(): Promise<LoadSample[]> {
    this.stopped = true;
    await this.done;
    this.agent.destroy();
    return this.samples;
  }

  private async loop(): Promise<void> {
    const maxRequests = this.o.maxRequests ?? 200_000;
    const maxMs = this.o.maxMs ?? 120_000;
    while (!this.stopped && this.samples.length < maxRequests && this.now() < maxMs) {
      this.samples.push(await this.one());
    }
  }

  private one(): Promise<LoadSample> {
    const sentAt = this.now();
    return new Promise((resolve) => {
      const settle = (status: number, body: string, error?: string) => resolve({ sentAt, doneAt: this.now(), status, body, error });
      const req = request(
        { host: '127.0.0.1', port: this.o.port, path: this.o.path ?? '/', headers: { host: this.o.host }, agent: this.agent, timeout: this.o.timeoutMs ?? 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => settle(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          res.on('error', (e) => settle(0, '', e.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (e) => settle(0, '', e.message));
      req.end();
    });
  }
}

/** the p-th percentile (0..100) of values, nearest rank */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// "<version>" on /, "<version> slow" on /slow once /release is asked (at most 20 s), and a
// WebSocket handshake on any upgrade (the socket then stays open, silent).
export const versionedApp = (version: string) =>
  nodeApp(
    version,
    `const http = require('node:http'), crypto = require('node:crypto');
     const held = [];
     const server = http.createServer((req, res) => {
       if (req.url === '/slow') { const t = setTimeout(() => res.end('${version} slow'), 20000); held.push(() => { clearTimeout(t); res.end('${version} slow'); }); return; }
       if (req.url === '/release') { held.splice(0).forEach((f) => f()); return res.end('released'); }
       res.end('${version}');
     });
     server.on('upgrade', (req, socket) => {
       const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC11B85').digest('base64');
       socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
       socket.on('error', () => {});
       socket.on('end', () => socket.end());
     });
     server.listen(Number(process.env.PORT), process.env.HOST);`,
  );

/** an open WebSocket (handshake done) through the edge: its socket, and whether it has closed */
export function openWebSocket(port: number, host: string): Promise<{ socket: Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/ws',
      agent: false,
      timeout: 5_000,
      headers: { host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomUUID().slice(0, 16) + '==' },
    });
    req.on('upgrade', (_res, socket: Socket) => {
      let closed = false;
      socket.on('close', () => (closed = true));
      socket.on('error', () => undefined);
      resolve({ socket, closed: () => closed });
    });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('timeout', () => req.destroy(new Error('upgrade timed out')));
    req.on('error', reject);
    req.end();
  });
}

