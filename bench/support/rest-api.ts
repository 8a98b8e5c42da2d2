import type { Deployment, ErrorBody, Project } from '@flightdeck/contracts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(`${body.code}: ${body.message}`);
  }
}

// The REST API at its thinnest (fetch, JSON, throws on an error): what the benchmarks time, with as
// little client work as possible between them and the gateway. Users have @flightdeck/client.
export class RestApi {
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

  createProject(body: { name: string; repositoryUrl: string; defaultBranch?: string }) {
    return this.request<Project>('POST', '/projects', body).then((r) => r.data);
  }

  triggerDeployment(projectId: string, body: { sourceRef: string; environmentId?: string; message?: string; force?: boolean; skipValidation?: boolean }, idempotencyKey?: string) {
    return this.request<Deployment>('POST', `/projects/${projectId}/deployments`, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}).then((r) => r.data);
  }

  getDeployment(id: string) {
    return this.request<Deployment>('GET', `/deployments/${id}`).then((r) => r.data);
  }
}
