import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ErrorCode, type Result, deploymentCancelRequested } from '@flightdeck/contracts';
import { Outbox } from '@flightdeck/messaging';
import { DeploymentTransitions } from './deployment-transitions.service';
import type { DeploymentEntity } from './deployment.entity';

// Two ways to cancel: at once (nothing runs yet, a forced trigger took its place, or the builder
// never answered), or by asking the builder and waiting for its `canceled` result, so that the
// deployment shows canceled only once its processes are gone.
@Injectable()
export class DeploymentCanceler {
  constructor(
    private readonly transitions: DeploymentTransitions,
    private readonly outbox: Outbox,
  ) {}

  async cancelNow(tx: EntityManager, d: DeploymentEntity, reason: string): Promise<Result<DeploymentEntity>> {
    const moved = await this.transitions.move(tx, d, 'canceled', {
      reason,
      patch: { errorCode: ErrorCode.DeploymentCanceled, errorMessage: reason },
    });
    // a builder may already hold the job even if it has not said so yet
    if (moved.ok) await this.stopWork(tx, d, 'canceled');
    return moved;
  }

  async requestCancel(tx: EntityManager, d: DeploymentEntity, reason: string): Promise<DeploymentEntity> {
    await this.transitions.update(tx, d, {
      reason: `cancel requested: ${reason}`,
      patch: { cancelRequestedAt: new Date(), metadata: { ...d.metadata, cancelReason: reason } },
      announce: true,
    });
    await this.stopWork(tx, d, 'canceled');
    return d;
  }

  async stopWork(tx: EntityManager, d: DeploymentEntity, reason: 'canceled' | 'timeout') {
    await this.outbox.add(tx, deploymentCancelRequested, d.id, { deploymentId: d.id, attempt: d.attempt, reason });
  }
}
