import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Durables, type DeploymentStatusChanged, deploymentStatusChanged, isTerminal } from '@flightdeck/contracts';
import { HandleEvent } from '@flightdeck/messaging';
import { DeploymentMetrics } from './deployment-metrics';

// Counted from the orchestrator's own status events, which leave the outbox only once their
// transaction committed: a trigger that was rolled back is never counted. One durable consumer
// shared by the replicas: each counts its share, and Prometheus sums the instances.
@Controller()
export class DeploymentMetricsConsumer {
  constructor(private readonly metrics: DeploymentMetrics) {}

  @HandleEvent(deploymentStatusChanged, {
    stream: 'deploymentEvents',
    durable: Durables.deploymentMetrics,
    filterSubject: 'deployments.evt.status.>',
    // only a creation or an end is counted: the steps between are acked without a transaction
    only: (e) => e.transition.from === null || isTerminal(e.transition.to),
  })
  changed(@Payload() e: DeploymentStatusChanged) {
    if (e.transition.from === null) this.metrics.created(e.deployment);
    if (isTerminal(e.transition.to)) this.metrics.ended(e.deployment);
  }
}
