import { Injectable } from '@nestjs/common';
import { getDeployment, isTerminal } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import type { StopReason } from './job-runner';

// The slow path of a cancel: the cancel message reaches builders over core NATS (at most once), so
// a running job also asks the orchestrator on its heartbeat whether its deployment still wants it.
// A deployment that ended (canceled at once while queued, timed out) or has a cancel pending
// stops its job within a heartbeat even if the message was lost.
@Injectable()
export class DeploymentWanted {
  constructor(private readonly bus: Bus) {}

  /** why the job should stop, or undefined while the deployment still wants it (or cannot be asked) */
  async stopReason(deploymentId: string, attempt: number): Promise<StopReason | undefined> {
    const r = await this.bus.request(getDeployment, { deploymentId }, { timeoutMs: 1_500 });
    if (!r.ok) return undefined;
    const d = r.data;
    if (d.attempt !== attempt) return 'canceled';
    if (d.status === 'timeout') return 'timeout';
    if (isTerminal(d.status) || d.cancelRequestedAt) return 'canceled';
    return undefined;
  }
}
