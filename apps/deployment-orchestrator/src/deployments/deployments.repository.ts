import { Injectable } from '@nestjs/common';
import { And, DataSource, type EntityManager, type FindOptionsWhere, LessThan, Like, MoreThanOrEqual } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { type CommandRequest, HELD_PHASES, isHeldPhase, type listDeployments } from '@flightdeck/contracts';
import { ACTIVE_STATUSES, OFF_SLOT_PHASES, takesSlot } from '../state-machine/deployment-lifecycle';
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

  async page(q: DeploymentPageQuery): Promise<{ items: DeploymentEntity[]; total: number }> {
    const where: FindOptionsWhere<DeploymentEntity> = { projectId: q.projectId };
    if (q.status) where.status = q.status;
    if (q.environmentId) where.environmentId = q.environmentId;
    if (q.trigger) where.trigger = q.trigger;
    if (q.sourceRef) where.sourceRef = q.sourceRef;
    if (q.triggeredBy) where.triggeredBy = q.triggeredBy;
    if (q.commitSha) where.commitSha = Like(`${q.commitSha}%`); // hex digits only: no wildcard reaches it
    const after = q.createdAfter ? MoreThanOrEqual(new Date(q.createdAfter)) : undefined;
    const before = q.createdBefore ? LessThan(new Date(q.createdBefore)) : undefined;
    if (after || before) where.createdAt = after && before ? And(after, before) : (after ?? before);
    const direction = q.sortOrder === 'asc' ? 'ASC' : 'DESC';
    const column = ({ createdAt: 'createdAt', updatedAt: 'updatedAt', finishedAt: 'finishedAt', duration: 'durationMs' } as const)[q.sortBy ?? 'createdAt'];
    const [items, total] = await this.ds.getRepository(DeploymentEntity).findAndCount({
      where,
      order: { [column]: { direction, nulls: 'LAST' }, id: direction },
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

  // Running longer than the limit since its job went out, by the database's clock (replicas'
  // clocks may differ). A deployment waiting its turn has no deadline yet.
  // Replicas sweep together: each takes rows no other one holds, and none waits.
  lockOverdue(tx: EntityManager, limitMs: number, limit: number): Promise<DeploymentEntity[]> {
    return tx
      .getRepository(DeploymentEntity)
      .createQueryBuilder('d')
      .where('d.status in (:...active)', { active: ACTIVE_STATUSES })
      .andWhere(`d.phase not in (${OFF_SLOT_SQL})`)
      .andWhere(`coalesce(d.dispatched_at, d.created_at) < now() - make_interval(secs => :seconds)`, { seconds: limitMs / 1000 })
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

  // the database's clock fields are written only by markDispatched and heartbeat
  async update(tx: EntityManager, d: DeploymentEntity): Promise<void> {
    const { id, dispatchedAt: _dispatchedAt, heartbeatAt: _heartbeatAt, queueSeq: _queueSeq, ...fields } = d;
    await tx.getRepository(DeploymentEntity).update({ id }, asRow(fields));
  }

  /** its job went out now (the database's now): the deadline counts from here */
  async markDispatched(tx: EntityManager, d: DeploymentEntity): Promise<void> {
    // an UPDATE … RETURNING answers [rows, count]
    const [rows]: [{ dispatched_at: Date }[], number] = await tx.query(
      `update orchestrator.deployments set dispatched_at = clock_timestamp(), heartbeat_at = null, deploy_job = $2 where id = $1 returning dispatched_at`,
      [d.id, d.deployJob],
    );
    d.dispatchedAt = rows[0]?.dispatched_at ?? null;
    d.heartbeatAt = null;
  }

  /**
   * Serializes every trigger and queue move of one environment, across replicas, until the
   * transaction ends. Taken before any deployment row lock (see EnvironmentQueue).
   */
  async lockEnvironment(tx: EntityManager, environmentId: string): Promise<void> {
    await tx.query(`select pg_advisory_xact_lock(hashtextextended('orchestrator.environment:' || $1, 0))`, [environmentId]);
  }

  /**
   * The trigger's two locks in one round trip, always in this order: the project's trigger-rate
   * lock (every replica counts the same rows, see trigger-rate-limit.ts), then the environment's
   * (lockEnvironment). Select-list expressions are evaluated left to right.
   */
  async lockForTrigger(tx: EntityManager, projectId: string, environmentId: string): Promise<void> {
    await tx.query(
      `select pg_advisory_xact_lock(hashtext('trigger-rate:' || $1)), pg_advisory_xact_lock(hashtextextended('orchestrator.environment:' || $2, 0))`,
      [projectId, environmentId],
    );
  }

  /**
   * What a trigger decides on, read in one statement after lockForTrigger (a later statement, so
   * its snapshot sees every commit made under those locks): the project's triggers of the last
   * minute (ages in seconds by the database's clock; rollbacks do not count), the environment's
   * in-progress deployments row-locked as lockInProgress does, and the deployment the idempotency
   * key already made.
   */
  async triggerSnapshot(tx: EntityManager, projectId: string, environmentId: string, idempotencyKey: string | undefined): Promise<TriggerSnapshot> {
    const [row]: { ages: number[]; in_progress: Record<string, unknown>[]; replay: Record<string, unknown> | null }[] = await tx.query(
      `select
         (select coalesce(array_agg(extract(epoch from now() - created_at)::float8), '{}')
            from orchestrator.deployments
           where project_id = $1 and created_at > now() - interval '1 minute' and rollback_target_id is null) as ages,
         (select coalesce(json_agg(p order by p.queue_seq), '[]')
            from (select * from orchestrator.deployments
                   where environment_id = $2 and status in (${sqlList(ACTIVE_STATUSES)})
                   order by queue_seq for update) p) as in_progress,
         (select to_json(r) from orchestrator.deployments r where $3::text is not null and r.project_id = $1 and r.idempotency_key = $3) as replay`,
      [projectId, environmentId, idempotencyKey ?? null],
    );
    const inProgress = row.in_progress.map((r) => this.fromJson(r));
    return {
      recentTriggerAges: row.ages,
      running: inProgress.find((d) => takesSlot(d.phase)) ?? null,
      waiting: inProgress.filter((d) => d.phase === 'waiting'),
      replay: row.replay ? this.fromJson(row.replay) : null,
    };
  }

  /**
   * A new deployment with its whole history in one statement, and its events in the outbox
   * (`events`: Outbox.insertOf, given the number of its first parameter). `dispatch`: its job goes
   * out now, so dispatched_at is the database's now (as markDispatched); queue_seq is the database's.
   */
  async insertWithHistory(
    tx: EntityManager,
    d: DeploymentEntity,
    history: Omit<DeploymentTransitionEntity, 'id' | 'deploymentId'>[],
    dispatch: boolean,
    events: (firstParam: number) => { sql: string; notify: string; params: unknown[] },
  ): Promise<void> {
    const n = INSERT_COLUMNS.length;
    const params: unknown[] = [
      ...INSERT_COLUMNS.map(([, value]) => value(d)),
      dispatch,
      history.map((h) => h.fromStatus),
      history.map((h) => h.toStatus),
      history.map((h) => h.phase),
      history.map((h) => h.progress),
      history.map((h) => h.at),
      history.map((h) => h.reason),
    ];
    const outbox = events(params.length + 1);
    const [row]: { queue_seq: string; dispatched_at: Date | null }[] = await tx.query(
      `with d as (
         insert into orchestrator.deployments (${INSERT_COLUMNS.map(([column]) => column).join(', ')}, dispatched_at)
         values (${INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, case when $${n + 1}::boolean then clock_timestamp() end)
         returning queue_seq, dispatched_at),
       t as (
         insert into orchestrator.deployment_transitions (deployment_id, from_status, to_status, phase, progress, at, reason)
         select $1, * from unnest($${n + 2}::text[], $${n + 3}::text[], $${n + 4}::text[], $${n + 5}::real[], $${n + 6}::timestamptz[], $${n + 7}::text[])),
       o as (${outbox.sql})
       select queue_seq, dispatched_at, (${outbox.notify}) as notified from d`,
      [...params, ...outbox.params],
    );
    d.queueSeq = Number(row.queue_seq);
    d.dispatchedAt = row.dispatched_at;
    d.heartbeatAt = null;
  }

  // a row as to_json renders it (snake_case keys, times as ISO text) into the entity TypeORM would load
  private fromJson(row: Record<string, unknown>): DeploymentEntity {
    const d = new DeploymentEntity() as unknown as Record<string, unknown>;
    for (const c of (this.jsonColumns ??= this.ds.getMetadata(DeploymentEntity).columns.map((col) => ({
      property: col.propertyName,
      column: col.databaseName,
      time: col.type === 'timestamptz',
    })))) {
      const v = row[c.column] ?? null;
      d[c.property] = v !== null && c.time ? new Date(v as string) : v;
    }
    return d as unknown as DeploymentEntity;
  }

  private jsonColumns?: { property: string; column: string; time: boolean }[];

  /** the environment's running deployment, its waiting ones and those held by a protection rule, oldest first, all row-locked */
  async lockInProgress(tx: EntityManager, environmentId: string): Promise<{ running: DeploymentEntity | null; waiting: DeploymentEntity[]; held: DeploymentEntity[] }> {
    const rows = await tx
      .getRepository(DeploymentEntity)
      .createQueryBuilder('d')
      .where('d.environment_id = :environmentId', { environmentId })
      .andWhere('d.status in (:...active)', { active: ACTIVE_STATUSES })
      .orderBy('d.queueSeq', 'ASC')
      .setLock('pessimistic_write')
      .getMany();
    return {
      running: rows.find((d) => takesSlot(d.phase)) ?? null,
      waiting: rows.filter((d) => d.phase === 'waiting'),
      held: rows.filter((d) => isHeldPhase(d.phase)),
    };
  }

  /** a builder still runs this attempt: false when it is not the deployment's current attempt any more */
  async recordHeartbeat(deploymentId: string, attempt: number, lastSeq: number): Promise<boolean> {
    const [, count]: [unknown, number] = await this.ds.query(
      `update orchestrator.deployments
          set heartbeat_at = clock_timestamp(), metadata = jsonb_set(metadata, '{lastLogSeq}', to_jsonb($3::int))
        where id = $1 and attempt = $2 and status in (${sqlList(ACTIVE_STATUSES)}) and phase not in (${OFF_SLOT_SQL})`,
      [deploymentId, attempt, lastSeq],
    );
    return count > 0;
  }

  // Running deployments our builder runs (it heartbeats) with no heartbeat and no change for
  // `silentMs`, by the database's clock. External ones have their publisher's own pace.
  lockStuck(tx: EntityManager, silentMs: number, limit: number): Promise<DeploymentEntity[]> {
    return tx
      .getRepository(DeploymentEntity)
      .createQueryBuilder('d')
      .where('d.status in (:...active)', { active: ACTIVE_STATUSES })
      .andWhere(`d.phase not in (${OFF_SLOT_SQL})`)
      .andWhere(`d.provider <> 'external'`)
      // no builder has it yet: a lost pre-flight is run again (staleValidations), never sent unchecked
      .andWhere(`d.phase <> 'validating'`)
      .andWhere(`d.cancel_requested_at is null`)
      .andWhere(`greatest(d.dispatched_at, d.heartbeat_at, d.updated_at) < now() - make_interval(secs => :seconds)`, { seconds: silentMs / 1000 })
      .orderBy('d.created_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  /** deployments in their pre-flight for longer than `olderThanMs` (its run was lost: a crash) */
  async staleValidations(olderThanMs: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.ds.query(
      `select id from orchestrator.deployments
        where status = 'queued' and phase = 'validating' and updated_at < now() - make_interval(secs => $1)
        order by created_at limit $2`,
      [olderThanMs / 1000, limit],
    );
    return rows.map((r) => r.id);
  }

  /** held deployments whose stored deadline (metadata.protection.holdUntil) came, by the database's clock */
  dueHolds(limit: number): Promise<DeploymentEntity[]> {
    return this.ds
      .getRepository(DeploymentEntity)
      .createQueryBuilder('d')
      .where(`d.status = 'queued'`)
      .andWhere(`d.phase in (${sqlList(HELD_PHASES)})`)
      .andWhere(`coalesce((d.metadata->'protection'->>'holdUntil')::timestamptz, '-infinity') <= now()`)
      .orderBy('d.created_at', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** environments with deployments waiting and none running: a start of the next one was missed */
  async stalledQueues(limit: number): Promise<string[]> {
    const rows: { environment_id: string }[] = await this.ds.query(
      `select distinct w.environment_id from orchestrator.deployments w
        where w.status = 'queued' and w.phase = 'waiting'
          and not exists (select 1 from orchestrator.deployments r
                           where r.environment_id = w.environment_id and r.status in (${sqlList(ACTIVE_STATUSES)}) and r.phase not in (${OFF_SLOT_SQL}))
        limit $1`,
      [limit],
    );
    return rows.map((r) => r.environment_id);
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

export interface TriggerSnapshot {
  recentTriggerAges: number[];
  running: DeploymentEntity | null;
  waiting: DeploymentEntity[];
  replay: DeploymentEntity | null;
}

const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

// every column a new deployment is inserted with (queue_seq is the database's, dispatched_at its clock's)
const INSERT_COLUMNS: [string, (d: DeploymentEntity) => unknown][] = [
  ['id', (d) => d.id],
  ['project_id', (d) => d.projectId],
  ['environment_id', (d) => d.environmentId],
  ['source_ref', (d) => d.sourceRef],
  ['commit_sha', (d) => d.commitSha],
  ['commit_message', (d) => d.commitMessage],
  ['commit_author', (d) => d.commitAuthor],
  ['message', (d) => d.message],
  ['triggered_by', (d) => d.triggeredBy],
  ['trigger', (d) => d.trigger],
  ['provider', (d) => d.provider],
  ['status', (d) => d.status],
  ['phase', (d) => d.phase],
  ['progress', (d) => d.progress],
  ['attempt', (d) => d.attempt],
  ['parent_deployment_id', (d) => d.parentDeploymentId],
  ['rollback_target_id', (d) => d.rollbackTargetId],
  ['artifact', (d) => json(d.artifact)],
  ['url', (d) => d.url],
  ['preview_url', (d) => d.previewUrl],
  ['error_code', (d) => d.errorCode],
  ['error_message', (d) => d.errorMessage],
  ['metadata', (d) => json(d.metadata)],
  ['idempotency_key', (d) => d.idempotencyKey],
  ['cancel_requested_at', (d) => d.cancelRequestedAt],
  ['created_at', (d) => d.createdAt],
  ['updated_at', (d) => d.updatedAt],
  ['queued_at', (d) => d.queuedAt],
  ['started_at', (d) => d.startedAt],
  ['finished_at', (d) => d.finishedAt],
  ['duration_ms', (d) => d.durationMs],
  ['deploy_job', (d) => json(d.deployJob)],
  ['heartbeat_at', () => null],
];

const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(',');
const OFF_SLOT_SQL = sqlList(OFF_SLOT_PHASES);

// jsonb columns hold plain objects, which TypeORM's deep-partial type cannot express
const asRow = (d: Partial<DeploymentEntity>) => d as QueryDeepPartialEntity<DeploymentEntity>;

export const isUniqueViolation = (e: unknown, index: string): boolean => {
  const pg = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const info = pg.driverError ?? pg;
  return info.code === '23505' && info.constraint === index;
};
