import { randomUUID } from 'node:crypto';
import type { DeployJob, Deployment, Environment, LogLine, Project } from '@flightdeck/contracts';

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

export const anEnvironment = (over: Partial<Environment> = {}): Environment => ({
  id: randomUUID(),
  projectId: randomUUID(),
  name: 'production',
  type: 'production',
  isDefault: true,
  limits: {},
  concurrencyPolicy: 'reject',
  createdAt: AT,
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

// What the orchestrator hands the builder for one attempt.
export const aDeployJob = (over: Partial<DeployJob> = {}): DeployJob => ({
  deploymentId: randomUUID(),
  attempt: 1,
  kind: 'build',
  projectId: randomUUID(),
  projectName: 'shop',
  environmentId: randomUUID(),
  environmentName: 'production',
  repositoryUrl: '/nonexistent',
  sourceRef: 'main',
  ...over,
});

// Log line `seq`, stamped `seq` ms after the epoch of the other factories.
export const aLine = (seq: number, over: Partial<LogLine> = {}): LogLine => ({
  seq,
  timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, seq)).toISOString(),
  level: 'info',
  source: 'build',
  step: 'build',
  message: `line ${seq}`,
  ...over,
});
