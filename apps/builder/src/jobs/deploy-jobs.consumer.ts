import { Controller, Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type DeployJob, deployJobQueued } from '@flightdeck/contracts';
import { HandleEvent, JetStreamServer } from '@flightdeck/messaging';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { BuildEventsReporter } from './build-events.reporter';
import { JobRunner } from './job-runner';
import { JobSlots } from './job-slots';
import { StaleJobsSweeper } from './stale-jobs.sweeper';

export const DEPLOY_JOBS_DURABLE = 'builder';

// Takes jobs from DEPLOY_JOBS, the work queue every builder replica shares.
//
// Why the job is acknowledged when it is accepted, not when the build ends: the consumer's handler
// runs inside a database transaction and one message at a time, so holding the message for a
// multi-minute build would pin a connection per build and serialize the replica. Instead the
// handler waits for a free build slot (the consumer keeps the message alive meanwhile, and a busy
// replica thereby leaves further jobs to the others), then commits the job row in its own short
// transaction and returns, and the message is acked. From then on builder.build_jobs is the source
// of truth: (deployment, attempt) is unique, so a redelivered or re-dispatched job is a no-op;
// the runner heartbeats the row; and a row whose builder died is ended by the stale-job sweeper.
@Controller()
export class DeployJobsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeployJobsConsumer.name);
  private readonly slots: JobSlots;
  private readonly shutdown = new AbortController();

  constructor(
    @Inject(BUILDER_CONFIG) config: BuilderConfig,
    private readonly jetstream: JetStreamServer,
    private readonly reporter: BuildEventsReporter,
    private readonly runner: JobRunner,
    private readonly sweeper: StaleJobsSweeper,
  ) {
    this.slots = new JobSlots(config.FLIGHTDECK_BUILD_CONCURRENCY);
  }

  async onApplicationBootstrap() {
    await this.sweeper.start();
  }

  // On SIGTERM: take no more jobs (a job waiting for a slot goes back to the queue), then stop the
  // running builds; each is reported failed (see JobRunner) before the process exits.
  async onModuleDestroy() {
    this.shutdown.abort(new Error('the builder is shutting down'));
    await this.jetstream.stopConsumer(DEPLOY_JOBS_DURABLE);
    if (this.runner.size) this.logger.warn({ running: this.runner.size }, 'shutting down: stopping running builds');
    await this.runner.stopAll('shutdown');
  }

  @HandleEvent(deployJobQueued, {
    stream: 'deployJobs',
    durable: DEPLOY_JOBS_DURABLE,
    // one job at a time: jobs this replica has no slot for stay on the queue for the others
    maxMessages: 1,
    ackWaitMs: 30_000,
  })
  async accept(job: DeployJob): Promise<void> {
    const slot = await this.slots.acquire(this.shutdown.signal);
    try {
      if (!(await this.reporter.accept(job, this.runner.instanceId))) {
        this.logger.log({ deploymentId: job.deploymentId, attempt: job.attempt }, 'job already handled or canceled; skipped');
        slot.release();
        return;
      }
    } catch (e) {
      slot.release();
      throw e;
    }
    this.logger.log({ deploymentId: job.deploymentId, attempt: job.attempt, kind: job.kind }, 'job accepted');
    this.runner.start(job, slot);
  }
}
