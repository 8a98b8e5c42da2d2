import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type ApiFailure, type ApiRoute, FakeHttpApi, type RecordedApiRequest, xRateLimitHeaders } from '../fake-http-api';

interface Call {
  rec: RecordedApiRequest;
  res: ServerResponse;
  params: string[];
  query: Record<string, string>;
}

// A local stand-in for Netlify's API (open-api.netlify.com) for what the netlify provider uses: no
// network reaches api.netlify.com here. A deploy lists its files by SHA1 (POST
// /api/v1/sites/:site_id/deploys {files: {"/path": sha1}}) and is answered with the digests Netlify
// still needs (`required`); each is PUT as octet-stream to /api/v1/deploys/:id/files/:path, then the
// deploy goes uploading → uploaded → processing → ready (or error with error_message), one step per
// read (GET /api/v1/deploys/:id). A ready deploy is published on the site; restore publishes an
// earlier one. Errors are {code, message}, every answer has an x-nf-request-id. On FakeHttpApi.

export type NetlifyDeployState = 'preparing' | 'uploading' | 'uploaded' | 'processing' | 'ready' | 'error';

export interface FakeNetlifyDeploy {
  id: string;
  siteId: string;
  state: NetlifyDeployState;
  files: Record<string, string>;
  required: string[];
  title?: string;
  errorMessage?: string;
  createdAt: string;
}

export interface FakeNetlifySite {
  id: string;
  name: string;
  publishedDeployId?: string;
}

export class FakeNetlifyApi extends FakeHttpApi {
  protected override requestIdHeader = 'x-nf-request-id';
  /** the tokens the API accepts */
  readonly tokens = new Set<string>();
  readonly files = new Map<string, Buffer>();
  readonly deploys = new Map<string, FakeNetlifyDeploy>();
  readonly sites = new Map<string, FakeNetlifySite>();
  /** how each deploy's processing ends: an error message to fail with, or nothing; the test sets it */
  process: (d: FakeNetlifyDeploy) => { error?: string; pending?: boolean } = () => ({});

  addSite(name: string): FakeNetlifySite {
    const s: FakeNetlifySite = { id: randomUUID(), name };
    this.sites.set(s.id, s);
    return s;
  }

  /** a deploy notification's body as Netlify posts it: the deploy object */
  webhookBody(d: FakeNetlifyDeploy): string {
    return JSON.stringify(this.view(d));
  }

  protected readonly routes: ApiRoute[] = (
    [
      ['GET', /^\/api\/v1\/sites\/([^/]+)$/, (c) => this.withSite(c, (s) => this.reply(c, 200, this.siteView(s)))],
      ['POST', /^\/api\/v1\/sites\/([^/]+)\/deploys$/, (c) => this.withSite(c, (s) => this.create(c, s))],
      ['GET', /^\/api\/v1\/sites\/([^/]+)\/deploys$/, (c) => this.withSite(c, (s) => this.list(c, s))],
      ['PUT', /^\/api\/v1\/deploys\/([^/]+)\/files\/(.+)$/, (c) => this.withDeploy(c, (d) => this.upload(c, d))],
      ['GET', /^\/api\/v1\/deploys\/([^/]+)$/, (c) => this.withDeploy(c, (d) => (this.reply(c, 200, this.view(d)), this.advance(d)))],
      ['POST', /^\/api\/v1\/deploys\/([^/]+)\/cancel$/, (c) => this.withDeploy(c, (d) => this.cancel(c, d))],
      ['POST', /^\/api\/v1\/sites\/([^/]+)\/deploys\/([^/]+)\/restore$/, (c) => this.withSite(c, (s) => this.restore(c, s))],
    ] as [string, RegExp, (c: Call) => unknown][]
  ).map(([method, path, handle]) => [method, path, (rec, m, res) => void handle({ rec, res, params: m.slice(1).map(decodeURIComponent), query: rec.query })]);

  /** the next `times` requests matching answer 429 with X-RateLimit-* headers (reset in `resetSeconds`) */
  rateLimitNext(match: { method?: string; path: RegExp }, resetSeconds: number, times = 1): void {
    this.failNext({ ...match, status: 429, message: 'Rate limit exceeded', headers: xRateLimitHeaders(resetSeconds), times });
  }

  protected sendError(res: ServerResponse, rec: RecordedApiRequest, f: Omit<ApiFailure, 'path'>): void {
    this.send(res, rec, f.status, { code: f.status, message: f.message }, f.headers);
  }

  protected authenticate(rec: RecordedApiRequest, res: ServerResponse): boolean {
    const token = /^Bearer (.+)$/i.exec(rec.headers.authorization ?? '')?.[1];
    if (token && this.tokens.has(token)) return true;
    this.send(res, rec, 401, { code: 401, message: 'Access Denied: Origin returned bad status 401' });
    return false;
  }

  private reply(c: Call, status: number, body?: unknown): void {
    this.send(c.res, c.rec, status, body);
  }

  private fail(c: Call, status: number, message: string): void {
    this.sendError(c.res, c.rec, { status, message });
  }

