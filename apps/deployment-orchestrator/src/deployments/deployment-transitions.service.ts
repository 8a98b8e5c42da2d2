import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  type DeployJob,
  type DeploymentPhase,
  type DeploymentStatus,
  type DeploymentTransition,
  ErrorCode,
  type Result,
  deployJobQueued,
  deploymentStatusChanged,
  err,
  isTerminal,
  ok,
} from '@flightdeck/contracts';
import { Outbox, type OutboxEvent, outboxEvent } from '@flightdeck/messaging';
import { DeploymentEntity } from './deployment.entity';
import type { DeploymentTransitionEntity } from './deployment-transition.entity';
import { toDeployment } from './deployment.mapper';
import { DeploymentsRepository } from './deployments.repository';
import { decideMove, enterStatus, mayShowPhase } from '../state-machine/deployment-lifecycle';

export type NewDeployment = Pick<
  DeploymentEntity,
  'id' | 'projectId' | 'environmentId' | 'sourceRef' | 'message' | 'triggeredBy' | 'trigger' | 'idempotencyKey'
> &
  Partial<
    Pick<
      DeploymentEntity,
      'commitSha' | 'commitMessage' | 'commitAuthor' | 'parentDeploymentId' | 'rollbackTargetId' | 'artifact' | 'metadata' | 'provider'
    >
  >;

export interface StatusChange {
  reason: string | null;
  // a finer phase and progress reported with the change (else the status implies them)
  phase?: DeploymentPhase;
  progress?: number;
  // other fields set with the final step: url, artifact, error, commit, metadata
  patch?: Partial<DeploymentEntity>;
  // the approval decision this change records (published with its status event, issue 23)
  approval?: ApprovalRecord;
}

export type ApprovalRecord = NonNullable<DeploymentTransition['approval']>;

