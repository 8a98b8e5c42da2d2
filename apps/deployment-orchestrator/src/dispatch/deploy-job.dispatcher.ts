import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Artifact, type DeployJob, deployJobQueued } from '@flightdeck/contracts';
import { Outbox } from '@flightdeck/messaging';
import type { DeploymentEntity } from '../deployments/deployment.entity';
import type { DeployTarget } from './project-directory';

// Puts the builder's work on the DEPLOY_JOBS work queue, in the same transaction that queued the
// deployment: either both happen or neither does.
@Injectable()
export class DeployJobDispatcher {
  constructor(private readonly outbox: Outbox) {}

  async dispatch(
    tx: EntityManager,
    d: DeploymentEntity,
    where: DeployTarget,
    rollbackTo?: { deploymentId: string; artifact: Artifact },
    opts: { clearCache?: boolean; force?: boolean } = {},
  ): Promise<DeployJob> {
    const job: DeployJob = {
      deploymentId: d.id,
      attempt: d.attempt,
      kind: rollbackTo ? 'rollback' : 'build',
      projectId: where.project.id,
      projectName: where.project.name,
      environmentId: where.environment.id,
      environmentName: where.environment.name,
      repositoryUrl: where.project.repositoryUrl,
      sourceRef: d.sourceRef,
      ...(rollbackTo ? { target: rollbackTo } : {}),
      ...(opts.clearCache ? { clearCache: true } : {}),
      ...(opts.force ? { force: true } : {}),
    };
    await this.outbox.add(tx, deployJobQueued, undefined, job);
    return job;
  }
}
