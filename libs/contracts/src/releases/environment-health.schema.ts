import { z } from 'zod';
import { defineCommand } from '../define';
import { Id, IsoDate } from '../common.schema';
import { Subjects } from '../subjects';

// Supervision of live releases (issue 17 item 3): the builder checks each environment's current Node
// release and restarts it when its process dies or its health path fails. healthy: the last check
// passed; degraded: checks failing, or a restart pending or under way; down: crash-looping (restarts
// stopped until the next deploy or rollback).
export const HealthState = z.enum(['healthy', 'degraded', 'down']);
export type HealthState = z.infer<typeof HealthState>;

export const EnvironmentHealth = z.object({
  /** null: nothing is supervised (no Node release serves the environment: none yet, or a static site) */
  health: HealthState.nullable(),
  /** the deployment whose release is served and supervised */
  releaseDeploymentId: Id.nullable(),
  crashLooping: z.boolean(),
  /** restarts since that release went live */
  restarts: z.number().int().min(0),
  lastFailure: z.object({ reason: z.string(), at: IsoDate }).nullable(),
  /** when the builder last changed this */
  updatedAt: IsoDate.nullable(),
});
export type EnvironmentHealth = z.infer<typeof EnvironmentHealth>;

// Answered by any builder replica from builder.environment_health; releases are kept by names.
export const getEnvironmentHealth = defineCommand({
  subject: Subjects.releases.health,
  request: z.object({ projectName: z.string().min(1), environmentName: z.string().min(1) }).strict(),
  reply: EnvironmentHealth,
});
