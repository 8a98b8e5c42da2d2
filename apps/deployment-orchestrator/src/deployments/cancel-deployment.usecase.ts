import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Actor, type Deployment, ErrorCode, type Result, err, isTerminal, ok } from '@flightdeck/contracts';
import { DeploymentCanceler } from './deployment-canceler';
import { toDeployment } from './deployment.mapper';
import { DeploymentsRepository } from './deployments.repository';

// Nothing runs yet (created, queued): canceled at once. Running: the builder is asked to stop and
// the deployment becomes canceled with its confirmation, or after a grace period (the sweeper).
@Injectable()
export class CancelDeploymentUseCase {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: DeploymentsRepository,
    private readonly canceler: DeploymentCanceler,
  ) {}

  execute(req: { deploymentId: string; actor: Actor }): Promise<Result<Deployment>> {
    return this.ds.transaction(async (tx) => {
      const d = await this.repo.lockById(tx, req.deploymentId);
      if (!d) return err(ErrorCode.DeploymentNotFound, `deployment ${req.deploymentId} not found`);
      if (isTerminal(d.status)) {
        return err(ErrorCode.DeploymentInvalidState, `deployment ${d.id} is already ${d.status}; only a deployment in progress can be canceled`);
      }
      const reason = `canceled by ${req.actor.kind} ${req.actor.id}`;
      if (d.status === 'created' || d.status === 'queued') {
        const canceled = await this.canceler.cancelNow(tx, d, reason);
        return canceled.ok ? ok(toDeployment(canceled.data)) : canceled;
      }
      // asking twice changes nothing: the first request is already on its way
      if (!d.cancelRequestedAt) await this.canceler.requestCancel(tx, d, reason);
      return ok(toDeployment(d));
    });
  }
}
