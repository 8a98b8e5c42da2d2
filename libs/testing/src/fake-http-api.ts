import { createHash, createHmac, randomUUID } from 'node:crypto';
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

  /**
   * AWS: a SigV4 Authorization header of a known access key, scoped to this region and service, whose
   * signature is the one its secret gives (the canonical request recomputed from what came)
   */
  protected checkSigV4(rec: RecordedApiRequest, res: ServerResponse, accessKeys: ReadonlyMap<string, string>, region: string, service: string): boolean {
    const cred = sigV4Credential(rec.headers);
    const refuse = (code: string, message: string) => (this.sendError(res, rec, { status: 403, code, message }), false);
    if (!cred) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const secret = accessKeys.get(cred.accessKeyId);
    if (secret === undefined) return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (cred.region !== region || cred.service !== service) return refuse('InvalidSignatureException', `Credential should be scoped to a valid region or service: ${cred.region}/${cred.service}`);
    if (sigV4Signature(rec, secret, cred) !== cred.signature) {
      return refuse('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
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

/** the parts of a SigV4 Authorization header (AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=...) */
export const sigV4Credential = (headers: IncomingHttpHeaders): SigV4Credential | undefined => {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(String(headers.authorization ?? ''));
  return m ? { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] } : undefined;
};

export interface SigV4Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const rfc3986 = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** the signature AWS computes for a request (Signature Version 4, as its general reference describes it) */
export function sigV4Signature(rec: Pick<RecordedApiRequest, 'method' | 'path' | 'query' | 'headers' | 'raw'>, secret: string, cred: Omit<SigV4Credential, 'signature' | 'accessKeyId'>): string {
  const uri = rec.path
    .split('/')
    .map((segment) => rfc3986(decodeURIComponent(segment)))
    .join('/');
  const query = Object.entries(rec.query)
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = cred.signedHeaders.map((h) => `${h}:${String(rec.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [rec.method, uri, query, headers, cred.signedHeaders.join(';'), sha256(rec.raw)].join('\n');
  const scope = `${cred.date}/${cred.region}/${cred.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', String(rec.headers['x-amz-date']), scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, cred.date), cred.region), cred.service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}
