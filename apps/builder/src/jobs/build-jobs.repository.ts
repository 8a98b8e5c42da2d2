import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Artifact, DeployJob } from '@flightdeck/contracts';

export type JobStatus = 'running' | 'succeeded' | 'failed' | 'canceled';

export interface StaleJob {
  deploymentId: string;
  attempt: number;
  step: string | null;
  lastSeq: number;
  instanceId: string | null;
}

type Db = DataSource | EntityManager;

// TypeORM answers an UPDATE ... RETURNING with [rows, affected], an INSERT or SELECT with rows.
async function returning<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  const res: unknown = await db.query(sql, params);
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0] as T[];
  return res as T[];
}

// The only code that knows the builder.build_jobs table: one row per deployment attempt this
// builder tier took, or was told to skip before it arrived.
@Injectable()
export class BuildJobsRepository {
  /** false when the attempt was already taken (or canceled) by any replica */
  async claim(tx: EntityManager, job: DeployJob, instanceId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `insert into builder.build_jobs (deployment_id, attempt, kind, status, job, instance_id, heartbeat_at)
       values ($1, $2, $3, 'running', $4, $5, now())
       on conflict (deployment_id, attempt) do nothing returning 1`,
      [job.deploymentId, job.attempt, job.kind, JSON.stringify(job), instanceId],
    );
    return rows.length === 1;
  }

  /** keeps the job alive for the stale-job sweeper; true when a cancel was recorded for it */
  async heartbeat(db: Db, deploymentId: string, attempt: number, instanceId: string, step: string, lastSeq: number): Promise<boolean> {
    const rows = await returning<{ cancel_requested_at: Date | null }>(
      db,
      `update builder.build_jobs set heartbeat_at = now(), step = $4, last_seq = greatest(last_seq, $5)
       where deployment_id = $1 and attempt = $2 and instance_id = $3 and status = 'running'
       returning cancel_requested_at`,
      [deploymentId, attempt, instanceId, step, lastSeq],
    );
    return rows.some((r) => r.cancel_requested_at !== null);
  }

  async setStep(tx: EntityManager, deploymentId: string, attempt: number, step: string): Promise<void> {
    await tx.query(`update builder.build_jobs set step = $3 where deployment_id = $1 and attempt = $2`, [deploymentId, attempt, step]);
  }

  /** ends the job if this instance still owns it; false when someone else already ended it */
  async finish(
    tx: EntityManager,
    key: { deploymentId: string; attempt: number; instanceId: string },
    end: { status: Exclude<JobStatus, 'running'>; lastSeq: number; errorCode?: string; artifact?: Artifact },
  ): Promise<boolean> {
    const rows = await returning(
      tx,
      `update builder.build_jobs
       set status = $4, last_seq = greatest(last_seq, $5), error_code = $6, artifact = $7, finished_at = now()
       where deployment_id = $1 and attempt = $2 and instance_id = $3 and status = 'running' returning 1`,
      [key.deploymentId, key.attempt, key.instanceId, end.status, end.lastSeq, end.errorCode ?? null, end.artifact ? JSON.stringify(end.artifact) : null],
    );
    return rows.length === 1;
  }

  /**
   * Records a cancel: on a running job it is seen by its builder's next heartbeat; for an attempt
   * no builder took yet, a canceled row makes the job a no-op when it arrives.
   */
  async recordCancel(db: Db, deploymentId: string, attempt: number): Promise<void> {
    await db.query(
      `insert into builder.build_jobs (deployment_id, attempt, status, cancel_requested_at, finished_at)
       values ($1, $2, 'canceled', now(), now())
       on conflict (deployment_id, attempt) do update
       set cancel_requested_at = coalesce(builder.build_jobs.cancel_requested_at, now())`,
      [deploymentId, attempt],
    );
  }

  /**
   * Claims running jobs whose builder stopped sending heartbeats (crashed, killed, cut off), and,
   * right after a restart, those this very instance owned before; the caller ends them in the same
   * transaction.
   */
  async claimStale(tx: EntityManager, o: { staleAfterMs: number; orphanedBy?: string; limit?: number }): Promise<StaleJob[]> {
    const rows: { deployment_id: string; attempt: number; step: string | null; last_seq: number; instance_id: string | null }[] =
      await tx.query(
        `select deployment_id, attempt, step, last_seq, instance_id from builder.build_jobs
         where status = 'running'
           and (heartbeat_at < now() - make_interval(secs => $1::double precision / 1000) or instance_id = $2)
         order by heartbeat_at limit $3 for update skip locked`,
        [o.staleAfterMs, o.orphanedBy ?? null, o.limit ?? 20],
      );
    return rows.map((r) => ({ deploymentId: r.deployment_id, attempt: r.attempt, step: r.step, lastSeq: r.last_seq, instanceId: r.instance_id }));
  }

  async endStale(tx: EntityManager, job: StaleJob, lastSeq: number, errorCode: string): Promise<void> {
    await tx.query(
      `update builder.build_jobs set status = 'failed', last_seq = $3, error_code = $4, finished_at = now()
       where deployment_id = $1 and attempt = $2`,
      [job.deploymentId, job.attempt, lastSeq, errorCode],
    );
  }

  async runningDeploymentIds(db: Db): Promise<Set<string>> {
    const rows: { deployment_id: string }[] = await db.query(`select deployment_id from builder.build_jobs where status = 'running'`);
    return new Set(rows.map((r) => r.deployment_id));
  }
}
