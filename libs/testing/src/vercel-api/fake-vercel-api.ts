import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type ApiFailure, type ApiRoute, FakeHttpApi, type RecordedApiRequest, xRateLimitHeaders } from '../fake-http-api';

interface Call {
  rec: RecordedApiRequest;
  res: ServerResponse;
  params: string[];
  query: Record<string, string>;
}

// A local stand-in for the Vercel REST API (vercel.com/docs/rest-api), for what the vercel provider
// uses: no network reaches vercel.com here. Files are uploaded by SHA1 digest (POST /v2/files), a
// deployment names them (POST /v13/deployments answers 400 missing_files with the digests it lacks),
// then builds: each read of it (GET /v13/deployments/:id) answers its state and moves it one step, QUEUED → BUILDING →
// READY (or ERROR), its build lines readable as events (GET /v3/deployments/:id/events). A production
// deployment gets the project's alias; promote points that alias at an earlier deployment without
// building. Errors are {error: {code, message}}, every answer has an x-vercel-id. On FakeHttpApi.

export type VercelReadyState = 'QUEUED' | 'INITIALIZING' | 'BUILDING' | 'READY' | 'ERROR' | 'CANCELED';

export interface FakeVercelDeployment {
  id: string;
  url: string;
  name: string;
  projectId: string;
  target: 'production' | 'preview' | null;
  readyState: VercelReadyState;
  files: { file: string; sha: string; size: number }[];
  meta: Record<string, string>;
  alias: string[];
  createdAt: number;
  errorCode?: string;
  errorMessage?: string;
  events: { type: string; created: number; payload: { id: string; text: string; date: number; deploymentId: string; serial: string } }[];
  teamId?: string;
}

export interface FakeVercelProject {
  id: string;
  name: string;
  teamId?: string;
  /** the deployment the production alias points at */
  productionDeploymentId?: string;
}

/** how a deployment's build goes: lines it prints, and an error to end in */
export interface VercelBuildOutcome {
  lines?: string[];
  error?: { code: string; message: string };
  /** still building: asked again at the next read */
  pending?: boolean;
}

const STEPS: Record<string, VercelReadyState> = { QUEUED: 'BUILDING', INITIALIZING: 'BUILDING' };

export class FakeVercelApi extends FakeHttpApi {
  protected override requestIdHeader = 'x-vercel-id';
  /** the tokens the API accepts */
  readonly tokens = new Set<string>();
  readonly files = new Map<string, Buffer>();
  readonly deployments = new Map<string, FakeVercelDeployment>();
  readonly projects = new Map<string, FakeVercelProject>();
  /** decides each deployment's build; the test sets it */
  build: (d: FakeVercelDeployment) => VercelBuildOutcome = () => ({});

  addProject(name: string, teamId?: string): FakeVercelProject {
    const p: FakeVercelProject = { id: `prj_${randomBytes(10).toString('hex')}`, name, teamId };
    this.projects.set(p.id, p);
    return p;
  }

  project(idOrName: string): FakeVercelProject | undefined {
    return this.projects.get(idOrName) ?? [...this.projects.values()].find((p) => p.name === idOrName);
  }

  /** a webhook body as Vercel sends it (type deployment.succeeded, deployment.error...) */
  webhookBody(type: string, d: FakeVercelDeployment): string {
    return JSON.stringify({
      id: `evt_${randomBytes(8).toString('hex')}`,
      type,
      createdAt: Date.now(),
      region: 'iad1',
      payload: { deployment: { id: d.id, meta: d.meta, url: d.url, name: d.name }, links: { deployment: `https://vercel.com/x/${d.name}/${d.id}` }, target: d.target, project: { id: d.projectId }, plan: 'pro' },
    });
  }

  protected readonly routes: ApiRoute[] = (
    [
      ['GET', /^\/v9\/projects\/([^/]+)$/, (c) => this.withProject(c, c.params[0], (p) => this.reply(c, 200, { id: p.id, name: p.name, accountId: p.teamId ?? 'user' }))],
      ['POST', /^\/v2\/files$/, (c) => this.upload(c)],
      ['POST', /^\/v13\/deployments$/, (c) => this.create(c)],
      ['GET', /^\/v13\/deployments\/([^/]+)$/, (c) => this.withDeployment(c, (d) => (this.reply(c, 200, this.view(d)), this.advance(d)))],
      ['GET', /^\/v6\/deployments$/, (c) => this.list(c)],
      ['GET', /^\/v3\/deployments\/([^/]+)\/events$/, (c) => this.withDeployment(c, (d) => this.reply(c, 200, d.events))],
      ['PATCH', /^\/v12\/deployments\/([^/]+)\/cancel$/, (c) => this.withDeployment(c, (d) => this.cancel(c, d))],
      ['POST', /^\/v10\/projects\/([^/]+)\/promote\/([^/]+)$/, (c) => this.withProject(c, c.params[0], (p) => this.promote(c, p))],
    ] as [string, RegExp, (c: Call) => unknown][]
  ).map(([method, path, handle]) => [method, path, (rec, m, res) => void handle({ rec, res, params: m.slice(1).map(decodeURIComponent), query: rec.query })]);

