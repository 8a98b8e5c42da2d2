import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { Durables, type DeploymentStatusChanged, deploymentStatusChanged } from '@flightdeck/contracts';
import { HandleEvent } from '@flightdeck/messaging';
import { AuditLogService, type NewAuditEntry } from '../audit/audit-log.service';
import { hookEventsOf, hookPayload } from './hook-events';
import { HooksRepository } from './hooks.repository';

// Every deployment status event, by one durable consumer shared by the gateway's replicas (so none
// is lost across restarts; de-duplicated by the consumer's ledger in the same transaction): a
// pending delivery per subscribed hook. Nothing is sent here: HookDeliverer does that, so the
// consumer keeps pace with deployments whatever the receivers do.
// The same events put the platform's own approval decisions in the audit log: an approval that
// expired (people's approvals and rejections are audited as the POSTs they are).
@Controller()
export class HooksConsumer {
  constructor(
    private readonly hooks: HooksRepository,
    private readonly audit: AuditLogService,
  ) {}

  @HandleEvent(deploymentStatusChanged, { stream: 'deploymentEvents', durable: Durables.gatewayHooks, filterSubject: 'deployments.evt.status.>' })
  async changed(@Payload() e: DeploymentStatusChanged, @Ctx() ctx: { tx: EntityManager }) {
    for (const event of hookEventsOf(e)) {
      await this.hooks.enqueue(ctx.tx, e.deployment.projectId, e.deployment.id, event, e.transition.at, hookPayload(event, e));
    }
    if (e.transition.approval?.decision === 'expired') await this.audit.record(expiryEntry(e), ctx.tx);
  }
}

const expiryEntry = ({ deployment }: DeploymentStatusChanged): NewAuditEntry => ({
  actor: { kind: 'system', id: 'deployment-orchestrator' },
  userId: null,
  tokenId: null,
  method: 'SYSTEM',
  route: 'SYSTEM approval expired',
  path: `/api/v1/deployments/${deployment.id}`,
  projectId: deployment.projectId,
  target: { deploymentId: deployment.id, environmentId: deployment.environmentId },
  status: 200,
  outcome: 'succeeded',
  errorCode: null,
  correlationId: null,
});
