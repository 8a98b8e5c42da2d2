import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type HealthState = 'healthy' | 'degraded' | 'down';

export interface EnvironmentHealthRow {
  project: string;
  environment: string;
  /** the release the environment serves */
  releaseId: string;
  health: HealthState;
  /** restarts stopped: only a deploy or rollback brings it back */
  crashLooping: boolean;
  /** restarts since the release went live */
  restarts: number;
  lastFailure: { reason: string; at: string } | null;
  updatedAt: string;
}

interface RawHealth {
  project: string;
  environment: string;
  release_id: string;
  health: HealthState;
  crash_looping: boolean;
  restarts: number;
  last_failure_reason: string | null;
  last_failure_at: Date | null;
  updated_at: Date;
}

// The only code that knows builder.environment_health.
@Injectable()
export class EnvironmentHealthRepository {
  constructor(private readonly ds: DataSource) {}

  async save(row: Omit<EnvironmentHealthRow, 'updatedAt'>): Promise<void> {
    await this.ds.query(
      `insert into builder.environment_health
         (project, environment, release_id, health, crash_looping, restarts, last_failure_reason, last_failure_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, now())
       on conflict (project, environment) do update set release_id = excluded.release_id, health = excluded.health,
         crash_looping = excluded.crash_looping, restarts = excluded.restarts, last_failure_reason = excluded.last_failure_reason,
         last_failure_at = excluded.last_failure_at, updated_at = now()`,
      [row.project, row.environment, row.releaseId, row.health, row.crashLooping, row.restarts, row.lastFailure?.reason ?? null, row.lastFailure?.at ?? null],
    );
  }

  async find(project: string, environment: string): Promise<EnvironmentHealthRow | undefined> {
    const rows: RawHealth[] = await this.ds.query(`select * from builder.environment_health where project = $1 and environment = $2`, [project, environment]);
    const r = rows[0];
    if (!r) return undefined;
    return {
      project: r.project,
      environment: r.environment,
      releaseId: r.release_id,
      health: r.health,
      crashLooping: r.crash_looping,
      restarts: r.restarts,
      lastFailure: r.last_failure_reason && r.last_failure_at ? { reason: r.last_failure_reason, at: new Date(r.last_failure_at).toISOString() } : null,
      updatedAt: new Date(r.updated_at).toISOString(),
    };
  }

  async remove(project: string, environment: string): Promise<void> {
    await this.ds.query(`delete from builder.environment_health where project = $1 and environment = $2`, [project, environment]);
  }
}
