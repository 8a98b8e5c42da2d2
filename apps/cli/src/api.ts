import {
  type ApiTokenView,
  type Caller,
  type ClientToServerEvents,
  type CreatedToken,
  DEPLOYMENTS_NAMESPACE,
  type Deployment,
  type Environment,
  type ErrorBody,
  type LogLine,
  type Project,
  type ProjectMember,
  type Result,
  type ServerToClientEvents,
  type User,
} from '@flightdeck/contracts';
import { io, type Socket } from 'socket.io-client';

type Query = Record<string, string | number | boolean | undefined>;
interface CallOptions {
  query?: Query;
  body?: unknown;
  /** sent as is with content-type text/plain (a .env file) */
  text?: string;
  headers?: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  total?: number;
  hasMore?: boolean;
}
export interface Variable {
  key: string;
  value: string | null;
  sensitive: boolean;
  target?: string;
  level?: string;
  updatedAt?: string;
}
export interface ImportReport {
  applied: boolean;
  added: number;
  changed: number;
  unchanged: number;
  refused: number;
  malformed: number;
  lines: { line: number; key?: string; outcome: string; message?: string }[];
}
export interface FollowHandlers {
  line(l: LogLine): void;
  status(d: Deployment): void;
}

/** thrown by `must`: an API error, printed as `error <code>: <message>` by the program */
export class ApiFailure extends Error {
  constructor(readonly error: ErrorBody) {
    super(`${error.code}: ${error.message}`);
  }
}

export const must = async <T>(r: Promise<Result<T>>): Promise<T> => {
  const res = await r;
  if (!res.ok) throw new ApiFailure(res.error);
  return res.data;
};

const enc = encodeURIComponent;

