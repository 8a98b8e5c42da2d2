import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ErrorCode, checkDeploymentConfiguration, triggerVariablesOf } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { PREFLIGHT_PHASE } from '../state-machine/deployment-lifecycle';
import { DeploymentTransitions } from './deployment-transitions.service';
import type { DeploymentEntity } from './deployment.entity';
import { DeploymentsRepository } from './deployments.repository';
import { EnvironmentQueue } from './environment-queue';
import { preflightOutcome } from './preflight-outcome';

const withVariables = (variables: ReturnType<typeof triggerVariablesOf>) => (variables ? { variables } : {});

const inPreflight = (d: DeploymentEntity | null): d is DeploymentEntity => !!d && d.status === 'queued' && d.phase === PREFLIGHT_PHASE;

// Runs a deployment's pre-flight: asks environment-manager (which owns the variables and reads the
// repository, bounded in time), then in one transaction either fails the deployment
// (deployment/invalid-configuration, every problem by key in metadata.preflight) or sends its job.
// Started by the trigger once committed, by EnvironmentQueueConsumer for a waiting deployment whose
// turn came, and by the sweeper for one whose run was lost (a crash); running it twice is harmless:
// the second finds the deployment no longer validating.
@Injectable()
export class PreflightRunner implements OnModuleDestroy {
  private readonly logger = new Logger(PreflightRunner.name);
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly ds: DataSource,
    private readonly repo: DeploymentsRepository,
    private readonly transitions: DeploymentTransitions,
    private readonly queue: EnvironmentQueue,
    private readonly bus: Bus,
  ) {}

  /** in the background; one run per deployment at a time in this process */
  start(deploymentId: string): void {
    if (this.running.has(deploymentId)) return;
    const run = this.run(deploymentId)
      .catch((e: Error) => this.logger.warn({ deploymentId, err: e.message }, 'pre-flight failed to run; the sweeper runs it again'))
      .finally(() => this.running.delete(deploymentId));
    this.running.set(deploymentId, run);
  }

  async onModuleDestroy() {
    await Promise.all(this.running.values());
  }

  async run(deploymentId: string): Promise<void> {
    const d = await this.repo.findById(deploymentId);
    if (!inPreflight(d)) return;
    const answer = await this.bus.request(checkDeploymentConfiguration, {
      projectId: d.projectId,
      environmentId: d.environmentId,
      deploymentId: d.id,
      sourceRef: d.sourceRef,
      ...withVariables(triggerVariablesOf(d.metadata)),
    });
    const outcome = preflightOutcome(answer, new Date());
    await this.ds.transaction(async (tx) => {
      const fresh = await this.repo.lockById(tx, deploymentId);
      // canceled, superseded or already checked by another run meanwhile
      if (!inPreflight(fresh)) return;
      const metadata = { ...fresh.metadata, preflight: outcome.record };
      if (outcome.kind === 'fail') {
        const moved = await this.transitions.move(tx, fresh, 'failed', {
          reason: `pre-flight: ${outcome.message}`,
          patch: { errorCode: ErrorCode.DeploymentInvalidConfiguration, errorMessage: outcome.message, metadata },
        });
        if (!moved.ok) throw new Error(`bug: a validating deployment cannot fail: ${moved.error.message}`);
        this.logger.warn({ deploymentId, problems: (outcome.record.problems as { key: string }[]).map((p) => p.key) }, 'pre-flight failed the deployment');
        return;
      }
      await this.transitions.update(tx, fresh, { phase: 'queued', reason: `pre-flight: ${outcome.reason}`, patch: { metadata } });
      await this.queue.send(tx, fresh, fresh.deployJob);
    });
  }
}
