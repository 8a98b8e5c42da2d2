import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type DeploymentStatusChanged, Durables, deploymentStatusChanged, isTerminal } from '@flightdeck/contracts';
import { type ConsumedMessageContext, HandleEvent } from '@flightdeck/messaging';
import { DeploymentsRepository } from './deployments.repository';
import { EnvironmentQueue } from './environment-queue';
import { PreflightRunner } from './preflight-runner';
import { PREFLIGHT_PHASE } from '../state-machine/deployment-lifecycle';

// A waiting deployment whose turn came (queued → queued, phase validating). A new one's check is
// started by the replica that took its trigger, right after its commit (a second start from here
// would clone its repository twice); should that replica stop, the sweeper runs it again.
const entersPreflight = (e: DeploymentStatusChanged) =>
  e.transition.from === 'queued' && e.transition.to === 'queued' && e.transition.phase === PREFLIGHT_PHASE;

// Starts the next waiting deployment of an environment once one has ended. Fed by the
// orchestrator's own status events, which leave the outbox only after the end committed, so
// the ended deployment no longer counts as running when this looks. Whatever ends a deployment
// (a result, a cancel, a timeout, a superseding trigger) needs no hook of its own; the sweeper
// starts a queue whose start was missed all the same.
// The same events start the pre-flight of a waiting deployment whose turn came (the run goes on in
// the background: a slow repository never holds this consumer).
@Controller()
export class EnvironmentQueueConsumer {
  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly queue: EnvironmentQueue,
    private readonly preflight: PreflightRunner,
  ) {}

  // read under `deployments.evt.status.>`: the metrics consumer holds the event's own pattern, and a
  // service has one handler per pattern
  @HandleEvent(deploymentStatusChanged, {
    stream: 'deploymentEvents',
    durable: Durables.environmentQueue,
    filterSubject: 'deployments.evt.status.>',
    subject: 'deployments.evt.status.>',
    // the other changes (two per trigger) are acked without a transaction
    only: (e) => isTerminal(e.transition.to) || entersPreflight(e),
  })
  async changed(@Payload() e: DeploymentStatusChanged, @Ctx() ctx: ConsumedMessageContext) {
    if (entersPreflight(e)) return this.preflight.start(e.deployment.id);
    await this.repo.lockEnvironment(ctx.tx, e.deployment.environmentId);
    await this.queue.startNext(ctx.tx, e.deployment.environmentId);
  }
}
