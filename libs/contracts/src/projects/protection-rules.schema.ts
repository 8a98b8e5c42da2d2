import { z } from 'zod';
import { ProjectRole } from '../access/access.schema';

// An environment's protection rules (issue 23), kept by environment-manager with the environment
// and applied by the orchestrator when a deployment is triggered. A deployment held by a rule waits
// in phase awaiting_approval, waiting_timer or frozen without taking a build or the environment's slot.

export const RequiredApprovals = z
  .object({
    /** approvals that release the deployment (GitHub environments allow up to 6 reviewers) */
    count: z.number().int().min(1).max(6),
    /** the lowest project role that may approve or reject */
    minRole: ProjectRole.default('admin'),
    /** the member who triggered the deployment may not approve it */
    forbidAuthor: z.boolean().default(false),
    /** a deployment not approved within this many hours is canceled (default 7 days, at most 30) */
    expiresAfterHours: z.number().int().min(1).max(720).default(168),
  })
  .strict();
export type RequiredApprovals = z.infer<typeof RequiredApprovals>;

/**
 * A window opening at each firing of a cron expression (5 fields, or 6 with seconds first) in an
 * IANA time zone and lasting durationMinutes. `deny`: no deployment proceeds inside it; `allow`:
 * deployments proceed only inside one (when the environment has any allow window).
 */
export const FreezeWindow = z
  .object({
    kind: z.enum(['deny', 'allow']),
    schedule: z.string().min(1).max(200),
    timeZone: z.string().min(1).max(100).default('UTC'),
    durationMinutes: z.number().int().min(1).max(60 * 24 * 31),
  })
  .strict();
export type FreezeWindow = z.infer<typeof FreezeWindow>;

export const ProtectionRules = z
  .object({
    requiredApprovals: RequiredApprovals.nullable().optional(),
    /** minutes a deployment waits after its approvals before it may proceed (at most 30 days) */
    waitTimerMinutes: z.number().int().min(1).max(43_200).nullable().optional(),
    freezeWindows: z.array(FreezeWindow).max(20).optional(),
    /** what a trigger meets inside a freeze: `wait` (phase frozen until it ends) or `refuse` (409 deployment/environment-frozen) */
    freezeBehaviour: z.enum(['wait', 'refuse']).default('wait'),
    /** refuse to release a build whose test command failed (failed deployment/build-failed at the test step) */
    requireTestsPassed: z.boolean().optional(),
  })
  .strict();
export type ProtectionRules = z.infer<typeof ProtectionRules>;

/** the record of one approval decision, kept in the held deployment's metadata.protection.decisions */
export const ApprovalDecision = z.object({
  by: z.string(),
  role: ProjectRole,
  decision: z.enum(['approved', 'rejected']),
  comment: z.string().nullable(),
  at: z.string(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;
