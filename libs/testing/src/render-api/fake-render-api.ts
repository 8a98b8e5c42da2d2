import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type ApiFailure, type ApiRoute, FakeHttpApi, type RecordedApiRequest } from '../fake-http-api';

// A local stand-in for the Render API (api-docs.render.com, /v1), for what the render provider
// uses: GET /services/{id}, POST /services/{id}/deploys {clearCache: clear|do_not_clear, commitId?,
// imageUrl?} (201, the deploy), GET /services/{id}/deploys/{deployId} (status created ->
// build_in_progress -> update_in_progress -> live, or build_failed | update_failed | canceled;
// the live one before it becomes deactivated), POST .../deploys/{deployId}/cancel, POST
// /services/{id}/rollback {deployId}, and GET /logs?ownerId&resource&type&startTime&direction&limit
// ({logs: [{id, message, timestamp, labels}], hasMore, nextStartTime}). Bearer API keys; errors
// {id, message}; every answer carries an x-request-id; a 429 carries the IETF Ratelimit-* headers.

export type RenderDeployStatus = 'created' | 'queued' | 'build_in_progress' | 'update_in_progress' | 'live' | 'deactivated' | 'build_failed' | 'update_failed' | 'canceled' | 'pre_deploy_in_progress' | 'pre_deploy_failed';

export interface RenderDeployBehaviour {
  /** the statuses each next read shows; the last one stays (default build_in_progress, update_in_progress, live) */
  steps?: RenderDeployStatus[];
  /** build log lines, written while it builds */
  logs?: string[];
}

export interface FakeRenderDeploy {
  id: string;
  commit?: { id: string; message: string; createdAt: string };
  image?: { ref: string };
  status: RenderDeployStatus;
  trigger: 'api' | 'rollback';
  clearCache: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  steps: RenderDeployStatus[];
  logs: string[];
}

export interface FakeRenderService {
  id: string;
  name: string;
  ownerId: string;
  url: string;
  deploys: FakeRenderDeploy[];
  logs: { id: string; message: string; timestamp: string; deployId: string }[];
}

const id = (prefix: string) => `${prefix}-${randomBytes(10).toString('hex')}`;
const TERMINAL = new Set<RenderDeployStatus>(['live', 'deactivated', 'build_failed', 'update_failed', 'canceled', 'pre_deploy_failed']);

export class FakeRenderApi extends FakeHttpApi {
  readonly apiKeys = new Set(['rnd_fake_key']);
  readonly services = new Map<string, FakeRenderService>();
  deployBehaviour: (svc: FakeRenderService, deploy: FakeRenderDeploy) => RenderDeployBehaviour = () => ({});
  private clock = Date.now();

  protected readonly routes: ApiRoute[] = [
    ['GET', /^\/v1\/services\/([^/]+)$/, (r, m, res) => this.withService(r, res, m[1], (s) => this.send(res, r, 200, this.serviceBody(s)))],
    ['POST', /^\/v1\/services\/([^/]+)\/deploys$/, (r, m, res) => this.withService(r, res, m[1], (s) => this.trigger(r, res, s))],
    ['GET', /^\/v1\/services\/([^/]+)\/deploys\/([^/]+)$/, (r, m, res) => this.withDeploy(r, res, m[1], m[2], (s, d) => this.read(r, res, s, d))],
    ['POST', /^\/v1\/services\/([^/]+)\/deploys\/([^/]+)\/cancel$/, (r, m, res) => this.withDeploy(r, res, m[1], m[2], (s, d) => this.cancel(r, res, d))],
    ['POST', /^\/v1\/services\/([^/]+)\/rollback$/, (r, m, res) => this.withService(r, res, m[1], (s) => this.rollback(r, res, s))],
    ['GET', /^\/v1\/logs$/, (r, _m, res) => this.listLogs(r, res)],
  ];