  private create(c: Call, s: FakeNetlifySite) {
    const body = (c.rec.body ?? {}) as { files?: Record<string, string>; async?: boolean; title?: string };
    if (!body.files || typeof body.files !== 'object') return this.fail(c, 422, 'Invalid deploy: no files');
    for (const [path, sha] of Object.entries(body.files)) {
      if (!path.startsWith('/') || !/^[0-9a-f]{40}$/.test(sha)) return this.fail(c, 422, `Invalid file digest for ${path}`);
    }
    const required = [...new Set(Object.values(body.files).filter((sha) => !this.files.has(sha)))];
    const d: FakeNetlifyDeploy = { id: randomBytes(12).toString('hex'), siteId: s.id, state: body.async ? 'preparing' : 'uploading', files: body.files, required, title: body.title, createdAt: new Date().toISOString() };
    if (!body.async && !required.length) d.state = 'uploaded';
    this.deploys.set(d.id, d);
    this.reply(c, 200, this.view(d));
  }

  // newest first, page/per_page as Netlify pages its lists
  private list(c: Call, s: FakeNetlifySite) {
    const perPage = Number(c.query.per_page ?? 100);
    const page = Number(c.query.page ?? 1);
    const all = [...this.deploys.values()].filter((d) => d.siteId === s.id).reverse();
    this.reply(c, 200, all.slice((page - 1) * perPage, page * perPage).map((d) => this.view(d)));
  }

  private upload(c: Call, d: FakeNetlifyDeploy) {
    const path = `/${c.params[1]}`;
    const sha = d.files[path];
    if (!sha) return this.fail(c, 422, `${path} is not a file of this deploy`);
    if ((c.rec.headers['content-type'] ?? '') !== 'application/octet-stream') return this.fail(c, 422, 'Content-Type must be application/octet-stream');
    if (createHash('sha1').update(c.rec.raw).digest('hex') !== sha) return this.fail(c, 422, `The SHA1 of ${path} does not match the deploy's digest`);
    if (d.state !== 'uploading') return this.fail(c, 422, `Deploy is ${d.state}, not uploading`);
    this.files.set(sha, c.rec.raw);
    d.required = d.required.filter((x) => x !== sha);
    if (!d.required.length) d.state = 'uploaded';
    this.reply(c, 200, { id: sha, path, sha, mime_type: 'application/octet-stream', size: c.rec.raw.length, deploy_id: d.id });
  }

  private advance(d: FakeNetlifyDeploy) {
    if (d.state === 'preparing') d.state = d.required.length ? 'uploading' : 'uploaded';
    else if (d.state === 'uploaded') d.state = 'processing';
    else if (d.state === 'processing') {
      const outcome = this.process(d);
      if (outcome.pending) return;
      if (outcome.error) {
        d.state = 'error';
        d.errorMessage = outcome.error;
        return;
      }
      d.state = 'ready';
      this.sites.get(d.siteId)!.publishedDeployId = d.id;
    }
  }

  private cancel(c: Call, d: FakeNetlifyDeploy) {
    if (d.state === 'ready' || d.state === 'error') return this.fail(c, 422, `Deploy is ${d.state}: it cannot be canceled`);
    d.state = 'error';
    d.errorMessage = 'Canceled build';
    this.reply(c, 201, this.view(d));
  }

  private restore(c: Call, s: FakeNetlifySite) {
    const d = this.deploys.get(c.params[1]);
    if (!d || d.siteId !== s.id) return this.fail(c, 404, 'Not Found');
    if (d.state !== 'ready') return this.fail(c, 422, `Deploy is ${d.state}: only a ready deploy can be published`);
    s.publishedDeployId = d.id;
    this.reply(c, 200, this.view(d));
  }

  private withSite(c: Call, fn: (s: FakeNetlifySite) => unknown) {
    const key = c.params[0];
    const s = this.sites.get(key) ?? [...this.sites.values()].find((x) => `${x.name}.netlify.app` === key);
    return s ? fn(s) : this.fail(c, 404, 'Not Found');
  }

  private withDeploy(c: Call, fn: (d: FakeNetlifyDeploy) => unknown) {
    const d = this.deploys.get(c.params[0]);
    return d ? fn(d) : this.fail(c, 404, 'Not Found');
  }

  private siteView(s: FakeNetlifySite) {
    return { id: s.id, site_id: s.id, name: s.name, url: `http://${s.name}.netlify.app`, ssl_url: `https://${s.name}.netlify.app`, published_deploy: s.publishedDeployId ? this.view(this.deploys.get(s.publishedDeployId)!) : null };
  }

  private view(d: FakeNetlifyDeploy) {
    const s = this.sites.get(d.siteId)!;
    return {
      id: d.id,
      site_id: d.siteId,
      state: d.state,
      name: s.name,
      url: `http://${s.name}.netlify.app`,
      ssl_url: `https://${s.name}.netlify.app`,
      deploy_url: `http://${d.id}--${s.name}.netlify.app`,
      deploy_ssl_url: `https://${d.id}--${s.name}.netlify.app`,
      admin_url: `https://app.netlify.com/sites/${s.name}`,
      required: d.required,
      error_message: d.errorMessage ?? null,
      title: d.title ?? null,
      context: 'production',
      created_at: d.createdAt,
      updated_at: new Date().toISOString(),
    };
  }
}

/** X-Webhook-Signature: a JWS (HS256, the notification's secret) whose payload is {iss: "netlify", sha256: <hex SHA256 of the body>} */
export function signNetlifyWebhook(secret: string, body: string | Buffer): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const signing = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: 'netlify', sha256: createHash('sha256').update(body).digest('hex') })}`;
  return `${signing}.${createHmac('sha256', secret).update(signing).digest('base64url')}`;
}

/** a fake Netlify API on 127.0.0.1:<free port> accepting `token` */
export async function startFakeNetlifyApi(token = 'netlify-test-token'): Promise<FakeNetlifyApi> {
  const api = new FakeNetlifyApi();
  api.tokens.add(token);
  return api.start();
}
