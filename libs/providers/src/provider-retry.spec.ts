import { ErrorCode } from '@flightdeck/contracts';
import { ProviderError, providerErrorOf, retryAfterMs } from './provider-error';
import { withProviderRetry } from './provider-retry';

describe('provider errors', () => {
  it('maps an HTTP answer to deployment/provider-error with the platform message, request id and whether it may be retried', () => {
    const e = providerErrorOf('vercel', { status: 503, statusText: 'Service Unavailable', headers: new Headers({ 'x-request-id': 'req-42', 'retry-after': '2' }) }, '{"error":{"message":"down for maintenance"}}');
    expect(e).toMatchObject({ code: ErrorCode.DeploymentProviderError, provider: 'vercel', retryable: true, details: { status: 503, requestId: 'req-42', retryAfterMs: 2000 } });
    expect(e.message).toBe('vercel: HTTP 503 Service Unavailable: down for maintenance (request id req-42)');
    expect(providerErrorOf('x', { status: 401, headers: {} }, 'bad token').retryable).toBe(false);
    expect(providerErrorOf('x', { status: 429, headers: {} }, '').retryable).toBe(true);
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMs({ 'retry-after': '9999' }, now)).toBe(120_000);
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});

describe('withProviderRetry', () => {
  const failing = (errors: Error[]) => {
    const calls: number[] = [];
    const fn = async (attempt: number) => {
      calls.push(Date.now());
      const e = errors[attempt - 1];
      if (e) throw e;
      return `ok after ${attempt}`;
    };
    return { fn, calls };
  };
  const outage = (retryAfter?: number) => new ProviderError('p', 'HTTP 502', { status: 502, retryable: true, retryAfterMs: retryAfter });

  it('retries what is retryable with exponential backoff, and tells each retry', async () => {
    const { fn, calls } = failing([outage(), outage()]);
    const told: number[] = [];
    await expect(withProviderRetry(fn, { attempts: 3, baseDelayMs: 40, onRetry: (_e, n, wait) => told.push(n, wait) })).resolves.toBe('ok after 3');
    expect(told).toEqual([2, 40, 3, 80]);
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(35);
    expect(calls[2] - calls[1]).toBeGreaterThanOrEqual(75);
  });

  it('waits at least what Retry-After asks', async () => {
    const { fn, calls } = failing([outage(300)]);
    await withProviderRetry(fn, { baseDelayMs: 10 });
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(290);
  });

  it('throws at once what is not retryable, and the last error after the last attempt', async () => {
    const auth = new ProviderError('p', 'HTTP 401: bad credentials', { status: 401 });
    const a = failing([auth]);
    await expect(withProviderRetry(a.fn, { baseDelayMs: 1 })).rejects.toBe(auth);
    expect(a.calls).toHaveLength(1);
    const last = outage();
    const b = failing([outage(), outage(), last]);
    await expect(withProviderRetry(b.fn, { attempts: 3, baseDelayMs: 1 })).rejects.toBe(last);
    expect(b.calls).toHaveLength(3);
    const plain = failing([new Error('a bug')]);
    await expect(withProviderRetry(plain.fn, { baseDelayMs: 1 })).rejects.toThrow('a bug');
    expect(plain.calls).toHaveLength(1);
  });

  it('stops retrying once aborted', async () => {
    const ac = new AbortController();
    const { fn, calls } = failing([outage(), outage()]);
    await expect(withProviderRetry(fn, { baseDelayMs: 1, signal: ac.signal, onRetry: () => ac.abort() })).rejects.toThrow('HTTP 502');
    expect(calls).toHaveLength(1);
  });
});
