import { randomUUID } from 'node:crypto';
import type { Deployment, Project } from '@flightdeck/contracts';

// Contract-shaped test data with defaults; a test states only what it is about.

const AT = '2025-01-01T00:00:00.000Z';

export const aProject = (over: Partial<Project> = {}): Project => ({
  id: randomUUID(),
  name: 'shop',
  repositoryUrl: 'https://example.com/shop.git',
  defaultBranch: 'main',
  createdAt: AT,
  updatedAt: AT,
  ...over,
});

export const aDeployment = (over: Partial<Deployment> = {}): Deployment => ({
  id: randomUUID(),
  projectId: randomUUID(),
  environmentId: randomUUID(),
  sourceRef: 'main',
  commitSha: null,
  commitMessage: null,
  commitAuthor: null,
  message: null,
  triggeredBy: 'admin',
  trigger: 'api',
  status: 'queued',
  phase: 'queued',
  progress: 0,
  attempt: 1,
  parentDeploymentId: null,
  rollbackTargetId: null,
  artifact: null,
  url: null,
  previewUrl: null,
  errorCode: null,
  errorMessage: null,
  metadata: {},
  createdAt: AT,
  updatedAt: AT,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  ...over,
});
