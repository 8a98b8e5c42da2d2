import type { EntityManager } from 'typeorm';
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

// Rollbacks do not count: they are how a user gets out of trouble.
// At most `perMinute` triggers per project in any sliding minute, decided in Postgres so that every
// replica counts the same rows: a transaction-scoped advisory lock per project serialises the
// count and the insert that follows, and ages come from the database's clock, not the replica's.
export async function checkTriggerRate(tx: EntityManager, projectId: string, perMinute: number): Promise<Result<void>> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('trigger-rate:' || $1))`, [projectId]);
  const rows: { age: string }[] = await tx.query(
    `select extract(epoch from (now() - created_at)) as age
       from orchestrator.deployments
      where project_id = $1 and created_at > now() - interval '1 minute' and rollback_target_id is null`,
    [projectId],
  );
  const verdict = rateVerdict(rows.map((r) => Number(r.age)), perMinute);
  if (verdict.allowed) return { ok: true, data: undefined };
  return err(
    ErrorCode.RateLimited,
    `project ${projectId} triggered ${rows.length} deployments in the last minute (at most ${perMinute}); try again in ${verdict.retryAfterSeconds} s`,
    { retryAfterSeconds: verdict.retryAfterSeconds, limitPerMinute: perMinute },
  );
}
