import { autoRetryPlan } from './auto-retry';

const settings = { maxRetries: 2, baseDelayMs: 5_000 };
const now = new Date('2026-12-01T00:00:00Z');

describe('autoRetryPlan', () => {
  it('retries a temporary failure with exponential backoff, up to the limit', () => {
    expect(autoRetryPlan({ code: 'deployment/source-unavailable', retryCount: 0, trigger: 'api' }, settings, now)).toEqual({
      retry: 1,
      at: new Date('2026-12-01T00:00:05Z'),
    });
    expect(autoRetryPlan({ code: 'deployment/provider-error', retryCount: 1, trigger: 'api' }, settings, now)).toEqual({
      retry: 2,
      at: new Date('2026-12-01T00:00:10Z'),
    });
    expect(autoRetryPlan({ code: 'deployment/source-unavailable', retryCount: 2, trigger: 'api' }, settings, now)).toBeUndefined();
  });

  it('never retries what the user must fix, a timeout, a rate limit or a rollback', () => {
    for (const code of ['deployment/build-failed', 'deployment/invalid-source-ref', 'deployment/timeout', 'deployment/rate-limited']) {
      expect([code, autoRetryPlan({ code, retryCount: 0, trigger: 'api' }, settings, now)]).toEqual([code, undefined]);
    }
    expect(autoRetryPlan({ code: 'deployment/source-unavailable', retryCount: 0, trigger: 'rollback' }, settings, now)).toBeUndefined();
  });

  it('does nothing when turned off', () => {
    expect(autoRetryPlan({ code: 'deployment/source-unavailable', retryCount: 0, trigger: 'api' }, { ...settings, maxRetries: 0 }, now)).toBeUndefined();
  });
});