  addService(name: string): FakeRenderService {
    const svc: FakeRenderService = { id: id('srv'), name, ownerId: id('tea'), url: `https://${name}.onrender.com`, deploys: [], logs: [] };
    this.services.set(svc.id, svc);
    return svc;
  }

  protected authenticate(rec: RecordedApiRequest, res: ServerResponse): boolean {
    const m = /^Bearer (.+)$/.exec(String(rec.headers.authorization ?? ''));
    if (m && this.apiKeys.has(m[1])) return true;
    this.sendError(res, rec, { status: 401, message: 'unauthorized' });
    return false;
  }

  protected sendError(res: ServerResponse, rec: RecordedApiRequest, f: Omit<ApiFailure, 'path'>): void {
    const limit: Record<string, string> = f.status === 429 ? { 'Ratelimit-Limit': '30', 'Ratelimit-Remaining': '0' } : {};
    this.send(res, rec, f.status, { id: f.code ?? String(f.status), message: f.message }, { ...limit, ...f.headers });
  }

  // each answer a second on: log timestamps and startTime order strictly
  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  private withService(rec: RecordedApiRequest, res: ServerResponse, serviceId: string, then: (s: FakeRenderService) => void): void {
    const svc = this.services.get(serviceId);
    if (!svc) return this.sendError(res, rec, { status: 404, code: 'not_found', message: 'service not found' });
    then(svc);
  }

  private withDeploy(rec: RecordedApiRequest, res: ServerResponse, serviceId: string, deployId: string, then: (s: FakeRenderService, d: FakeRenderDeploy) => void): void {
    this.withService(rec, res, serviceId, (svc) => {
      const d = svc.deploys.find((x) => x.id === deployId);
      if (!d) return this.sendError(res, rec, { status: 404, code: 'not_found', message: 'deploy not found' });
      then(svc, d);
    });
  }

  private serviceBody(s: FakeRenderService) {
    return { id: s.id, name: s.name, ownerId: s.ownerId, type: 'web_service', suspended: 'not_suspended', autoDeploy: 'yes', branch: 'main', serviceDetails: { url: s.url, env: 'node', plan: 'starter', region: 'frankfurt' } };
  }

