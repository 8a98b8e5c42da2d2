import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Actor, Id, IsoDate } from '../common.schema';

// Pause after rollback (issue 23): a rollback that succeeds pauses automatic deploys (webhooks,
// schedules) to its environment, so the next push does not silently undo it; a manual trigger
// needs `force`. Kept by the orchestrator, which decides triggers and runs rollbacks.
export const EnvironmentPause = z.object({
  projectId: Id,
  environmentId: Id,
  paused: z.boolean(),
  /** when the rollback that paused it succeeded (absent: not paused) */
  since: IsoDate.optional(),
  /** the rollback deployment that paused it */
  rollbackDeploymentId: Id.optional(),
  /** who asked for that rollback (a user, token or system id) */
  pausedBy: z.string().optional(),
});
export type EnvironmentPause = z.infer<typeof EnvironmentPause>;

export const getEnvironmentPause = defineCommand({
  subject: Subjects.deployments.pause,
  request: z.object({ projectId: Id, environmentId: Id }).strict(),
  reply: EnvironmentPause,
});

// Ends the pause; resuming an environment that is not paused answers it unchanged.
export const resumeEnvironment = defineCommand({
  subject: Subjects.deployments.resume,
  request: z.object({ projectId: Id, environmentId: Id, actor: Actor }).strict(),
  reply: EnvironmentPause.extend({
    /** the pause this resume ended (absent: it was not paused) */
    ended: z.object({ since: IsoDate, rollbackDeploymentId: Id, pausedBy: z.string() }).optional(),
  }),
});
