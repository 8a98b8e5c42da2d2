import { type Deployment, classifyError } from '@flightdeck/contracts';
import type { DeploymentEntity } from './deployment.entity';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

// The contract shape every reader sees; the idempotency key stays inside the service.
export const toDeployment = (d: DeploymentEntity): Deployment => ({
  id: d.id,
  projectId: d.projectId,
  environmentId: d.environmentId,
  sourceRef: d.sourceRef,
  commitSha: d.commitSha,
  commitMessage: d.commitMessage,
  commitAuthor: d.commitAuthor,
  message: d.message,
  triggeredBy: d.triggeredBy,
  trigger: d.trigger,
  provider: d.provider,
  status: d.status,
  phase: d.phase,
  progress: d.progress,
  attempt: d.attempt,
  parentDeploymentId: d.parentDeploymentId,
  rollbackTargetId: d.rollbackTargetId,
  artifact: d.artifact,
  url: d.url,
  previewUrl: d.previewUrl,
  errorCode: d.errorCode,
  errorMessage: d.errorMessage,
  errorClass: d.errorCode ? classifyError(d.errorCode) : null,
  metadata: d.metadata,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
  queuedAt: iso(d.queuedAt),
  startedAt: iso(d.startedAt),
  finishedAt: iso(d.finishedAt),
  durationMs: d.durationMs,
  cancelRequestedAt: iso(d.cancelRequestedAt),
});
