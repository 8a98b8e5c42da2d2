import { backOff } from 'exponential-backoff';
import { ProviderError } from './provider-error';

export interface RetryOptions {
  /** attempts in all (seed 001: 3 for uploads) */
  attempts?: number;
  /** the delay before the second attempt; each next one doubles, up to maxDelayMs */
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** told before each retry (the deployment's log) */
  onRetry?: (e: ProviderError, nextAttempt: number, waitMs: number) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * `fn` again with exponential backoff while it throws a retryable ProviderError (an outage, 5xx,
 * 429, a failed connection); anything else, or the last attempt's error, is thrown at once. When
 * the platform said how long to wait (Retry-After), that long is waited before the backoff's delay
 * runs (so at least as long as it asked). An aborted signal stops retrying.
 */
export const withProviderRetry = <T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> => {
  const { attempts = 3, baseDelayMs = 500, maxDelayMs = 30_000, signal, onRetry } = options;
  let attempt = 0;
  return backOff(() => fn(++attempt), {
    numOfAttempts: attempts,
    startingDelay: baseDelayMs,
    timeMultiple: 2,
    maxDelay: maxDelayMs,
    jitter: 'none',
    // called with the number of attempts made so far
    retry: async (e: unknown, made: number) => {
      if (made >= attempts || signal?.aborted || !(e instanceof ProviderError) || !e.retryable) return false;
      const backoff = Math.min(baseDelayMs * 2 ** (made - 1), maxDelayMs);
      const asked = e.details.retryAfterMs ?? 0;
      onRetry?.(e, made + 1, Math.max(asked, backoff));
      // the backoff's own delay follows this one: wait only what it does not cover
      await sleep(asked - backoff, signal);
      return !signal?.aborted;
    },
  });
};