  /** the next `times` requests matching answer 429 rate_limited with X-RateLimit-* headers (reset in `resetSeconds`) */
  rateLimitNext(match: { method?: string; path: RegExp }, resetSeconds: number, times = 1): void {
    this.failNext({ ...match, status: 429, code: 'rate_limited', message: 'Rate limit exceeded', headers: xRateLimitHeaders(resetSeconds), times });
  }

  protected sendError(res: ServerResponse, rec: RecordedApiRequest, f: Omit<ApiFailure, 'path'>): void {
    this.send(res, rec, f.status, { error: { code: f.code ?? 'bad_request', message: f.message } }, f.headers);
  }

  protected authenticate(rec: RecordedApiRequest, res: ServerResponse): boolean {
    const token = /^Bearer (.+)$/i.exec(rec.headers.authorization ?? '')?.[1];
    if (token && this.tokens.has(token)) return true;
    this.send(res, rec, 403, { error: { code: 'forbidden', message: 'Not authorized', invalidToken: true } });
    return false;
  }

  private reply(c: Call, status: number, body?: unknown): void {
    this.send(c.res, c.rec, status, body);
  }

  private fail(c: Call, status: number, message: string, code: string): void {
    this.sendError(c.res, c.rec, { status, message, code });
  }

  private upload(c: Call) {
    const digest = String(c.rec.headers['x-vercel-digest'] ?? c.rec.headers['x-now-digest'] ?? '');
    const size = c.rec.headers['x-vercel-size'] ?? c.rec.headers['x-now-size'] ?? c.rec.headers['content-length'];
    if (!/^[0-9a-f]{40}$/.test(digest)) return this.fail(c, 400, 'Missing or invalid `x-vercel-digest` header', 'missing_digest');
    if (createHash('sha1').update(c.rec.raw).digest('hex') !== digest) return this.fail(c, 400, 'The file SHA does not match the `x-vercel-digest` header', 'invalid_digest');
    if (size !== undefined && Number(size) !== c.rec.raw.length) return this.fail(c, 400, 'The file size does not match the `x-vercel-size` header', 'invalid_size');
    this.files.set(digest, c.rec.raw);
    this.reply(c, 200, {});
  }

  private create(c: Call) {
    const body = (c.rec.body ?? {}) as { name?: string; project?: string; target?: string; files?: { file?: string; sha?: string; size?: number }[]; meta?: Record<string, string> };
    if (!body.name) return this.fail(c, 400, 'Invalid request: missing required property `name`.', 'bad_request');
    const p = this.project(body.project ?? body.name);
    if (!p || (p.teamId ?? '') !== (c.query.teamId ?? '')) return this.fail(c, 404, 'Project not found', 'not_found');
    const files = (body.files ?? []).map((f) => ({ file: String(f.file), sha: String(f.sha), size: Number(f.size) }));
    const missing = [...new Set(files.filter((f) => !this.files.has(f.sha)).map((f) => f.sha))];
    if (missing.length) return this.reply(c, 400, { error: { code: 'missing_files', message: 'Missing files', missing } });
    const id = `dpl_${randomBytes(12).toString('base64url')}`;
    const d: FakeVercelDeployment = {
      id,
      url: `${p.name}-${randomBytes(5).toString('hex')}.vercel.app`,
      name: body.name,
      projectId: p.id,
      target: body.target === 'production' ? 'production' : body.target === 'preview' ? 'preview' : null,
      readyState: 'QUEUED',
      files,
      meta: body.meta ?? {},
      alias: [],
      createdAt: Date.now(),
      events: [],
      teamId: p.teamId,
    };
    this.deployments.set(id, d);
    this.event(d, `Uploading ${files.length} files`);
    this.reply(c, 200, this.view(d));
  }

