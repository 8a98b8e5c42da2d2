import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id, IsoDate } from '../common.schema';

// Deployments of a project created in [from, to) (default: the last 30 days), optionally of one environment.
// (from must be before to: the orchestrator answers validation/invalid-input otherwise)
export const AnalyticsQuery = z.object({ environmentId: Id.optional(), from: IsoDate.optional(), to: IsoDate.optional() }).strict();
export type AnalyticsQuery = z.infer<typeof AnalyticsQuery>;

const Percentiles = z.object({ p50: z.number().nullable(), p95: z.number().nullable() });

export const DeploymentAnalytics = z.object({
  projectId: Id,
  environmentId: Id.nullable(),
  from: IsoDate,
  to: IsoDate,
  total: z.number().int(),
  byStatus: z.record(z.number().int()),
  /** succeeded / (succeeded + failed + timeout); canceled ones are not counted; null without any */
  successRate: z.number().nullable(),
  /** created → ended */
  totalMs: Percentiles,
  /** started → ended (the deployment's durationMs) */
  durationMs: Percentiles,
  /** created → started */
  queueWaitMs: Percentiles,
  /** time per phase, over the deployments that went through it */
  phaseMs: z.record(Percentiles),
  topErrors: z.array(z.object({ code: z.string(), count: z.number().int() })),
});
export type DeploymentAnalytics = z.infer<typeof DeploymentAnalytics>;

export const getProjectAnalytics = defineCommand({
  subject: Subjects.deployments.analytics,
  request: AnalyticsQuery.extend({ projectId: Id }),
  reply: DeploymentAnalytics,
});
