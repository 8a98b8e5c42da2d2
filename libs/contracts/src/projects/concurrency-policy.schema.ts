import { z } from 'zod';

// What a trigger does while the environment already has a deployment in progress:
// - reject: 409 deployment/already-running (unless forced)
// - queue: waits its turn, first in first out, one running at a time, at most MAX_QUEUED waiting
// - supersede: one running plus one waiting; a newer trigger replaces the waiting one (GitHub's
//   concurrency groups)
// - cancel-in-progress: the newest wins; running and waiting ones are canceled
// A forced trigger cancels whatever is in progress under every policy.
export const ConcurrencyPolicy = z.enum(['reject', 'queue', 'supersede', 'cancel-in-progress']);
export type ConcurrencyPolicy = z.infer<typeof ConcurrencyPolicy>;

/** waiting deployments per environment under `queue`; the next trigger gets deployment/queue-full */
export const MAX_QUEUED = 100;

/** the body of PUT …/environments/:id/concurrency */
export const EnvironmentConcurrency = z.object({ policy: ConcurrencyPolicy }).strict();
export type EnvironmentConcurrency = z.infer<typeof EnvironmentConcurrency>;
