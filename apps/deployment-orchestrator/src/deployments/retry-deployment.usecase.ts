import { Injectable } from '@nestjs/common';
import { type CommandRequest, type Deployment, ErrorCode, type Result, err, ok, retryDeployment } from '@flightdeck/contracts';
import { isActive } from '../state-machine/deployment-lifecycle';
import { DeploymentsRepository } from './deployments.repository';
import { TriggerDeploymentUseCase } from './trigger-deployment.usecase';

export type RetryRequest = CommandRequest<typeof retryDeployment>;

// Deploys the same commit to the same environment again, as a child of the original
// (parentDeploymentId, metadata.retryCount counting the chain). It is a trigger like any other:
// the environment's concurrency rule and the project's rate limit apply. The original must have
// ended: retrying a deployment that is still running would race it.
@Injectable()
export class RetryDeploymentUseCase {
  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly trigger: TriggerDeploymentUseCase,
  ) {}

  async execute(req: RetryRequest): Promise<Result<Deployment>> {
    const parent = await this.repo.findById(req.deploymentId);
    if (!parent) return err(ErrorCode.DeploymentNotFound, `deployment ${req.deploymentId} not found`);
    if (isActive(parent.status)) {
      return err(ErrorCode.DeploymentInvalidState, `deployment ${parent.id} is still ${parent.status}: retry it once it has ended, or cancel it`, {
        deploymentId: parent.id,
        status: parent.status,
      });
    }
    if (parent.trigger === 'rollback') {
      return err(ErrorCode.DeploymentInvalidState, `deployment ${parent.id} is a rollback: roll back again instead of retrying it`);
    }
    const retryCount = Number((parent.metadata as { retryCount?: unknown }).retryCount ?? 0) + 1;
    const r = await this.trigger.execute(
      {
        projectId: parent.projectId,
        environmentId: parent.environmentId,
        // the same commit, when the original got as far as resolving it
        sourceRef: parent.commitSha ?? parent.sourceRef,
        // the environment's allowedRefs checks the branch or tag the original was checked on, not its commit
        ref: typeof parent.metadata.ref === 'string' ? parent.metadata.ref : parent.sourceRef,
        message: `retry ${retryCount} of ${parent.id}`,
        trigger: parent.trigger,
        // a builder-run one is released to the environment's provider as it is now
        provider: parent.provider === 'external' ? 'external' : 'internal',
        actor: req.actor,
      },
      { parent, retryCount, clearCache: !!req.clearCache },
    );
    return r.ok ? ok(r.data.deployment) : r;
  }
}
