import type { CommitInfo, DeployJob } from '@flightdeck/contracts';
import type { ProgressReport } from '../jobs/build-events.reporter';
import type { BuildLog, BuildStep } from '../logs/build-log';
import type { BuildReport } from './build-report';

// What a pipeline gets from the job runner: the job, its log, its abort signal, and a way to say
// which step it is in (for heartbeats and failures) and how far it got (for the deployment).
export interface PipelineContext {
  job: DeployJob;
  log: BuildLog;
  signal: AbortSignal;
  /** the commit, once checked out: reported with the result, also a failed one */
  commit?: CommitInfo;
  /** times, size, warnings and test counts so far: reported with the result, also a failed one */
  report?: BuildReport;
  enterStep(step: BuildStep, progress?: ProgressReport): Promise<void>;
}