  // newest first; projectId (id or name), target and meta-<key>=<value> filters, as `vercel ls --meta` sends them
  private list(c: Call) {
    const p = c.query.projectId ? this.project(c.query.projectId) : undefined;
    const meta = Object.entries(c.query).filter(([k]) => k.startsWith('meta-'));
    const found = [...this.deployments.values()]
      .filter((d) => (d.teamId ?? '') === (c.query.teamId ?? '') && (!c.query.projectId || d.projectId === p?.id) && (!c.query.target || d.target === c.query.target))
      .filter((d) => meta.every(([k, v]) => d.meta[k.slice(5)] === v))
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, Number(c.query.limit ?? 20));
    const deployments = found.map((d) => ({ uid: d.id, name: d.name, url: d.url, created: d.createdAt, state: d.readyState, readyState: d.readyState, target: d.target, meta: d.meta, projectId: d.projectId }));
    this.reply(c, 200, { deployments, pagination: { count: deployments.length, next: null, prev: null } });
  }

  private advance(d: FakeVercelDeployment) {
    const next = STEPS[d.readyState];
    if (next) {
      d.readyState = next;
      this.event(d, 'Running build in Washington, D.C., USA (East) – iad1');
      return;
    }
    if (d.readyState !== 'BUILDING') return;
    const outcome = this.build(d);
    if (outcome.pending) return;
    for (const line of outcome.lines ?? []) this.event(d, line);
    if (outcome.error) {
      d.readyState = 'ERROR';
      d.errorCode = outcome.error.code;
      d.errorMessage = outcome.error.message;
      this.event(d, `Error: ${outcome.error.message}`, 'stderr');
      return;
    }
    d.readyState = 'READY';
    this.event(d, 'Build Completed in /vercel/output');
    if (d.target === 'production') this.pointAlias(this.projects.get(d.projectId)!, d);
  }

  private pointAlias(p: FakeVercelProject, d: FakeVercelDeployment) {
    const alias = `${p.name}.vercel.app`;
    for (const other of this.deployments.values()) other.alias = other.alias.filter((a) => a !== alias);
    d.alias.push(alias);
    p.productionDeploymentId = d.id;
  }

  private cancel(c: Call, d: FakeVercelDeployment) {
    if (d.readyState === 'READY' || d.readyState === 'ERROR' || d.readyState === 'CANCELED') return this.fail(c, 400, `Cannot cancel a deployment in state ${d.readyState}`, 'deployment_not_cancelable');
    d.readyState = 'CANCELED';
    this.reply(c, 200, this.view(d));
  }

  private promote(c: Call, p: FakeVercelProject) {
    const d = this.deployments.get(c.params[1]);
    if (!d || d.projectId !== p.id) return this.fail(c, 404, 'Deployment not found', 'not_found');
    if (d.readyState !== 'READY') return this.fail(c, 409, 'Deployment is not ready to be promoted', 'deployment_not_ready');
    this.pointAlias(p, d);
    this.reply(c, 201, {});
  }

  private withProject(c: Call, idOrName: string, fn: (p: FakeVercelProject) => unknown) {
    const p = this.project(idOrName);
    if (!p || (p.teamId ?? '') !== (c.query.teamId ?? '')) return this.fail(c, 404, 'Project not found', 'not_found');
    return fn(p);
  }

  private withDeployment(c: Call, fn: (d: FakeVercelDeployment) => unknown) {
    const key = c.params[0];
    const d = this.deployments.get(key) ?? [...this.deployments.values()].find((x) => x.url === key);
    if (!d || (d.teamId ?? '') !== (c.query.teamId ?? '')) return this.fail(c, 404, 'Deployment not found', 'not_found');
    return fn(d);
  }

  private event(d: FakeVercelDeployment, text: string, type = 'stdout') {
    const now = Date.now();
    d.events.push({ type, created: now, payload: { id: `evt_${d.events.length + 1}`, text, date: now, deploymentId: d.id, serial: String(d.events.length + 1).padStart(6, '0') } });
  }

  private view(d: FakeVercelDeployment) {
    return {
      id: d.id,
      url: d.url,
      name: d.name,
      projectId: d.projectId,
      target: d.target,
      readyState: d.readyState,
      status: d.readyState,
      alias: d.alias,
      aliasAssigned: d.alias.length > 0,
      meta: d.meta,
      createdAt: d.createdAt,
      ...(d.errorCode ? { errorCode: d.errorCode, errorMessage: d.errorMessage } : {}),
    };
  }
}

/** x-vercel-signature: the hex HMAC-SHA1 of the raw body with the webhook's (or integration's) secret */
export const signVercelWebhook = (secret: string, body: string | Buffer): string => createHmac('sha1', secret).update(body).digest('hex');

/** a fake Vercel API on 127.0.0.1:<free port> accepting `token` */
export async function startFakeVercelApi(token = 'vercel-test-token'): Promise<FakeVercelApi> {
  const api = new FakeVercelApi();
  api.tokens.add(token);
  return api.start();
}
