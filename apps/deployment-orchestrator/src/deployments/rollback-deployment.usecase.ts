import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CommandRequest, type Deployment, ErrorCode, type Result, err, ok, rollbackDeployment } from '@flightdeck/contracts';
import { DeployJobDispatcher } from '../dispatch/deploy-job.dispatcher';
import { EnvironmentQueue } from './environment-queue';
import { type DeployTarget, ProjectDirectory } from '../dispatch/project-directory';
import { DeploymentTransitions } from './deployment-transitions.service';
import type { DeploymentEntity } from './deployment.entity';
import { toDeployment } from './deployment.mapper';
import { DeploymentsRepository, ONE_ACTIVE_PER_ENVIRONMENT_INDEX, isUniqueViolation } from './deployments.repository';
import { deploymentProviderOf } from './trigger-deployment.usecase';

export type RollbackRequest = CommandRequest<typeof rollbackDeployment>;

// Serves an earlier successful release again, without building: a new deployment (trigger
// `rollback`) whose job carries the target's artifact.
@Injectable()
export class RollbackDeploymentUseCase {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: DeploymentsRepository,
    private readonly transitions: DeploymentTransitions,
    private readonly directory: ProjectDirectory,
    private readonly dispatcher: DeployJobDispatcher,
    private readonly queue: EnvironmentQueue,
  ) {}

  async execute(req: RollbackRequest): Promise<Result<Deployment>> {
    const current = await this.repo.findById(req.deploymentId);
    if (!current) return err(ErrorCode.DeploymentNotFound, `deployment ${req.deploymentId} not found`);
    const target = await this.chooseTarget(current, req.targetDeploymentId);
    if (!target.ok) return target;
    const where = await this.directory.environment(current.environmentId);
    if (!where.ok) return where;
    try {
      return await this.ds.transaction(async (tx) => {
        // "roll back in a second" never waits in a queue: it is refused while anything is in progress
        await this.repo.lockEnvironment(tx, current.environmentId);
        const { running, waiting } = await this.repo.lockInProgress(tx, current.environmentId);
        const active = running ?? waiting[0];
        if (active) return this.alreadyRunning(where.data, active.id);
        const t = target.data;
        const created = await this.transitions.create(
          tx,
          {
            id: randomUUID(),
            projectId: current.projectId,
            environmentId: current.environmentId,
            sourceRef: t.sourceRef,
            commitSha: t.commitSha,
            commitMessage: t.commitMessage,
            commitAuthor: t.commitAuthor,
            message: `rollback to ${t.id}`,
            triggeredBy: req.actor.id,
            trigger: 'rollback',
            idempotencyKey: null,
            rollbackTargetId: t.id,
            artifact: t.artifact,
            provider: deploymentProviderOf('internal', where.data),
            metadata: { rollbackFrom: current.id },
          },
          `rollback to ${t.id} requested by ${req.actor.kind} ${req.actor.id}`,
        );
        const queued = await this.transitions.move(tx, created, 'queued', { reason: 'rollback job dispatched' });
        if (!queued.ok) throw new Error(`bug: a new deployment cannot be queued: ${queued.error.message}`);
        await this.queue.send(tx, queued.data, this.dispatcher.jobFor(queued.data, where.data, { deploymentId: t.id, artifact: t.artifact! }));
        return ok(toDeployment(queued.data));
      });
    } catch (e) {
      if (isUniqueViolation(e, ONE_ACTIVE_PER_ENVIRONMENT_INDEX)) return this.alreadyRunning(where.data, undefined);
      throw e;
    }
  }

  private async chooseTarget(current: DeploymentEntity, targetId: string | undefined): Promise<Result<DeploymentEntity>> {
    if (!targetId) {
      const previous = await this.repo.previousSuccess(current.environmentId, current);
      return previous
        ? ok(previous)
        : err(ErrorCode.DeploymentNoRollbackTarget, `no successful deployment before ${current.id} in its environment to roll back to`);
    }
    const target = await this.repo.findById(targetId);
    if (!target || target.environmentId !== current.environmentId) {
      return err(ErrorCode.DeploymentNoRollbackTarget, `deployment ${targetId} is not a deployment of the same environment`);
    }
    if (target.status !== 'succeeded') {
      return err(ErrorCode.DeploymentInvalidState, `deployment ${targetId} is ${target.status}; only a succeeded deployment can be rolled back to`);
    }
    if (!target.artifact) return err(ErrorCode.DeploymentNoRollbackTarget, `deployment ${targetId} has no artifact to release`);
    return ok(target);
  }

  private alreadyRunning(where: DeployTarget, activeId: string | undefined): Result<Deployment> {
    return err(
      ErrorCode.DeploymentAlreadyRunning,
      `environment ${where.environment.name} of ${where.project.name} already has a deployment in progress; wait for it or cancel it`,
      activeId ? { deploymentId: activeId } : undefined,
    );
  }
}
