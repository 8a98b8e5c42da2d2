import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DeploymentScheduleEntity } from './deployment-schedule.entity';

// Every query on orchestrator.deployment_schedules. Methods taking `tx` run in the caller's transaction.
@Injectable()
export class DeploymentSchedulesRepository {
  constructor(private readonly ds: DataSource) {}

  /** the database's clock: due-ness never depends on a replica's own */
  async now(tx: EntityManager = this.ds.manager): Promise<Date> {
    const [row] = (await tx.query(`select clock_timestamp() as now`)) as { now: Date }[];
    return row.now;
  }

  list(projectId: string, environmentId?: string): Promise<DeploymentScheduleEntity[]> {
    return this.ds.getRepository(DeploymentScheduleEntity).find({
      where: { projectId, ...(environmentId ? { environmentId } : {}) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  lockByEnvironment(tx: EntityManager, environmentId: string): Promise<DeploymentScheduleEntity | null> {
    return tx.getRepository(DeploymentScheduleEntity).findOne({ where: { environmentId }, lock: { mode: 'pessimistic_write' } });
  }

  // Replicas (should two ever sweep at once) each take rows no other one holds, and none waits.
  lockDue(tx: EntityManager, now: Date, limit: number): Promise<DeploymentScheduleEntity[]> {
    return tx
      .getRepository(DeploymentScheduleEntity)
      .createQueryBuilder('s')
      .where('s.enabled')
      .andWhere('s.next_run_at <= :now', { now })
      .orderBy('s.next_run_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  // One statement, so that two first PUTs for an environment cannot both insert.
  async upsert(tx: EntityManager, s: DeploymentScheduleEntity): Promise<void> {
    await tx.query(
      `insert into orchestrator.deployment_schedules
         (id, environment_id, project_id, cron, timezone, source_ref, enabled, next_run_at, created_by, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), now())
       on conflict (environment_id) do update set
         cron = excluded.cron, timezone = excluded.timezone, source_ref = excluded.source_ref,
         enabled = excluded.enabled, next_run_at = excluded.next_run_at, updated_at = now()`,
      [s.id, s.environmentId, s.projectId, s.cron, s.timezone, s.sourceRef, s.enabled, s.nextRunAt, s.createdBy],
    );
  }

  findByEnvironment(environmentId: string, tx: EntityManager = this.ds.manager): Promise<DeploymentScheduleEntity | null> {
    return tx.getRepository(DeploymentScheduleEntity).findOneBy({ environmentId });
  }

  async save(tx: EntityManager, s: DeploymentScheduleEntity): Promise<void> {
    await tx.getRepository(DeploymentScheduleEntity).save({ ...s, updatedAt: new Date() });
  }

  async delete(tx: EntityManager, id: string): Promise<void> {
    await tx.getRepository(DeploymentScheduleEntity).delete({ id });
  }
}