// The gateway's REST routes and live log as Result values: what each command of the CLI calls.
export class FlightdeckApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T>(method: string, path: string, o: CallOptions = {}): Promise<Result<T>> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) qs.append(k, String(v));
    const url = `${this.baseUrl}/api/v1${path}${qs.size ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(o.headers ?? {}) };
    let body: string | undefined;
    if (o.text !== undefined) {
      body = o.text;
      headers['content-type'] = 'text/plain';
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(30_000) });
      text = await res.text();
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : (e as Error).message;
      return { ok: false, error: { code: 'service/unavailable', message: `cannot reach the gateway at ${this.baseUrl} (${cause})`, details: { unreached: true } } };
    }
    let data: unknown = text;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: a proxy's page, a text route
    }
    if (res.ok) return { ok: true, data: data as T };
    const error = (data as { error?: ErrorBody } | undefined)?.error;
    return { ok: false, error: error?.code ? error : ({ code: res.status === 401 ? 'auth/unauthenticated' : 'http/not-found', message: `HTTP ${res.status}` } as ErrorBody) };
  }

  me = () => this.call<Caller>('GET', '/me');

  listProjects = () => this.call<Page<Project>>('GET', '/projects');
  createProject = (body: { name: string; repositoryUrl: string; defaultBranch?: string }) => this.call<Project>('POST', '/projects', { body });

  listEnvironments = (projectId: string) => this.call<Page<Environment>>('GET', `/projects/${enc(projectId)}/environments`);
  createEnvironment = (projectId: string, body: { name: string; type: string; isDefault?: boolean }) =>
    this.call<Environment>('POST', `/projects/${enc(projectId)}/environments`, { body });

  /** an environment's variables, or the project's shared ones (environmentId undefined) */
  listVariables = (scope: VariableScope, effective = false) =>
    this.call<Page<Variable>>('GET', `${scopePath(scope)}/variables`, { query: { effective: effective || undefined } });
  setVariable = (scope: VariableScope, key: string, body: { value: string; sensitive?: boolean; target?: string }) =>
    this.call<Variable>('PUT', `${scopePath(scope)}/variables/${enc(key)}`, { body });
  importVariables = (scope: VariableScope, dotenv: string, query: { partial?: boolean; sensitive?: boolean; target?: string }) =>
    this.call<ImportReport>('POST', `${scopePath(scope)}/variables/import`, { text: dotenv, query });

  triggerDeployment = (projectId: string, body: Record<string, unknown>, idempotencyKey?: string) =>
    this.call<Deployment>('POST', `/projects/${enc(projectId)}/deployments`, { body, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
  listDeployments = (projectId: string, query: { limit?: number; offset?: number; status?: string }) =>
    this.call<Page<Deployment>>('GET', `/projects/${enc(projectId)}/deployments`, { query });
  getDeployment = (id: string) => this.call<Deployment>('GET', `/deployments/${enc(id)}`);
  cancelDeployment = (id: string) => this.call<Deployment>('POST', `/deployments/${enc(id)}/cancel`, { body: {} });
  retryDeployment = (id: string) => this.call<Deployment>('POST', `/deployments/${enc(id)}/retry`, { body: {} });
  rollback = (id: string, targetDeploymentId?: string) =>
    this.call<Deployment>('POST', `/deployments/${enc(id)}/rollback`, { body: targetDeploymentId ? { targetDeploymentId } : {} });
  getLogs = (id: string, query: { afterSeq?: number; limit?: number; tail?: number }) =>
    this.call<{ items: LogLine[]; lastSeq: number }>('GET', `/deployments/${enc(id)}/logs`, { query });

  listTokens = () => this.call<Page<ApiTokenView>>('GET', '/tokens');
  createToken = (body: { name: string; scopes: string[]; expiresInDays?: number; userId?: string }) => this.call<CreatedToken>('POST', '/tokens', { body });
  revokeToken = (id: string) => this.call<ApiTokenView>('DELETE', `/tokens/${enc(id)}`);

  listUsers = () => this.call<Page<User>>('GET', '/users');
  listMembers = (projectId: string) => this.call<Page<ProjectMember>>('GET', `/projects/${enc(projectId)}/members`);
  setMember = (projectId: string, userId: string, role: string) =>
    this.call<ProjectMember>('PUT', `/projects/${enc(projectId)}/members/${enc(userId)}`, { body: { role } });
  removeMember = (projectId: string, userId: string) => this.call<unknown>('DELETE', `/projects/${enc(projectId)}/members/${enc(userId)}`);

  /**
   * The deployment's log from afterSeq on, live, in order, each line once, until it ends: the
   * deployment as it ended. Lines a slow reader was skipped past (`gap`) are read from storage.
   */
  follow(deploymentId: string, afterSeq: number, on: FollowHandlers, signal?: AbortSignal): Promise<Result<Deployment>> {
    return new Promise((resolve) => {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${this.baseUrl}${DEPLOYMENTS_NAMESPACE}`, {
        auth: { token: this.token },
        transports: ['websocket'],
      });
      let lastSeq = afterSeq;
      // lines are handled one batch after another, so that a gap's read stays in order
      let chain = Promise.resolve();
      let settled = false;
      const done = (r: Result<Deployment>) => {
        if (settled) return;
        settled = true;
        socket.close();
        resolve(r);
      };
      const show = (lines: LogLine[]) => {
        for (const l of lines) {
          if (l.seq <= lastSeq) continue;
          lastSeq = l.seq;
          on.line(l);
        }
      };
      const readStored = async (toSeq: number) => {
        while (lastSeq < toSeq) {
          const r = await this.getLogs(deploymentId, { afterSeq: lastSeq, limit: 5000 });
          if (!r.ok || !r.data.items.length) return;
          show(r.data.items.filter((l) => l.seq <= toSeq));
        }
      };
      // given up on (--timeout): the deployment as it is now, not ended
      signal?.addEventListener('abort', () => void this.getDeployment(deploymentId).then(done), { once: true });
      socket.on('connect_error', (e) => done({ ok: false, error: { code: 'service/unavailable', message: `live log: ${e.message}` } }));
      socket.on('connect', () =>
        socket.emit('subscribe', { deploymentId, afterSeq: lastSeq }, (ack) => {
          if (!ack.ok) done({ ok: false, error: ack.error as ErrorBody });
        }),
      );
      socket.on('logs', (p) => void (chain = chain.then(() => show(p.lines))));
      socket.on('gap', (g) => void (chain = chain.then(() => readStored(g.toSeq))));
      socket.on('status', (p) => void (chain = chain.then(() => on.status(p.deployment))));
      // socket.io reconnects by itself after a lost connection, not after the server closed it
      socket.on('disconnect', (reason) => {
        if (reason === 'io server disconnect') socket.connect();
      });
      socket.on('end', (p) => {
        chain = chain.then(async () => {
          await readStored(p.lastSeq);
          done(await this.getDeployment(deploymentId));
        });
      });
    });
  }
}

/** variables of an environment, or the project-wide ones */
export type VariableScope = { environmentId: string } | { projectId: string };
const scopePath = (s: VariableScope) => ('environmentId' in s ? `/environments/${enc(s.environmentId)}` : `/projects/${enc(s.projectId)}`);
