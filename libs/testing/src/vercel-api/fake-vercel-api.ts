import { createHash, createHmac, randomBytes } from 'node:crypto';
import { type RestCall, type RestRoute, FakeRestApi, bearerOf } from '../fake-rest/fake-rest-api';

// A local stand-in for the Vercel REST API (vercel.com/docs/rest-api), for what the vercel provider
// uses: no network reaches vercel.com here. Files are uploaded by SHA1 digest (POST /v2/files), a
// deployment names them (POST /v13/deployments answers 400 missing_files with the digests it lacks),
// then builds: each read of it (GET /v13/deployments/:id) answers its state and moves it one step, QUEUED → BUILDING →
// READY (or ERROR), its build lines readable as events (GET /v3/deployments/:id/events). A production
// deployment gets the project's alias; promote points that alias at an earlier deployment without
// building. Errors are {error: {code, message}}, every answer has an x-vercel-id.

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
}

const STEPS: Record<string, VercelReadyState> = { QUEUED: 'BUILDING', INITIALIZING: 'BUILDING' };

export class FakeVercelApi extends FakeRestApi {
  protected readonly requestIdHeader = 'x-vercel-id';
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

  protected routes(): RestRoute[] {
    return [
      ['GET', /^\/v9\/projects\/([^/]+)$/, (c) => this.withProject(c, c.params[0], (p) => this.send(c.res, 200, { id: p.id, name: p.name, accountId: p.teamId ?? 'user' }))],
      ['POST', /^\/v2\/files$/, (c) => this.upload(c)],
      ['POST', /^\/v13\/deployments$/, (c) => this.create(c)],
      ['GET', /^\/v13\/deployments\/([^/]+)$/, (c) => this.withDeployment(c, (d) => (this.send(c.res, 200, this.view(d)), this.advance(d)))],
      ['GET', /^\/v6\/deployments$/, (c) => this.list(c)],
      ['GET', /^\/v3\/deployments\/([^/]+)\/events$/, (c) => this.withDeployment(c, (d) => this.send(c.res, 200, d.events))],
      ['PATCH', /^\/v12\/deployments\/([^/]+)\/cancel$/, (c) => this.withDeployment(c, (d) => this.cancel(c, d))],
      ['POST', /^\/v10\/projects\/([^/]+)\/promote\/([^/]+)$/, (c) => this.withProject(c, c.params[0], (p) => this.promote(c, p))],
    ];
  }

  protected errorBody(_status: number, message: string, code = 'bad_request'): unknown {
    return { error: { code, message } };
  }

  protected authorize(c: RestCall): boolean {
    const token = bearerOf(c.req);
    if (token && this.tokens.has(token)) return true;
    this.send(c.res, 403, { error: { code: 'forbidden', message: 'Not authorized', invalidToken: true } });
    return false;
  }

  private upload(c: RestCall) {
    const digest = String(c.req.headers['x-vercel-digest'] ?? c.req.headers['x-now-digest'] ?? '');
    const size = c.req.headers['x-vercel-size'] ?? c.req.headers['x-now-size'] ?? c.req.headers['content-length'];
    if (!/^[0-9a-f]{40}$/.test(digest)) return this.fail(c.res, 400, 'Missing or invalid `x-vercel-digest` header', 'missing_digest');
    if (createHash('sha1').update(c.body).digest('hex') !== digest) return this.fail(c.res, 400, 'The file SHA does not match the `x-vercel-digest` header', 'invalid_digest');
    if (size !== undefined && Number(size) !== c.body.length) return this.fail(c.res, 400, 'The file size does not match the `x-vercel-size` header', 'invalid_size');
    this.files.set(digest, c.body);
    this.send(c.res, 200, {});
  }

  private create(c: RestCall) {
    const body = (c.json ?? {}) as { name?: string; project?: string; target?: string; files?: { file?: string; sha?: string; size?: number }[]; meta?: Record<string, string> };
    if (!body.name) return this.fail(c.res, 400, 'Invalid request: missing required property `name`.', 'bad_request');
    const p = this.project(body.project ?? body.name);
    if (!p || (p.teamId ?? '') !== (c.query.teamId ?? '')) return this.fail(c.res, 404, 'Project not found', 'not_found');
    const files = (body.files ?? []).map((f) => ({ file: String(f.file), sha: String(f.sha), size: Number(f.size) }));
    const missing = [...new Set(files.filter((f) => !this.files.has(f.sha)).map((f) => f.sha))];
    if (missing.length) return this.send(c.res, 400, { error: { code: 'missing_files', message: 'Missing files', missing } });
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
    this.send(c.res, 200, this.view(d));
  }

  // newest first; projectId (id or name), target and meta-<key>=<value> filters, as `vercel ls --meta` sends them
  private list(c: RestCall) {
    const p = c.query.projectId ? this.project(c.query.projectId) : undefined;
    const meta = Object.entries(c.query).filter(([k]) => k.startsWith('meta-'));
    const found = [...this.deployments.values()]
      .filter((d) => (d.teamId ?? '') === (c.query.teamId ?? '') && (!c.query.projectId || d.projectId === p?.id) && (!c.query.target || d.target === c.query.target))
      .filter((d) => meta.every(([k, v]) => d.meta[k.slice(5)] === v))
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, Number(c.query.limit ?? 20));
    const deployments = found.map((d) => ({ uid: d.id, name: d.name, url: d.url, created: d.createdAt, state: d.readyState, readyState: d.readyState, target: d.target, meta: d.meta, projectId: d.projectId }));
    this.send(c.res, 200, { deployments, pagination: { count: deployments.length, next: null, prev: null } });
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

  private cancel(c: RestCall, d: FakeVercelDeployment) {
    if (d.readyState === 'READY' || d.readyState === 'ERROR' || d.readyState === 'CANCELED') return this.fail(c.res, 400, `Cannot cancel a deployment in state ${d.readyState}`, 'deployment_not_cancelable');
    d.readyState = 'CANCELED';
    this.send(c.res, 200, this.view(d));
  }

  private promote(c: RestCall, p: FakeVercelProject) {
    const d = this.deployments.get(c.params[1]);
    if (!d || d.projectId !== p.id) return this.fail(c.res, 404, 'Deployment not found', 'not_found');
    if (d.readyState !== 'READY') return this.fail(c.res, 409, 'Deployment is not ready to be promoted', 'deployment_not_ready');
    this.pointAlias(p, d);
    this.send(c.res, 201, {});
  }

  private withProject(c: RestCall, idOrName: string, fn: (p: FakeVercelProject) => unknown) {
    const p = this.project(idOrName);
    if (!p || (p.teamId ?? '') !== (c.query.teamId ?? '')) return this.fail(c.res, 404, 'Project not found', 'not_found');
    return fn(p);
  }

  private withDeployment(c: RestCall, fn: (d: FakeVercelDeployment) => unknown) {
    const key = c.params[0];
    const d = this.deployments.get(key) ?? [...this.deployments.values()].find((x) => x.url === key);
    if (!d || (d.teamId ?? '') !== (c.query.teamId ?? '')) return this.fail(c.res, 404, 'Deployment not found', 'not_found');
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
  return api.listen();
}
