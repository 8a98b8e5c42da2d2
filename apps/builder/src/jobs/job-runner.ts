import { rm } from 'node:fs/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { type BuildHeartbeat, type BuildResult, type DeployJob, ErrorCode, buildHeartbeat, subjectFor } from '@flightdeck/contracts';
import { NATS_CONNECTION, encodeEvent } from '@flightdeck/messaging';
import { SERVICE_INFO, type ServiceInfo } from '@flightdeck/runtime';
import { BuildPipeline, type PipelineOutcome } from '../build/build-pipeline';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import type { PipelineContext } from '../build/pipeline-context';
import { StepAbortedError, StepFailedError } from '../build/step-errors';
import { BuildLog, type BuildStep } from '../logs/build-log';
import { LogBatchPublisher } from '../logs/log-batch-publisher';
import { RuntimeLogs } from '../logs/runtime-logs';
import { ReleaseFailedError, ReleaseSupersededError } from '../provider/release-provider';
import { BuildEventsReporter } from './build-events.reporter';
import { DeploymentWanted } from './deployment-wanted';
import { BuildJobsRepository } from './build-jobs.repository';
import type { JobSlot } from './job-slots';

export type StopReason = 'canceled' | 'timeout' | 'shutdown';

interface RunningJob {
  job: DeployJob;
  controller: AbortController;
  stopReason?: StopReason;
  done: Promise<void>;
}

const HEARTBEAT_MS = 2_000;

type Failure = NonNullable<BuildResult['failure']>;

