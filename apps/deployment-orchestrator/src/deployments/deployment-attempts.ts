import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ErrorCode } from '@flightdeck/contracts';
import { ORCHESTRATOR_CONFIG, type DeploymentOrchestratorConfig } from '../config/deployment-orchestrator.config';
import { DeploymentTransitions } from './deployment-transitions.service';
import type { DeploymentEntity } from './deployment.entity';
import { EnvironmentQueue } from './environment-queue';

// A deployment whose builder stopped before it ended (crashed, killed, shut down, or silent) is
// not failed while attempts remain: its job goes out again as the next attempt, which any builder
// replica takes; the log continues after the earlier attempt's lines, and events of the earlier
// attempt are ignored from then on (BuildEventsService) while its builder, should it still live,
// stops it on its next heartbeat (the deployment no longer wants that attempt).
@Injectable()
export class DeploymentAttempts {
  private readonly logger = new Logger(DeploymentAttempts.name);

  constructor(
    private readonly transitions: DeploymentTransitions,
    private readonly queue: EnvironmentQueue,
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: DeploymentOrchestratorConfig,
  ) {}

  /** true when a next attempt went out; false when none may (attempts used up, a cancel pending, no job kept) */
  async sendAgain(tx: EntityManager, d: DeploymentEntity, why: string, lastSeq: number | undefined): Promise<boolean> {
    const job = d.deployJob;
    if (!job || d.attempt >= this.config.FLIGHTDECK_MAX_ATTEMPTS || d.cancelRequestedAt) return false;
    d.attempt += 1;
    await this.transitions.update(tx, d, {
      phase: 'queued',
      reason: `${why}; sent to a builder again: attempt ${d.attempt} of ${this.config.FLIGHTDECK_MAX_ATTEMPTS}`,
      patch: { metadata: { ...d.metadata, attempts: [...attemptsOf(d), { attempt: d.attempt - 1, endedBecause: why }] } },
    });
    await this.queue.send(tx, d, { ...job, attempt: d.attempt, ...(lastSeq !== undefined ? { firstSeq: lastSeq + 1 } : {}) });
    this.logger.warn({ deploymentId: d.id, attempt: d.attempt, why }, 'deployment sent to a builder again');
    return true;
  }

  /** the end of a deployment whose attempts are used up */
  async giveUp(tx: EntityManager, d: DeploymentEntity, why: string) {
    const message = `${why}, and no attempt is left (${d.attempt} of ${this.config.FLIGHTDECK_MAX_ATTEMPTS})`;
    return this.transitions.move(tx, d, 'failed', {
      reason: message,
      patch: { errorCode: ErrorCode.BuildInterrupted, errorMessage: message },
    });
  }
}

const attemptsOf = (d: DeploymentEntity): unknown[] => (Array.isArray(d.metadata.attempts) ? d.metadata.attempts : []);
