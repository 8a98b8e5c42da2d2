import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import { DataSource } from 'typeorm';
import { deploymentCancelRequested } from '@flightdeck/contracts';
import { NATS_CONNECTION, decodeEnvelope, runWithCorrelation } from '@flightdeck/messaging';
import { BuildJobsRepository } from './build-jobs.repository';
import { JobRunner } from './job-runner';

// Every replica hears every cancel (core NATS, no queue group): the one running the deployment
// stops its process tree at once. The cancel is also written to the job table, so a job that is
// still on the queue is skipped when it arrives, and a runner that missed the message sees it on
// its next heartbeat.
@Injectable()
export class CancelListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CancelListener.name);
  private sub?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly runner: JobRunner,
    private readonly jobs: BuildJobsRepository,
    private readonly ds: DataSource,
  ) {}

  onApplicationBootstrap() {
    this.sub = this.nc.subscribe(deploymentCancelRequested.subject, {
      callback: (error, msg) => {
        if (error) return this.logger.warn({ err: error.message }, 'cancel subscription error');
        void this.handle(msg.data);
      },
    });
  }

  async onModuleDestroy() {
    this.sub?.unsubscribe();
  }

  private async handle(bytes: Uint8Array) {
    const decoded = decodeEnvelope(bytes);
    if (!decoded.ok) return this.logger.warn({ reason: decoded.reason }, 'malformed cancel request ignored');
    const { envelope } = decoded;
    if (envelope.v !== deploymentCancelRequested.version) {
      return this.logger.warn({ v: envelope.v }, 'cancel request of an unsupported version ignored');
    }
    const parsed = deploymentCancelRequested.data.safeParse(envelope.data);
    if (!parsed.success) return this.logger.warn({ issues: parsed.error.issues }, 'invalid cancel request ignored');
    const { deploymentId, attempt, reason } = parsed.data;
    await runWithCorrelation(envelope.correlationId, async () => {
      if (this.runner.stop(deploymentId, attempt, reason)) {
        this.logger.log({ deploymentId, attempt, reason }, 'stopping a running job');
      }
      if (attempt < 1) return;
      try {
        await this.jobs.recordCancel(this.ds, deploymentId, attempt);
      } catch (e) {
        this.logger.warn({ deploymentId, err: (e as Error).message }, 'cancel not recorded');
      }
    });
  }
}
