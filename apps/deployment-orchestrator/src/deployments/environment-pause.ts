import { type DeploymentTrigger, ErrorCode, type Result, err, ok } from '@flightdeck/contracts';

// Pause after rollback: what a trigger may do while a rollback's pause holds its environment.
// Decided without the database; the pause is read under the environment's trigger lock.

export interface PauseRow {
  environmentId: string;
  projectId: string;
  rollbackDeploymentId: string;
  pausedBy: string;
  pausedAt: Date;
}

/** triggers nobody asked for just now: these never get through a pause, not even with force */
export const AUTOMATIC_TRIGGERS: readonly DeploymentTrigger[] = ['webhook', 'schedule'];

export type PauseVerdict = Result<{ overridden?: PauseRow }>;

export const pauseVerdict = (pause: PauseRow | undefined, trigger: DeploymentTrigger, force: boolean, environment: string): PauseVerdict => {
  if (!pause) return ok({});
  const since = `paused since ${pause.pausedAt.toISOString()} by rollback ${pause.rollbackDeploymentId}`;
  const details = { since: pause.pausedAt.toISOString(), rollbackDeploymentId: pause.rollbackDeploymentId, pausedBy: pause.pausedBy, trigger };
  if (AUTOMATIC_TRIGGERS.includes(trigger)) {
    return err(ErrorCode.EnvironmentPaused, `environment ${environment} is ${since}: ${trigger} deployments wait until it is resumed (POST …/environments/${pause.environmentId}/resume)`, details);
  }
  if (!force) {
    return err(ErrorCode.EnvironmentPaused, `environment ${environment} is ${since}: resume it, or trigger with force to deploy anyway`, details);
  }
  return ok({ overridden: pause });
};