// Runs accepted jobs to their end: heartbeats while running, a stop on cancel, timeout or
// shutdown, exactly one result per job (through the outbox, after every log line is acknowledged),
// and a clean work dir afterwards.
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);
  private readonly running = new Map<string, RunningJob>();

  constructor(
    private readonly pipeline: BuildPipeline,
    private readonly reporter: BuildEventsReporter,
    private readonly jobs: BuildJobsRepository,
    private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    private readonly wanted: DeploymentWanted,
    @Inject(BUILDER_CONFIG) private readonly config: BuilderConfig,
    private readonly runtimeLogs: RuntimeLogs,
  ) {}

  get instanceId(): string {
    return this.info.instanceId;
  }

  get size(): number {
    return this.running.size;
  }

  isRunning(deploymentId: string, attempt: number): boolean {
    return this.running.has(key(deploymentId, attempt));
  }

  /** starts the job in the background; the slot is released once it has ended completely */
  start(job: DeployJob, slot: JobSlot): void {
    const controller = new AbortController();
    const entry: RunningJob = { job, controller, done: Promise.resolve() };
    this.running.set(key(job.deploymentId, job.attempt), entry);
    entry.done = this.execute(entry)
      .catch((e) => this.logger.error({ deploymentId: job.deploymentId, err: (e as Error).message }, 'job runner failed'))
      .finally(() => {
        this.running.delete(key(job.deploymentId, job.attempt));
        slot.release();
      });
  }

  /** false when this instance does not run that attempt */
  stop(deploymentId: string, attempt: number, reason: StopReason): boolean {
    const entry = this.running.get(key(deploymentId, attempt));
    if (!entry) return false;
    entry.stopReason ??= reason;
    entry.controller.abort(reason);
    return true;
  }

  async stopAll(reason: StopReason): Promise<void> {
    const entries = [...this.running.values()];
    for (const e of entries) this.stop(e.job.deploymentId, e.job.attempt, reason);
    await Promise.all(entries.map((e) => e.done));
  }

  private async execute(entry: RunningJob): Promise<void> {
    const { job, controller } = entry;
    const publisher = new LogBatchPublisher(this.nc.jetstream(), job.deploymentId, job.attempt);
    const log = new BuildLog(publisher, { firstSeq: job.firstSeq, linesPerSecond: this.config.FLIGHTDECK_LOG_LINES_PER_SECOND });
    // its release's own output continues the log after the job's last line
    this.runtimeLogs.deployLogOpened(job.deploymentId);
    let step: BuildStep = job.kind === 'rollback' ? 'deploy' : 'prepare';
    const ctx: PipelineContext = {
      job,
      log,
      signal: controller.signal,
      enterStep: async (next, progress) => {
        if (controller.signal.aborted) throw new StepAbortedError(step);
        step = next;
        if (progress) await this.reporter.progress(job, next, progress);
      },
    };
    const heartbeat = setInterval(() => void this.beat(entry, step, publisher.lastPublishedSeq), HEARTBEAT_MS);
    let result: Omit<BuildResult, 'lastSeq' | 'at'>;
    try {
      if (job.attempt > 1) log.system(step, `Attempt ${job.attempt}: the builder of attempt ${job.attempt - 1} stopped before it ended; starting again here`, 'warn');
      log.system(step, `${job.kind === 'rollback' ? 'Rollback' : `Build of ${job.sourceRef}`} for ${job.projectName}/${job.environmentName}, attempt ${job.attempt}, on builder ${this.instanceId}`);
      const outcome = job.kind === 'rollback' ? await this.pipeline.rollback(ctx) : await this.pipeline.build(ctx);
      result = this.succeeded(job, log, outcome);
    } catch (e) {
      result = this.ended(entry, ctx, step, e);
    } finally {
      clearInterval(heartbeat);
      log.end();
    }
    if (!(await publisher.close())) this.logger.error({ deploymentId: job.deploymentId }, 'some log lines could not be published');
    // as stored: another writer on the same log (a taken-over release's output) may have moved them
    const lastSeq = publisher.lastPublishedSeq || (job.firstSeq ?? 1) - 1;
    this.runtimeLogs.deployLogEnded(job.deploymentId, lastSeq);
    const summary = ctx.report?.summary((seq) => publisher.storedSeq(seq));
    await this.reporter.finish(job, this.instanceId, { ...result, ...(summary ? { summary } : {}), lastSeq, at: new Date().toISOString() });
    this.logger.log({ deploymentId: job.deploymentId, attempt: job.attempt, outcome: result.outcome, lastSeq }, 'job finished');
    await rm(this.pipeline.pathsFor(job.deploymentId).workDir, { recursive: true, force: true }).catch((e) =>
      this.logger.warn({ deploymentId: job.deploymentId, err: (e as Error).message }, 'work dir not removed'),
    );
  }

  private succeeded(job: DeployJob, log: BuildLog, o: PipelineOutcome): Omit<BuildResult, 'lastSeq' | 'at'> {
    log.system('deploy', `Deployed: ${o.urls.url} (this deployment: ${o.urls.previewUrl})`);
    return {
      deploymentId: job.deploymentId,
      attempt: job.attempt,
      outcome: 'succeeded',
      commit: o.commit,
      artifact: o.artifact,
      url: o.urls.url,
      previewUrl: o.urls.previewUrl,
    };
  }

  private ended(entry: RunningJob, ctx: PipelineContext, step: BuildStep, e: unknown): Omit<BuildResult, 'lastSeq' | 'at'> {
    const { job, log } = ctx;
    const base = { deploymentId: job.deploymentId, attempt: job.attempt, commit: ctx.commit };
    if (ctx.signal.aborted) {
      const at = e instanceof StepAbortedError ? e.step : step;
      // Shutdown: the clone and half a build are gone with the work dir; build/interrupted tells the
      // orchestrator to send the deployment to another builder (a next attempt) while attempts remain.
      if (entry.stopReason === 'shutdown') {
        const message = `the builder shut down during the ${at} step`;
        log.system(at, `Stopped: ${message}`, 'error');
        return { ...base, outcome: 'failed', failure: { code: ErrorCode.BuildInterrupted, step: at, message } };
      }
      log.system(at, entry.stopReason === 'timeout' ? 'Stopped: the deployment timed out; every process has ended' : 'Canceled: every process has ended', 'warn');
      return { ...base, outcome: 'canceled' };
    }
    if (e instanceof ReleaseSupersededError) {
      const message = `${e.message}; ${e.reason}`;
      log.system('deploy', `Canceled: ${message}`, 'warn');
      return { ...base, outcome: 'canceled', failure: { code: ErrorCode.DeploymentCanceled, step: 'deploy', message } };
    }
    const failure = this.failureOf(e, step, log);
    log.system(failure.step as BuildStep, `Failed: ${failure.message}`, 'error');
    return { ...base, outcome: 'failed', failure };
  }

  private failureOf(e: unknown, step: BuildStep, log: BuildLog): Failure {
    if (e instanceof StepFailedError) {
      return { code: e.code, step: e.step, exitCode: e.exitCode, message: log.mask(e.message), lastLines: log.lastLines(e.step) };
    }
    if (e instanceof ReleaseFailedError) {
      const message = log.mask(e.reason && !e.message.includes(e.reason) ? `${e.message}: ${e.reason}` : e.message);
      return { code: ErrorCode.DeploymentDeployFailed, step: 'deploy', message, lastLines: log.lastLines('deploy') };
    }
    const message = log.mask((e as Error)?.message ?? String(e));
    this.logger.error({ step, err: message }, 'unexpected error in a job');
    const code = step === 'deploy' ? ErrorCode.DeploymentProviderError : ErrorCode.InternalError;
    return { code, step, message: `${step === 'deploy' ? 'the release provider failed' : 'internal error'}: ${message}`, lastLines: log.lastLines(step) };
  }

  private async beat(entry: RunningJob, step: BuildStep, lastSeq: number) {
    const { job } = entry;
    try {
      const cancelRecorded = await this.jobs.heartbeat(this.ds, job.deploymentId, job.attempt, this.instanceId, step, lastSeq);
      const beat: BuildHeartbeat = { deploymentId: job.deploymentId, attempt: job.attempt, builder: this.instanceId, step, lastSeq };
      this.nc.publish(subjectFor(buildHeartbeat.subject, job.deploymentId), encodeEvent(buildHeartbeat, beat));
      // the fast path (the cancel message) may have been missed: the job table, then the orchestrator
      if (cancelRecorded) this.stop(job.deploymentId, job.attempt, 'canceled');
      else {
        const reason = await this.wanted.stopReason(job.deploymentId, job.attempt);
        if (reason && this.stop(job.deploymentId, job.attempt, reason)) {
          this.logger.warn({ deploymentId: job.deploymentId, reason }, 'the deployment no longer wants this job; stopping it');
        }
      }
    } catch (e) {
      this.logger.warn({ deploymentId: job.deploymentId, err: (e as Error).message }, 'heartbeat failed');
    }
  }
}

const key = (deploymentId: string, attempt: number) => `${deploymentId}:${attempt}`;
