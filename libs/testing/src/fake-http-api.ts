import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// The plumbing the fakes of hosted platforms' APIs share (Lambda, ECS, Render, Railway): a server on
// 127.0.0.1, every request recorded, routes by method and path, and failures the test queues
// (an outage, a 429 with its header) answered in the platform's own error shape.

export interface RecordedApiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** a JSON body, parsed (else the text) */
  body?: unknown;
  /** the request id the fake answered with */
  requestId: string;
  /** the body as it came (a file upload's bytes) */
  raw: Buffer;
}

export interface ApiFailure {
  method?: string;
  path: RegExp;
  /** for JSON-RPC-style APIs (one path): which call fails (ECS's X-Amz-Target, a GraphQL field) */
  match?: (req: RecordedApiRequest) => boolean;
  status: number;
  /** the platform's error code (x-amzn-ErrorType, __type, a GraphQL extensions.code) */
  code?: string;
  message: string;
  headers?: Record<string, string>;
  times?: number;
}

export type ApiRoute = [method: string, path: RegExp, handle: (req: RecordedApiRequest, m: RegExpExecArray, res: ServerResponse) => Promise<void> | void];

export abstract class FakeHttpApi {
  readonly requests: RecordedApiRequest[] = [];
  private failures: (ApiFailure & { times: number })[] = [];
  protected abstract readonly routes: ApiRoute[];
  private server?: Server;
  url = '';

  /** the next `times` (1) requests matching answer this error */
  failNext(failure: ApiFailure): void {
    this.failures.push({ times: 1, ...failure });
  }

  requestsTo(method: string, path: RegExp): RecordedApiRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** the platform's error body and headers */
  protected abstract sendError(res: ServerResponse, rec: RecordedApiRequest, failure: Omit<ApiFailure, 'path'>): void;
  /** false (its error sent) when the caller is refused: missing or unknown credentials */
  protected abstract authenticate(rec: RecordedApiRequest, res: ServerResponse): boolean;
  protected requestIdHeader = 'x-request-id';

  /** AWS: a SigV4 Authorization header of a known access key, scoped to this region and service */
  protected checkSigV4(rec: RecordedApiRequest, res: ServerResponse, accessKeys: ReadonlySet<string>, region: string, service: string): boolean {
    const cred = sigV4Credential(rec.headers);
    if (!cred) {
      this.sendError(res, rec, { status: 403, code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
      return false;
    }
    if (!accessKeys.has(cred.accessKeyId)) {
      this.sendError(res, rec, { status: 403, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
      return false;
    }
    if (cred.region !== region || cred.service !== service) {
      this.sendError(res, rec, { status: 403, code: 'InvalidSignatureException', message: `Credential should be scoped to a valid region or service: ${cred.region}/${cred.service}` });
      return false;
    }
    return true;
  }

  protected send(res: ServerResponse, rec: RecordedApiRequest, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { [this.requestIdHeader]: rec.requestId, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const text = raw.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: unknown = text || undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    const rec: RecordedApiRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, requestId: randomUUID(), raw };
    this.requests.push(rec);
    try {
      if (!this.authenticate(rec, res)) return;
      const f = this.failures.find((x) => (!x.method || x.method === rec.method) && x.path.test(rec.path) && (!x.match || x.match(rec)));
      if (f) {
        if (--f.times <= 0) this.failures = this.failures.filter((x) => x !== f);
        return this.sendError(res, rec, f);
      }
      for (const [method, rx, handler] of this.routes) {
        const m = rx.exec(rec.path);
        if (m && method === rec.method) return await handler(rec, m, res);
      }
      this.sendError(res, rec, { status: 404, code: 'NotFound', message: `no route ${rec.method} ${rec.path}` });
    } catch (e) {
      if (!res.headersSent) this.sendError(res, rec, { status: 500, code: 'InternalError', message: (e as Error).message });
      else res.end();
    }
  }
}

/** a 429's X-RateLimit-* headers as Vercel and Netlify send them: the window resets in `resetSeconds` (unix seconds in X-RateLimit-Reset) */
export const xRateLimitHeaders = (resetSeconds: number, retryAfter?: number): Record<string, string> => ({
  'x-ratelimit-limit': '100',
  'x-ratelimit-remaining': '0',
  'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000 + resetSeconds)),
  ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
});

/** the access key id of a SigV4 Authorization header (AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...) */
export const sigV4Credential = (headers: IncomingHttpHeaders): { accessKeyId: string; region: string; service: string } | undefined => {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=[^,]+, ?Signature=[0-9a-f]{64}$/.exec(String(headers.authorization ?? ''));
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : undefined;
};
