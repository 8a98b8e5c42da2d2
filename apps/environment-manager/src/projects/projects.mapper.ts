import type { Environment, Project } from '@flightdeck/contracts';
import type { EnvironmentEntity } from './environment.entity';
import type { ProjectEntity } from './project.entity';

export const toProject = (p: ProjectEntity): Project => ({
  id: p.id,
  name: p.name,
  repositoryUrl: p.repositoryUrl,
  defaultBranch: p.defaultBranch,
  ...(p.triggersPerMinute !== null ? { triggersPerMinute: p.triggersPerMinute } : {}),
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
  ...(p.deletedAt ? { deletedAt: p.deletedAt.toISOString() } : {}),
});

// deletedAt only when set: a live environment reads as it always did
export const toEnvironment = (e: EnvironmentEntity): Environment => ({
  id: e.id,
  projectId: e.projectId,
  name: e.name,
  type: e.type,
  isDefault: e.isDefault,
  // only when one is configured: an environment on the internal provider reads as it always did
  ...(e.provider ? { provider: e.provider as Environment['provider'] } : {}),
  limits: e.limits ?? {},
  concurrencyPolicy: e.concurrencyPolicy ?? 'reject',
  buildSettings: e.buildSettings ?? {},
  branch: e.branch ?? null,
  autoDeploy: e.autoDeploy ?? true,
  allowedRefs: e.allowedRefs ?? [],
  // only when set: an environment without rules reads as it always did
  ...(e.protection ? { protection: e.protection } : {}),
  // only when it has some: an environment without reads as it always did
  ...(e.domains?.length ? { domains: e.domains } : {}),
  createdAt: e.createdAt.toISOString(),
  ...(e.deletedAt ? { deletedAt: e.deletedAt.toISOString() } : {}),
});
