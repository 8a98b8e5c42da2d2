import { z } from 'zod';
import { ErrorClass } from '../errors/error-catalog';
import { Id, IsoDate } from '../common.schema';

export const DeploymentStatus = z.enum([
  'created',
  'queued',
  'initializing',
  'building',
  'deploying',
  'succeeded',
  'failed',
  'canceled',
  'timeout',
]);
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;
export const TERMINAL_STATUSES: readonly DeploymentStatus[] = ['succeeded', 'failed', 'canceled', 'timeout'];
export const isTerminal = (s: DeploymentStatus) => TERMINAL_STATUSES.includes(s);

export const DeploymentPhase = z.enum([
  // in the environment's queue behind a running deployment (policies queue and supersede): no job yet
  'waiting',
  // held by the environment's protection rules (issue 23), no job and no slot: waiting for approvals,
  // for the wait timer, or for a freeze window to end (metadata.protection says what for)
  'awaiting_approval',
  'waiting_timer',
  'frozen',
  'queued',
  'validating',
  'pulling_source',
  'building',
  'packaging',
  'releasing',
  'health_check',
  'updating_routes',
  'active',
  'failed',
]);
export type DeploymentPhase = z.infer<typeof DeploymentPhase>;
/** the phases of a deployment held by a protection rule: it takes neither a build slot nor the environment's running slot */
export const HELD_PHASES: readonly DeploymentPhase[] = ['awaiting_approval', 'waiting_timer', 'frozen'];
export const isHeldPhase = (p: DeploymentPhase) => HELD_PHASES.includes(p);

// Who builds a deployment, as a trigger asks: internal, our builder (releasing to the environment's
// provider); external, a team's own service publishes its build events (the public build-event
// contract) and the platform only follows them.
export const TriggerProvider = z.enum(['internal', 'external']);
export type TriggerProvider = z.infer<typeof TriggerProvider>;

// Where a deployment went: `external` (its publisher's), else the name of the environment's provider
// when it was created (`internal`, `docker`, `custom`, ... : libs/providers). A string, not an enum,
// so that a new provider needs no contract change; the old values still parse.
export const DeploymentProvider = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a provider name: lowercase letters, digits and -');
export type DeploymentProvider = z.infer<typeof DeploymentProvider>;

export const DeploymentTrigger = z.enum(['manual', 'api', 'cli', 'rollback', 'example', 'schedule', 'webhook']);
export type DeploymentTrigger = z.infer<typeof DeploymentTrigger>;

export const Artifact = z.object({
  id: z.string(),
  sha256: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  kind: z.enum(['static', 'node']),
});
export type Artifact = z.infer<typeof Artifact>;

export const CommitInfo = z.object({
  sha: z.string(),
  message: z.string(),
  author: z.string(),
});
export type CommitInfo = z.infer<typeof CommitInfo>;

export const Deployment = z.object({
  id: Id,
  projectId: Id,
  environmentId: Id,
  sourceRef: z.string(),
  commitSha: z.string().nullable(),
  commitMessage: z.string().nullable(),
  commitAuthor: z.string().nullable(),
  message: z.string().nullable(),
  triggeredBy: z.string(),
  trigger: DeploymentTrigger,
  // optional so that older payloads still parse; absent means internal
  provider: DeploymentProvider.optional(),
  status: DeploymentStatus,
  phase: DeploymentPhase,
  progress: z.number().min(0).max(100),
  attempt: z.number().int().nonnegative(),
  parentDeploymentId: Id.nullable(),
  rollbackTargetId: Id.nullable(),
  artifact: Artifact.nullable(),
  url: z.string().nullable(),
  previewUrl: z.string().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  // how bad errorCode is and what to do about it (error-catalog.ts); optional so that older payloads still parse
  errorClass: ErrorClass.nullable().optional(),
  metadata: z.record(z.unknown()),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  startedAt: IsoDate.nullable(),
  finishedAt: IsoDate.nullable(),
  durationMs: z.number().int().nullable(),
  // optional so that older payloads still parse
  queuedAt: IsoDate.nullable().optional(),
  // set while a cancel waits for the builder to confirm that its work has stopped
  cancelRequestedAt: IsoDate.nullable().optional(),
});
export type Deployment = z.infer<typeof Deployment>;

export const DeploymentTransition = z.object({
  from: DeploymentStatus.nullable(),
  to: DeploymentStatus,
  phase: DeploymentPhase,
  at: IsoDate,
  reason: z.string().nullable(),
  /** an approval decision this change records (issue 23): approved, rejected, or expired (by null); absent on others */
  approval: z
    .object({
      decision: z.enum(['approved', 'rejected', 'expired']),
      by: z.string().nullable(),
      comment: z.string().nullable(),
      given: z.number().int(),
      required: z.number().int(),
    })
    .optional(),
});
export type DeploymentTransition = z.infer<typeof DeploymentTransition>;
