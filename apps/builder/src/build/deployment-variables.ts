import { Injectable } from '@nestjs/common';
import { ErrorCode, type ResolvedVariable, resolveVariables } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { StepAbortedError, StepFailedError } from './step-errors';

const TRIES = 3;

// Settles with the promise, or rejects as soon as the job is stopped: a cancel must not wait for
// a slow answer.
const unlessAborted = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new StepAbortedError('prepare'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });

// The deployment's variables in plaintext, asked from environment-manager for this job only and
// kept in memory for its duration.
@Injectable()
export class DeploymentVariables {
  constructor(private readonly bus: Bus) {}

  async resolve(environmentId: string, deploymentId: string, signal: AbortSignal): Promise<ResolvedVariable[]> {
    for (let attempt = 1; ; attempt++) {
      const r = await unlessAborted(this.bus.request(resolveVariables, { environmentId, deploymentId }), signal);
      if (r.ok) return r.data.items;
      // environment-manager may be restarting; anything else is a real answer
      if (r.error.code !== ErrorCode.ServiceUnavailable || attempt >= TRIES) {
        throw new StepFailedError(r.error.code, 'prepare', `could not load the deployment's variables: ${r.error.message}`);
      }
      await unlessAborted(new Promise((resolve) => setTimeout(resolve, 1_000 * attempt)), signal);
    }
  }
}
