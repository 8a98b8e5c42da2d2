import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// What the fakes of hosted platforms' REST APIs (Vercel, Netlify) share: a server on 127.0.0.1,
// every request recorded, a Bearer token checked, failures and rate limits injected for the next
// requests that match, and a route table. Each fake answers with its platform's own error shape.

export interface RecordedRestRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** the raw body */
  body: Buffer;
  /** the body parsed, when it was JSON */
  json?: unknown;
}

export interface RestCall {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: Record<string, string>;
  body: Buffer;
  json?: unknown;
}

export type RestRoute = [method: string, path: RegExp, handler: (call: RestCall) => unknown];

interface Injected {
  method?: string;
  path: RegExp;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  times: number;
}

export abstract class FakeRestApi {
  readonly requests: RecordedRestRequest[] = [];
  /** the tokens the API accepts */
  readonly tokens = new Set<string>();
  url = '';
  private injected: Injected[] = [];
  private seq = 0;
  private server?: Server;

  protected abstract routes(): RestRoute[];
  /** the platform's error body for a status and message */
  protected abstract errorBody(status: number, message: string, code?: string): unknown;
  /** the platform's request id header */
  protected abstract readonly requestIdHeader: string;

  async listen(): Promise<this> {
    const routes = this.routes();
    this.server = createServer((req, res) => void this.handle(routes, req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** the next `times` requests matching answer `status` with the platform's error body (an outage, a 5xx) */
  failNext(match: { method?: string; path: RegExp }, status: number, message: string, times = 1, headers: Record<string, string> = {}, code?: string): void {
    this.injected.push({ ...match, status, body: this.errorBody(status, message, code), headers, times });
  }

  /** the next `times` requests matching answer 429 with X-RateLimit-* headers (reset in `resetSeconds`) and, when given, Retry-After */
  rateLimitNext(match: { method?: string; path: RegExp }, resetSeconds: number, times = 1, retryAfter?: number): void {
    const headers: Record<string, string> = {
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000 + resetSeconds)),
      ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
    };
    this.injected.push({ ...match, status: 429, body: this.errorBody(429, 'Rate limit exceeded', 'rate_limited'), headers, times });
  }

  requestsTo(method: string, path: RegExp): RecordedRestRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  protected send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { [this.requestIdHeader]: this.requestId(), ...(body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  protected fail(res: ServerResponse, status: number, message: string, code?: string): void {
    this.send(res, status, this.errorBody(status, message, code));
  }

  protected requestId(): string {
    return `fake-${++this.seq}-${randomBytes(4).toString('hex')}`;
  }

  /** whether the request carries an accepted token; answers the platform's refusal when not */
  protected abstract authorize(call: RestCall): boolean;

  private async handle(routes: RestRoute[], req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    let json: unknown;
    if ((req.headers['content-type'] ?? '').includes('json') && body.length) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        json = undefined;
      }
    }
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query, headers: req.headers, body, json });
    try {
      const f = this.injected.find((x) => (!x.method || x.method === method) && x.path.test(url.pathname));
      if (f) {
        if (--f.times <= 0) this.injected = this.injected.filter((x) => x !== f);
        return this.send(res, f.status, f.body, f.headers);
      }
      for (const [m, rx, handler] of routes) {
        const match = rx.exec(url.pathname);
        if (!match || m !== method) continue;
        const call: RestCall = { req, res, params: match.slice(1).map((p) => decodeURIComponent(p)), query, body, json };
        if (!this.authorize(call)) return;
        return void (await handler(call));
      }
      this.fail(res, 404, 'The requested path was not found', 'not_found');
    } catch (e) {
      if (!res.headersSent) this.fail(res, 500, (e as Error).message, 'internal_server_error');
      else res.end();
    }
  }
}

export const bearerOf = (req: IncomingMessage): string | undefined => /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
