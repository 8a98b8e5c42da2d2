import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type ApiFailure, type ApiRoute, FakeHttpApi, type RecordedApiRequest } from '../fake-http-api';
import { GraphQLError, type Operation, type Selection, parseOperation, project } from './graphql-document';

// A local stand-in for Railway's public GraphQL API (POST /graphql/v2, Bearer token), for what the
// railway provider uses, as Railway's API reference names them: mutations serviceInstanceDeployV2
// (serviceId, environmentId, commitSha) -> the deployment's id, deploymentRollback(id),
// deploymentCancel(id), deploymentRedeploy(id); queries serviceInstance(serviceId, environmentId),
// deployment(id) {id status url staticUrl createdAt meta}, deployments(input, first) (a connection,
// newest first), buildLogs / deploymentLogs(deploymentId, limit, startDate) {message timestamp
// severity}. Statuses QUEUED -> BUILDING -> DEPLOYING -> SUCCESS, or FAILED | CRASHED; the
// deployment a new one replaces becomes REMOVED. Failures come as GraphQL `errors` (HTTP 200, Not
// Authorized included); a 429 carries Retry-After; every answer has an x-request-id.

export type RailwayStatus = 'QUEUED' | 'WAITING' | 'INITIALIZING' | 'BUILDING' | 'DEPLOYING' | 'SUCCESS' | 'FAILED' | 'CRASHED' | 'REMOVED' | 'REMOVING' | 'SKIPPED' | 'SLEEPING';

export interface RailwayDeployBehaviour {
  /** the statuses each next read shows; the last stays (default BUILDING, DEPLOYING, SUCCESS) */
  steps?: RailwayStatus[];
  buildLogs?: string[];
  deployLogs?: string[];
}

export interface FakeRailwayDeployment {
  id: string;
  serviceId: string;
  environmentId: string;
  status: RailwayStatus;
  commitSha?: string;
  createdAt: string;
  staticUrl: string;
  steps: RailwayStatus[];
  pendingBuildLogs: string[];
  buildLogs: { message: string; timestamp: string; severity: string }[];
  deployLogs: { message: string; timestamp: string; severity: string }[];
  pendingDeployLogs: string[];
}

const TERMINAL = new Set<RailwayStatus>(['SUCCESS', 'FAILED', 'CRASHED', 'REMOVED', 'SKIPPED', 'SLEEPING']);

export class FakeRailwayApi extends FakeHttpApi {
  readonly tokens = new Set(['railway-fake-token']);
  readonly services = new Map<string, { serviceId: string; environmentId: string; name: string; domain: string }>();
  readonly deployments: FakeRailwayDeployment[] = [];
  deployBehaviour: (d: FakeRailwayDeployment) => RailwayDeployBehaviour = () => ({});
  private clock = Date.now();

  protected readonly routes: ApiRoute[] = [['POST', /^\/graphql\/v2$/, (rec, _m, res) => this.graphql(rec, res)]];

  /** the root fields of a recorded request's operation */
  static fieldsOf(rec: RecordedApiRequest): string[] {
    const b = rec.body as { query?: string; variables?: Record<string, unknown> } | undefined;
    try {
      return parseOperation(b?.query ?? '', b?.variables).fields.map((f) => f.name);
    } catch {
      return [];
    }
  }

  calls(field: string): RecordedApiRequest[] {
    return this.requests.filter((r) => FakeRailwayApi.fieldsOf(r).includes(field));
  }

  addService(name: string): { serviceId: string; environmentId: string } {
    const s = { serviceId: randomUUID(), environmentId: randomUUID(), name, domain: `${name}-production.up.railway.app` };
    this.services.set(`${s.serviceId}/${s.environmentId}`, s);
    return s;
  }

  protected authenticate(rec: RecordedApiRequest, res: ServerResponse): boolean {
    const m = /^Bearer (.+)$/.exec(String(rec.headers.authorization ?? ''));
    if (m && this.tokens.has(m[1])) return true;
    this.sendError(res, rec, { status: 200, code: 'UNAUTHENTICATED', message: 'Not Authorized' });
    return false;
  }

