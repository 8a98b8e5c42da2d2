import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type BuildProgress, type BuildResult, ErrorCode, isTerminal } from '@flightdeck/contracts';
import { DeploymentAttempts } from '../deployments/deployment-attempts';
import type { DeploymentEntity } from '../deployments/deployment.entity';
import { DeploymentsRepository } from '../deployments/deployments.repository';
import { decideMove } from '../state-machine/deployment-lifecycle';
import { ORCHESTRATOR_CONFIG, type DeploymentOrchestratorConfig } from '../config/deployment-orchestrator.config';
import { autoRetryPlan } from './auto-retry';
import { buildOutcome, commitFields } from './build-outcome';
import { DeploymentTransitions } from '../deployments/deployment-transitions.service';
import { EnvironmentPauses } from '../deployments/environment-pauses.service';

// Applies what a builder (ours, or a team's own CI) reports about a deployment. Reports about an
// unknown or finished deployment, or from an earlier attempt, change nothing.
@Injectable()
export class BuildEventsService {
  private readonly logger = new Logger(BuildEventsService.name);

  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly transitions: DeploymentTransitions,
    private readonly attempts: DeploymentAttempts,
    private readonly pauses: EnvironmentPauses,
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: DeploymentOrchestratorConfig,
  ) {}

  async onProgress(tx: EntityManager, p: BuildProgress): Promise<void> {
    const d = await this.current(tx, p.deploymentId, p.attempt, 'progress');
    if (!d) return;
    const reason = `builder: ${p.phase}`;
    const patch = { ...commitFields(p.commit), ...(p.build ? { metadata: { ...d.metadata, build: p.build } } : {}) };
    if (p.stage === d.status) {
      await this.transitions.update(tx, d, { phase: p.phase, progress: p.progress, reason, patch });
      return;
    }
    // a report of an earlier stage arrived late (a redelivery after a later one): nothing to undo
    if (!decideMove(d.status, p.stage).ok) {
      this.logger.debug({ deploymentId: d.id, status: d.status, stage: p.stage }, 'out-of-order progress ignored');
      return;
    }
    await this.transitions.move(tx, d, p.stage, { reason, phase: p.phase, progress: p.progress, patch });
  }

  async onResult(tx: EntityManager, r: BuildResult): Promise<void> {
    const d = await this.current(tx, r.deploymentId, r.attempt, 'result');
    if (!d) return;
    // the builder stopped, not the build: another builder takes it while attempts remain
    if (r.outcome === 'failed' && r.failure?.code === ErrorCode.BuildInterrupted) {
      const why = `attempt ${d.attempt} ended: ${r.failure.message}`;
      if (await this.attempts.sendAgain(tx, d, why, r.lastSeq)) return;
      if (!d.cancelRequestedAt) {
        await this.attempts.giveUp(tx, d, why);
        return;
      }
    }
    const { to, patch } = buildOutcome(d, r);
    let { reason } = buildOutcome(d, r);
    if (to === 'failed' && patch.errorCode) {
      const retryCount = Number(d.metadata.retryCount ?? 0);
      const plan = autoRetryPlan(
        { code: patch.errorCode, retryCount, trigger: d.trigger },
        { maxRetries: this.config.FLIGHTDECK_AUTO_RETRIES, baseDelayMs: this.config.FLIGHTDECK_AUTO_RETRY_DELAY_MS },
        new Date(),
      );
      if (plan) {
        // the sweeping replica starts it when it is due (see deployments.sweeper.ts)
        patch.metadata = { ...patch.metadata, autoRetryAt: plan.at.toISOString() };
        reason = `${reason}; temporary: retry ${plan.retry} of ${this.config.FLIGHTDECK_AUTO_RETRIES} at ${plan.at.toISOString()}`;
      }
    }
    const moved = await this.transitions.move(tx, d, to, { reason, patch });
    if (!moved.ok) this.logger.warn({ deploymentId: d.id, outcome: r.outcome, reason: moved.error.message }, 'build result not applied');
    // a rollback that succeeded pauses its environment's automatic deploys, in the same transaction
    else if (to === 'succeeded' && d.trigger === 'rollback') await this.pauses.pauseAfterRollback(tx, d);
  }

  private async current(tx: EntityManager, id: string, attempt: number, kind: string): Promise<DeploymentEntity | undefined> {
    const d = await this.repo.lockById(tx, id);
    if (!d) {
      this.logger.warn({ deploymentId: id, kind }, 'build event for an unknown deployment ignored');
      return undefined;
    }
    if (isTerminal(d.status)) {
      this.logger.debug({ deploymentId: id, kind, status: d.status }, 'build event for a finished deployment ignored');
      return undefined;
    }
    if (attempt !== d.attempt) {
      this.logger.log({ deploymentId: id, kind, attempt, current: d.attempt }, 'build event of an earlier attempt ignored');
      return undefined;
    }
    return d;
  }
}
