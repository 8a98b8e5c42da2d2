import { z } from 'zod';
import { defineEvent } from '../define';
import { Subjects } from '../subjects';
import { Id } from '../common.schema';
import { Deployment, DeploymentTransition } from './deployment.schema';

// Published by the orchestrator (through its outbox) after every transition or phase change.
export const deploymentStatusChanged = defineEvent({
  subject: Subjects.deployments.statusChanged,
  data: z.object({ deployment: Deployment, transition: DeploymentTransition }),
  subjectToken: (d) => d.deployment.id,
});
export type DeploymentStatusChanged = z.infer<typeof deploymentStatusChanged.data>;

// A running deployment was asked to stop (cancel or timeout): the builder running it kills its tree.
export const deploymentCancelRequested = defineEvent({
  subject: Subjects.deployments.cancelRequested,
  data: z.object({ deploymentId: Id, attempt: z.number().int(), reason: z.enum(['canceled', 'timeout']) }),
  subjectToken: (d) => d.deploymentId,
});
