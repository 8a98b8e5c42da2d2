import { Controller, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { deploymentCancelRequested } from '@flightdeck/contracts';
import { HandleBroadcast } from '@flightdeck/messaging';
import type { EventData } from '@flightdeck/contracts';
import { BuildJobsRepository } from './build-jobs.repository';
import { JobRunner } from './job-runner';

// Every replica hears every cancel (a broadcast, no queue group): the one running the deployment
// stops its process tree at once. The cancel is also written to the job table, so a job that is
// still on the queue is skipped when it arrives, and a runner that missed the message sees it on
// its next heartbeat.
@Controller()
export class CancelListener {
  private readonly logger = new Logger(CancelListener.name);

  constructor(
    private readonly runner: JobRunner,
    private readonly jobs: BuildJobsRepository,
    private readonly ds: DataSource,
  ) {}

  @HandleBroadcast(deploymentCancelRequested)
  async cancelRequested({ deploymentId, attempt, reason }: EventData<typeof deploymentCancelRequested>) {
    if (this.runner.stop(deploymentId, attempt, reason)) {
      this.logger.log({ deploymentId, attempt, reason }, 'stopping a running job');
    }
    if (attempt < 1) return;
    try {
      await this.jobs.recordCancel(this.ds, deploymentId, attempt);
    } catch (e) {
      this.logger.warn({ deploymentId, err: (e as Error).message }, 'cancel not recorded');
    }
  }
}
