import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { Durables, type DeploymentStatusChanged, deploymentStatusChanged } from '@flightdeck/contracts';
import { HandleEvent } from '@flightdeck/messaging';
import { hookEventsOf, hookPayload } from './hook-events';
import { HooksRepository } from './hooks.repository';

// Every deployment status event, by one durable consumer shared by the gateway's replicas (so none
// is lost across restarts; de-duplicated by the consumer's ledger in the same transaction): a
// pending delivery per subscribed hook. Nothing is sent here: HookDeliverer does that, so the
// consumer keeps pace with deployments whatever the receivers do.
@Controller()
export class HooksConsumer {
  constructor(private readonly hooks: HooksRepository) {}

  @HandleEvent(deploymentStatusChanged, { stream: 'deploymentEvents', durable: Durables.gatewayHooks, filterSubject: 'deployments.evt.status.>' })
  async changed(@Payload() e: DeploymentStatusChanged, @Ctx() ctx: { tx: EntityManager }) {
    for (const event of hookEventsOf(e)) {
      await this.hooks.enqueue(ctx.tx, e.deployment.projectId, e.deployment.id, event, e.transition.at, hookPayload(event, e));
    }
  }
}
