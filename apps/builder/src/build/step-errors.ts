import { ErrorCode } from '@flightdeck/contracts';
import type { BuildStep } from '../logs/build-log';

// A step of the pipeline failed for a reason the user can act on (their build, their ref, their
// repository). The code, step and exit code reach the deployment as its failure.
export class StepFailedError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly step: BuildStep,
    message: string,
    readonly exitCode: number | null = null,
  ) {
    super(message);
  }
}

export const buildFailed = (step: BuildStep, message: string, exitCode: number | null = null) =>
  new StepFailedError(ErrorCode.DeploymentBuildFailed, step, message, exitCode);

// The job's abort signal fired (cancel, timeout or shutdown) and the step's processes are gone.
export class StepAbortedError extends Error {
  constructor(readonly step: BuildStep) {
    super(`${step} stopped`);
  }
}
