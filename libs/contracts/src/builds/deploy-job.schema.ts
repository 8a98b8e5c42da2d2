import { z } from 'zod';
import { defineEvent } from '../define';
import { Subjects } from '../subjects';
import { Id } from '../common.schema';
import { Artifact } from '../deployments/deployment.schema';
import { BuildSettings } from './build-settings.schema';

// One unit of builder work on the DEPLOY_JOBS work queue, shared by every builder replica.
export const DeployJob = z.object({
  deploymentId: Id,
  attempt: z.number().int().positive(),
  kind: z.enum(['build', 'rollback']),
  projectId: Id,
  projectName: z.string(),
  environmentId: Id,
  environmentName: z.string(),
  repositoryUrl: z.string(),
  sourceRef: z.string(),
  // an explicit force deploy: it may replace a newer commit on the environment's route
  force: z.boolean().optional(),
  // the project's build caches are emptied before the build (a retry asked for it)
  clearCache: z.boolean().optional(),
  // rollback: the earlier deployment whose release is served again
  target: z.object({ deploymentId: Id, artifact: Artifact }).optional(),
  // a later attempt continues the deployment's log after the lines of the earlier ones
  firstSeq: z.number().int().positive().optional(),
  // how to build and run the app: the environment's settings with the trigger's over them, as
  // snapshot when the deployment was triggered; absent fields are detected
  buildSettings: BuildSettings.optional(),
});
export type DeployJob = z.infer<typeof DeployJob>;

export const deployJobQueued = defineEvent({ subject: Subjects.jobs.deploy, data: DeployJob });
