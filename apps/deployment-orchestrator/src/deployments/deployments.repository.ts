import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { CommandRequest, listDeployments } from '@flightdeck/contracts';
import { ACTIVE_STATUSES } from '../state-machine/deployment-lifecycle';
import { DeploymentEntity } from './deployment.entity';
import { DeploymentTransitionEntity } from './deployment-transition.entity';

export const IDEMPOTENCY_KEY_INDEX = 'deployments_idempotency_key_uq';
export const ONE_ACTIVE_PER_ENVIRONMENT_INDEX = 'deployments_one_active_per_environment_uq';

export type DeploymentPageQuery = CommandRequest<typeof listDeployments>;

// Every query on deployments and their history. Methods taking `tx` run in the caller's transaction.
@Injectable()
export class DeploymentsRepository {
  constructor(private readonly ds: DataSource) {}

  findById(id: string, tx: EntityManager = this.ds.manager): Promise<DeploymentEntity | null> {
    return tx.getRepository(DeploymentEntity).findOneBy({ id });
  }

  // Row lock until the transaction ends: every change to one deployment is serialized.
  lockById(tx: EntityManager, id: string): Promise<DeploymentEntity | null> {
    return tx.getRepository(DeploymentEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByIdempotencyKey(projectId: string, key: string, tx: EntityManager = this.ds.manager): Promise<DeploymentEntity | null> {
    return tx.getRepository(DeploymentEntity).findOneBy({ projectId, idempotencyKey: key });
  }

  lockActiveInEnvironment(tx: EntityManager, environmentId: string): Promise<DeploymentEntity | null> {
    return tx.getRepository(DeploymentEntity).findOne({
      where: { environmentId, status: In([...ACTIVE_STATUSES]) },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async page(q: DeploymentPageQuery): Promise<{ items: DeploymentEntity[]; total: number }> {
    const [items, total] = await this.ds.getRepository(DeploymentEntity).findAndCount({
      where: { projectId: q.projectId, ...(q.status ? { status: q.status } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: q.limit,
      skip: q.offset,
    });
    return { items, total };
  }

  // The newest successful deployment of the environment created before `before`.
  previousSuccess(environmentId: string, before: DeploymentEntity): Promise<DeploymentEntity | null> {
    return this.ds
      .getRepository(DeploymentEntity)
      .createQueryBuilder('d')
      .where('d.environment_id = :environmentId', { environmentId })
      .andWhere(`d.status = 'succeeded'`)
      .andWhere('d.artifact is not null')
      .andWhere('d.id <> :id', { id: before.id })
      .andWhere('d.created_at <= :createdAt', { createdAt: before.createdAt })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .getOne();
  }

  // Replicas sweep together: each takes rows no other one holds, and none waits.
  lockActiveCreatedBefore(tx: EntityManager, before: Date, limit: number): Promise<DeploymentEntity[]> {
    return tx
      .getRepository(DeploymentEntity)
      .createQueryBuilder('d')
      .where('d.status in (:...active)', { active: ACTIVE_STATUSES })
      .andWhere('d.created_at < :before', { before })
      .orderBy('d.created_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  lockCancelRequestedBefore(tx: EntityManager, before: Date, limit: number): Promise<DeploymentEntity[]> {
    return tx
      .getRepository(DeploymentEntity)
      .createQueryBuilder('d')
      .where('d.status in (:...active)', { active: ACTIVE_STATUSES })
      .andWhere('d.cancel_requested_at < :before', { before })
      .orderBy('d.cancel_requested_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async insert(tx: EntityManager, d: DeploymentEntity): Promise<void> {
    await tx.getRepository(DeploymentEntity).insert(asRow(d));
  }

  /** failed deployments whose automatic retry is due and not started yet (the database's clock) */
  lockDueAutoRetries(tx: EntityManager, limit: number): Promise<DeploymentEntity[]> {
    return tx
      .getRepository(DeploymentEntity)
      .createQueryBuilder('d')
      .where(`d.status = 'failed'`)
      .andWhere(`d.metadata ? 'autoRetryAt' and not d.metadata ? 'autoRetriedBy'`)
      .andWhere(`(d.metadata->>'autoRetryAt')::timestamptz <= now()`)
      .orderBy('d.finished_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async update(tx: EntityManager, d: DeploymentEntity): Promise<void> {
    const { id, ...fields } = d;
    await tx.getRepository(DeploymentEntity).update({ id }, asRow(fields));
  }

  /** oldest first */
  transitionsOf(deploymentId: string): Promise<DeploymentTransitionEntity[]> {
    return this.ds.getRepository(DeploymentTransitionEntity).find({ where: { deploymentId }, order: { id: 'ASC' } });
  }

  async addTransition(tx: EntityManager, t: Omit<DeploymentTransitionEntity, 'id'>): Promise<void> {
    await tx.getRepository(DeploymentTransitionEntity).insert(t);
  }

  history(deploymentId: string): Promise<DeploymentTransitionEntity[]> {
    return this.ds.getRepository(DeploymentTransitionEntity).find({ where: { deploymentId }, order: { id: 'ASC' } });
  }
}

// jsonb columns hold plain objects, which TypeORM's deep-partial type cannot express
const asRow = (d: Partial<DeploymentEntity>) => d as QueryDeepPartialEntity<DeploymentEntity>;

export const isUniqueViolation = (e: unknown, index: string): boolean => {
  const pg = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const info = pg.driverError ?? pg;
  return info.code === '23505' && info.constraint === index;
};
