import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { type BuildResult, ErrorCode, Streams, buildFinished } from '@flightdeck/contracts';
import { NATS_CONNECTION, Outbox } from '@flightdeck/messaging';
import { SERVICE_INFO, type ServiceInfo } from '@flightdeck/runtime';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { LogBatchPublisher } from '../logs/log-batch-publisher';
import { readLogTail } from '../logs/log-tail';
import { BuildJobsRepository, type StaleJob } from './build-jobs.repository';

// A builder that crashed, was killed or lost its database leaves its jobs running in the table.
// Any replica (or the same one after a restart) ends them as build/interrupted with a reason, and
// the orchestrator sends the deployment to a builder again (its next attempt, whose log continues
// after this one's). The attempt itself is not resumed here: the clone and half-built work dir of
// a dead builder cannot be trusted.
@Injectable()
export class StaleJobsSweeper implements OnModuleDestroy {
  private readonly logger = new Logger(StaleJobsSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly jobs: BuildJobsRepository,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    @Inject(BUILDER_CONFIG) private readonly config: BuilderConfig,
  ) {}

  /** at start-up, before taking jobs: what this instance left behind is ended at once */
  async start(): Promise<void> {
    await this.sweep(this.info.instanceId);
    await this.removeAbandonedWorkDirs();
    const every = Math.min(10_000, Math.round(this.config.FLIGHTDECK_JOB_STALE_AFTER_MS / 3));
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, every);
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(orphanedBy?: string): Promise<void> {
    try {
      const ended = await this.ds.transaction(async (tx) => {
        const stale = await this.jobs.claimStale(tx, { staleAfterMs: this.config.FLIGHTDECK_JOB_STALE_AFTER_MS, orphanedBy });
        for (const job of stale) {
          const result = await this.failedResult(job);
          await this.jobs.endStale(tx, job, result.lastSeq, ErrorCode.BuildInterrupted);
          await this.outbox.add(tx, buildFinished, job.deploymentId, result);
        }
        return stale;
      });
      for (const job of ended) {
        this.logger.warn({ deploymentId: job.deploymentId, attempt: job.attempt, builder: job.instanceId }, 'ended the job of a builder that stopped');
        await rm(join(this.workRoot, job.deploymentId), { recursive: true, force: true }).catch(() => undefined);
      }
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'stale job sweep failed');
    }
  }

  private get workRoot() {
    return join(this.config.FLIGHTDECK_DATA_DIR, 'work');
  }

  private async failedResult(job: StaleJob): Promise<BuildResult> {
    const step = job.step ?? 'prepare';
    const message = `the builder running attempt ${job.attempt} (${job.instanceId ?? 'unknown'}) stopped during the ${step} step`;
    const published = await this.lastPublishedSeq(job.deploymentId);
    // Without the stream's answer (its leader being elected, NATS unreachable) the heartbeat's seq
    // may be behind lines the dead builder published since: the next attempt would reuse their seqs
    // and a line of each pair would be lost. The whole sweep waits for the next round instead.
    if (published === undefined) throw new Error(`the last log line of ${job.deploymentId} is unknown: ${Streams.buildLogs.name} did not answer`);
    const lastSeq = await this.appendLine(job, published, step, `Failed: ${message}`);
    return {
      deploymentId: job.deploymentId,
      attempt: job.attempt,
      outcome: 'failed',
      failure: { code: ErrorCode.BuildInterrupted, step, message },
      lastSeq,
      at: new Date().toISOString(),
    };
  }

  // The stream knows the last line that really went out; the heartbeat's figure may be off.
  private async lastPublishedSeq(deploymentId: string): Promise<number | undefined> {
    return (await readLogTail(this.nc.jetstream(), deploymentId).catch(() => undefined))?.lineSeq;
  }


  /** the reason, as the log's last line for whoever follows it; returns the new last seq */
  private async appendLine(job: StaleJob, lastSeq: number, step: string, message: string): Promise<number> {
    // through the log's publisher: a taken-over release of this deployment may be writing its output
    const publisher = new LogBatchPublisher(this.nc.jetstream(), job.deploymentId, job.attempt);
    publisher.add({ seq: lastSeq + 1, timestamp: new Date().toISOString(), level: 'error', source: 'system', step, message });
    return (await publisher.close(5_000)) ? publisher.lastPublishedSeq : Math.max(lastSeq, publisher.lastPublishedSeq);
  }

  // Work dirs of jobs no builder runs any more (a crash skips the clean-up).
  private async removeAbandonedWorkDirs() {
    const running = await this.jobs.runningDeploymentIds(this.ds);
    const dirs = await readdir(this.workRoot).catch(() => [] as string[]);
    for (const d of dirs) {
      if (!running.has(d)) await rm(join(this.workRoot, d), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