  protected sendError(res: ServerResponse, rec: RecordedApiRequest, f: Omit<ApiFailure, 'path'>): void {
    this.send(res, rec, f.status, { errors: [{ message: f.message, extensions: { code: f.code ?? (f.status === 429 ? 'RATELIMITED' : 'INTERNAL_SERVER_ERROR') } }], data: null }, f.headers);
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  private graphql(rec: RecordedApiRequest, res: ServerResponse): void {
    const body = (rec.body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    let op: Operation;
    try {
      op = parseOperation(body.query ?? '', body.variables ?? {});
    } catch (e) {
      return this.send(res, rec, 400, { errors: [{ message: (e as Error).message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    }
    const data: Record<string, unknown> = {};
    const errors: unknown[] = [];
    for (const field of op.fields) {
      try {
        const [value, type] = this.resolve(op.kind, field);
        data[field.name] = project(value, field.selections, type);
      } catch (e) {
        if (!(e instanceof GraphQLError)) throw e;
        data[field.name] = null;
        errors.push({ message: e.message, path: [field.name], extensions: { code: e.message.startsWith('Cannot query') ? 'GRAPHQL_VALIDATION_FAILED' : 'INTERNAL_SERVER_ERROR' } });
      }
    }
    this.send(res, rec, 200, errors.length ? { errors, data } : { data });
  }

  private deployment(id: unknown): FakeRailwayDeployment {
    const d = this.deployments.find((x) => x.id === id);
    if (!d) throw new GraphQLError('Deployment not found');
    return d;
  }

  private body(d: FakeRailwayDeployment) {
    return { id: d.id, status: d.status, url: d.status === 'SUCCESS' ? `https://${d.staticUrl}` : null, staticUrl: d.staticUrl, createdAt: d.createdAt, serviceId: d.serviceId, environmentId: d.environmentId, canRollback: d.status === 'REMOVED' || d.status === 'SUCCESS', meta: { commitHash: d.commitSha ?? null } };
  }

  private begin(serviceId: string, environmentId: string, commitSha: string | undefined, rollback: boolean): FakeRailwayDeployment {
    const svc = this.services.get(`${serviceId}/${environmentId}`);
    if (!svc) throw new GraphQLError('ServiceInstance not found');
    const d: FakeRailwayDeployment = { id: randomUUID(), serviceId, environmentId, status: 'QUEUED', commitSha, createdAt: this.now(), staticUrl: svc.domain, steps: [], pendingBuildLogs: [], buildLogs: [], deployLogs: [], pendingDeployLogs: [] };
    const b = this.deployBehaviour(d);
    d.steps = [...(b.steps ?? (rollback ? ['DEPLOYING', 'SUCCESS'] : ['BUILDING', 'DEPLOYING', 'SUCCESS']))];
    d.pendingBuildLogs = rollback ? [] : [...(b.buildLogs ?? ['[nixpacks] setup nodejs_20', '[nixpacks] install npm ci', 'Build time: 12.3 seconds'])];
    d.pendingDeployLogs = [...(b.deployLogs ?? ['Server listening on :8080'])];
    this.deployments.unshift(d);
    return d;
  }

  // each read moves a deployment one step on; build lines while it builds, its own lines once it runs
  private advance(d: FakeRailwayDeployment): void {
    if (TERMINAL.has(d.status) || !d.steps.length) return;
    d.status = d.steps.length > 1 ? d.steps.shift()! : d.steps[0];
    const line = (message: string) => ({ message, timestamp: this.now(), severity: 'info' });
    if (d.status === 'BUILDING' || d.status === 'FAILED') d.buildLogs.push(...d.pendingBuildLogs.splice(0).map(line));
    if (d.status === 'SUCCESS' || d.status === 'CRASHED') d.deployLogs.push(...d.pendingDeployLogs.splice(0).map(line));
    if (d.status === 'SUCCESS') {
      for (const other of this.deployments) if (other !== d && other.serviceId === d.serviceId && other.environmentId === d.environmentId && other.status === 'SUCCESS') other.status = 'REMOVED';
    }
  }

  private resolve(kind: Operation['kind'], f: Selection): [unknown, string] {
    const a = f.args;
    const logs = (list: FakeRailwayDeployment['buildLogs']) => {
      const from = typeof a.startDate === 'string' ? Date.parse(a.startDate) : 0;
      return list.filter((l) => Date.parse(l.timestamp) >= from).slice(-(Number(a.limit ?? 500)));
    };
    if (kind === 'mutation') {
      switch (f.name) {
        case 'serviceInstanceDeployV2':
          if (a.commitSha !== undefined && a.commitSha !== null && !/^[0-9a-f]{40}$/.test(String(a.commitSha))) throw new GraphQLError(`Commit ${String(a.commitSha)} not found`);
          return [this.begin(String(a.serviceId), String(a.environmentId), (a.commitSha as string | undefined) ?? undefined, false).id, 'String'];
        case 'deploymentRollback': {
          const to = this.deployment(a.id);
          if (to.status !== 'REMOVED' && to.status !== 'SUCCESS') throw new GraphQLError(`Cannot rollback to a deployment that is ${to.status}`);
          this.begin(to.serviceId, to.environmentId, to.commitSha, true);
          return [true, 'Boolean'];
        }
        case 'deploymentCancel': {
          const d = this.deployment(a.id);
          if (TERMINAL.has(d.status)) throw new GraphQLError(`Deployment is ${d.status}`);
          d.status = 'REMOVED';
          return [true, 'Boolean'];
        }
      }
      throw new GraphQLError(`Cannot query field "${f.name}" on type "Mutation".`);
    }
    switch (f.name) {
      case 'serviceInstance': {
        const s = this.services.get(`${String(a.serviceId)}/${String(a.environmentId)}`);
        if (!s) throw new GraphQLError('ServiceInstance not found');
        return [{ id: randomUUID(), serviceId: s.serviceId, serviceName: s.name, environmentId: s.environmentId, domains: { serviceDomains: [{ domain: s.domain }] } }, 'ServiceInstance'];
      }
      case 'deployment': {
        const d = this.deployment(a.id);
        this.advance(d);
        return [this.body(d), 'Deployment'];
      }
      case 'deployments': {
        const input = (a.input ?? {}) as { serviceId?: string; environmentId?: string };
        const list = this.deployments.filter((d) => (!input.serviceId || d.serviceId === input.serviceId) && (!input.environmentId || d.environmentId === input.environmentId)).slice(0, Number(a.first ?? 10));
        return [{ edges: list.map((d) => ({ node: this.body(d), cursor: d.id })), pageInfo: { hasNextPage: false, endCursor: list.at(-1)?.id ?? null } }, 'DeploymentConnection'];
      }
      case 'buildLogs':
        return [logs(this.deployment(a.deploymentId).buildLogs), 'Log'];
      case 'deploymentLogs':
        return [logs(this.deployment(a.deploymentId).deployLogs), 'Log'];
    }
    throw new GraphQLError(`Cannot query field "${f.name}" on type "Query".`);
  }
}

export const startFakeRailwayApi = (): Promise<FakeRailwayApi> => new FakeRailwayApi().start();
