import { z } from 'zod';
import { defineEvent } from '../define';
import { Subjects } from '../subjects';
import { Id, IsoDate } from '../common.schema';
import { Artifact, CommitInfo, DeploymentPhase } from '../deployments/deployment.schema';
import { ErrorCode } from '../errors/error-codes';
import { BuildDetection } from './build-settings.schema';
import { BuildSummary } from './build-summary.schema';

// Public contract: our builder publishes these, and so may a team's own CI for its deployments.
// `attempt` lets the orchestrator ignore the late events of an earlier attempt.
export const BuildProgress = z.object({
  deploymentId: Id,
  attempt: z.number().int().positive(),
  stage: z.enum(['initializing', 'building', 'deploying']),
  phase: DeploymentPhase,
  progress: z.number().min(0).max(100),
  commit: CommitInfo.optional(),
  // what the builder detected and will run (kept as the deployment's metadata.build)
  build: BuildDetection.optional(),
  at: IsoDate,
});
export type BuildProgress = z.infer<typeof BuildProgress>;
export const buildProgressed = defineEvent({
  subject: Subjects.build.progress,
  data: BuildProgress,
  subjectToken: (d) => d.deploymentId,
});

// The steps our builder reports in log lines (LogLine.step) and failures (BuildFailure.step), in
// order. Other publishers may name their own steps: the field stays a free string.
export const BUILD_STEPS = ['prepare', 'clone', 'install', 'build', 'package', 'deploy'] as const;
export type BuildStepName = (typeof BUILD_STEPS)[number];

export const BuildFailure = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  step: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  lastLines: z.array(z.string()).optional(),
});
export type BuildFailure = z.infer<typeof BuildFailure>;

export const BuildResult = z.object({
  deploymentId: Id,
  attempt: z.number().int().positive(),
  outcome: z.enum(['succeeded', 'failed', 'canceled']),
  commit: CommitInfo.optional(),
  artifact: Artifact.optional(),
  url: z.string().optional(),
  previewUrl: z.string().optional(),
  failure: BuildFailure.optional(),
  // times, size, warnings and test counts of the build, as far as it got
  summary: BuildSummary.optional(),
  // the highest log seq the builder emitted, so followers know when the log is complete
  lastSeq: z.number().int().nonnegative(),
  at: IsoDate,
});
export type BuildResult = z.infer<typeof BuildResult>;
// A builder still runs this attempt. The orchestrator keeps the time it last heard one (its own
// clock: the database's) and treats a deployment that hears none, and whose phase does not move,
// as lost.
export const BuildHeartbeat = z.object({
  deploymentId: Id,
  attempt: z.number().int().positive(),
  builder: z.string(),
  step: z.string(),
  lastSeq: z.number().int().nonnegative(),
});
export type BuildHeartbeat = z.infer<typeof BuildHeartbeat>;

export const buildHeartbeat = defineEvent({
  subject: Subjects.build.heartbeat,
  data: BuildHeartbeat,
  subjectToken: (d) => d.deploymentId,
  ephemeral: true,
});

export const buildFinished = defineEvent({
  subject: Subjects.build.result,
  data: BuildResult,
  subjectToken: (d) => d.deploymentId,
});
