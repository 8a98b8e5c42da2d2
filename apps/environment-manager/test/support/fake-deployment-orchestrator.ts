import { randomUUID } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { type Deployment, type DeploymentStatus, ErrorCode, err, getDeployment, ok } from '@flightdeck/contracts';
import { decodeEnvelope, encodeJson } from '@flightdeck/messaging';
import { aDeployment } from '@flightdeck/testing';

// Plays the orchestrator's side of getDeployment on the real NATS, from an in-memory table.
export class FakeDeploymentOrchestrator {
  readonly deployments = new Map<string, Deployment>();
  readonly asked: string[] = [];
  private sub?: Subscription;

  constructor(private readonly nc: NatsConnection) {}

  start() {
    this.sub = this.nc.subscribe(getDeployment.subject, {
      queue: 'deployment-orchestrator',
      callback: (_e, msg: Msg) => {
        const decoded = decodeEnvelope(msg.data);
        if (!decoded.ok) return msg.respond(encodeJson(err(ErrorCode.InvalidMessage, decoded.reason)));
        const { deploymentId } = decoded.envelope.data as { deploymentId: string };
        this.asked.push(deploymentId);
        const d = this.deployments.get(deploymentId);
        msg.respond(encodeJson(d ? ok(d) : err(ErrorCode.DeploymentNotFound, `deployment ${deploymentId} not found`)));
      },
    });
  }

  stop() {
    this.sub?.unsubscribe();
  }

  add(environmentId: string, status: DeploymentStatus, projectId = randomUUID()): Deployment {
    const at = new Date().toISOString();
    const terminal = ['succeeded', 'failed', 'canceled', 'timeout'].includes(status);
    const d = aDeployment({
      projectId,
      environmentId,
      triggeredBy: 'user-1',
      status,
      phase: status === 'succeeded' ? 'active' : 'building',
      progress: terminal ? 100 : 40,
      createdAt: at,
      updatedAt: at,
      startedAt: at,
      finishedAt: terminal ? at : null,
      durationMs: terminal ? 1_000 : null,
    });
    this.deployments.set(d.id, d);
    return d;
  }
}
