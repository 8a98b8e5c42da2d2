import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ORCHESTRATOR_CONFIG, type DeploymentOrchestratorConfig } from '../config/deployment-orchestrator.config';
import { DeploymentCanceler } from '../deployments/deployment-canceler';
import { DeploymentsRepository } from '../deployments/deployments.repository';
import { DeploymentTransitions } from '../deployments/deployment-transitions.service';
import { EnvironmentQueue } from '../deployments/environment-queue';
import { DeploymentAttempts } from '../deployments/deployment-attempts';
import { RetryDeploymentUseCase } from '../deployments/retry-deployment.usecase';
import { PreflightRunner } from '../deployments/preflight-runner';
import { HeldDeployments } from '../deployments/held-deployments.service';
import { ErrorCode, checkDeploymentConfiguration } from '@flightdeck/contracts';
import { SweeperLeadership } from './sweeper-leadership';

const BATCH = 50;

// Ends what nobody else will: deployments active past the timeout, and cancels the builder never
// confirmed. One replica at a time sweeps (SweeperLeadership); FOR UPDATE SKIP LOCKED would still
// give each row to one of them should two ever overlap.
@Injectable()
export class DeploymentSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeploymentSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: DeploymentOrchestratorConfig,
    private readonly ds: DataSource,
    private readonly repo: DeploymentsRepository,
    private readonly transitions: DeploymentTransitions,
    private readonly canceler: DeploymentCanceler,
    private readonly leadership: SweeperLeadership,
    private readonly retries: RetryDeploymentUseCase,
    private readonly queue: EnvironmentQueue,
    private readonly attempts: DeploymentAttempts,
    private readonly preflight: PreflightRunner,
    private readonly held: HeldDeployments,
  ) {}

  onApplicationBootstrap() {
    this.schedule();
  }

  async onModuleDestroy() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  async sweepOnce(): Promise<{ timedOut: number; canceled: number; retried: number; queuesStarted: number; lost: number; preflights: number; holds: number }> {
    const timedOut = await this.endTimedOut();
    const canceled = await this.endUnansweredCancels();
    const retried = await this.startDueRetries();
    const queuesStarted = await this.startStalledQueues();
    const lost = await this.resolveStuck();
    const preflights = await this.restartLostPreflights();
    // held by a protection rule: approvals that expired end, wait timers and freezes that ended release
    const holds = await this.held.sweepDue(BATCH);
    return { timedOut, canceled, retried, queuesStarted, lost, preflights, holds };
  }

  // A pre-flight outlives its command's timeout only when its run was lost (the replica running it
  // stopped, or its start event was dead-lettered): run again here.
  private async restartLostPreflights(): Promise<number> {
    const stale = await this.repo.staleValidations(checkDeploymentConfiguration.timeoutMs + 5_000, BATCH);
    for (const id of stale) {
      this.logger.warn({ deploymentId: id }, 'pre-flight run lost, started again');
      this.preflight.start(id);
    }
    return stale.length;
  }

  // Stuck: running, yet no heartbeat from a builder and no change for FLIGHTDECK_STUCK_AFTER_MS (its
  // job was lost, or every builder that could report on it is gone). Sent again as the next attempt
  // while attempts remain, else failed with the reason: never left running.
  private resolveStuck(): Promise<number> {
    const silentMs = this.config.FLIGHTDECK_STUCK_AFTER_MS;
    return this.ds.transaction(async (tx) => {
      const stuck = await this.repo.lockStuck(tx, silentMs, BATCH);
      for (const d of stuck) {
        const why = `no heartbeat from a builder and no progress for ${formatDuration(silentMs)} (attempt ${d.attempt}, phase ${d.phase})`;
        const lastSeq = typeof d.metadata.lastLogSeq === 'number' ? d.metadata.lastLogSeq : undefined;
        if (await this.attempts.sendAgain(tx, d, why, lastSeq)) continue;
        const failed = await this.attempts.giveUp(tx, d, why);
        if (failed.ok) await this.canceler.stopWork(tx, d, 'canceled');
        this.logger.warn({ deploymentId: d.id, attempt: d.attempt }, 'stuck deployment failed: no attempt left');
      }
      return stuck.length;
    });
  }

  // A queue whose running deployment ended without its status event reaching EnvironmentQueueConsumer
  // (the event is still in the outbox, or was dead-lettered) would wait forever: started here.
  private async startStalledQueues(): Promise<number> {
    let started = 0;
    for (const environmentId of await this.repo.stalledQueues(BATCH)) {
      const next = await this.ds.transaction(async (tx) => {
        await this.repo.lockEnvironment(tx, environmentId);
        return this.queue.startNext(tx, environmentId);
      });
      if (next) {
        started++;
        this.logger.warn({ environmentId, deploymentId: next.id }, 'started the next deployment of a stalled queue');
      }
    }
    return started;
  }

  // Automatic retries of temporary failures (planned by BuildEventsService) once they are due.
  // Claimed first, in their own transaction: a crash between claim and start loses a retry rather
  // than starting two.
  private async startDueRetries(): Promise<number> {
    const due = await this.ds.transaction(async (tx) => {
      const rows = await this.repo.lockDueAutoRetries(tx, BATCH);
      for (const d of rows) {
        d.metadata = { ...d.metadata, autoRetriedBy: 'starting' };
        await this.repo.update(tx, d);
      }
      return rows;
    });
    for (const d of due) {
      const r = await this.retries.execute({ deploymentId: d.id, actor: { kind: 'system', id: 'auto-retry' } });
      if (r.ok) this.logger.log({ deploymentId: d.id, retry: r.data.id }, 'temporary failure retried automatically');
      else this.logger.warn({ deploymentId: d.id, code: r.error.code, err: r.error.message }, 'automatic retry not started');
      await this.ds.transaction(async (tx) => {
        const fresh = await this.repo.lockById(tx, d.id);
        if (!fresh) return;
        fresh.metadata = { ...fresh.metadata, autoRetriedBy: r.ok ? r.data.id : null, ...(r.ok ? {} : { autoRetrySkipped: r.error.message }) };
        await this.repo.update(tx, fresh);
      });
    }
    return due.length;
  }

  private schedule() {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.leadership
        .check()
        .then((leader) => (leader ? this.sweepOnce() : undefined))
        .catch((e) => this.logger.warn({ err: (e as Error).message }, 'sweep failed, will retry'))
        .finally(() => this.schedule());
    }, this.config.FLIGHTDECK_SWEEP_INTERVAL_MS);
  }

  private endTimedOut(): Promise<number> {
    const limitMs = this.config.FLIGHTDECK_DEPLOY_TIMEOUT_MS;
    return this.ds.transaction(async (tx) => {
      const expired = await this.repo.lockOverdue(tx, limitMs, BATCH);
      for (const d of expired) {
        const message = `no result within ${formatDuration(limitMs)}`;
        const moved = await this.transitions.move(tx, d, 'timeout', {
          reason: `timeout: ${message}`,
          patch: { errorCode: ErrorCode.DeploymentTimeout, errorMessage: message },
        });
        if (moved.ok) await this.canceler.stopWork(tx, d, 'timeout');
        this.logger.warn({ deploymentId: d.id, limitMs }, 'deployment timed out');
      }
      return expired.length;
    });
  }

  private endUnansweredCancels(): Promise<number> {
    const graceMs = this.config.FLIGHTDECK_CANCEL_GRACE_MS;
    return this.ds.transaction(async (tx) => {
      const waiting = await this.repo.lockCancelRequestedBefore(tx, new Date(Date.now() - graceMs), BATCH);
      for (const d of waiting) {
        const why = typeof d.metadata.cancelReason === 'string' ? d.metadata.cancelReason : 'canceled';
        await this.canceler.cancelNow(tx, d, `${why} (the builder did not confirm within ${formatDuration(graceMs)})`);
        this.logger.warn({ deploymentId: d.id, graceMs }, 'cancel not confirmed by the builder, marked canceled');
      }
      return waiting.length;
    });
  }
}

const formatDuration = (ms: number) =>
  ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : ms >= 1_000 ? `${Math.round(ms / 1_000)} s` : `${ms} ms`;
