import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Actor, Id, IsoDate, PageQuery, pageOf } from '../common.schema';
import { ProjectRole } from '../access/access.schema';
import { Deployment, DeploymentPhase, DeploymentStatus, DeploymentTrigger, TriggerProvider } from './deployment.schema';
import { BuildSettings } from '../builds/build-settings.schema';
import { TriggerVariables } from '../projects/variable.schema';

export const TriggerDeploymentBody = z
  .object({
    sourceRef: z.string().min(1).max(255),
    environmentId: Id.optional(),
    message: z.string().max(1000).optional(),
    force: z.boolean().optional(),
    provider: TriggerProvider.optional(),
    // emergencies only: no pre-flight check of the variables (recorded on the deployment)
    skipValidation: z.boolean().optional(),
    // this deployment only: over the environment's build settings, field by field
    buildSettings: BuildSettings.optional(),
    // the project's build cache (node_modules, framework caches, package stores) is emptied first
    clearCache: z.boolean().optional(),
    // this deployment only: over the environment's and project's variables (not for secrets)
    variables: TriggerVariables.optional(),
  })
  .strict();
export type TriggerDeploymentBody = z.infer<typeof TriggerDeploymentBody>;

export const TriggerDeploymentRequest = TriggerDeploymentBody.extend({
  projectId: Id,
  idempotencyKey: z.string().min(1).max(200).optional(),
  trigger: DeploymentTrigger.default('api'),
  actor: Actor,
  // a pull request from a fork: the build gets no sensitive variable (kept by a retry)
  withholdSensitive: z.boolean().optional(),
  // the branch or tag sourceRef was taken from (a push webhook deploys its commit's sha): what the
  // environment's allowedRefs checks; absent: sourceRef itself. Set by the platform, not in the HTTP body.
  ref: z.string().min(1).max(255).optional(),
  // the caller's role on the project, as the gateway found it (a platform admin counts as owner): a
  // forced trigger by an admin or owner goes through a freeze window. Set by the platform, not in the HTTP body.
  actorRole: ProjectRole.optional(),
});
export type TriggerDeploymentRequest = z.infer<typeof TriggerDeploymentRequest>;

export const TriggerDeploymentReply = z.object({ deployment: Deployment, replayed: z.boolean() });

export const triggerDeployment = defineCommand({
  subject: Subjects.deployments.trigger,
  request: TriggerDeploymentRequest,
  reply: TriggerDeploymentReply,
  timeoutMs: 10_000,
});

export const getDeployment = defineCommand({
  subject: Subjects.deployments.get,
  request: z.object({ deploymentId: Id }).strict(),
  reply: Deployment,
});

// One step of a deployment's history: a status change, or a new phase within a status.
export const ProgressEntry = z.object({
  at: IsoDate,
  fromStatus: DeploymentStatus.nullable(),
  status: DeploymentStatus,
  phase: DeploymentPhase,
  progress: z.number(),
  reason: z.string().nullable(),
});
export type ProgressEntry = z.infer<typeof ProgressEntry>;

// Computed from the history: time spent waiting in the queue, in each status and in each phase
// (the last one up to now while the deployment is active), and from creation to the end.
export const DeploymentTimings = z.object({
  queueWaitMs: z.number().nullable(),
  statusMs: z.record(z.number()),
  phaseMs: z.record(z.number()),
  totalMs: z.number().nullable(),
});
export type DeploymentTimings = z.infer<typeof DeploymentTimings>;

export const getDeploymentProgress = defineCommand({
  subject: Subjects.deployments.progress,
  request: z.object({ deploymentId: Id }).strict(),
  reply: z.object({ items: z.array(ProgressEntry), timings: DeploymentTimings }),
});

// Seed 000's filters and sorting, all optional and combined: a project's deployments by status,
// environment, trigger, ref, commit (a prefix of its sha), who triggered them and when.
export const DeploymentSortBy = z.enum(['createdAt', 'updatedAt', 'finishedAt', 'duration']);
export type DeploymentSortBy = z.infer<typeof DeploymentSortBy>;
export const ListDeploymentsQuery = PageQuery.extend({
  status: DeploymentStatus.optional(),
  environmentId: Id.optional(),
  trigger: DeploymentTrigger.optional(),
  sourceRef: z.string().min(1).max(255).optional(),
  commitSha: z.string().regex(/^[0-9a-f]{4,40}$/i, 'must be 4 to 40 hex digits of a commit sha').transform((s) => s.toLowerCase()).optional(),
  triggeredBy: z.string().min(1).max(200).optional(),
  createdAfter: IsoDate.optional(),
  createdBefore: IsoDate.optional(),
  // createdAt desc (newest first) when not given; deployments without the sorted value come last
  sortBy: DeploymentSortBy.optional(),
  sortOrder: z.enum(['asc', 'desc']).optional(),
}).strict();
export const listDeployments = defineCommand({
  subject: Subjects.deployments.list,
  request: ListDeploymentsQuery.extend({ projectId: Id }),
  reply: pageOf(Deployment),
});

export const cancelDeployment = defineCommand({
  subject: Subjects.deployments.cancel,
  request: z.object({ deploymentId: Id, actor: Actor }).strict(),
  reply: Deployment,
});

// A new deployment of the same commit in the same environment, with parentDeploymentId and
// metadata.retryCount; `clearCache` empties the project's build caches first.
export const RetryBody = z.object({ clearCache: z.boolean().optional() }).strict();
export const retryDeployment = defineCommand({
  subject: Subjects.deployments.retry,
  request: RetryBody.extend({ deploymentId: Id, actor: Actor }),
  reply: Deployment,
  timeoutMs: 10_000,
});

export const RollbackBody = z.object({ targetDeploymentId: Id.optional() }).strict();
export const rollbackDeployment = defineCommand({
  subject: Subjects.deployments.rollback,
  request: RollbackBody.extend({ deploymentId: Id, actor: Actor }),
  reply: Deployment,
  timeoutMs: 10_000,
});