  private deployBody(d: FakeRenderDeploy) {
    return { id: d.id, commit: d.commit, image: d.image, status: d.status, trigger: d.trigger, createdAt: d.createdAt, updatedAt: d.updatedAt, ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}) };
  }

  private begin(svc: FakeRenderService, d: Omit<FakeRenderDeploy, 'steps' | 'logs'>): FakeRenderDeploy {
    const deploy = { ...d, steps: [], logs: [] } as FakeRenderDeploy;
    const b = this.deployBehaviour(svc, deploy);
    deploy.steps = [...(b.steps ?? ['build_in_progress', 'update_in_progress', 'live'])];
    deploy.logs = [...(b.logs ?? [`==> Cloning from https://github.com/acme/${svc.name}`, '==> Running build command \'npm install; npm run build\'...', '==> Build successful 🎉'])];
    svc.deploys.unshift(deploy);
    return deploy;
  }

  private trigger(rec: RecordedApiRequest, res: ServerResponse, svc: FakeRenderService): void {
    const body = (rec.body ?? {}) as { clearCache?: string; commitId?: string; imageUrl?: string };
    const clearCache = body.clearCache ?? 'do_not_clear';
    if (clearCache !== 'clear' && clearCache !== 'do_not_clear') return this.sendError(res, rec, { status: 400, code: 'bad_request', message: 'clearCache must be one of [clear do_not_clear]' });
    if (body.commitId !== undefined && !/^[0-9a-f]{7,40}$/.test(body.commitId)) return this.sendError(res, rec, { status: 400, code: 'bad_request', message: `commit ${body.commitId} not found` });
    const at = this.now();
    const d = this.begin(svc, {
      id: id('dep'),
      commit: body.imageUrl ? undefined : { id: body.commitId ?? 'f'.repeat(40), message: 'deploy', createdAt: at },
      image: body.imageUrl ? { ref: body.imageUrl } : undefined,
      status: 'created',
      trigger: 'api',
      clearCache,
      createdAt: at,
      updatedAt: at,
    });
    this.send(res, rec, 201, this.deployBody(d));
  }

  // each read moves a deploy one step on, its build lines written while it builds
  private read(rec: RecordedApiRequest, res: ServerResponse, svc: FakeRenderService, d: FakeRenderDeploy): void {
    if (!TERMINAL.has(d.status) && d.steps.length) {
      d.status = d.steps.length > 1 ? d.steps.shift()! : d.steps[0];
      d.updatedAt = this.now();
      if (d.status === 'build_in_progress' || TERMINAL.has(d.status)) {
        for (const message of d.logs.splice(0)) svc.logs.push({ id: id('log'), message, timestamp: this.now(), deployId: d.id });
      }
      if (TERMINAL.has(d.status)) d.finishedAt = d.updatedAt;
      if (d.status === 'live') for (const other of svc.deploys) if (other !== d && other.status === 'live') other.status = 'deactivated';
    }
    this.send(res, rec, 200, this.deployBody(d));
  }

  private cancel(rec: RecordedApiRequest, res: ServerResponse, d: FakeRenderDeploy): void {
    if (TERMINAL.has(d.status)) return this.sendError(res, rec, { status: 409, code: 'conflict', message: `deploy is ${d.status} and cannot be canceled` });
    d.status = 'canceled';
    d.finishedAt = d.updatedAt = this.now();
    this.send(res, rec, 200, this.deployBody(d));
  }

  private rollback(rec: RecordedApiRequest, res: ServerResponse, svc: FakeRenderService): void {
    const target = svc.deploys.find((x) => x.id === (rec.body as { deployId?: string } | undefined)?.deployId);
    if (!target) return this.sendError(res, rec, { status: 404, code: 'not_found', message: 'deploy not found' });
    if (!['live', 'deactivated'].includes(target.status)) return this.sendError(res, rec, { status: 400, code: 'bad_request', message: `cannot roll back to a deploy that is ${target.status}` });
    const at = this.now();
    const d = this.begin(svc, { id: id('dep'), commit: target.commit, image: target.image, status: 'created', trigger: 'rollback', clearCache: 'do_not_clear', createdAt: at, updatedAt: at });
    d.steps = d.steps.filter((s) => s !== 'build_in_progress');
    d.logs = [];
    this.send(res, rec, 201, this.deployBody(d));
  }

  private listLogs(rec: RecordedApiRequest, res: ServerResponse): void {
    const q = rec.query;
    const svc = this.services.get(q.resource ?? '');
    if (!q.ownerId) return this.sendError(res, rec, { status: 400, code: 'bad_request', message: 'ownerId is required' });
    if (!svc || svc.ownerId !== q.ownerId) return this.sendError(res, rec, { status: 404, code: 'not_found', message: 'resource not found' });
    if (q.type && q.type !== 'build') return this.send(res, rec, 200, { hasMore: false, logs: [] });
    const limit = Math.min(Number(q.limit ?? 20), 100);
    const from = q.startTime ? Date.parse(q.startTime) : 0;
    const matching = svc.logs.filter((l) => Date.parse(l.timestamp) >= from);
    const page = matching.slice(0, limit);
    const more = matching.length > limit;
    this.send(res, rec, 200, {
      hasMore: more,
      ...(more ? { nextStartTime: matching[limit].timestamp, nextEndTime: q.endTime ?? new Date(this.clock).toISOString() } : {}),
      logs: page.map((l) => ({ id: l.id, message: l.message, timestamp: l.timestamp, labels: [{ name: 'resource', value: svc.id }, { name: 'type', value: 'build' }, { name: 'level', value: 'info' }] })),
    });
  }
}

export const startFakeRenderApi = (): Promise<FakeRenderApi> => new FakeRenderApi().start();
