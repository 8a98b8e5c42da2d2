import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type BuildProgress,
  type BuildResult,
  type DeployJob,
  buildFinished,
  buildProgressed,
} from '@flightdeck/contracts';
import { Outbox } from '@flightdeck/messaging';
import { BuildJobsRepository, type JobStatus } from './build-jobs.repository';

export type ProgressReport = Pick<BuildProgress, 'stage' | 'phase' | 'progress' | 'commit' | 'build'>;


// Everything the builder reports about a deployment goes through its outbox in a short
// transaction, together with the job row it changes: published exactly when it is recorded.
@Injectable()
export class BuildEventsReporter {
  private readonly logger = new Logger(BuildEventsReporter.name);

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly jobs: BuildJobsRepository,
  ) {}

  /** takes the attempt for this instance and announces it; false when it was handled already */
  async accept(job: DeployJob, instanceId: string): Promise<boolean> {
    return this.ds.transaction(async (tx) => {
      if (!(await this.jobs.claim(tx, job, instanceId))) return false;
      await this.outbox.add(tx, buildProgressed, job.deploymentId, {
        deploymentId: job.deploymentId,
        attempt: job.attempt,
        stage: 'initializing',
        phase: job.kind === 'rollback' ? 'validating' : 'pulling_source',
        progress: 5,
        at: new Date().toISOString(),
      });
      return true;
    });
  }

  // Progress is informative: a database hiccup must not fail a build that is otherwise fine.
  async progress(job: DeployJob, step: string, report: ProgressReport): Promise<void> {
    try {
      await this.ds.transaction(async (tx) => {
        await this.jobs.setStep(tx, job.deploymentId, job.attempt, step);
        await this.outbox.add(tx, buildProgressed, job.deploymentId, {
          deploymentId: job.deploymentId,
          attempt: job.attempt,
          ...report,
          at: new Date().toISOString(),
        });
      });
    } catch (e) {
      this.logger.warn({ deploymentId: job.deploymentId, phase: report.phase, err: (e as Error).message }, 'progress not recorded');
    }
  }

  // The result must get out: retried for a while; if the database stays away, the job row stays
  // running and the stale-job sweeper ends it once its heartbeats have stopped.
  async finish(job: DeployJob, instanceId: string, result: BuildResult): Promise<void> {
    const status: Exclude<JobStatus, 'running'> = result.outcome;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.ds.transaction(async (tx) => {
          const owned = await this.jobs.finish(
            tx,
            { deploymentId: job.deploymentId, attempt: job.attempt, instanceId },
            { status, lastSeq: result.lastSeq, errorCode: result.failure?.code, artifact: result.artifact },
          );
          // another replica declared this job dead and reported it already
          if (!owned) return this.logger.warn({ deploymentId: job.deploymentId }, 'job was ended elsewhere; result dropped');
          await this.outbox.add(tx, buildFinished, job.deploymentId, result);
        });
        return;
      } catch (e) {
        if (attempt >= 10) {
          this.logger.error({ deploymentId: job.deploymentId, err: (e as Error).message }, 'build result not recorded');
          return;
        }
        await sleep(Math.min(500 * attempt, 5_000));
      }
    }
  }
}
