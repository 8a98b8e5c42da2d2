import {
  type ClientToServerEvents,
  DEPLOYMENTS_NAMESPACE,
  type Deployment,
  type ErrorBody,
  type Environment,
  type Project,
  type ServerToClientEvents,
} from '@flightdeck/contracts';
import { io, type Socket } from 'socket.io-client';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(`${body.code}: ${body.message}`);
  }
}

// The REST + Socket.IO API as a typed client: what the CLI (and later the SDK) is built on.
export class FlightdeckClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; data: T }> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new Error(`cannot reach the gateway at ${this.baseUrl} (${(e as Error).message}): is \`npm start\` running?`);
    }
    const text = await res.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ApiError(res.status, data?.error ?? { code: 'http/error', message: `HTTP ${res.status}` });
    return { status: res.status, data: data as T };
  }

  listProjects() {
    return this.request<{ items: Project[] }>('GET', '/projects').then((r) => r.data.items);
  }

  createProject(body: { name: string; repositoryUrl: string; defaultBranch?: string }) {
    return this.request<Project>('POST', '/projects', body).then((r) => r.data);
  }

  listEnvironments(projectId: string) {
    return this.request<{ items: Environment[] }>('GET', `/projects/${projectId}/environments`).then((r) => r.data.items);
  }

  triggerDeployment(projectId: string, body: { sourceRef: string; environmentId?: string; message?: string; force?: boolean; skipValidation?: boolean }, idempotencyKey?: string) {
    return this.request<Deployment>('POST', `/projects/${projectId}/deployments`, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}).then((r) => r.data);
  }

  getDeployment(id: string) {
    return this.request<Deployment>('GET', `/deployments/${id}`).then((r) => r.data);
  }

  rollback(id: string, targetDeploymentId?: string) {
    return this.request<Deployment>('POST', `/deployments/${id}/rollback`, targetDeploymentId ? { targetDeploymentId } : {}).then((r) => r.data);
  }

  /** the /deployments namespace, authenticated; subscribe with `follow` */
  connect(): Socket<ServerToClientEvents, ClientToServerEvents> {
    return io(`${this.baseUrl}${DEPLOYMENTS_NAMESPACE}`, { auth: { token: this.token }, transports: ['websocket'] });
  }
}
