import { ErrorCode, type Result, err } from '@flightdeck/contracts';

export interface RateLimitVerdict {
  allowed: boolean;
  /** when refused: seconds until the oldest trigger of the window leaves it */
  retryAfterSeconds: number;
}

/** pure: the triggers of the last minute (their ages in seconds, by the database's clock) against the limit */
export function rateVerdict(agesSeconds: number[], perMinute: number): RateLimitVerdict {
  if (agesSeconds.length < perMinute) return { allowed: true, retryAfterSeconds: 0 };
  const oldest = Math.max(...agesSeconds);
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(60 - oldest)) };
}

// At most `perMinute` triggers per project in any sliding minute, decided in Postgres so that every
// replica counts the same rows: the trigger takes a transaction-scoped advisory lock per project
// (DeploymentsRepository.lockForTrigger) before it reads the ages (triggerSnapshot, by the
// database's clock, not the replica's; rollbacks do not count: they are how a user gets out of
// trouble), so the count and the insert that follows are serialised.
export function triggerRateVerdict(projectId: string, recentAgesSeconds: number[], perMinute: number): Result<void> {
  const verdict = rateVerdict(recentAgesSeconds, perMinute);
  if (verdict.allowed) return { ok: true, data: undefined };
  return err(
    ErrorCode.RateLimited,
    `project ${projectId} triggered ${recentAgesSeconds.length} deployments in the last minute (at most ${perMinute}); try again in ${verdict.retryAfterSeconds} s`,
    { retryAfterSeconds: verdict.retryAfterSeconds, limitPerMinute: perMinute },
  );
}
