import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type DeployJob, deployJobQueued } from '@flightdeck/contracts';
import { Outbox } from '@flightdeck/messaging';
import { DeploymentTransitions } from './deployment-transitions.service';
import type { DeploymentEntity } from './deployment.entity';
import { DeploymentsRepository } from './deployments.repository';
import { needsPreflight } from './preflight-outcome';
import { PREFLIGHT_PHASE } from '../state-machine/deployment-lifecycle';

// One running deployment per environment, and the ones waiting their turn (policies queue and
// supersede). Every decision is taken in Postgres: under the environment's advisory lock
// (repository.lockEnvironment), taken before any row lock so that it never waits in a cycle with
// the transactions that end a deployment (they hold its row and never ask for this lock), and
// guarded by the unique index that allows one running deployment per environment.
@Injectable()
export class EnvironmentQueue {
  private readonly logger = new Logger(EnvironmentQueue.name);

  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly transitions: DeploymentTransitions,
    private readonly outbox: Outbox,
  ) {}

  /** the environment's lock must be held: starts the oldest waiting deployment if none runs */
  async startNext(tx: EntityManager, environmentId: string): Promise<DeploymentEntity | null> {
    const { running, waiting } = await this.repo.lockInProgress(tx, environmentId);
    const next = waiting[0];
    if (running || !next) return null;
    if (needsPreflight(next)) {
      // its pre-flight starts when this status event arrives (EnvironmentQueueConsumer); then its job goes out
      await this.transitions.update(tx, next, { phase: PREFLIGHT_PHASE, reason: 'its turn: no other deployment runs in the environment; checking its variables' });
      return next;
    }
    await this.transitions.update(tx, next, { phase: 'queued', reason: 'its turn: no other deployment runs in the environment' });
    await this.send(tx, next, next.deployJob);
    this.logger.log({ deploymentId: next.id, environmentId, stillWaiting: waiting.length - 1 }, 'next deployment of the queue started');
    return next;
  }

  /** its job goes to the builders now (none for an external deployment: its publisher builds it) */
  async send(tx: EntityManager, d: DeploymentEntity, job: DeployJob | null): Promise<void> {
    d.deployJob = job;
    if (job) await this.outbox.add(tx, deployJobQueued, undefined, job);
    await this.repo.markDispatched(tx, d);
  }
}
