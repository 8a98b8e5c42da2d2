import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { Durables, type DeploymentStatusChanged, deploymentStatusChanged } from '@flightdeck/contracts';
import { HandleEvent } from '@flightdeck/messaging';
import { DeploymentProjectsRepository } from './deployment-projects.repository';

// The orchestrator's status events say which project each deployment is of (a log line does
// not), and which deployment each environment serves. Read from the start of DEPLOYMENT_EVENTS by one durable consumer shared by the replicas;
// lines may arrive before their deployment's first event: the search joins when it runs.
@Controller()
export class DeploymentProjectsConsumer {
  constructor(private readonly projects: DeploymentProjectsRepository) {}

  @HandleEvent(deploymentStatusChanged, { stream: 'deploymentEvents', durable: Durables.logDeployments, filterSubject: 'deployments.evt.status.>' })
  async changed(@Payload() e: DeploymentStatusChanged, @Ctx() ctx: { tx: EntityManager }) {
    await this.projects.record(ctx.tx, e.deployment);
    // the lines of an environment's current release outlive retention (see the migration 1764700000002)
    if (e.transition.to === 'succeeded') await this.projects.released(ctx.tx, e.deployment, e.deployment.finishedAt ?? e.transition.at);
  }
}
