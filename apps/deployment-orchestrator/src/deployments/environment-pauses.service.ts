import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, type EnvironmentPause, type Result, ok } from '@flightdeck/contracts';
import { ProjectDirectory } from '../dispatch/project-directory';
import type { DeploymentEntity } from './deployment.entity';
import type { PauseRow } from './environment-pause';

interface Row {
  environment_id: string;
  project_id: string;
  rollback_deployment_id: string;
  paused_by: string;
  paused_at: Date;
}

const toRow = (r: Row): PauseRow => ({
  environmentId: r.environment_id,
  projectId: r.project_id,
  rollbackDeploymentId: r.rollback_deployment_id,
  pausedBy: r.paused_by,
  pausedAt: r.paused_at,
});

const toPause = (projectId: string, environmentId: string, p: PauseRow | undefined): EnvironmentPause =>
  p
    ? { projectId, environmentId, paused: true, since: p.pausedAt.toISOString(), rollbackDeploymentId: p.rollbackDeploymentId, pausedBy: p.pausedBy }
    : { projectId, environmentId, paused: false };

// Pause after rollback, in the orchestrator's own schema (orchestrator.environment_pauses): it runs
// the rollbacks and decides the triggers, so the pause is written in the transaction that records
// a rollback's success and read under the same lock as every other trigger decision.
@Injectable()
export class EnvironmentPauses {
  private readonly logger = new Logger(EnvironmentPauses.name);

  constructor(
    private readonly ds: DataSource,
    private readonly directory: ProjectDirectory,
  ) {}

  /** a rollback succeeded: its environment's automatic deploys stop (a later rollback moves the pause to itself) */
  async pauseAfterRollback(tx: EntityManager, rollback: DeploymentEntity): Promise<void> {
    await tx.query(
      `insert into orchestrator.environment_pauses (environment_id, project_id, rollback_deployment_id, paused_by)
       values ($1, $2, $3, $4)
       on conflict (environment_id) do update set rollback_deployment_id = excluded.rollback_deployment_id,
         paused_by = excluded.paused_by, paused_at = now()`,
      [rollback.environmentId, rollback.projectId, rollback.id, rollback.triggeredBy],
    );
    this.logger.log({ environmentId: rollback.environmentId, rollbackDeploymentId: rollback.id }, 'environment paused after rollback');
  }

  async current(tx: EntityManager, environmentId: string): Promise<PauseRow | undefined> {
    const rows: Row[] = await tx.query(`select * from orchestrator.environment_pauses where environment_id = $1`, [environmentId]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async get(projectId: string, environmentId: string): Promise<Result<EnvironmentPause>> {
    const target = await this.directory.resolve(projectId, environmentId);
    if (!target.ok) return target;
    return ok(toPause(projectId, environmentId, await this.current(this.ds.manager, environmentId)));
  }

  async resume(projectId: string, environmentId: string, actor: Actor): Promise<Result<EnvironmentPause & { ended?: { since: string; rollbackDeploymentId: string; pausedBy: string } }>> {
    const target = await this.directory.resolve(projectId, environmentId);
    if (!target.ok) return target;
    // TypeORM answers a DELETE … RETURNING with [rows, affected]
    const [rows]: [Row[], number] = await this.ds.query(`delete from orchestrator.environment_pauses where environment_id = $1 returning *`, [environmentId]);
    const ended = rows[0] ? toRow(rows[0]) : undefined;
    if (ended) {
      this.logger.log({ environmentId, rollbackDeploymentId: ended.rollbackDeploymentId, by: actor }, 'environment resumed');
      return ok({
        ...toPause(projectId, environmentId, undefined),
        ended: { since: ended.pausedAt.toISOString(), rollbackDeploymentId: ended.rollbackDeploymentId, pausedBy: ended.pausedBy },
      });
    }
    return ok(toPause(projectId, environmentId, undefined));
  }
}
