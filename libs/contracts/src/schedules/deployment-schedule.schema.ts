import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Actor, Id, IsoDate } from '../common.schema';

// A cron expression per environment: each firing triggers a deployment of sourceRef (trigger
// `schedule`). One schedule per environment. Cron has 5 fields (minute first) or 6 (seconds
// first), evaluated in `timezone` (an IANA name, UTC by default).
export const ScheduleBody = z
  .object({
    cron: z.string().trim().min(1).max(200),
    timezone: z.string().min(1).max(64).default('UTC'),
    sourceRef: z.string().min(1).max(255),
    enabled: z.boolean().default(true),
  })
  .strict();
export type ScheduleBody = z.infer<typeof ScheduleBody>;

export const DeploymentSchedule = z.object({
  id: Id,
  projectId: Id,
  environmentId: Id,
  cron: z.string(),
  timezone: z.string(),
  sourceRef: z.string(),
  enabled: z.boolean(),
  /** the next firing; null while disabled */
  nextRunAt: IsoDate.nullable(),
  /** the firing time of the last firing (a late catch-up keeps the time it was due) */
  lastRunAt: IsoDate.nullable(),
  lastDeploymentId: Id.nullable(),
  /** why the last firing started no deployment (e.g. deployment/already-running), else null */
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** how many times it has fired */
  firings: z.number().int(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type DeploymentSchedule = z.infer<typeof DeploymentSchedule>;

export const SetDeploymentScheduleRequest = ScheduleBody.extend({ projectId: Id, environmentId: Id, actor: Actor }).strict();
export type SetDeploymentScheduleRequest = z.infer<typeof SetDeploymentScheduleRequest>;

/** creates or replaces the environment's schedule; the next firing is computed anew */
export const setDeploymentSchedule = defineCommand({
  subject: Subjects.schedules.set,
  request: SetDeploymentScheduleRequest,
  reply: DeploymentSchedule,
});

export const listDeploymentSchedules = defineCommand({
  subject: Subjects.schedules.list,
  request: z.object({ projectId: Id, environmentId: Id.optional() }).strict(),
  reply: z.object({ items: z.array(DeploymentSchedule) }),
});

export const deleteDeploymentSchedule = defineCommand({
  subject: Subjects.schedules.delete,
  request: z.object({ projectId: Id, environmentId: Id, actor: Actor }).strict(),
  reply: DeploymentSchedule,
});
