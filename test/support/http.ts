import type { Deployment } from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';

export { getWithHost } from '@flightdeck/testing';

export const hostOf = (url: string) => new URL(url).host;

export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response fields freely
  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

export const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 200): Promise<T> =>
  eventually(what, fn, { timeoutMs, intervalMs });

// Asks the API until the deployment has ended, and answers it as it ended.
export const deploymentEnded = (api: Api, id: string, timeoutMs = 180_000, intervalMs = 500): Promise<Deployment> =>
  until<Deployment>(
    `deployment ${id} to end`,
    async () => {
      const { body } = await api.call<Deployment>('GET', `/deployments/${id}`);
      return ['succeeded', 'failed', 'canceled', 'timeout'].includes(body.status) ? body : undefined;
    },
    timeoutMs,
    intervalMs,
  );
