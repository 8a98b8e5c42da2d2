import type { DeploymentSchedule } from '@flightdeck/contracts';
import type { DeploymentScheduleEntity } from './deployment-schedule.entity';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toSchedule = (s: DeploymentScheduleEntity): DeploymentSchedule => ({
  id: s.id,
  projectId: s.projectId,
  environmentId: s.environmentId,
  cron: s.cron,
  timezone: s.timezone,
  sourceRef: s.sourceRef,
  enabled: s.enabled,
  nextRunAt: iso(s.nextRunAt),
  lastRunAt: iso(s.lastRunAt),
  lastDeploymentId: s.lastDeploymentId,
  lastError: s.lastErrorCode ? { code: s.lastErrorCode, message: s.lastErrorMessage ?? '' } : null,
  firings: s.firings,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});
