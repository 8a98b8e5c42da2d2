import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'node:http';
import { ReleaseFailedError } from './release-provider';

const POLL_MS = 200;
const PROBE_TIMEOUT_MS = 2_000;
// an app told HOST=127.0.0.1 may still bind "localhost", which resolves to ::1 on some machines
const LOOPBACKS = ['127.0.0.1', '::1'] as const;

export interface HealthCheck {
  port: number;
  path: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** why the process can no longer become healthy (it exited), if so */
  failure: () => string | undefined;
}

export const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))}s`;

/** GET path once: its status, or undefined when nothing answered in time */
export function probe(host: string, port: number, path: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', timeout: timeoutMs, headers: { host: `localhost:${port}`, 'user-agent': 'flightdeck-health-check' } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
    req.end();
  });
}

// Polls GET <path> until it answers below 500; resolves with the loopback address that answered.
export async function waitUntilHealthy(c: HealthCheck): Promise<string> {
  const deadline = Date.now() + c.timeoutMs;
  let lastStatus: number | undefined;
  for (;;) {
    if (c.signal?.aborted) throw new ReleaseFailedError('the release was canceled', 'canceled during its health check');
    const failed = c.failure();
    if (failed) throw new ReleaseFailedError('the new release did not become healthy', failed);
    for (const host of LOOPBACKS) {
      const status = await probe(host, c.port, c.path, Math.max(100, Math.min(PROBE_TIMEOUT_MS, deadline - Date.now())));
      if (status !== undefined && status < 500) return host;
      if (status !== undefined) {
        lastStatus = status;
        break;
      }
    }
    if (Date.now() >= deadline) {
      const within = seconds(c.timeoutMs);
      const reason = lastStatus
        ? `health check: GET ${c.path} answered ${lastStatus} until the ${within} ran out`
        : `health check: no answer on ${c.path} within ${within}`;
      throw new ReleaseFailedError('the new release did not become healthy', reason);
    }
    await sleep(POLL_MS);
  }
}
