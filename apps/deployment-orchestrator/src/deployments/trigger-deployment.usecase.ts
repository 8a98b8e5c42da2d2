import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type Deployment,
  ErrorCode,
  type Result,
  type TriggerDeploymentRequest,
  err,
  ok,
} from '@flightdeck/contracts';
import { ORCHESTRATOR_CONFIG, type DeploymentOrchestratorConfig } from '../config/deployment-orchestrator.config';
import { DeployJobDispatcher } from '../dispatch/deploy-job.dispatcher';
import { checkTriggerRate } from './trigger-rate-limit';
import { decideTrigger } from './concurrency-policy';
import { type DeployTarget, ProjectDirectory } from '../dispatch/project-directory';
import { DeploymentTransitions } from './deployment-transitions.service';
import { DeploymentCanceler } from './deployment-canceler';
import type { DeploymentEntity } from './deployment.entity';
import { toDeployment } from './deployment.mapper';
import {
  DeploymentsRepository,
  IDEMPOTENCY_KEY_INDEX,
  ONE_ACTIVE_PER_ENVIRONMENT_INDEX,
  isUniqueViolation,
} from './deployments.repository';

export type TriggerOutcome = Result<{ deployment: Deployment; replayed: boolean }>;

/** a retry: the deployment it repeats, and how */
export interface RetryOf {
  parent: DeploymentEntity;
  retryCount: number;
  clearCache: boolean;
}

@Injectable()
export class TriggerDeploymentUseCase {
  private readonly logger = new Logger(TriggerDeploymentUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: DeploymentsRepository,
    private readonly transitions: DeploymentTransitions,
    private readonly canceler: DeploymentCanceler,
    private readonly directory: ProjectDirectory,
    private readonly dispatcher: DeployJobDispatcher,
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: DeploymentOrchestratorConfig,
  ) {}

  async execute(req: TriggerDeploymentRequest, retryOf?: RetryOf): Promise<TriggerOutcome> {
    const replay = await this.replay(req);
    if (replay) return replay;
    const target = await this.directory.resolve(req.projectId, req.environmentId);
    if (!target.ok) return target;
    // a forced trigger that lost a race to another trigger cancels that one on its second try
    for (let tries = req.force ? 2 : 1; ; tries--) {
      try {
        return await this.ds.transaction((tx) => this.createAndDispatch(tx, req, target.data, retryOf));
      } catch (e) {
        if (req.idempotencyKey && isUniqueViolation(e, IDEMPOTENCY_KEY_INDEX)) return (await this.replay(req))!;
        if (!isUniqueViolation(e, ONE_ACTIVE_PER_ENVIRONMENT_INDEX)) throw e;
        // the same key may have raced in on the other index first
        const again = await this.replay(req);
        if (again) return again;
        if (tries <= 1) return this.alreadyRunning(target.data, undefined);
      }
    }
  }

  private async replay(req: TriggerDeploymentRequest, tx?: EntityManager): Promise<TriggerOutcome | undefined> {
    if (!req.idempotencyKey) return undefined;
    const existing = await this.repo.findByIdempotencyKey(req.projectId, req.idempotencyKey, tx);
    return existing ? ok({ deployment: toDeployment(existing), replayed: true }) : undefined;
  }

  private async createAndDispatch(tx: EntityManager, req: TriggerDeploymentRequest, target: DeployTarget, retryOf?: RetryOf): Promise<TriggerOutcome> {
    const id = randomUUID();
    const rate = await checkTriggerRate(tx, target.project.id, this.config.FLIGHTDECK_TRIGGERS_PER_MINUTE);
    if (!rate.ok) {
      // a retry of a trigger that did get in is answered with it, never refused
      const replay = await this.replay(req, tx);
      return replay ?? rate;
    }
    const active = await this.repo.lockActiveInEnvironment(tx, target.environment.id);
    // looked up again after the lock: a request with the same key may have committed meanwhile,
    // and its retry must get that deployment back, never cancel it or be refused by it
    const replay = await this.replay(req, tx);
    if (replay) return replay;
    const decision = decideTrigger(!!active, !!req.force);
    if (decision === 'reject') return this.alreadyRunning(target, active?.id);
    if (decision === 'supersede' && active) {
      this.logger.log({ deploymentId: active.id, by: id }, 'forced trigger cancels the active deployment');
      const canceled = await this.canceler.cancelNow(tx, active, `superseded by forced deployment ${id}`);
      if (!canceled.ok) throw new Error(`could not cancel ${active.id}: ${canceled.error.message}`);
    }
    const created = await this.transitions.create(
      tx,
      {
        id,
        projectId: target.project.id,
        environmentId: target.environment.id,
        sourceRef: req.sourceRef,
        message: req.message ?? null,
        triggeredBy: req.actor.id,
        trigger: req.trigger,
        idempotencyKey: req.idempotencyKey ?? null,
        provider: req.provider ?? 'internal',
        metadata: {
          ...(active ? { supersedes: active.id } : {}),
          ...(retryOf ? { retryOf: retryOf.parent.id, retryCount: retryOf.retryCount, clearCache: retryOf.clearCache } : {}),
        },
        ...(retryOf ? { parentDeploymentId: retryOf.parent.id } : {}),
      },
      `triggered by ${req.actor.kind} ${req.actor.id}`,
    );
    // an external deployment is built by its publisher: it waits for their events, under the same timeout
    const external = created.provider === 'external';
    const reason = external ? 'waiting for the external publisher' : 'build job dispatched';
    const queued = await this.transitions.move(tx, created, 'queued', { reason });
    if (!queued.ok) throw new Error(`bug: a new deployment cannot be queued: ${queued.error.message}`);
    if (!external) await this.dispatcher.dispatch(tx, queued.data, target, undefined, { clearCache: retryOf?.clearCache, force: req.force });
    return ok({ deployment: toDeployment(queued.data), replayed: false });
  }

  private alreadyRunning(target: DeployTarget, activeId: string | undefined): TriggerOutcome {
    return err(
      ErrorCode.DeploymentAlreadyRunning,
      `environment ${target.environment.name} of ${target.project.name} already has a deployment in progress; wait for it, cancel it, or trigger with force`,
      activeId ? { deploymentId: activeId } : undefined,
    );
  }
}
