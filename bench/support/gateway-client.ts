import { request } from 'node:http';
import type { Deployment, Environment, Project } from '@flightdeck/contracts';

export interface ApiReply<T> {
  status: number;
  body: T;
}

// The gateway's REST API as a user's script would call it; any non-2xx answer is an error.
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiReply<T>> {
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async createProject(name: string, repositoryUrl: string): Promise<{ project: Project; production: Environment }> {
    const project = (await this.call<Project>('POST', '/projects', { name, repositoryUrl })).body;
    const envs = (await this.call<{ items: Environment[] }>('GET', `/projects/${project.id}/environments`)).body.items;
    const production = envs.find((e) => e.name === 'production');
    if (!production) throw new Error(`project ${name} has no production environment`);
    return { project, production };
  }

  async trigger(projectId: string, sourceRef: string): Promise<Deployment> {
    return (await this.call<Deployment>('POST', `/projects/${projectId}/deployments`, { sourceRef })).body;
  }

  async deployment(id: string): Promise<Deployment> {
    return (await this.call<Deployment>('GET', `/deployments/${id}`)).body;
  }
}

// Node's fetch drops a custom Host header: the edge router is reached with node:http.
export const getWithHost = (port: number, host: string, path = '/', timeoutMs = 5_000): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