// Every change of a deployment's status or phase goes through here: checked against the
// lifecycle, stored with its history row, and published through the outbox in the caller's
// transaction. The caller holds the deployment's row lock.
@Injectable()
export class DeploymentTransitions {
  private readonly logger = new Logger(DeploymentTransitions.name);

  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly outbox: Outbox,
  ) {}

  // `waiting`: created in the environment's queue, not counting as its running deployment; `hold`:
  // it runs (it is the environment's running deployment) but its job waits for the pre-flight
  async create(tx: EntityManager, n: NewDeployment, reason: string, phase: 'queued' | 'waiting' = 'queued'): Promise<DeploymentEntity> {
    const at = new Date();
    const d = draft(n, phase, at);
    await this.repo.insert(tx, d);
    await this.record(tx, d, null, reason, at);
    return d;
  }

  // A trigger's new deployment, created and moved to queued in one statement: the same rows and
  // events as create + move (+ EnvironmentQueue.send unless it waits), in the same order, where
  // those take a dozen round trips. `waiting`: it joins the environment's queue, its job kept for
  // its turn; otherwise its job (none for an external deployment) goes out with it.
  async createQueued(
    tx: EntityManager,
    n: NewDeployment,
    reasons: { created: string; queued: string },
    opts: { waiting: boolean; hold?: boolean; held?: HeldPhase; jobFor: (d: DeploymentEntity) => DeployJob | null },
  ): Promise<DeploymentEntity> {
    const at = new Date();
    const phase = opts.held ?? (opts.waiting ? 'waiting' : opts.hold ? 'validating' : 'queued');
    const dispatch = !opts.waiting && !opts.hold && !opts.held;
    // created shows `queued` (or the rule holding it); the pre-flight's phase starts with the queued status
    const d = draft(n, opts.held ?? (opts.waiting ? 'waiting' : 'queued'), at);
    const history: Omit<DeploymentTransitionEntity, 'id' | 'deploymentId'>[] = [];
    const events: OutboxEvent[] = [];
    const step = (from: DeploymentStatus | null, reason: string) => {
      history.push({ fromStatus: from, toStatus: d.status, phase: d.phase, progress: d.progress, at, reason });
      events.push(statusEvent(d, from, reason, at));
    };
    step(null, reasons.created);
    const decision = decideMove(d.status, 'queued');
    if (!decision.ok) throw new Error(`bug: a new deployment cannot be queued: ${decision.reason}`);
    for (const status of decision.steps) {
      const from = d.status;
      Object.assign(d, enterStatus(d, status, at), { phase, updatedAt: at });
      step(from, status === 'queued' ? reasons.queued : 'passed through on the way to queued');
    }
    d.deployJob = opts.jobFor(d);
    if (dispatch && d.deployJob) events.push(outboxEvent(deployJobQueued, undefined, d.deployJob));
    await this.repo.insertWithHistory(tx, d, history, dispatch, (firstParam) => this.outbox.insertOf(events, firstParam));
    this.logger.log({ deploymentId: d.id, status: d.status, phase: d.phase, reason: reasons.queued }, 'deployment status changed');
    return d;
  }

  // Moves to `to`, walking forward stages that were skipped; refused with deployment/invalid-state
  // when the lifecycle does not allow it (a terminal deployment never changes).
  async move(tx: EntityManager, d: DeploymentEntity, to: DeploymentStatus, change: StatusChange): Promise<Result<DeploymentEntity>> {
    const decision = decideMove(d.status, to);
    if (!decision.ok) return err(ErrorCode.DeploymentInvalidState, decision.reason);
    const at = new Date();
    for (const step of decision.steps) {
      const from = d.status;
      const last = step === to;
      Object.assign(d, enterStatus(d, step, at), { updatedAt: at });
      if (last) {
        if (change.phase) d.phase = change.phase;
        if (change.progress !== undefined) d.progress = change.progress;
        Object.assign(d, change.patch ?? {});
      }
      await this.repo.update(tx, d);
      await this.record(tx, d, from, last ? change.reason : `passed through on the way to ${to}`, at, last ? change.approval : undefined);
    }
    this.logger.log({ deploymentId: d.id, status: d.status, phase: d.phase, reason: change.reason }, 'deployment status changed');
    return ok(d);
  }

  // Same status, finer detail. A new phase (or a change worth telling, `announce`) is history and is
  // published; a progress tick alone is only saved.
  async update(
    tx: EntityManager,
    d: DeploymentEntity,
    change: { phase?: DeploymentPhase; progress?: number; reason: string | null; patch?: Partial<DeploymentEntity>; announce?: boolean; approval?: ApprovalRecord },
  ): Promise<DeploymentEntity> {
    if (isTerminal(d.status)) throw new Error(`bug: update of ${d.status} deployment ${d.id}`);
    const at = new Date();
    const phase = change.phase ?? d.phase;
    if (!mayShowPhase(d.status, phase)) throw new Error(`bug: a ${d.status} deployment cannot be in phase ${phase}`);
    const announce = change.announce || phase !== d.phase;
    Object.assign(d, change.patch ?? {}, { phase, progress: change.progress ?? d.progress, updatedAt: at });
    await this.repo.update(tx, d);
    if (announce || change.approval) await this.record(tx, d, d.status, change.reason, at, change.approval);
    return d;
  }

  private async record(tx: EntityManager, d: DeploymentEntity, from: DeploymentStatus | null, reason: string | null, at: Date, approval?: ApprovalRecord) {
    await this.repo.addTransition(tx, {
      deploymentId: d.id,
      fromStatus: from,
      toStatus: d.status,
      phase: d.phase,
      progress: d.progress,
      at,
      reason,
    });
    const e = statusEvent(d, from, reason, at, approval);
    await this.outbox.add(tx, e.event, e.token, e.data);
  }
}

const statusEvent = (d: DeploymentEntity, from: DeploymentStatus | null, reason: string | null, at: Date, approval?: ApprovalRecord): OutboxEvent =>
  outboxEvent(deploymentStatusChanged, d.id, {
    deployment: toDeployment(d),
    transition: { from, to: d.status, phase: d.phase, at: at.toISOString(), reason, ...(approval ? { approval } : {}) },
  });

type HeldPhase = 'awaiting_approval' | 'waiting_timer' | 'frozen';

const draft = (n: NewDeployment, phase: 'queued' | 'waiting' | HeldPhase, at: Date): DeploymentEntity =>
  Object.assign(new DeploymentEntity(), {
    commitSha: null,
    commitMessage: null,
    commitAuthor: null,
    parentDeploymentId: null,
    rollbackTargetId: null,
    artifact: null,
    metadata: {},
    provider: 'internal',
    ...n,
    status: 'created',
    phase,
    progress: 0,
    attempt: 1,
    url: null,
    previewUrl: null,
    errorCode: null,
    errorMessage: null,
    cancelRequestedAt: null,
    createdAt: at,
    updatedAt: at,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    queueSeq: null,
    deployJob: null,
    dispatchedAt: null,
    heartbeatAt: null,
  } satisfies DeploymentEntity);
