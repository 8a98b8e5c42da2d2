import { type ErrorCode, classifyError } from '@flightdeck/contracts';

export interface AutoRetrySettings {
  /** retries of one deployment's chain; 0: none */
  maxRetries: number;
  /** the first retry waits this long, each next one twice as long */
  baseDelayMs: number;
}

export interface AutoRetryPlan {
  /** which retry of the chain this will be (1, 2, ...) */
  retry: number;
  at: Date;
}

// A failure that may pass by itself (a clone that hit the network, a provider that did not answer:
// the catalog's `temporary` errors) is tried again, with exponential backoff, a bounded number of
// times. A rate limit or a timeout is temporary too but retrying it automatically would make it worse.
const NEVER_AUTOMATICALLY: readonly string[] = ['deployment/rate-limited', 'deployment/timeout', 'deployment/already-running'];

export function autoRetryPlan(
  failure: { code: ErrorCode | string; retryCount: number; trigger: string },
  settings: AutoRetrySettings,
  now: Date,
): AutoRetryPlan | undefined {
  if (failure.trigger === 'rollback' || NEVER_AUTOMATICALLY.includes(failure.code)) return undefined;
  if (classifyError(failure.code).severity !== 'temporary') return undefined;
  if (failure.retryCount >= settings.maxRetries) return undefined;
  const retry = failure.retryCount + 1;
  return { retry, at: new Date(now.getTime() + settings.baseDelayMs * 2 ** failure.retryCount) };
}
